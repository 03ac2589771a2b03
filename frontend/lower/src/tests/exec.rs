use std::collections::BTreeSet;

use crate::Ulimit;
use crate::options::NoCache;
use crate::testutil::*;

fn metadata_of(l: &crate::Lowered, name_part: &str) -> stagecraft_llb::pb::OpMetadata {
    let def = l.state.marshal();
    def.metadata
        .values()
        .find(|m| {
            m.description
                .get("llb.customname")
                .is_some_and(|n| n.contains(name_part))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no op named *{name_part}*"))
}

#[test]
fn no_cache_applies_to_the_listed_stages_only() {
    let text = "FROM busybox AS build\nRUN echo build\nWORKDIR /w\nFROM busybox\nCOPY --from=build /w /w\nRUN echo final\n";
    let mut o = options();
    o.no_cache = NoCache::Stages(BTreeSet::from(["build".to_string()]));
    let l = lower_with(text, &o, &FakeResolver::new()).unwrap();
    assert!(metadata_of(&l, "RUN echo build").ignore_cache);
    assert!(!metadata_of(&l, "WORKDIR /w").ignore_cache);
    assert!(!metadata_of(&l, "RUN echo final").ignore_cache);
}

#[test]
fn exec_options_follow_the_daemon_caps() {
    let mut o = options();
    o.ulimits = vec![Ulimit {
        name: "nofile".into(),
        soft: 10,
        hard: 20,
    }];
    o.shm_size = Some(1 << 20);
    o.hostname = Some("box".into());
    let text = "FROM busybox\nRUN true\n";
    let all = lower_with(text, &o, &FakeResolver::new()).unwrap();
    let dump = stagecraft_llb::dump_json(&all.state.marshal());
    assert!(
        dump.contains("nofile") && dump.contains("/dev/shm") && dump.contains("box"),
        "{dump}"
    );

    let caps: BTreeSet<String> = ["exec.meta.base", "exec.mount.bind", "source.image"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let few = lower_caps(text, &o, &FakeResolver::new(), Some(&caps)).unwrap();
    let dump = stagecraft_llb::dump_json(&few.state.marshal());
    assert!(
        !dump.contains("nofile") && !dump.contains("/dev/shm"),
        "{dump}"
    );
    assert!(dump.contains("box"), "hostname needs no cap: {dump}");
}

#[test]
fn default_path_cap_is_declared_only_when_the_daemon_has_it() {
    let text = "FROM busybox\nRUN true\n";
    let run_caps = |caps: Option<&BTreeSet<String>>| {
        let l = lower_caps(text, &options(), &FakeResolver::new(), caps).unwrap();
        let md = metadata_of(&l, "RUN true");
        md.caps.keys().cloned().collect::<BTreeSet<String>>()
    };
    assert!(run_caps(None).contains("exec.meta.setsdefaultpath"));
    let old: BTreeSet<String> = ["exec.meta.base", "exec.mount.bind", "source.image"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let caps = run_caps(Some(&old));
    assert!(!caps.contains("exec.meta.setsdefaultpath"), "{caps:?}");
    assert!(caps.contains("exec.meta.base"));
}

#[test]
fn resource_limits_go_on_every_run_outside_the_cache_key() {
    let text = "FROM busybox\nCOPY a /a\nRUN true\n";
    let o = crate::BuildOptions {
        linux_resources: Some(crate::LinuxResources {
            memory: 1 << 20,
            cpuset_cpus: "0".into(),
            ..Default::default()
        }),
        ..options()
    };
    let limited = lower_with(text, &o, &FakeResolver::new()).unwrap();
    let md = metadata_of(&limited, "RUN true");
    let r = md.linux_resources.clone().unwrap();
    assert_eq!((r.memory, r.cpuset_cpus.as_str()), (1 << 20, "0"));
    assert!(md.caps.contains_key("exec.meta.linux.resources"));
    assert!(metadata_of(&limited, "COPY a").linux_resources.is_none());
    // Metadata only: the RUN's op digest is the one without limits.
    let plain = lower_with(text, &options(), &FakeResolver::new()).unwrap();
    assert_eq!(limited.state.marshal().def, plain.state.marshal().def);
    // A daemon without the capability: the options, the line and the
    // version that has it.
    let old: BTreeSet<String> = ["exec.meta.base", "exec.mount.bind", "source.image"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let err = lower_caps(text, &o, &FakeResolver::new(), Some(&old)).unwrap_err();
    let msg = err.kind.to_string();
    assert!(
        msg.contains("RUN with the options memory=1048576,cpusetcpus=0"),
        "{msg}"
    );
    assert!(msg.contains("v0.31"), "{msg}");
    assert_eq!(err.span.map(|s| s.start), Some(3), "the RUN line");
    // Without RUN nothing needs the limits.
    assert!(
        lower_caps(
            "FROM busybox\nCOPY a /a\n",
            &o,
            &FakeResolver::new(),
            Some(&old)
        )
        .is_ok()
    );
}

/// The env entries of the exec op whose bytes hold `marker`, in the order
/// the op lists them (of the names in `names`).
fn env_order(l: &crate::Lowered, marker: &str, names: &[&str]) -> Vec<String> {
    let def = l.state.marshal();
    let op = def
        .def
        .iter()
        .find(|b| b.windows(marker.len()).any(|w| w == marker.as_bytes()))
        .unwrap_or_else(|| panic!("no op holds {marker:?}"));
    let text = String::from_utf8_lossy(op);
    let mut found: Vec<(usize, String)> = names
        .iter()
        .filter_map(|n| {
            let at = text.find(&format!("{n}="))?;
            let value: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_graphic())
                .collect();
            Some((at, value))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, entry)| entry).collect()
}

#[test]
fn a_stage_on_a_stage_lists_the_env_as_its_start_resets_it() {
    const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    // New names only: the base's env already ends with the config's.
    let l =
        lower_text("FROM busybox AS base\nENV A=1\nENV B=2\nFROM base\nRUN echo child\n").unwrap();
    assert_eq!(
        env_order(&l, "echo child", &["PATH", "A", "B"]),
        [PATH, "A=1", "B=2"]
    );
    // A name set again moves last in the base's env but keeps its place in
    // the config, whose order the next stage takes.
    let text =
        "FROM busybox AS base\nENV A=1 B=2\nENV A=3\nRUN echo base\nFROM base\nRUN echo child\n";
    let mut o = options();
    o.target = Some("base".into());
    let base = lower_with(text, &o, &FakeResolver::new()).unwrap();
    assert_eq!(env_order(&base, "echo base", &["A", "B"]), ["B=2", "A=3"]);
    let l = lower_text(text).unwrap();
    assert_eq!(env_order(&l, "echo child", &["A", "B"]), ["A=3", "B=2"]);
    // An ARG is in the env only: the config's names follow it.
    let l =
        lower_text("FROM busybox AS base\nARG X=1\nENV A=1\nFROM base\nRUN echo child\n").unwrap();
    assert_eq!(
        env_order(&l, "echo child", &["X", "PATH", "A"]),
        ["X=1", PATH, "A=1"]
    );
}
