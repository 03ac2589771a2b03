use crate::testutil::*;

#[test]
fn global_arg_feeds_from_and_is_inherited_by_a_bare_stage_arg() {
    let text = "ARG TAG=3.19\nARG V=g\nFROM alpine:${TAG}\nARG V\nENV E=$V\n";
    let r = FakeResolver::new();
    let l = lower_with(text, &options(), &r).unwrap();
    assert_eq!(r.calls()[0].0, "docker.io/library/alpine:3.19");
    assert_eq!(l.image.config.env_value("E"), Some("g"));
    // ARG values reach the env of later steps but never the image config.
    assert_eq!(l.image.config.env_value("V"), None);
    let h = history(&l);
    assert_eq!(h[1], ("ARG V=g".to_string(), true));
    assert_eq!(h[2], ("ENV E=g".to_string(), true));
}

#[test]
fn build_args_override_defaults_and_unused_ones_warn() {
    let text = "ARG TAG=nope\nFROM alpine:${TAG}\nARG V=default\nENV E=$V\n";
    let mut o = options();
    o.build_args.insert("TAG".into(), "3.19".into());
    o.build_args.insert("V".into(), "given".into());
    o.build_args.insert("UNUSED".into(), "x".into());
    o.build_args
        .insert("HTTP_PROXY".into(), "http://proxy".into());
    let l = lower_with(text, &o, &FakeResolver::new()).unwrap();
    assert_eq!(l.image.config.env_value("E"), Some("given"));
    assert_eq!(l.warnings.len(), 1);
    assert!(l.warnings[0].short.contains("[UNUSED]"), "{:?}", l.warnings);
}

#[test]
fn arg_without_value_expands_to_nothing_and_stage_args_do_not_leak_into_global_scope() {
    let text = "FROM busybox\nARG NOVALUE\nENV A=x${NOVALUE}y\n";
    let l = lower_text(text).unwrap();
    assert_eq!(l.image.config.env_value("A"), Some("xy"));
    assert_eq!(history(&l)[1].0, "ARG NOVALUE");
}

#[test]
fn platform_args_are_available_in_stages_and_from() {
    let text = "FROM --platform=$BUILDPLATFORM busybox\nARG TARGETPLATFORM\nARG TARGETSTAGE\nENV P=$TARGETPLATFORM S=$TARGETSTAGE\n";
    let mut o = options();
    o.target_platform = Some(crate::Platform::parse("linux/arm64").unwrap());
    let r = FakeResolver::new();
    let l = lower_with(text, &o, &r).unwrap();
    assert_eq!(l.image.config.env_value("P"), Some("linux/arm64"));
    assert_eq!(l.image.config.env_value("S"), Some("default"));
    assert_eq!(l.image.architecture, "arm64");
}

#[test]
fn env_on_one_line_sees_the_env_from_before_it() {
    let l = lower_text("FROM busybox\nENV A=1\nENV A=2 B=$A\n").unwrap();
    assert_eq!(l.image.config.env_value("A"), Some("2"));
    assert_eq!(l.image.config.env_value("B"), Some("1"));
}
