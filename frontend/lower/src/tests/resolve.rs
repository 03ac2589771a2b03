use std::sync::atomic::Ordering;

use crate::testutil::*;
use crate::{LowerErrorKind, ResolvedImage};

#[test]
fn bases_resolve_in_parallel_with_internal_log_names() {
    let text = "FROM busybox AS a\nFROM alpine:3.19 AS b\nFROM golang:1.22\nCOPY --from=a /x /x\nCOPY --from=b /y /y\n";
    let r = FakeResolver::new();
    // COPY belongs to another helper; resolution happens before dispatch.
    let _ = lower_with(text, &options(), &r);
    let calls = r.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.contains(&(
        "docker.io/library/golang:1.22".to_string(),
        "[internal] load metadata for docker.io/library/golang:1.22".to_string()
    )));
    assert_eq!(r.max_in_flight.load(Ordering::SeqCst), 3);
}

#[test]
fn unpinned_unknown_config_and_layerless_images() {
    let mut r = FakeResolver::new();
    r.images.insert(
        "localhost:5000/local:latest".into(),
        ResolvedImage {
            digest: None,
            config: None,
        },
    );
    r.add("docker.io/library/empty:1", Some(digest('e')), r#"{"os":"linux","architecture":"amd64","config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":[]}}"#);
    let l = lower_with("FROM localhost:5000/local\n", &options(), &r).unwrap();
    assert_eq!(l.unresolved_images, ["localhost:5000/local:latest"]);
    let dump = stagecraft_llb::dump_json(&l.state.marshal());
    assert!(
        dump.contains("docker-image://localhost:5000/local:latest\""),
        "{dump}"
    );

    let l = lower_with("FROM empty:1\n", &options(), &r).unwrap();
    assert!(l.state.is_scratch());
    assert_eq!(l.image.config.env_value("A"), Some("1"));
}

#[test]
fn resolve_failures_and_bad_references_point_at_the_from_line() {
    let err = lower_text("FROM busybox\n\nFROM missing:1\n").unwrap_err();
    assert_eq!(err.span.map(|s| s.start), Some(3));
    assert!(err.to_string().contains("missing:1"), "{err}");
    let err = lower_text("FROM Bad/Name\n").unwrap_err();
    assert!(
        matches!(err.kind, LowerErrorKind::Reference { .. }),
        "{err:?}"
    );
}

#[test]
fn same_input_gives_byte_identical_definitions() {
    let text = "FROM busybox AS a\nWORKDIR /a\nFROM a AS b\nWORKDIR b\nFROM a\nWORKDIR c\n";
    let one = lower_text(text).unwrap().state.marshal();
    let two = lower_text(text).unwrap().state.marshal();
    assert_eq!(one.def, two.def);
    assert_eq!(one, two);
}

#[test]
fn the_lowering_future_can_move_between_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let parsed = stagecraft_syntax::parse("FROM busybox\n").unwrap();
    let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
    let source = crate::SourceFile::default();
    let (o, ctx, r) = (options(), context(), FakeResolver::new());
    let req = crate::LowerRequest {
        dockerfile: &df,
        escape: '\\',
        source: &source,
        options: &o,
        context: &ctx,
        llb_caps: None,
        limits: crate::Limits::default(),
    };
    let fut = crate::lower(req, &r);
    assert_send(&fut);
    assert!(futures::executor::block_on(fut).is_ok());
}
