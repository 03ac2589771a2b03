//! SBOM attestations through the gateway (`attest:sbom`): the frontend
//! runs the scanner on the image and on what the scan arguments add, and
//! returns the scan as a Bundle attestation per platform.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use stagecraft_proto::caps::CapKind;
use stagecraft_proto::fake::FakeConfig;
use stagecraft_proto::moby::buildkit::v1::frontend::{AttestationKind, result};
use stagecraft_proto::pb;
use support::*;

const SCANNER: &str = "docker.io/library/scanner:1";
const SCANNER_DIGEST: &str =
    "sha256:5ca0000000000000000000000000000000000000000000000000000000000001";
const SCANNER_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","BUILDKIT_SCAN_DESTINATION=/elsewhere"],"Entrypoint":["/scan"],"Cmd":["--all"],"WorkingDir":"/w"}}"#;

const DOCKERFILE: &str = "\
ARG BUILDKIT_SBOM_SCAN_CONTEXT=true
FROM busybox AS deps
ARG BUILDKIT_SBOM_SCAN_STAGE=true
RUN echo dep > /dep
FROM busybox AS unscanned
RUN echo other > /other
FROM scratch
COPY --from=deps /dep /dep
COPY --from=unscanned /other /other
COPY file /file
";

fn config(opts: &[(&str, &str)]) -> FakeConfig {
    opts.iter().fold(
        FakeConfig::modern()
            .with_local_file("dockerfile", "Dockerfile", DOCKERFILE)
            .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
            .with_image(SCANNER, SCANNER_DIGEST, SCANNER_CONFIG),
        |config, (k, v)| config.with_opt(k, v),
    )
}

/// The exec op of the scan, if `definition` runs the scanner.
fn find_scan(definition: &pb::Definition) -> Option<pb::ExecOp> {
    ops(definition)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Exec(exec)) => Some(exec),
            _ => None,
        })
        .find(|exec| {
            exec.meta
                .as_ref()
                .is_some_and(|m| m.args.first().is_some_and(|a| a == "/scan"))
        })
}

fn scan_exec(definition: &pb::Definition) -> pb::ExecOp {
    find_scan(definition).expect("the scanner runs")
}

#[test]
fn the_scanner_sees_the_image_the_context_and_the_scanned_stages() {
    let outcome = run_ok(config(&[("attest:sbom", "generator=scanner:1,MARK=seen")]));
    let solves = build_solves(&outcome);
    assert_eq!(solves.len(), 2, "the image, then its scan");
    let exec = scan_exec(&solves[1]);
    let meta = exec.meta.clone().unwrap();
    assert_eq!(meta.args, ["/scan", "--all"]);
    assert_eq!(meta.cwd, "/w");
    // The image's own value is replaced, the rest keep their order.
    assert_eq!(
        meta.env,
        [
            "PATH=/bin",
            "BUILDKIT_SCAN_DESTINATION=/run/out/",
            "BUILDKIT_SCAN_SOURCE=/run/src/core/sbom",
            "BUILDKIT_SCAN_SOURCE_EXTRAS=/run/src/extras/",
            "BUILDKIT_SCAN_MARK=seen",
        ]
    );
    let dests: Vec<&str> = exec.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert_eq!(
        dests,
        [
            "/",
            "/run/out/",
            "/run/src/core/sbom",
            "/run/src/extras/sbom-context",
            "/run/src/extras/sbom-deps",
            "/tmp",
        ]
    );
    // The scanner image is pinned and runs on the build platform.
    let scanner = sources(&solves[1])
        .into_iter()
        .find(|s| s.identifier.contains("scanner"))
        .unwrap();
    assert_eq!(
        scanner.identifier,
        format!("docker-image://{SCANNER}@{SCANNER_DIGEST}")
    );

    let result = returned_result(&outcome);
    assert!(matches!(result.result, Some(result::Result::Ref(_))));
    let attestations = &result.attestations["linux/amd64"].attestation;
    assert_eq!(attestations.len(), 1);
    let sbom = &attestations[0];
    assert_eq!(sbom.kind, AttestationKind::Bundle as i32);
    assert_eq!(sbom.in_toto_predicate_type, "https://spdx.dev/Document");
    assert_eq!(sbom.metadata["reason"], b"sbom");
    assert_eq!(sbom.metadata["sbom-core"], b"sbom");
    assert!(!sbom.r#ref.as_ref().unwrap().id.is_empty());
}

#[test]
fn scan_arguments_take_stage_lists_and_build_args() {
    // A list of stage names picks those stages; the build arg overrides the
    // file's default, so the context is not scanned here.
    let outcome = run_ok(config(&[
        ("attest:sbom", "generator=scanner:1"),
        ("build-arg:BUILDKIT_SBOM_SCAN_CONTEXT", "false"),
    ]));
    let exec = scan_exec(&build_solves(&outcome)[1]);
    let dests: Vec<&str> = exec.mounts.iter().map(|m| m.dest.as_str()).collect();
    assert!(dests.contains(&"/run/src/extras/sbom-deps"), "{dests:?}");
    assert!(
        !dests.contains(&"/run/src/extras/sbom-context"),
        "{dests:?}"
    );
    assert!(
        !dests.contains(&"/run/src/extras/sbom-unscanned"),
        "{dests:?}"
    );
}

#[test]
fn several_platforms_get_one_sbom_each() {
    let outcome = run_ok(config(&[
        ("attest:sbom", "generator=scanner:1"),
        ("platform", "linux/amd64,linux/arm64"),
    ]));
    let result = returned_result(&outcome);
    let mut keys: Vec<&String> = result.attestations.keys().collect();
    keys.sort();
    assert_eq!(keys, ["linux/amd64", "linux/arm64"]);
    let solves = build_solves(&outcome);
    let scans: Vec<&pb::Definition> = solves.iter().filter(|d| find_scan(d).is_some()).collect();
    assert_eq!(scans.len(), 2, "one scan per platform");
    for definition in scans {
        // The scanner runs on the build platform whatever the target.
        let op = ops(definition)
            .into_iter()
            .find(|op| matches!(&op.op, Some(pb::op::Op::Exec(e)) if e.meta.as_ref().is_some_and(|m| m.args[0] == "/scan")))
            .unwrap();
        assert_eq!(op.platform.unwrap().architecture, "amd64");
    }
}

#[test]
fn without_result_attestations_the_build_fails_saying_which_version() {
    let status = unsolved_error(
        config(&[("attest:sbom", "generator=scanner:1")])
            .without_cap(CapKind::Gateway, "reference.attestations"),
    );
    assert_mentions(
        &status.message,
        "SBOM attestations",
        &["attest:sbom", "v0.11", "reference.attestations"],
    );
}

#[test]
fn a_bad_attestation_request_is_an_option_error() {
    let status = unsolved_error(config(&[("attest:nope", "")]));
    assert!(
        status.message.contains("unknown attestation type"),
        "{}",
        status.message
    );
}
