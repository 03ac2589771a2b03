//! Multi-platform builds through the gateway: one Solve per platform, a map
//! of refs with per-platform image configs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::collections::BTreeSet;

use stagecraft_proto::fake::FakeConfig;
use stagecraft_proto::moby::buildkit::v1::frontend::result;
use support::*;

const CROSS: &str = "\
FROM --platform=$BUILDPLATFORM busybox AS build
ARG TARGETARCH
RUN echo $TARGETARCH > /arch
FROM scratch
COPY --from=build /arch /arch
";

fn cross(opts: &[(&str, &str)]) -> FakeConfig {
    opts.iter().fold(
        FakeConfig::modern()
            .with_local_file("dockerfile", "Dockerfile", CROSS)
            .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG),
        |config, (k, v)| config.with_opt(k, v),
    )
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn several_platforms_return_a_map_of_refs() {
    let outcome = run_ok(cross(&[("platform", "linux/arm64,linux/amd64")]));
    let builds = build_solves(&outcome);
    assert_eq!(builds.len(), 2, "one Solve per platform");

    let result = returned_result(&outcome);
    let refs = match &result.result {
        Some(result::Result::Refs(map)) => map.refs.clone(),
        other => panic!("expected a map of refs, got {other:?}"),
    };
    let keys: BTreeSet<&str> = refs.keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["linux/amd64", "linux/arm64"]));
    // Each ref is the Solve of its platform, in the order asked.
    assert_ne!(refs["linux/arm64"].id, refs["linux/amd64"].id);

    for (id, arch) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64")] {
        let config = json(&result.metadata[&format!("containerimage.config/{id}")]);
        assert_eq!(config["architecture"], arch, "{id}");
        assert_eq!(config["os"], "linux");
    }
    assert!(!result.metadata.contains_key("containerimage.config"));
    assert_eq!(
        json(&result.metadata["refs.platforms"]),
        serde_json::json!({"Platforms": [
            {"ID": "linux/arm64", "Platform": {"architecture": "arm64", "os": "linux"}},
            {"ID": "linux/amd64", "Platform": {"architecture": "amd64", "os": "linux"}},
        ]})
    );

    // The build-platform image is looked up once, named with its platform.
    let lookups = lookup_names(&outcome);
    assert_eq!(
        lookups,
        [format!(
            "[linux/amd64 internal] load metadata for {BUSYBOX}"
        )]
    );
}

#[test]
fn multi_platform_option_makes_a_map_for_one_platform() {
    for opt in [
        ("multi-platform", "true"),
        ("build-arg:BUILDKIT_MULTI_PLATFORM", "1"),
    ] {
        let outcome = run_ok(cross(&[opt]));
        let result = returned_result(&outcome);
        match &result.result {
            Some(result::Result::Refs(map)) => {
                assert_eq!(map.refs.keys().collect::<Vec<_>>(), ["linux/amd64"])
            }
            other => panic!("{opt:?}: expected a map of refs, got {other:?}"),
        }
        assert!(
            result
                .metadata
                .contains_key("containerimage.config/linux/amd64")
        );
    }
}

#[test]
fn conflicting_multi_platform_option_is_refused() {
    let outcome = run(cross(&[
        ("platform", "linux/arm64,linux/amd64"),
        ("multi-platform", "false"),
    ]));
    let status = returned_error(&outcome);
    assert!(
        status.message.contains("conflicting config"),
        "{}",
        status.message
    );
}
