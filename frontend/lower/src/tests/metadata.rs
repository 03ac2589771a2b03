use crate::testutil::*;

const ALL: &str = r#"FROM busybox
LABEL a=b "c d"=e
MAINTAINER me <me@x>
EXPOSE 80 53/udp 8000-8001
VOLUME /data $HOME/v
USER 1000:1000
WORKDIR /app
WORKDIR sub
SHELL ["/bin/bash", "-c"]
CMD echo hi
ENTRYPOINT ["/entry"]
HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x || exit 1
STOPSIGNAL SIGTERM
ONBUILD RUN echo child
ENV HOME=/root
"#;

#[test]
fn every_metadata_instruction_lands_in_config_and_history() {
    let l = lower_text(ALL).unwrap();
    let c = &l.image.config;
    let labels = c.labels.as_ref().unwrap();
    assert_eq!(labels["a"], "b");
    assert_eq!(labels["c d"], "e");
    assert_eq!(l.image.author.as_deref(), Some("me <me@x>"));
    let ports: Vec<&String> = c.exposed_ports.as_ref().unwrap().keys().collect();
    assert_eq!(ports, ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]);
    let vols: Vec<&String> = c.volumes.as_ref().unwrap().keys().collect();
    assert_eq!(vols, ["/data", "/v"]);
    assert_eq!(c.user, "1000:1000");
    assert_eq!(c.working_dir, "/app/sub");
    assert_eq!(
        c.shell,
        Some(vec!["/bin/bash".to_string(), "-c".to_string()])
    );
    assert_eq!(
        c.cmd,
        Some(vec!["/bin/bash".into(), "-c".into(), "echo hi".into()])
    );
    assert!(c.args_escaped);
    assert_eq!(c.entrypoint, Some(vec!["/entry".to_string()]));
    let hc = c.healthcheck.as_ref().unwrap();
    assert_eq!(hc.test, ["CMD-SHELL", "curl -f http://x || exit 1"]);
    assert_eq!(hc.interval, 30_000_000_000);
    assert_eq!(hc.retries, 3);
    assert_eq!(c.stop_signal, "SIGTERM");
    assert_eq!(c.on_build, ["RUN echo child"]);
    assert_eq!(c.env_value("HOME"), Some("/root"));

    let h = history(&l);
    let ours: Vec<(&str, bool)> = h.iter().skip(1).map(|(s, e)| (s.as_str(), *e)).collect();
    assert_eq!(
        ours,
        [
            ("LABEL a=b c d=e", true),
            ("MAINTAINER me <me@x>", true),
            ("EXPOSE [53/udp 80/tcp 8000/tcp 8001/tcp]", true),
            ("VOLUME [/data /v]", true),
            ("USER 1000:1000", true),
            ("WORKDIR /app", false),
            ("WORKDIR /app/sub", false),
            ("SHELL [/bin/bash -c]", true),
            (r#"CMD ["/bin/bash" "-c" "echo hi"]"#, true),
            (r#"ENTRYPOINT ["/entry"]"#, true),
            (
                "HEALTHCHECK {Test:[CMD-SHELL curl -f http://x || exit 1] Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:3}",
                true
            ),
            ("STOPSIGNAL SIGTERM", true),
            ("ENV HOME=/root", true),
        ]
    );
    assert!(
        l.image
            .history
            .iter()
            .skip(1)
            .all(|h| h.comment == "buildkit.dockerfile.v0")
    );
    // The base image's own history is kept in front.
    assert_eq!(h[0].0, "ADD rootfs");
}

#[test]
fn workdir_ops_are_named_and_owned_by_the_user() {
    let l = lower_text(ALL).unwrap();
    let names = op_names(&l);
    assert_eq!(
        names,
        [
            format!(
                "[1/3] FROM docker.io/library/busybox:latest@{}",
                digest('b')
            ),
            "[2/3] WORKDIR /app".to_string(),
            "[3/3] WORKDIR sub".to_string(),
        ]
    );
    let dump = stagecraft_llb::dump_json(&l.state.marshal());
    assert!(dump.contains("1000"), "{dump}");
}

#[test]
fn entrypoint_resets_inherited_cmd_unless_cmd_set_in_stage() {
    let l = lower_text("FROM busybox\nENTRYPOINT [\"/e\"]\n").unwrap();
    assert_eq!(l.image.config.cmd, None);
    let l = lower_text("FROM busybox\nCMD [\"x\"]\nENTRYPOINT [\"/e\"]\n").unwrap();
    assert_eq!(l.image.config.cmd, Some(vec!["x".to_string()]));
    let l = lower_text("FROM busybox\nENTRYPOINT /e run\n").unwrap();
    assert_eq!(
        l.image.config.entrypoint,
        Some(vec!["/bin/sh".into(), "-c".into(), "/e run".into()])
    );
}

#[test]
fn invalid_values_fail_on_their_line() {
    for (text, line) in [
        ("FROM busybox\nSTOPSIGNAL SIGNOPE\n", 2),
        ("FROM busybox\n\nEXPOSE 80/xyz\n", 3),
        ("FROM busybox\nVOLUME $NOTHING\n", 2),
    ] {
        let err = lower_text(text).unwrap_err();
        assert_eq!(err.span.map(|s| s.start), Some(line), "{text}: {err}");
    }
}

#[test]
fn healthcheck_none_and_labels_option_and_workdir_root() {
    let mut o = options();
    o.labels.insert("from.option".into(), "1".into());
    let l = lower_with(
        "FROM busybox\nHEALTHCHECK NONE\nWORKDIR /\n",
        &o,
        &FakeResolver::new(),
    )
    .unwrap();
    assert_eq!(l.image.config.healthcheck.as_ref().unwrap().test, ["NONE"]);
    assert_eq!(l.image.config.labels.as_ref().unwrap()["from.option"], "1");
    // WORKDIR / makes no op but counts as a step.
    assert_eq!(op_names(&l).len(), 1);
    assert_eq!(
        history(&l).last().unwrap(),
        &("WORKDIR /".to_string(), true)
    );
}

#[test]
fn scratch_gets_an_empty_config_with_default_path() {
    let l = lower_text("FROM scratch\nENV A=1\n").unwrap();
    assert!(l.state.is_scratch());
    assert_eq!(
        l.image.config.env[0],
        format!("PATH={}", crate::image::DEFAULT_PATH)
    );
    assert_eq!(l.image.config.working_dir, "/");
    assert_eq!(l.image.os, "linux");
    assert_eq!(l.image.rootfs.kind, "layers");
}
