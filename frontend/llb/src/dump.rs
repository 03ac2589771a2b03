//! Human-readable dumps of a Definition, for `stagecraft llb --json` and
//! golden tests. Ops are numbered by position; inputs are written as
//! `"<op number>:<output>"` so a reader can follow the graph without
//! matching digests by eye.

use std::collections::BTreeMap;

use prost::Message;
use serde_json::{Map, Value, json};

use crate::marshal::digest_of;
use crate::metadata::CUSTOM_NAME_KEY;
use crate::pb;

/// One JSON object per op, one op per line, wrapped in a JSON array. Fields
/// at their default value are left out. Undecodable op bytes are reported in
/// place (`"op":"invalid"`) rather than failing the dump.
pub fn dump_json(def: &pb::Definition) -> String {
    let index = Index::new(def);
    let lines: Vec<String> = def
        .def
        .iter()
        .enumerate()
        .map(|(i, bytes)| op_json(def, &index, i, bytes).to_string())
        .collect();
    if lines.is_empty() {
        return "[]\n".to_string();
    }
    format!("[\n{}\n]\n", lines.join(",\n"))
}

/// A terser line-per-op text form: `#n kind summary  "name"`.
pub fn dump_text(def: &pb::Definition) -> String {
    let index = Index::new(def);
    let mut out = String::new();
    for (i, bytes) in def.def.iter().enumerate() {
        let v = op_json(def, &index, i, bytes);
        let kind = v.get("op").and_then(Value::as_str).unwrap_or("?");
        let short = index
            .digests
            .get(i)
            .map_or("", |d| d.get(7..19).unwrap_or(d));
        let mut line = format!("#{i} {short} {kind}");
        if let Value::Object(m) = &v {
            for (k, val) in m {
                if matches!(k.as_str(), "n" | "digest" | "op" | "name" | "caps") {
                    continue;
                }
                line.push_str(&format!(" {k}={val}"));
            }
            if let Some(name) = m.get("name") {
                line.push_str(&format!("  {name}"));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Op digests in emission order, with a lookup from digest to position.
struct Index {
    digests: Vec<String>,
    position: BTreeMap<String, usize>,
}

impl Index {
    fn new(def: &pb::Definition) -> Self {
        let digests: Vec<String> = def.def.iter().map(|b| digest_of(b)).collect();
        let mut position = BTreeMap::new();
        for (i, d) in digests.iter().enumerate() {
            position.entry(d.clone()).or_insert(i);
        }
        Index { digests, position }
    }
}

fn op_json(def: &pb::Definition, index: &Index, i: usize, bytes: &[u8]) -> Value {
    let digests = &index.digests;
    let mut m = Map::new();
    m.insert("n".into(), json!(i));
    let digest = digests.get(i).cloned().unwrap_or_default();
    m.insert("digest".into(), json!(digest));
    let op = match pb::Op::decode(bytes) {
        Ok(op) => op,
        Err(e) => {
            m.insert("op".into(), json!("invalid"));
            m.insert("error".into(), json!(e.to_string()));
            return Value::Object(m);
        }
    };
    let input_ref = |input: &pb::Input| -> String {
        match index.position.get(&input.digest) {
            Some(n) => format!("{n}:{}", input.index),
            None => format!("{}:{}", input.digest, input.index),
        }
    };
    let kind = match &op.op {
        None => "terminal",
        Some(pb::op::Op::Source(_)) => "source",
        Some(pb::op::Op::Exec(_)) => "exec",
        Some(pb::op::Op::File(_)) => "file",
        Some(pb::op::Op::Build(_)) => "build",
        Some(pb::op::Op::Merge(_)) => "merge",
        Some(pb::op::Op::Diff(_)) => "diff",
    };
    m.insert("op".into(), json!(kind));
    if !op.inputs.is_empty() {
        let inputs: Vec<String> = op.inputs.iter().map(input_ref).collect();
        m.insert("inputs".into(), json!(inputs));
    }
    if let Some(p) = &op.platform {
        m.insert("platform".into(), json!(platform_string(p)));
    }
    match &op.op {
        Some(pb::op::Op::Source(s)) => {
            m.insert("id".into(), json!(s.identifier));
            if !s.attrs.is_empty() {
                m.insert("attrs".into(), json!(s.attrs));
            }
        }
        Some(pb::op::Op::Exec(e)) => exec_json(&mut m, e),
        Some(pb::op::Op::File(f)) => {
            let actions: Vec<Value> = f.actions.iter().map(file_action_json).collect();
            m.insert("actions".into(), Value::Array(actions));
        }
        Some(pb::op::Op::Merge(mg)) => {
            let ins: Vec<i64> = mg.inputs.iter().map(|x| x.input).collect();
            m.insert("layers".into(), json!(ins));
        }
        Some(pb::op::Op::Diff(d)) => {
            m.insert(
                "lower".into(),
                json!(d.lower.as_ref().map_or(-1, |x| x.input)),
            );
            m.insert(
                "upper".into(),
                json!(d.upper.as_ref().map_or(-1, |x| x.input)),
            );
        }
        Some(pb::op::Op::Build(_)) | None => {}
    }
    if let Some(md) = def.metadata.get(&digest) {
        if let Some(name) = md.description.get(CUSTOM_NAME_KEY) {
            m.insert("name".into(), json!(name));
        }
        let other: Map<String, Value> = md
            .description
            .iter()
            .filter(|(k, _)| k.as_str() != CUSTOM_NAME_KEY)
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if !other.is_empty() {
            m.insert("description".into(), Value::Object(other));
        }
        if md.ignore_cache {
            m.insert("ignore_cache".into(), json!(true));
        }
        if let Some(e) = &md.export_cache {
            m.insert("export_cache".into(), json!(e.value));
        }
        if let Some(g) = &md.progress_group {
            m.insert(
                "progress_group".into(),
                json!({"id": g.id, "name": g.name, "weak": g.weak}),
            );
        }
        if let Some(r) = &md.linux_resources {
            m.insert(
                "linux_resources".into(),
                json!({
                    "memory": r.memory,
                    "memory_swap": r.memory_swap,
                    "cpu_shares": r.cpu_shares,
                    "cpu_period": r.cpu_period,
                    "cpu_quota": r.cpu_quota,
                    "cpuset_cpus": r.cpuset_cpus,
                    "cpuset_mems": r.cpuset_mems,
                }),
            );
        }
        let caps: Vec<&String> = md
            .caps
            .iter()
            .filter(|(_, on)| **on)
            .map(|(k, _)| k)
            .collect();
        if !caps.is_empty() {
            m.insert("caps".into(), json!(caps));
        }
    }
    // An op without an entry has no location: shown as `[]`, as the
    // reference's Definitions show it (they carry an empty entry for every
    // op but the terminal one).
    let terminal = m.get("op").is_some_and(|op| op == "terminal");
    if let Some(source) = def.source.as_ref().filter(|_| !terminal) {
        let none = pb::Locations::default();
        let locs = source.locations.get(&digest).unwrap_or(&none);
        let v: Vec<Value> = locs
            .locations
            .iter()
            .map(|l| {
                let ranges: Vec<String> = l.ranges.iter().map(range_string).collect();
                json!({"source": l.source_index, "ranges": ranges})
            })
            .collect();
        m.insert("locations".into(), Value::Array(v));
    }
    Value::Object(m)
}

fn platform_string(p: &pb::Platform) -> String {
    let mut s = format!("{}/{}", p.os, p.architecture);
    if !p.variant.is_empty() {
        s.push('/');
        s.push_str(&p.variant);
    }
    s
}

fn range_string(r: &pb::Range) -> String {
    let pos = |p: &Option<pb::Position>| p.as_ref().map_or((0, 0), |p| (p.line, p.character));
    let (s, e) = (pos(&r.start), pos(&r.end));
    if s == e && s.1 == 0 {
        s.0.to_string()
    } else {
        format!("{}:{}-{}:{}", s.0, s.1, e.0, e.1)
    }
}

fn exec_json(m: &mut Map<String, Value>, e: &pb::ExecOp) {
    if let Some(meta) = &e.meta {
        m.insert("args".into(), json!(meta.args));
        if !meta.env.is_empty() {
            m.insert("env".into(), json!(meta.env));
        }
        m.insert("cwd".into(), json!(meta.cwd));
        if !meta.user.is_empty() {
            m.insert("user".into(), json!(meta.user));
        }
        if !meta.hostname.is_empty() {
            m.insert("hostname".into(), json!(meta.hostname));
        }
        if !meta.extra_hosts.is_empty() {
            let hosts: Vec<String> = meta
                .extra_hosts
                .iter()
                .map(|h| format!("{}={}", h.host, h.ip))
                .collect();
            m.insert("extra_hosts".into(), json!(hosts));
        }
        if !meta.ulimit.is_empty() {
            let u: Vec<String> = meta
                .ulimit
                .iter()
                .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
                .collect();
            m.insert("ulimit".into(), json!(u));
        }
        if !meta.cgroup_parent.is_empty() {
            m.insert("cgroup_parent".into(), json!(meta.cgroup_parent));
        }
        if let Some(p) = &meta.proxy_env {
            m.insert(
                "proxy_env".into(),
                json!({"http": p.http_proxy, "https": p.https_proxy, "ftp": p.ftp_proxy,
                       "no": p.no_proxy, "all": p.all_proxy}),
            );
        }
        if !meta.valid_exit_codes.is_empty() {
            m.insert("valid_exit_codes".into(), json!(meta.valid_exit_codes));
        }
        if !meta.remove_mount_stubs_recursive {
            m.insert("remove_mount_stubs_recursive".into(), json!(false));
        }
    }
    if e.network != 0 {
        let n = pb::NetMode::try_from(e.network).map_or("?", |n| n.as_str_name());
        m.insert("network".into(), json!(n));
    }
    if e.security != 0 {
        let s = pb::SecurityMode::try_from(e.security).map_or("?", |s| s.as_str_name());
        m.insert("security".into(), json!(s));
    }
    let mounts: Vec<Value> = e.mounts.iter().map(mount_json).collect();
    m.insert("mounts".into(), Value::Array(mounts));
    if !e.secretenv.is_empty() {
        let v: Vec<Value> = e
            .secretenv
            .iter()
            .map(|s| json!({"id": s.id, "name": s.name, "optional": s.optional}))
            .collect();
        m.insert("secretenv".into(), Value::Array(v));
    }
}

fn mount_json(mt: &pb::Mount) -> Value {
    let mut m = Map::new();
    let kind = pb::MountType::try_from(mt.mount_type).map_or("?", |k| k.as_str_name());
    m.insert("type".into(), json!(kind.to_ascii_lowercase()));
    m.insert("dest".into(), json!(mt.dest));
    m.insert("input".into(), json!(mt.input));
    m.insert("output".into(), json!(mt.output));
    if mt.readonly {
        m.insert("readonly".into(), json!(true));
    }
    if !mt.selector.is_empty() {
        m.insert("selector".into(), json!(mt.selector));
    }
    if let Some(c) = &mt.cache_opt {
        let sharing = pb::CacheSharingOpt::try_from(c.sharing).map_or("?", |s| s.as_str_name());
        m.insert(
            "cache".into(),
            json!({"id": c.id, "sharing": sharing.to_ascii_lowercase()}),
        );
    }
    if let Some(t) = &mt.tmpfs_opt {
        m.insert("size".into(), json!(t.size));
    }
    if let Some(s) = &mt.secret_opt {
        m.insert(
            "secret".into(),
            json!({"id": s.id, "uid": s.uid, "gid": s.gid, "mode": format!("{:o}", s.mode), "optional": s.optional}),
        );
    }
    if let Some(s) = &mt.ssh_opt {
        m.insert(
            "ssh".into(),
            json!({"id": s.id, "uid": s.uid, "gid": s.gid, "mode": format!("{:o}", s.mode), "optional": s.optional}),
        );
    }
    Value::Object(m)
}

fn owner_json(o: &Option<pb::ChownOpt>) -> Option<Value> {
    let o = o.as_ref()?;
    let one = |u: &Option<pb::UserOpt>| -> Value {
        match u.as_ref().and_then(|u| u.user.as_ref()) {
            None => Value::Null,
            Some(pb::user_opt::User::ById(id)) => json!(id),
            Some(pb::user_opt::User::ByName(n)) => json!({"name": n.name, "input": n.input}),
        }
    };
    Some(json!({"user": one(&o.user), "group": one(&o.group)}))
}

fn file_action_json(a: &pb::FileAction) -> Value {
    let mut m = Map::new();
    let flag = |m: &mut Map<String, Value>, k: &str, on: bool| {
        if on {
            m.insert(k.into(), json!(true));
        }
    };
    let kind = match &a.action {
        Some(pb::file_action::Action::Copy(_)) => "copy",
        Some(pb::file_action::Action::Mkfile(_)) => "mkfile",
        Some(pb::file_action::Action::Mkdir(_)) => "mkdir",
        Some(pb::file_action::Action::Rm(_)) => "rm",
        Some(pb::file_action::Action::Symlink(_)) => "symlink",
        None => "none",
    };
    m.insert("action".into(), json!(kind));
    m.insert("input".into(), json!(a.input));
    m.insert("secondary".into(), json!(a.secondary_input));
    m.insert("output".into(), json!(a.output));
    let time = |m: &mut Map<String, Value>, t: i64| {
        if t != -1 {
            m.insert("timestamp".into(), json!(t));
        }
    };
    match &a.action {
        Some(pb::file_action::Action::Copy(c)) => {
            m.insert("src".into(), json!(c.src));
            m.insert("dest".into(), json!(c.dest));
            if let Some(o) = owner_json(&c.owner) {
                m.insert("owner".into(), o);
            }
            if c.mode != -1 && c.mode_str.is_empty() {
                m.insert("mode".into(), json!(format!("{:o}", c.mode)));
            }
            if !c.mode_str.is_empty() {
                m.insert("mode_str".into(), json!(c.mode_str));
            }
            flag(&mut m, "follow_symlink", c.follow_symlink);
            flag(&mut m, "dir_copy_contents", c.dir_copy_contents);
            flag(
                &mut m,
                "attempt_unpack",
                c.attempt_unpack_docker_compatibility,
            );
            flag(&mut m, "create_dest_path", c.create_dest_path);
            flag(&mut m, "allow_wildcard", c.allow_wildcard);
            flag(&mut m, "allow_empty_wildcard", c.allow_empty_wildcard);
            flag(
                &mut m,
                "always_replace",
                c.always_replace_existing_dest_paths,
            );
            for (k, v) in [
                ("include", &c.include_patterns),
                ("exclude", &c.exclude_patterns),
                ("required", &c.required_paths),
            ] {
                if !v.is_empty() {
                    m.insert(k.into(), json!(v));
                }
            }
            time(&mut m, c.timestamp);
        }
        Some(pb::file_action::Action::Mkfile(f)) => {
            m.insert("path".into(), json!(f.path));
            m.insert("mode".into(), json!(format!("{:o}", f.mode)));
            m.insert("data".into(), json!(String::from_utf8_lossy(&f.data)));
            if let Some(o) = owner_json(&f.owner) {
                m.insert("owner".into(), o);
            }
            time(&mut m, f.timestamp);
        }
        Some(pb::file_action::Action::Mkdir(d)) => {
            m.insert("path".into(), json!(d.path));
            m.insert("mode".into(), json!(format!("{:o}", d.mode)));
            flag(&mut m, "make_parents", d.make_parents);
            if let Some(o) = owner_json(&d.owner) {
                m.insert("owner".into(), o);
            }
            time(&mut m, d.timestamp);
        }
        Some(pb::file_action::Action::Rm(r)) => {
            m.insert("path".into(), json!(r.path));
            flag(&mut m, "allow_not_found", r.allow_not_found);
            flag(&mut m, "allow_wildcard", r.allow_wildcard);
        }
        Some(pb::file_action::Action::Symlink(s)) => {
            m.insert("oldpath".into(), json!(s.oldpath));
            m.insert("newpath".into(), json!(s.newpath));
            if let Some(o) = owner_json(&s.owner) {
                m.insert("owner".into(), o);
            }
            time(&mut m, s.timestamp);
        }
        None => {}
    }
    Value::Object(m)
}
