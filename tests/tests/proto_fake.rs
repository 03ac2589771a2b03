//! The gateway client of stagecraft-proto against the fake BuildKit, over an
//! in-memory HTTP/2 connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;

use prost::Message;
use stagecraft_proto::fake::{FailWhen, FakeBuildkit, FakeConfig, SolvedContent};
use stagecraft_proto::moby::buildkit::v1::frontend::result;
use stagecraft_proto::pb;
use stagecraft_proto::status::{SOURCE_TYPE_URL, decode_source_detail};
use stagecraft_proto::tonic;
use stagecraft_proto::{
    Bridge, BridgeError, CapKind, ResolveMode, SolveOptions, SourceLocation, SourceRange, Warning,
    error_status,
};

const DOCKERFILE: &[u8] = b"FROM alpine\nRUN false\n";

fn local_definition(name: &str) -> pb::Definition {
    let source = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            ..Default::default()
        })),
        ..Default::default()
    };
    pb::Definition {
        def: vec![source.encode_to_vec(), pb::Op::default().encode_to_vec()],
        ..Default::default()
    }
}

fn image_definition() -> pb::Definition {
    let source = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: "docker-image://docker.io/library/alpine:latest".into(),
            ..Default::default()
        })),
        ..Default::default()
    };
    pb::Definition {
        def: vec![source.encode_to_vec()],
        ..Default::default()
    }
}

async fn connect(config: FakeConfig) -> (FakeBuildkit, Bridge) {
    let fake = FakeBuildkit::new(config);
    let bridge = fake.connect_in_process().await.unwrap();
    (fake, bridge)
}

#[tokio::test]
async fn ping_reports_caps_and_workers() {
    let config = FakeConfig::docker_20_10().with_cap_disabled(
        CapKind::Llb,
        "exec.mount.ssh",
        "ssh disabled by admin",
    );
    let (fake, bridge) = connect(config).await;
    assert!(bridge.caps().is_none());
    let pong = bridge.ping().await.unwrap();
    assert!(pong.caps.supports_gateway("readfile"));
    assert!(!pong.caps.supports_gateway("gateway.warnings"));
    assert!(pong.caps.supports_llb("file.base"));
    assert!(!pong.caps.supports_llb("mergeop"));
    // Listed but disabled counts as unsupported.
    assert!(!pong.caps.supports_llb("exec.mount.ssh"));
    let err = pong.caps.check_llb(["file.base", "mergeop"]).unwrap_err();
    assert_eq!(err.missing.len(), 1);
    assert!(
        err.to_string().contains("needs BuildKit v0.10 or newer"),
        "{err}"
    );
    assert_eq!(pong.workers.len(), 1);
    assert_eq!(pong.workers[0].platforms[0].architecture, "amd64");
    assert!(bridge.caps().is_some());
    assert_eq!(fake.recorded().pings, 1);
}

#[tokio::test]
async fn missing_cap_lists_mean_defaults() {
    let mut config = FakeConfig::modern();
    config.gateway_caps.clear();
    config.llb_caps.clear();
    let (_fake, bridge) = connect(config).await;
    let caps = bridge.ping().await.unwrap().caps;
    assert!(caps.supports_gateway("solve.base"));
    assert!(caps.supports_gateway("readfile"));
    assert!(!caps.supports_gateway("return"));
    assert!(caps.supports_llb("source.local.followpaths"));
    assert!(!caps.supports_llb("file.base"));
}

#[tokio::test]
async fn resolve_image_config_empty_digest_is_none() {
    let config = FakeConfig::modern()
        .with_image(
            "docker.io/library/alpine:latest",
            "",
            br#"{"os":"linux"}"#.to_vec(),
        )
        .with_image(
            "docker.io/library/busybox:latest",
            "sha256:0123",
            br#"{"os":"linux","architecture":"arm64"}"#.to_vec(),
        );
    let (fake, bridge) = connect(config).await;
    let platform = pb::Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
        ..Default::default()
    };
    let local = bridge
        .resolve_image_config(
            "docker.io/library/alpine:latest",
            Some(platform.clone()),
            ResolveMode::Default,
            "[internal] load metadata for docker.io/library/alpine:latest",
        )
        .await
        .unwrap();
    assert_eq!(local.digest, None);
    assert_eq!(local.config, br#"{"os":"linux"}"#);
    assert_eq!(local.reference, "docker.io/library/alpine:latest");
    let pinned = bridge
        .resolve_image_config(
            "docker.io/library/busybox:latest",
            None,
            ResolveMode::Pull,
            "x",
        )
        .await
        .unwrap();
    assert_eq!(pinned.digest.as_deref(), Some("sha256:0123"));

    let missing = bridge
        .resolve_image_config("nope", None, ResolveMode::Local, "y")
        .await
        .unwrap_err();
    assert_eq!(
        missing.status().map(|s| s.code()),
        Some(tonic::Code::NotFound)
    );

    let asked = fake.recorded().resolved_images;
    assert_eq!(asked.len(), 3);
    assert_eq!(asked[0].platform.as_ref(), Some(&platform));
    assert_eq!(asked[0].resolve_mode, "default");
    assert_eq!(
        asked[0].log_name,
        "[internal] load metadata for docker.io/library/alpine:latest"
    );
    assert_eq!(asked[1].resolve_mode, "pull");
    assert_eq!(asked[2].resolve_mode, "local");
}

#[tokio::test]
async fn solve_local_then_read_file_dir_and_stat() {
    let config = FakeConfig::modern()
        .with_local_file("dockerfile", "Dockerfile", DOCKERFILE)
        .with_local_file("dockerfile", "sub/inner.txt", b"inner".to_vec());
    let (fake, bridge) = connect(config).await;
    bridge.ping().await.unwrap();
    let mut opts = SolveOptions::default();
    opts.frontend_opt.insert("k".into(), "v".into());
    let reference = bridge
        .solve(local_definition("dockerfile"), &opts)
        .await
        .unwrap();
    assert_eq!(
        fake.content_of(reference.as_str()),
        Some(SolvedContent::Local("dockerfile".into()))
    );

    let data = bridge
        .read_file(&reference, "Dockerfile", None)
        .await
        .unwrap();
    assert_eq!(data, DOCKERFILE);
    let part = bridge
        .read_file(&reference, "Dockerfile", Some((5, 6)))
        .await
        .unwrap();
    assert_eq!(part, b"alpine");
    let absent = bridge
        .read_file(&reference, "Dockerfile.dockerignore", None)
        .await
        .unwrap_err();
    assert_eq!(
        absent.status().map(|s| s.code()),
        Some(tonic::Code::NotFound)
    );

    let entries = bridge.read_dir(&reference, "/", None).await.unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(names, ["Dockerfile", "sub"]);
    let stat = bridge.stat_file(&reference, "Dockerfile").await.unwrap();
    assert_eq!(stat.size, DOCKERFILE.len() as i64);

    let recorded = fake.recorded();
    assert_eq!(recorded.solves.len(), 1);
    let solve = &recorded.solves[0];
    assert!(solve.allow_result_return && solve.allow_result_array_ref);
    assert_eq!(solve.frontend_opt.get("k").map(String::as_str), Some("v"));
    assert_eq!(
        solve.definition.as_ref(),
        Some(&local_definition("dockerfile"))
    );
}

#[tokio::test]
async fn failed_solve_status_is_forwarded_unchanged() {
    let location = SourceLocation {
        filename: "Dockerfile".into(),
        data: DOCKERFILE.to_vec(),
        language: "Dockerfile".into(),
        ranges: vec![SourceRange::lines(2, 2)],
    };
    let solver_status = error_status(
        tonic::Code::Unknown,
        "process \"/bin/sh -c false\" did not complete successfully: exit code: 1",
        &[location],
    );
    let config = FakeConfig::modern().failing_solve(FailWhen::NotLocal, solver_status.clone());
    let (fake, bridge) = connect(config).await;
    bridge.ping().await.unwrap();
    // Loading a local source is not affected.
    bridge
        .solve(local_definition("context"), &SolveOptions::default())
        .await
        .unwrap();
    let err = bridge
        .solve(image_definition(), &SolveOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, BridgeError::Call { call: "Solve", .. }));
    bridge.return_error(err.to_rpc_status()).await.unwrap();

    let recorded = fake.recorded();
    assert_eq!(recorded.solves.len(), 2);
    assert_eq!(recorded.returns.len(), 1);
    let returned = recorded.returned().unwrap();
    assert!(returned.result.is_none());
    let status = returned.error.as_ref().unwrap();
    assert_eq!(status, &solver_status);

    // The detail as clients read it: JSON in an Any, file bytes in base64.
    assert_eq!(status.details.len(), 1);
    let detail = &status.details[0];
    assert_eq!(
        detail.type_url,
        "github.com/moby/buildkit/errdefs.Source+json"
    );
    assert_eq!(detail.type_url, SOURCE_TYPE_URL);
    let json: serde_json::Value = serde_json::from_slice(&detail.value).unwrap();
    assert_eq!(json["info"]["filename"], "Dockerfile");
    assert_eq!(json["info"]["language"], "Dockerfile");
    assert_eq!(json["info"]["data"], "RlJPTSBhbHBpbmUKUlVOIGZhbHNlCg==");
    assert_eq!(json["ranges"][0]["start"]["line"], 2);
    assert_eq!(json["ranges"][0]["end"]["line"], 2);
    assert_eq!(decode_source_detail(detail).unwrap().data, DOCKERFILE);
}

#[tokio::test]
async fn nth_solve_fails_with_plain_status() {
    let status = stagecraft_proto::google::rpc::Status {
        code: tonic::Code::InvalidArgument.into(),
        message: "bad".into(),
        details: vec![],
    };
    let config = FakeConfig::modern().failing_solve(FailWhen::Nth(1), status.clone());
    let (_fake, bridge) = connect(config).await;
    assert!(
        bridge
            .solve(image_definition(), &SolveOptions::default())
            .await
            .is_ok()
    );
    let err = bridge
        .solve(image_definition(), &SolveOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.to_rpc_status(), status);
    assert!(
        bridge
            .solve(image_definition(), &SolveOptions::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn warn_needs_the_cap() {
    let warning = || Warning {
        vertex_digest: "sha256:abc".into(),
        level: 1,
        short: "JSONArgsRecommended".into(),
        detail: vec!["use JSON".into()],
        url: None,
        source: None,
        ranges: vec![],
    };
    let (old, bridge) = connect(FakeConfig::docker_20_10()).await;
    // Before ping the caps are unknown: nothing is sent either.
    assert!(!bridge.warn(warning()).await.unwrap());
    bridge.ping().await.unwrap();
    assert!(!bridge.warn(warning()).await.unwrap());
    assert!(old.recorded().warnings.is_empty());

    let (new, bridge) = connect(FakeConfig::modern()).await;
    bridge.ping().await.unwrap();
    assert!(bridge.warn(warning()).await.unwrap());
    let sent = new.recorded().warnings;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].short, b"JSONArgsRecommended");
    assert_eq!(sent[0].detail, vec![b"use JSON".to_vec()]);
}

#[tokio::test]
async fn inputs_and_return_result() {
    let mut config = FakeConfig::modern();
    config
        .inputs
        .insert("context".into(), local_definition("other"));
    let (fake, bridge) = connect(config.clone()).await;
    // Without ping the cap is unknown, so Inputs is not called.
    assert!(bridge.inputs().await.unwrap().is_empty());
    bridge.ping().await.unwrap();
    let inputs = bridge.inputs().await.unwrap();
    assert_eq!(inputs.get("context"), Some(&local_definition("other")));
    assert_eq!(fake.recorded().inputs_calls, 1);

    let reference = bridge
        .solve(image_definition(), &SolveOptions::default())
        .await
        .unwrap();
    let metadata = BTreeMap::from([("containerimage.config".to_string(), b"{}".to_vec())]);
    bridge.return_result(&reference, metadata).await.unwrap();
    let recorded = fake.recorded();
    let returned = recorded.returned().unwrap();
    assert!(returned.error.is_none());
    let result = returned.result.as_ref().unwrap();
    assert_eq!(result.metadata.get("containerimage.config").unwrap(), b"{}");
    match &result.result {
        Some(result::Result::Ref(r)) => assert_eq!(r.id, reference.as_str()),
        other => panic!("unexpected result {other:?}"),
    }
}

#[tokio::test]
async fn oversized_solve_is_refused_before_sending() {
    let (fake, bridge) = connect(FakeConfig::docker_20_10()).await;
    let big = pb::Definition {
        def: vec![vec![0u8; 5 << 20]],
        ..Default::default()
    };
    let err = bridge
        .solve(big.clone(), &SolveOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, BridgeError::RequestTooLarge { limit, .. } if limit == 4 << 20));
    assert!(err.to_string().contains("BuildKit before v0.14"), "{err}");
    assert!(fake.recorded().solves.is_empty());

    // With the check lifted, the old daemon itself refuses the message.
    let bridge = bridge.with_request_limit(usize::MAX);
    let err = bridge
        .solve(big, &SolveOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|s| s.code()),
        Some(tonic::Code::OutOfRange)
    );
}

#[tokio::test]
async fn solve_with_unsupported_llb_cap_is_refused_after_ping() {
    let (fake, bridge) = connect(FakeConfig::docker_20_10()).await;
    let mut definition = image_definition();
    definition.metadata.insert(
        "sha256:x".into(),
        pb::OpMetadata {
            caps: [("mergeop".to_string(), true)].into_iter().collect(),
            ..Default::default()
        },
    );
    // Before ping the caps are unknown and the request goes out.
    bridge
        .solve(definition.clone(), &SolveOptions::default())
        .await
        .unwrap();
    bridge.ping().await.unwrap();
    let err = bridge
        .solve(definition, &SolveOptions::default())
        .await
        .unwrap_err();
    match &err {
        BridgeError::MissingCaps(missing) => assert_eq!(missing.missing[0].id, "mergeop"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("COPY --link"), "{err}");
    assert_eq!(fake.recorded().solves.len(), 1);
}
