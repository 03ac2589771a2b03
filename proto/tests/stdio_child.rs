//! A real child process speaking gRPC over its stdin/stdout pipes to the
//! fake BuildKit, as a frontend does inside BuildKit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::{Command, Stdio};
use std::time::Duration;

use stagecraft_proto::fake::{FakeBuildkit, FakeConfig};
use stagecraft_proto::moby::buildkit::v1::frontend::result;
use stagecraft_proto::status::decode_source_detail;

const CHILD: &str = env!("CARGO_BIN_EXE_stagecraft-fake-frontend");
const DEADLINE: Duration = Duration::from_secs(20);

fn child(mode: &str) -> Command {
    let mut command = Command::new(CHILD);
    command.arg(mode);
    command
}

#[tokio::test]
async fn child_returns_error_with_source_and_exits_promptly() {
    let config = FakeConfig::docker_20_10()
        .with_local_file("dockerfile", "build.Dockerfile", b"FROM nothing\n".to_vec())
        .with_opt("filename", "build.Dockerfile")
        .with_opt("target", "final");
    let fake = FakeBuildkit::new(config);
    let outcome = fake
        .spawn(child("return-error"))
        .unwrap()
        .wait(DEADLINE)
        .await
        .unwrap();
    assert!(outcome.status.success(), "{:?}", outcome.status);
    let delay = outcome
        .exit_delay_after_return
        .expect("child called Return");
    eprintln!("child exited {delay:?} after Return");
    assert!(
        delay < Duration::from_secs(2),
        "child lingered {delay:?} after Return"
    );

    let recorded = outcome.recorded;
    assert_eq!(recorded.pings, 1);
    assert_eq!(recorded.solves.len(), 1);
    assert_eq!(recorded.read_files[0].file_path, "build.Dockerfile");
    let status = recorded.returned().unwrap().error.clone().unwrap();
    assert_eq!(status.code, 3);
    assert_eq!(
        status.message,
        "session=fake-session product=Docker workers=1 target=final"
    );
    let source = decode_source_detail(&status.details[0]).unwrap();
    assert_eq!(source.filename, "build.Dockerfile");
    assert_eq!(source.data, b"FROM nothing\n");
    assert_eq!(source.ranges[0].start.line, 1);
}

#[tokio::test]
async fn child_returns_result_despite_println() {
    let config = FakeConfig::modern().with_image(
        "docker.io/library/alpine:latest",
        "",
        br#"{"os":"linux"}"#.to_vec(),
    );
    let fake = FakeBuildkit::new(config);
    let outcome = fake
        .spawn(child("return-result"))
        .unwrap()
        .wait(DEADLINE)
        .await
        .unwrap();
    assert!(outcome.status.success(), "{:?}", outcome.status);
    let returned = outcome.recorded.returned().unwrap().clone();
    let result = returned.result.unwrap();
    assert_eq!(
        result.metadata["containerimage.config"],
        br#"{"os":"linux"}"#
    );
    assert!(matches!(result.result, Some(result::Result::Ref(r)) if r.id.is_empty()));
    assert!(outcome.exit_delay_after_return.unwrap() < Duration::from_secs(2));
}

#[test]
fn child_without_pipes_fails_fast() {
    let output = child("return-result")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must be a pipe"), "{stderr}");
}
