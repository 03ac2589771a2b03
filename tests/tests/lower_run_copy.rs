//! RUN, COPY and ADD lowering: the LLB structure (args, env, mounts, file
//! actions, names, caps) compared with what BuildKit's Dockerfile frontend
//! builds for the same Dockerfiles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;

mod common;

use common::{assert_contains, ops, options};
use serde_json::Value;
use stagecraft_llb::Cap;
use stagecraft_lower::{
    BuildOptions, ImageResolver, LowerError, Lowered, Platform, ResolveError, ResolveMode,
    ResolvedImage,
};

const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Every image resolves, pinned to a fixed digest, with a PATH-only config.
struct Resolver;

impl ImageResolver for Resolver {
    fn resolve(
        &self,
        _reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Env":["{PATH}"]}},"rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}}}}"#,
            "1".repeat(64)
        );
        async move {
            Ok(ResolvedImage {
                digest: Some(format!("sha256:{}", "e".repeat(64))),
                config: Some(config.into_bytes()),
            })
        }
    }
}

/// Every cap the llb crate knows except `missing`.
fn caps_without(missing: &[&str]) -> BTreeSet<String> {
    Cap::ALL
        .iter()
        .map(|c| c.id().to_string())
        .filter(|c| !missing.contains(&c.as_str()))
        .collect()
}

fn lower_full(
    text: &str,
    options: &BuildOptions,
    caps: Option<&BTreeSet<String>>,
) -> Result<Lowered, Box<LowerError>> {
    let context = common::context(None, Some("test"));
    common::lower(text, options, &context, &Resolver, caps)
}

fn lower_ops(text: &str) -> (Lowered, Vec<Value>) {
    let l = lower_full(text, &options(), None).expect("lowers");
    let o = ops(&l);
    (l, o)
}

fn by_kind<'a>(ops: &'a [Value], kind: &str) -> Vec<&'a Value> {
    ops.iter().filter(|o| o["op"] == kind).collect()
}

fn named<'a>(ops: &'a [Value], name: &str) -> &'a Value {
    ops.iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no op named {name:?} in {ops:#?}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn history(l: &Lowered) -> Vec<String> {
    l.image
        .history
        .iter()
        .map(|h| h.created_by.clone())
        .collect()
}

/// A two-stage Go build whose LLB we compared with the reference
/// frontend's dump of it: same op structure, attributes and names.
#[test]
fn reference_example_has_the_same_structure() {
    let text = "# syntax=docker/dockerfile:1\nARG BASE=alpine:3.19\nFROM ${BASE} AS build\nENV GOFLAGS=-mod=vendor\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=secret,id=tok \\\n    go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --link --chown=1000:1000 README.md /\nENTRYPOINT [\"/app\"]\n";
    let (l, ops) = lower_ops(text);

    let ctx = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "local://context")
        .expect("context source");
    assert_eq!(ctx["name"], "[internal] load build context");
    assert_eq!(
        ctx["attrs"]["local.followpaths"],
        r#"["README.md","go.mod","go.sum"]"#
    );
    assert_eq!(ctx["attrs"]["local.sharedkeyhint"], "context");
    assert_eq!(ctx["attrs"]["local.unique"], "test");

    let copy = named(&ops, "[build 3/4] COPY go.mod go.sum ./");
    let actions = copy["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 2);
    assert_eq!(
        (
            &actions[0]["src"],
            &actions[0]["dest"],
            &actions[0]["input"],
            &actions[0]["secondary"],
            &actions[0]["output"]
        ),
        (
            &Value::from("/go.mod"),
            &Value::from("/src/"),
            &Value::from(0),
            &Value::from(1),
            &Value::from(-1)
        )
    );
    assert_eq!(
        (
            &actions[1]["src"],
            &actions[1]["input"],
            &actions[1]["secondary"],
            &actions[1]["output"]
        ),
        (
            &Value::from("/go.sum"),
            &Value::from(2),
            &Value::from(1),
            &Value::from(0)
        )
    );
    for flag in [
        "follow_symlink",
        "dir_copy_contents",
        "create_dest_path",
        "allow_wildcard",
        "allow_empty_wildcard",
    ] {
        assert_eq!(actions[0][flag], true, "{flag}");
    }
    assert!(actions[0].get("attempt_unpack").is_none());
    assert_eq!(strings(&copy["locations"][0]["ranges"]), vec!["6"]);

    let run = named(
        &ops,
        "[build 4/4] RUN --mount=type=cache,target=/root/.cache     --mount=type=secret,id=tok     go build -o /out/app .",
    );
    assert_eq!(
        strings(&run["args"]),
        vec!["/bin/sh", "-c", "go build -o /out/app ."]
    );
    assert_eq!(
        strings(&run["env"]),
        vec![PATH.to_string(), "GOFLAGS=-mod=vendor".into()]
    );
    assert_eq!(run["cwd"], "/src");
    assert_eq!(run["platform"], "linux/amd64");
    let mounts = run["mounts"].as_array().unwrap();
    assert_eq!(mounts.len(), 3);
    assert_eq!(
        (&mounts[0]["dest"], &mounts[0]["output"]),
        (&Value::from("/"), &Value::from(0))
    );
    assert_eq!(mounts[1]["type"], "cache");
    assert_eq!(mounts[1]["dest"], "/root/.cache");
    assert_eq!(
        (&mounts[1]["input"], &mounts[1]["output"]),
        (&Value::from(-1), &Value::from(-1))
    );
    assert_eq!(mounts[1]["cache"]["id"], "//root/.cache");
    assert_eq!(mounts[1]["cache"]["sharing"], "shared");
    assert_eq!(mounts[2]["type"], "secret");
    assert_eq!(mounts[2]["dest"], "/run/secrets/tok");
    assert_eq!(mounts[2]["secret"]["id"], "tok");
    assert_eq!(mounts[2]["secret"]["mode"], "400");
    assert_eq!(mounts[2]["secret"]["optional"], true);
    assert_eq!(strings(&run["locations"][0]["ranges"]), vec!["7", "8", "9"]);
    assert_eq!(
        run["description"]["com.docker.dockerfile.v1.command"],
        "RUN --mount=type=cache,target=/root/.cache     --mount=type=secret,id=tok     go build -o /out/app ."
    );
    let caps = strings(&run["caps"]);
    for cap in [
        "exec.meta.base",
        "exec.mount.cache",
        "exec.mount.cache.sharing",
        "exec.mount.secret",
    ] {
        assert!(caps.contains(&cap.to_string()), "{cap} in {caps:?}");
    }

    let from_build = named(&ops, "[stage-1 1/2] COPY --from=build /out/app /app");
    assert_eq!(from_build["actions"][0]["input"], -1);
    assert_eq!(from_build["actions"][0]["src"], "/out/app");
    assert_eq!(from_build["actions"][0]["dest"], "/app");

    // --link: copied onto scratch, merged over the previous COPY.
    let link = named(
        &ops,
        "[stage-1 2/2] COPY --link --chown=1000:1000 README.md /",
    );
    assert_eq!(link["actions"][0]["input"], -1);
    assert_eq!(link["actions"][0]["owner"]["user"], 1000);
    assert_eq!(link["actions"][0]["owner"]["group"], 1000);
    assert_eq!(link["progress_group"]["weak"], true);
    let merge = named(
        &ops,
        "[stage-1 2/2] LINK COPY --link --chown=1000:1000 README.md /",
    );
    assert_eq!(merge["op"], "merge");
    assert_eq!(merge["layers"], serde_json::json!([0, 1]));
    assert_eq!(strings(&merge["caps"]), vec!["mergeop"]);
    assert_eq!(merge["progress_group"]["id"], link["progress_group"]["id"]);
    // Last op is the terminal one pointing at the merge.
    assert_eq!(ops.last().unwrap()["op"], "terminal");

    assert_eq!(
        history(&l),
        vec![
            "COPY /out/app /app # buildkit".to_string(),
            "COPY --chown=1000:1000 README.md / # buildkit".into(),
            "ENTRYPOINT [\"/app\"]".into(),
        ]
    );
}

#[test]
fn run_env_has_args_history_lists_them_image_env_does_not() {
    let text = "FROM busybox\nARG V=1\nENV E=x\nRUN echo $V\nRUN [\"echo\", \"exec\"]\n";
    let (l, ops) = lower_ops(text);
    let shell = named(&ops, "[2/3] RUN echo 1");
    assert_eq!(strings(&shell["args"]), vec!["/bin/sh", "-c", "echo $V"]);
    assert_eq!(
        strings(&shell["env"]),
        vec![PATH.to_string(), "V=1".into(), "E=x".into()]
    );
    let exec = named(&ops, "[3/3] RUN [\"echo\", \"exec\"]");
    assert_eq!(strings(&exec["args"]), vec!["echo", "exec"]);
    assert_eq!(l.image.config.env, vec![PATH.to_string(), "E=x".into()]);
    let h = history(&l);
    assert_contains(&h, "RUN |1 V=1 /bin/sh -c echo $V # buildkit");
    assert_contains(&h, "RUN |1 V=1 echo exec # buildkit");
}

#[test]
fn run_network_security_and_exec_options() {
    let text =
        "FROM busybox\nRUN --network=none --security=insecure a\nRUN --network=host b\nRUN c\n";
    let mut opts = options();
    opts.network_mode = stagecraft_lower::NetworkMode::None;
    opts.hostname = Some("box".into());
    opts.shm_size = Some(1 << 20);
    opts.cgroup_parent = Some("cg".into());
    opts.build_args
        .insert("HTTP_PROXY".into(), "http://p:3128".into());
    opts.ulimits.push(stagecraft_lower::Ulimit {
        name: "nofile".into(),
        soft: 10,
        hard: 20,
    });
    opts.extra_hosts.push(stagecraft_lower::HostIp {
        host: "db".into(),
        ip: "10.0.0.2".parse().unwrap(),
    });
    let l = lower_full(text, &opts, None).unwrap();
    let ops = ops(&l);
    let a = named(&ops, "[2/4] RUN --network=none --security=insecure a");
    assert_eq!(a["network"], "NONE");
    assert_eq!(a["security"], "INSECURE");
    let b = named(&ops, "[3/4] RUN --network=host b");
    assert_eq!(b["network"], "HOST");
    let c = named(&ops, "[4/4] RUN c");
    // force-network-mode is the default of every RUN.
    assert_eq!(c["network"], "NONE");
    assert_eq!(c["hostname"], "box");
    assert_eq!(strings(&c["extra_hosts"]), vec!["db=10.0.0.2"]);
    assert_eq!(strings(&c["ulimit"]), vec!["nofile=10:20"]);
    assert_eq!(c["cgroup_parent"], "cg");
    assert_eq!(c["proxy_env"]["http"], "http://p:3128");
    let shm = c["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["dest"] == "/dev/shm")
        .unwrap();
    assert_eq!(
        (&shm["type"], &shm["size"]),
        (&Value::from("tmpfs"), &Value::from(1 << 20))
    );

    // Without the caps the reference drops these silently.
    let caps = caps_without(&[
        "exec.meta.ulimit",
        "exec.mount.tmpfs.size",
        "exec.meta.cgroup.parent",
    ]);
    let ops = common::ops(&lower_full(text, &opts, Some(&caps)).unwrap());
    let c = named(&ops, "[4/4] RUN c");
    assert!(c.get("ulimit").is_none() && c.get("cgroup_parent").is_none());
    assert_eq!(c["mounts"].as_array().unwrap().len(), 1);
}

#[test]
fn shebang_heredoc_runs_a_mounted_script() {
    let text = "FROM busybox\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n";
    let (_, ops) = lower_ops(text);
    let run = named(&ops, "[2/2] RUN <<EOF (#!/bin/sh...)");
    assert_eq!(
        strings(&run["args"]),
        vec!["/bin/sh", "-c", "/dev/pipes/EOF"]
    );
    let pipe = run["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["dest"] == "/dev/pipes/")
        .unwrap();
    assert_eq!(pipe["readonly"], true);
    assert_eq!(pipe["selector"], "/");
    let doc = named(&ops, "[internal] preparing inline document");
    assert_eq!(doc["actions"][0]["action"], "mkfile");
    assert_eq!(doc["actions"][0]["path"], "/EOF");
    assert_eq!(doc["actions"][0]["mode"], "755");
    assert_eq!(doc["actions"][0]["data"], "#!/bin/sh\necho hi\n");

    let (_, ops) = lower_ops("FROM busybox\nRUN cat <<EOF > /x\nhello $HOME\nEOF\n");
    let run = by_kind(&ops, "exec")[0];
    assert_eq!(
        strings(&run["args"]),
        vec!["/bin/sh", "-c", "cat <<EOF > /x\nhello $HOME\nEOF"]
    );
}

#[test]
fn mounts_bind_cache_tmpfs_secret_ssh() {
    let text = "FROM busybox AS tools\nFROM busybox\nARG ID=gocache\nWORKDIR /w\nRUN --mount=from=tools,source=/bin,target=bin,rw \\\n    --mount=type=cache,id=$ID,target=/c,uid=1000,mode=0700,sharing=locked \\\n    --mount=type=tmpfs,target=/t,size=1m \\\n    --mount=type=secret,id=tok,env=TOKEN,required \\\n    --mount=type=ssh \\\n    run $TOKEN\n";
    let (_, ops) = lower_ops(text);
    let run = by_kind(&ops, "exec")[0];
    assert!(
        run["name"].as_str().unwrap().ends_with("run ****"),
        "{}",
        run["name"]
    );
    let mounts = run["mounts"].as_array().unwrap();
    let find = |dest: &str| {
        mounts
            .iter()
            .find(|m| m["dest"] == dest)
            .unwrap_or_else(|| panic!("{dest}"))
    };
    let bind = find("/w/bin");
    assert_eq!(bind["selector"], "/bin");
    assert_eq!(bind["output"], -1, "rw bind writes are discarded");
    assert!(bind.get("readonly").is_none());
    let cache = find("/c");
    assert_eq!(cache["cache"]["id"], "/gocache");
    assert_eq!(cache["cache"]["sharing"], "locked");
    assert_eq!(cache["selector"], "/cache");
    let perms = named(&ops, "[internal] setting cache mount permissions");
    assert_eq!(perms["actions"][0]["path"], "/cache");
    assert_eq!(perms["actions"][0]["mode"], "700");
    assert_eq!(perms["actions"][0]["owner"]["user"], 1000);
    assert_eq!(perms["actions"][0]["owner"]["group"], 0);
    assert_eq!(find("/t")["size"], 1 << 20);
    let ssh = find("/run/buildkit/ssh_agent.0");
    assert_eq!(ssh["ssh"]["mode"], "600");
    assert_eq!(ssh["ssh"]["optional"], true);
    assert!(
        mounts.iter().all(|m| m["type"] != "secret"),
        "env-only secret has no file"
    );
    assert_eq!(run["secretenv"][0]["name"], "TOKEN");
    assert_eq!(run["secretenv"][0]["optional"], false);
    assert!(strings(&run["env"]).contains(&"SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0".to_string()));

    // An older daemon: writes to a rw bind become an output of the exec.
    let caps = caps_without(&["exec.mount.bind.readwrite-nooutput"]);
    let ops = common::ops(
        &lower_full(
            "FROM busybox\nRUN --mount=target=/m,rw x\n",
            &options(),
            Some(&caps),
        )
        .unwrap(),
    );
    let run = by_kind(&ops, "exec")[0];
    let m = run["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["dest"] == "/m")
        .unwrap();
    assert_eq!(m["output"], 1);
}

#[test]
fn missing_caps_for_mount_options_fail_with_flag_and_line() {
    let caps = caps_without(&["exec.mount.tmpfs.size", "exec.secretenv"]);
    let err = lower_full(
        "FROM busybox\nRUN --mount=type=tmpfs,target=/t,size=64m x\n",
        &options(),
        Some(&caps),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("size=") && err.span.map(|s| s.start) == Some(2) && msg.contains("v0.10"),
        "{msg}"
    );
    let err = lower_full(
        "FROM busybox\n\nRUN --mount=type=secret,id=a,env=A x\n",
        &options(),
        Some(&caps),
    )
    .unwrap_err();
    assert_eq!(err.span.map(|s| s.start), Some(3));
    assert!(err.to_string().contains("env="), "{err}");
}

#[test]
fn parents_on_a_daemon_lacking_both_caps_names_the_newer_version() {
    let text = "FROM busybox\nCOPY --parents f.txt /f/\n";
    let caps = caps_without(&[
        "file.copy.includeexcludepatterns",
        "file.copy.requiredpaths",
    ]);
    let msg = lower_full(text, &options(), Some(&caps))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("--parents") && msg.contains("BuildKit v0.26"),
        "{msg}"
    );
}

#[test]
fn exclude_without_cap_names_flag_line_and_version() {
    let text = "FROM busybox\nCOPY --exclude=*.tmp . /app\n";
    let caps = caps_without(&["file.copy.includeexcludepatterns"]);
    let err = lower_full(text, &options(), Some(&caps)).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("--exclude"), "{msg}");
    assert!(msg.contains("BuildKit v0.9"), "{msg}");
    assert_eq!(err.span.map(|s| s.start), Some(2));

    let (_, ops) = lower_ops(text);
    let copy = named(&ops, "[2/2] COPY --exclude=*.tmp . /app");
    assert_eq!(strings(&copy["actions"][0]["exclude"]), vec!["*.tmp"]);
    assert!(strings(&copy["caps"]).contains(&"file.copy.includeexcludepatterns".to_string()));
}

#[test]
fn link_merges_when_mergeop_is_there_and_copies_plainly_otherwise() {
    let text = "FROM busybox\nCOPY --link a /a\n";
    let (_, ops) = lower_ops(text);
    let merge = by_kind(&ops, "merge");
    assert_eq!(merge.len(), 1);
    assert_eq!(merge[0]["name"], "[2/2] LINK COPY --link a /a");
    assert_eq!(merge[0]["progress_group"]["weak"], false);
    let copy = named(&ops, "[2/2] COPY --link a /a");
    assert_eq!(copy["actions"][0]["input"], -1, "copied onto scratch");
    assert_eq!(copy["progress_group"]["weak"], true);
    assert_eq!(
        copy["progress_group"]["id"],
        merge[0]["progress_group"]["id"]
    );
    let inputs = strings(&merge[0]["inputs"]);
    assert_eq!(inputs.len(), 2);

    let caps = caps_without(&["mergeop"]);
    let ops = common::ops(&lower_full(text, &options(), Some(&caps)).unwrap());
    assert!(by_kind(&ops, "merge").is_empty());
    let copy = named(&ops, "[2/2] COPY --link a /a");
    assert_eq!(copy["actions"][0]["input"], 0, "copied onto the stage");
    assert!(copy.get("progress_group").is_none());

    // --chmod turns --link off, as in the reference.
    let (_, ops) = lower_ops("FROM busybox\nCOPY --link --chmod=755 a /a\n");
    assert!(by_kind(&ops, "merge").is_empty());
}

#[test]
fn copy_chown_chmod_heredoc_parents_and_from_index() {
    let text = "FROM busybox AS a\nFROM busybox\nARG U=app\nWORKDIR /w\nCOPY --chown=${U}:staff --chmod=640 x y/\nCOPY --chmod=u+x,go-w s /s\nCOPY <<EOF /etc/motd\nhi $U\nEOF\nCOPY --parents src/./app/main.go logs/*.txt /dst/\nCOPY --from=0 /o /o\n";
    let (l, ops) = lower_ops(text);
    let c = &by_kind(&ops, "file")
        .into_iter()
        .find(|o| o["name"].as_str().unwrap_or("").contains("--chown"))
        .unwrap()["actions"][0];
    assert_eq!(c["owner"]["user"]["name"], "app");
    assert_eq!(c["owner"]["group"]["name"], "staff");
    assert_eq!(c["dest"], "/w/y/");
    assert_eq!(c["mode"], "640");
    let sym = &by_kind(&ops, "file")
        .into_iter()
        .find(|o| o["name"].as_str().unwrap_or("").contains("u+x"))
        .unwrap();
    assert_eq!(sym["actions"][0]["mode_str"], "u+x,go-w");
    assert!(strings(&sym["caps"]).contains(&"file.copy.modestring".to_string()));
    let doc = named(&ops, "[internal] preparing inline document");
    assert_eq!(doc["actions"][0]["mode"], "644");
    assert_eq!(doc["actions"][0]["data"], "hi app\n");
    let parents = &by_kind(&ops, "file")
        .into_iter()
        .find(|o| o["name"].as_str().unwrap_or("").contains("--parents"))
        .unwrap()["actions"];
    assert_eq!(parents[0]["src"], "/src");
    assert_eq!(strings(&parents[0]["include"]), vec!["app/main.go"]);
    assert_eq!(strings(&parents[0]["required"]), vec!["/src/app/main.go"]);
    assert_eq!(parents[1]["src"], "/");
    assert_eq!(strings(&parents[1]["include"]), vec!["logs/*.txt"]);
    assert!(parents[1].get("required").is_none());
    let h = history(&l);
    assert_contains(&h, "COPY --chown=app:staff --chmod=640 x y/ # buildkit");
    assert_contains(&h, "COPY <<EOF /etc/motd # buildkit");
    assert_contains(
        &h,
        "COPY --parents src/./app/main.go logs/*.txt /dst/ # buildkit",
    );

    // Symbolic modes need file.copy.modestring.
    let caps = caps_without(&["file.copy.modestring"]);
    let err = lower_full(
        "FROM busybox\nCOPY --chmod=u+x s /s\n",
        &options(),
        Some(&caps),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("--chmod") && err.span.map(|s| s.start) == Some(2) && msg.contains("v0.17"),
        "{msg}"
    );
    // --parents needs the pattern caps.
    let caps = caps_without(&["file.copy.requiredpaths"]);
    let err = lower_full(
        "FROM busybox\nCOPY --parents a/b /d/\n",
        &options(),
        Some(&caps),
    )
    .unwrap_err();
    assert!(err.to_string().contains("--parents"), "{err}");
}

#[test]
fn add_archives_urls_and_git() {
    let sum = format!("sha256:{}", "a".repeat(64));
    let text = format!(
        "FROM busybox\nADD app.tar.gz /opt/\nADD --checksum={sum} https://example.com/dl/tool.tgz /tools/\nADD --keep-git-dir https://github.com/moby/buildkit.git#v0.12:docs /src\nADD --unpack=true https://example.com/x.tar /x/\n"
    );
    let (l, ops) = lower_ops(&text);
    let local = named(&ops, "[2/5] ADD app.tar.gz /opt/");
    assert_eq!(local["actions"][0]["attempt_unpack"], true);
    let http = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "https://example.com/dl/tool.tgz")
        .unwrap();
    assert_eq!(http["attrs"]["http.filename"], "tool.tgz");
    assert_eq!(http["attrs"]["http.checksum"], sum.as_str());
    assert_eq!(
        http["name"],
        format!("[3/5] ADD --checksum={sum} https://example.com/dl/tool.tgz /tools/")
    );
    let add_http = named(
        &ops,
        &format!("[3/5] ADD --checksum={sum} https://example.com/dl/tool.tgz /tools/"),
    );
    let add_http = if add_http["op"] == "file" {
        add_http
    } else {
        by_kind(&ops, "file")
            .into_iter()
            .find(|o| o["name"] == add_http["name"])
            .unwrap()
    };
    assert_eq!(add_http["actions"][0]["src"], "/tool.tgz");
    assert!(add_http["actions"][0].get("attempt_unpack").is_none());
    let git = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"].as_str().unwrap_or("").starts_with("git://"))
        .unwrap();
    assert_eq!(git["id"], "git://github.com/moby/buildkit.git#v0.12:docs");
    assert_eq!(
        git["attrs"]["git.fullurl"],
        "https://github.com/moby/buildkit.git"
    );
    assert_eq!(git["attrs"]["git.keepgitdir"], "true");
    let unpack = by_kind(&ops, "file")
        .into_iter()
        .find(|o| o["name"].as_str().unwrap_or("").contains("--unpack"))
        .unwrap();
    assert_eq!(unpack["actions"][0]["attempt_unpack"], true);
    // Only app.tar.gz is read from the context (URLs are not).
    let ctx = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "local://context")
        .unwrap();
    assert_eq!(ctx["attrs"]["local.followpaths"], r#"["app.tar.gz"]"#);
    assert!(history(&l).contains(&"ADD app.tar.gz /opt/ # buildkit".to_string()));

    let err = lower_full(
        "FROM busybox\nCOPY https://example.com/a /a\n",
        &options(),
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("source can't be a URL for COPY"),
        "{err}"
    );
    let err = lower_full(
        "FROM busybox\nADD --checksum=sha256:abc a b\n",
        &options(),
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("checksum requires HTTP(S) or Git sources"),
        "{err}"
    );
}

#[test]
fn no_cache_marks_ops_and_bind_without_source_follows_everything() {
    let mut opts = options();
    opts.no_cache = stagecraft_lower::NoCache::All;
    let l = lower_full(
        "FROM busybox\nCOPY a /a\nRUN --mount=target=/ctx ls /ctx\n",
        &opts,
        None,
    )
    .unwrap();
    let ops = ops(&l);
    assert_eq!(by_kind(&ops, "exec")[0]["ignore_cache"], true);
    // A RUN mount puts the stage name in the step names, as in the
    // reference.
    assert_eq!(named(&ops, "[stage-0 2/3] COPY a /a")["ignore_cache"], true);
    let ctx = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "local://context")
        .unwrap();
    assert!(ctx["attrs"].get("local.followpaths").is_none(), "{ctx}");
}

#[test]
fn user_workdir_image_sources_and_scp_git() {
    let text = "FROM busybox\nUSER app\nWORKDIR /srv\nRUN id\nCOPY --from=nginx:1 /etc/nginx/ conf/\nADD --keep-git-dir=false git@github.com:moby/buildkit.git#v0.12 /k\n";
    let (_, ops) = lower_ops(text);
    let run = by_kind(&ops, "exec")[0];
    assert_eq!(run["user"], "app");
    assert_eq!(run["cwd"], "/srv");
    let image = by_kind(&ops, "source")
        .into_iter()
        .find(|o| {
            o["id"]
                .as_str()
                .unwrap_or("")
                .starts_with("docker-image://docker.io/library/nginx:1@")
        })
        .expect("nginx image source");
    let copy = by_kind(&ops, "file")
        .into_iter()
        .find(|o| o["name"] == "[stage-0 4/5] COPY --from=nginx:1 /etc/nginx/ conf/")
        .unwrap();
    assert_eq!(copy["actions"][0]["src"], "/etc/nginx");
    assert_eq!(copy["actions"][0]["dest"], "/srv/conf/");
    let inputs = strings(&copy["inputs"]);
    assert_eq!(inputs[1], format!("{}:0", image["n"]));
    let git = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "git://github.com/moby/buildkit.git#v0.12")
        .unwrap();
    assert_eq!(
        git["attrs"]["git.fullurl"],
        "git@github.com:moby/buildkit.git"
    );
    assert_eq!(git["attrs"]["git.mountsshsock"], "default");
    assert!(git["attrs"].get("git.keepgitdir").is_none());
    // COPY --from and remote ADD sources do not read the build context.
    let ctx = by_kind(&ops, "source")
        .into_iter()
        .find(|o| o["id"] == "local://context");
    assert!(ctx.is_none(), "nothing reads the context: {ctx:?}");
}
