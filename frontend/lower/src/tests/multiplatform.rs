//! Multi-platform builds: one lowering per target platform, sharing what
//! does not depend on it.

use std::collections::{BTreeMap, BTreeSet};

use crate::testutil::{FakeResolver, lower_with, op_names, options};
use crate::{BuildOptions, Lowered, Platform};

const CROSS: &str = "\
FROM --platform=$BUILDPLATFORM busybox AS build
ARG TARGETARCH
RUN echo build for $TARGETARCH > /out
FROM --platform=$BUILDPLATFORM busybox AS tools
RUN echo shared > /tools
FROM busybox
COPY --from=build /out /out
COPY --from=tools /tools /tools
RUN ls /
";

fn multi(platforms: &str) -> BuildOptions {
    let mut o = options();
    o.target_platforms = platforms
        .split(',')
        .map(|p| Platform::parse(p).unwrap())
        .collect();
    o.multi_platform = true;
    o
}

fn lower_each(text: &str, o: &BuildOptions, r: &FakeResolver) -> Vec<Lowered> {
    o.for_each_platform()
        .iter()
        .map(|o| lower_with(text, o, r).unwrap())
        .collect()
}

/// Op digest → progress name, for one platform's Definition.
fn ops(l: &Lowered) -> BTreeMap<String, String> {
    let def = l.state.marshal();
    def.def
        .iter()
        .map(|b| stagecraft_llb::digest_of(b))
        .map(|d| {
            let name = def
                .metadata
                .get(&d)
                .and_then(|m| m.description.get("llb.customname").cloned())
                .unwrap_or_default();
            (d, name)
        })
        .collect()
}

#[test]
fn build_platform_stages_are_the_same_ops_for_every_target() {
    let r = FakeResolver::new();
    let each = lower_each(CROSS, &multi("linux/amd64,linux/arm64"), &r);
    let (amd, arm) = (ops(&each[0]), ops(&each[1]));
    // busybox on the build platform (named by the last stage using it, as
    // the reference merges metadata), `tools` RUN: in both, by digest.
    let shared: BTreeSet<&String> = amd.keys().filter(|d| arm.contains_key(*d)).collect();
    let shared_names: BTreeSet<&str> = shared.iter().map(|d| amd[*d].as_str()).collect();
    assert_eq!(
        shared_names,
        BTreeSet::from([
            "[linux/amd64 tools 1/2] FROM docker.io/library/busybox:latest@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "[linux/amd64 tools 2/2] RUN echo shared > /tools",
        ]),
        "{amd:#?}\n{arm:#?}"
    );
    // amd64: busybox (build platform and target alike), two RUNs, two
    // COPYs, RUN ls, the terminal op. arm64: one more busybox, for arm64.
    assert_eq!(amd.len(), 7, "{amd:#?}");
    assert_eq!(arm.len(), 8, "{arm:#?}");
    // Both platforms together: the shared ones once.
    let all: BTreeSet<&String> = amd.keys().chain(arm.keys()).collect();
    assert_eq!(all.len(), 7 + 8 - 2);
}

#[test]
fn names_carry_the_platform_and_the_cross_compile_target() {
    let r = FakeResolver::new();
    let each = lower_each(CROSS, &multi("linux/amd64,linux/arm64"), &r);
    let arm = op_names(&each[1]);
    for want in [
        "[linux/amd64->arm64 build 2/2] RUN echo build for arm64 > /out",
        "[linux/amd64 tools 2/2] RUN echo shared > /tools",
        "[linux/arm64 stage-2 1/4] FROM docker.io/library/busybox:latest@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "[linux/arm64 stage-2 2/4] COPY --from=build /out /out",
        "[linux/arm64 stage-2 4/4] RUN ls /",
    ] {
        assert!(arm.iter().any(|n| n == want), "{want}\n{arm:#?}");
    }
    let amd = op_names(&each[0]);
    assert!(
        amd.iter()
            .any(|n| n == "[linux/amd64 build 2/2] RUN echo build for amd64 > /out"),
        "{amd:#?}"
    );
    // Lookups are named per platform; the build platform's is the same
    // request in both lowerings.
    let logs: BTreeSet<String> = r.calls().into_iter().map(|(_, log)| log).collect();
    assert_eq!(
        logs,
        BTreeSet::from([
            "[linux/amd64 internal] load metadata for docker.io/library/busybox:latest".to_string(),
            "[linux/arm64 internal] load metadata for docker.io/library/busybox:latest".to_string(),
        ])
    );
}

#[test]
fn automatic_args_and_image_platform_follow_each_target() {
    let text = "FROM busybox\nARG TARGETPLATFORM TARGETVARIANT BUILDPLATFORM\nRUN echo $TARGETPLATFORM $TARGETVARIANT $BUILDPLATFORM\n";
    let r = FakeResolver::new();
    let each = lower_each(text, &multi("linux/arm/v7,linux/amd64"), &r);
    let json = |l: &Lowered| stagecraft_llb::dump_json(&l.state.marshal());
    let arm = json(&each[0]);
    assert!(
        arm.contains("TARGETPLATFORM=linux/arm/v7")
            && arm.contains("TARGETVARIANT=v7")
            && arm.contains("BUILDPLATFORM=linux/amd64"),
        "{arm}"
    );
    assert!(json(&each[1]).contains("TARGETPLATFORM=linux/amd64"));
    assert_eq!(each[0].platform.id(), "linux/arm/v7");
    assert_eq!(each[0].image.architecture, "arm");
    assert_eq!(each[0].image.variant.as_deref(), Some("v7"));
    assert_eq!(each[1].image.architecture, "amd64");
}

#[test]
fn scratch_runs_are_named_without_a_platform_as_in_the_reference() {
    // The reference reads RUN's platform from the state, which scratch
    // lacks; COPY and WORKDIR use the stage's.
    let text = "FROM scratch\nWORKDIR /w\nRUN true\n";
    let r = FakeResolver::new();
    let names = op_names(&lower_each(text, &multi("linux/arm64"), &r)[0]);
    assert_eq!(names[0], "[linux/arm64 1/2] WORKDIR /w");
    assert_eq!(names[1], "[2/2] RUN true");
}

#[test]
fn one_platform_without_multi_platform_keeps_plain_names() {
    let r = FakeResolver::new();
    let mut o = options();
    o.target_platform = Some(Platform::parse("linux/arm64").unwrap());
    let names = op_names(&lower_with(CROSS, &o, &r).unwrap());
    assert!(names.iter().all(|n| !n.contains("linux/")), "{names:#?}");
}
