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
