//! What the gateway tests share: running the real binary against a fake
//! BuildKit and reading what it sent.

// Each test binary uses its own subset; helpers unwrap as tests may.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Duration;

use prost::Message;
use stagecraft_proto::fake::{ChildOutcome, FakeBuildkit, FakeConfig};
use stagecraft_proto::google::rpc;
use stagecraft_proto::moby::buildkit::v1::frontend as gw;
use stagecraft_proto::status::decode_source_detail;
use stagecraft_proto::{SourceLocation, pb};

pub const BINARY: &str = env!("CARGO_BIN_EXE_stagecraft");
/// Far above a normal run (well under a second): reaching it means a hang.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// BuildKit waits for the process after Return; lingering slows every build.
pub const MAX_EXIT_DELAY: Duration = Duration::from_secs(2);

pub const BUSYBOX: &str = "docker.io/library/busybox:latest";
pub const BUSYBOX_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:aaaa"]}}"#;
pub const BUSYBOX_DIGEST: &str =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

pub const SINGLE_STAGE: &str = "FROM busybox
WORKDIR /app
COPY . .
RUN echo hello > /app/greeting
ENV GREETING=hello
CMD [\"cat\", \"/app/greeting\"]
";

/// Runs the binary against `config`; checks it returned exactly once and
/// exited promptly.
pub fn run(config: FakeConfig) -> ChildOutcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let fake = FakeBuildkit::new(config);
        let mut command = Command::new(BINARY);
        // Only what BuildKit would set: no stray BUILDKIT_* from the test env.
        command.env_clear().env("PATH", "/usr/bin:/bin");
        fake.spawn(command).unwrap().wait(DEADLINE).await.unwrap()
    });
    assert_eq!(
        outcome.recorded.returns.len(),
        1,
        "exactly one Return expected: {:?}",
        outcome.recorded.returns
    );
    let delay = outcome
        .exit_delay_after_return
        .expect("the process called Return");
    eprintln!("exited {delay:?} after Return");
    assert!(delay < MAX_EXIT_DELAY, "lingered {delay:?} after Return");
    outcome
}

/// [`run`] for a build that must succeed.
pub fn run_ok(config: FakeConfig) -> ChildOutcome {
    let outcome = run(config);
    assert!(outcome.status.success(), "{:?}", outcome.status);
    outcome
}

pub fn returned_error(outcome: &ChildOutcome) -> rpc::Status {
    let returned = outcome.recorded.returned().unwrap();
    assert!(
        returned.result.is_none(),
        "a failed build returns no result"
    );
    returned.error.clone().expect("an error status")
}

/// [`run`] for a build that must fail before its build Solve: the error
/// it returned.
pub fn unsolved_error(config: FakeConfig) -> rpc::Status {
    let outcome = run(config);
    assert!(
        build_solves(&outcome).is_empty(),
        "the build was not solved"
    );
    returned_error(&outcome)
}

#[track_caller]
pub fn assert_mentions(message: &str, prefix: &str, parts: &[&str]) {
    assert!(message.starts_with(prefix), "{message}");
    for part in parts {
        assert!(message.contains(part), "{part:?} in {message}");
    }
}

pub fn returned_result(outcome: &ChildOutcome) -> gw::Result {
    let returned = outcome.recorded.returned().unwrap();
    assert!(
        returned.error.as_ref().is_none_or(|e| e.code == 0),
        "unexpected error: {:?}",
        returned.error.as_ref().map(|e| &e.message)
    );
    returned.result.clone().expect("a result")
}

pub fn ops(definition: &pb::Definition) -> Vec<pb::Op> {
    definition
        .def
        .iter()
        .map(|bytes| pb::Op::decode(bytes.as_slice()).unwrap())
        .collect()
}

pub fn sources(definition: &pb::Definition) -> Vec<pb::SourceOp> {
    ops(definition)
        .into_iter()
        .filter_map(|op| match op.op {
            Some(pb::op::Op::Source(s)) => Some(s),
            _ => None,
        })
        .collect()
}

/// The Solve the Dockerfile was read from: the result of the last file read
/// that is not a `.dockerignore` (the loads go out together with the
/// `.dockerignore`'s, and the local's even when an input replaces it, in any
/// order; files read before Ping answered may be read again).
pub fn dockerfile_loading(outcome: &ChildOutcome) -> &pb::Definition {
    let read = outcome
        .recorded
        .read_files
        .iter()
        .rev()
        .find(|r| !r.file_path.ends_with(".dockerignore"))
        .expect("the Dockerfile was read");
    let index: usize = read
        .r#ref
        .strip_prefix("fake-ref-")
        .and_then(|n| n.parse().ok())
        .expect("a ref of the fake");
    outcome.recorded.solves[index]
        .definition
        .as_ref()
        .expect("a Solve that loads the Dockerfile")
}

/// Where the Dockerfile was loaded from.
pub fn dockerfile_loader(outcome: &ChildOutcome) -> pb::SourceOp {
    sources(dockerfile_loading(outcome)).swap_remove(0)
}

/// The files read, in order, without the `.dockerignore` reads that go out
/// alongside.
pub fn dockerfile_reads(outcome: &ChildOutcome) -> Vec<&str> {
    outcome
        .recorded
        .read_files
        .iter()
        .map(|r| r.file_path.as_str())
        .filter(|p| !p.ends_with(".dockerignore"))
        .collect()
}

/// Solves that did more than load one local source: the build itself.
pub fn build_solves(outcome: &ChildOutcome) -> Vec<pb::Definition> {
    outcome
        .recorded
        .definitions()
        .filter(|d| {
            !sources(d)
                .iter()
                .all(|s| s.identifier.starts_with("local://"))
                || sources(d).len() != 1
        })
        .cloned()
        .collect()
}

pub fn source_location(status: &rpc::Status) -> SourceLocation {
    let detail = status
        .details
        .iter()
        .find(|d| d.type_url.ends_with("errdefs.Source+json"))
        .expect("an errdefs.Source detail");
    decode_source_detail(detail).unwrap()
}

/// A Docker 20.10 daemon whose `dockerfile` local holds `text`.
pub fn with_dockerfile(text: &str) -> FakeConfig {
    FakeConfig::docker_20_10().with_local_file("dockerfile", "Dockerfile", text)
}

pub fn single_stage_config() -> FakeConfig {
    with_dockerfile(SINGLE_STAGE)
        .with_local_file("context", "main.go", "package main\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
}

/// A Definition loading only `local://<name>`, as a client passes an input.
pub fn local_input(name: &str) -> pb::Definition {
    let source = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            ..Default::default()
        })),
        ..Default::default()
    };
    let bytes = source.encode_to_vec();
    let terminal = pb::Op {
        inputs: vec![pb::Input {
            digest: stagecraft_llb::digest_of(&bytes),
            index: 0,
        }],
        ..Default::default()
    };
    pb::Definition {
        def: vec![bytes, terminal.encode_to_vec()],
        ..Default::default()
    }
}

/// The progress names of the image lookups, in order.
pub fn lookup_names(outcome: &ChildOutcome) -> Vec<String> {
    outcome
        .recorded
        .resolved_images
        .iter()
        .map(|r| r.log_name.clone())
        .collect()
}

/// The source ops of the build Solve.
pub fn build_sources(outcome: &ChildOutcome) -> Vec<String> {
    sources(build_solves(outcome).last().unwrap())
        .into_iter()
        .map(|s| s.identifier)
        .collect()
}
