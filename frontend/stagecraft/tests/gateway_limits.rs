//! Hostile inputs and huge errors through the real binary, against a fake
//! BuildKit that enforces the daemon's message limits (4 MiB for dockerd
//! 20.10's BuildKit, 16 MiB for a current one): every error reaches
//! `Return`, within the limit, naming the line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use prost::Message;
use stagecraft_proto::fake::{FailWhen, FakeConfig};
use stagecraft_proto::google::protobuf::Any;
use stagecraft_proto::google::rpc;
use stagecraft_proto::status::error_status;
use stagecraft_tests::hostile::{Class, generate};
use support::*;

fn hostile(base: FakeConfig, class: Class, size: usize) -> FakeConfig {
    base.with_local_file("dockerfile", "Dockerfile", generate(class, size))
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
}

#[track_caller]
fn fails_at(config: FakeConfig, line: &str, mentions: &str) -> rpc::Status {
    let status = unsolved_error(config);
    assert!(
        status.message.starts_with(&format!("Dockerfile:{line}: ")),
        "{}",
        &status.message[..status.message.len().min(300)]
    );
    assert!(status.message.contains(mentions), "{mentions:?}");
    status
}

#[test]
fn runaway_expansion_and_ports_end_at_their_line() {
    fails_at(
        hostile(FakeConfig::docker_20_10(), Class::EnvDoubling, 40),
        "19",
        "longer than 1048576 bytes",
    );
    fails_at(
        hostile(FakeConfig::modern(), Class::ExposeRanges, 1000),
        "2",
        "196608",
    );
}

#[test]
fn a_file_past_the_size_limit_is_refused_before_parsing() {
    let status = fails_at(
        hostile(FakeConfig::docker_20_10(), Class::LongLine, 3 << 20),
        "2",
        "2097152",
    );
    // The snippet line is cut, and the whole file in the detail would not
    // fit the daemon's 4 MiB: what is sent is small.
    assert!(status.encoded_len() < 4 << 20);
    assert!(status.message.len() < 2048, "{}", status.message.len());
}

#[test]
fn a_long_unknown_line_is_reported_with_a_short_snippet() {
    let status = fails_at(
        hostile(FakeConfig::docker_20_10(), Class::LongLine, 1_900_000),
        "2",
        "unknown instruction: RUNX",
    );
    assert!(status.message.len() < 2048, "{}", status.message.len());
}

#[test]
fn llb_past_the_daemons_limit_names_the_line_on_old_buildkit_and_builds_on_new() {
    // 64 KiB of ARG in 40 RUNs: about 8 MiB of ops and history.
    let status = unsolved_error(hostile(
        FakeConfig::docker_20_10(),
        Class::ArgInManyRuns,
        40,
    ));
    let line: usize = status
        .message
        .strip_prefix("Dockerfile:")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", status.message));
    assert!((15..=30).contains(&line), "{line}");
    assert!(status.message.contains("4194304"));
    let outcome = run_ok(hostile(FakeConfig::modern(), Class::ArgInManyRuns, 40));
    let definition = build_solves(&outcome).remove(0);
    assert!(definition.encoded_len() > 4 << 20);
}

#[test]
fn a_huge_error_from_buildkit_is_forwarded_fitted_to_the_limit() {
    let failure = rpc::Status {
        code: 2,
        message: format!("process failed: {}\nmore", "x".repeat(100_000)),
        details: vec![Any {
            type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
            value: vec![b'a'; 5 << 20],
        }],
    };
    let config = single_stage_config().failing_solve(FailWhen::NotLocal, failure);
    let outcome = run(config);
    let status = returned_error(&outcome);
    assert!(status.details.is_empty(), "the detail is dropped first");
    assert!(status.message.starts_with("process failed: xxx"));
    assert!(status.encoded_len() < 4 << 20);
}

#[test]
fn an_error_status_longer_than_hypers_default_header_limit_is_received() {
    // The daemon's not-found echoes the file name: 100 KB of trailers.
    let name = "d".repeat(100_000);
    let config = with_dockerfile("FROM busybox\n").with_opt("filename", &name);
    let status = returned_error(&run(config));
    assert!(
        status.message.starts_with("failed to read dockerfile: "),
        "{}",
        &status.message[..200]
    );
    assert!(status.message.contains(&name));
}

#[test]
fn an_error_of_our_own_keeps_its_detail_when_it_fits() {
    let status = fails_at(
        hostile(FakeConfig::docker_20_10(), Class::EnvDoubling, 30),
        "19",
        "1048576",
    );
    let expected = error_status(stagecraft_proto::tonic::Code::Unknown, "", &[]);
    assert_eq!(status.code, expected.code);
    assert_eq!(status.details.len(), 1);
}

/// The rows of the issue that reach the gateway, under both daemons' limits:
/// each ends with an error naming its line that the daemon accepts.
#[test]
fn a_huge_file_ends_at_its_line_within_each_daemons_limit() {
    for (daemon, limit) in [
        (FakeConfig::docker_20_10(), 4 << 20),
        (FakeConfig::modern(), 16 << 20),
    ] {
        // 10 MB on one line, then 12 MB of RUN lines: both past the 2 MiB
        // limit, so the file goes back whole only where it fits.
        let long = fails_at(
            hostile(daemon.clone(), Class::LongLine, 10_000_000),
            "2",
            "2097152",
        );
        assert!(long.encoded_len() < limit);
        assert!(long.message.len() < 2048, "{}", long.message.len());
        let big = unsolved_error(hostile(daemon, Class::BigFile, 12_000_000));
        assert!(
            big.message.starts_with("Dockerfile:"),
            "{}",
            &big.message[..200]
        );
        assert!(big.message.contains("2097152"));
        assert!(big.encoded_len() < limit);
    }
}

#[test]
fn an_error_from_buildkit_keeps_its_detail_where_the_daemon_takes_it() {
    // 6 MiB of detail: past v0.8's 4 MiB, within a current daemon's 16 MiB.
    let failure = rpc::Status {
        code: 2,
        message: "process \"/bin/sh -c false\" did not complete successfully".into(),
        details: vec![Any {
            type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
            value: vec![b'a'; 6 << 20],
        }],
    };
    let old = returned_error(&run(single_stage_config()
        .failing_solve(FailWhen::NotLocal, failure.clone())
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)));
    assert!(old.details.is_empty());
    assert_eq!(old.message, failure.message);
    let mut modern = FakeConfig::modern();
    modern.locals = single_stage_config().locals;
    let new = returned_error(&run(modern
        .failing_solve(FailWhen::NotLocal, failure.clone())
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)));
    assert_eq!(new, failure);
}

#[test]
fn a_run_with_bytes_that_are_not_utf8_fails_at_its_line_as_in_the_cli() {
    let status = fails_at(
        hostile(FakeConfig::modern(), Class::InvalidUtf8, 10),
        "12",
        "RUN holds bytes that are not UTF-8",
    );
    assert_eq!(
        source_location(&status).ranges,
        vec![stagecraft_proto::status::SourceRange::lines(12, 12)]
    );
    // Elsewhere such bytes read as U+FFFD, as the reference's lexer reads them.
    let outcome = run_ok(
        FakeConfig::modern()
            .with_local_file(
                "dockerfile",
                "Dockerfile",
                &b"FROM busybox\n# caf\xe9\nENV A=caf\xe9\n"[..],
            )
            .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG),
    );
    assert!(!build_solves(&outcome).is_empty());
}

/// Every class of the stress generator through the gateway on both daemons:
/// built (its Definition within the daemon's limit, or the fake would refuse
/// it), or an error naming a line that the daemon takes. At full size in a
/// release build (`cargo test --release`); a debug build, some twenty times
/// slower, runs a tenth of it within the fake's deadline.
#[test]
fn every_hostile_class_builds_or_names_a_line_under_both_limits() {
    let divisor = if cfg!(debug_assertions) { 10 } else { 1 };
    for (daemon, limit) in [
        (FakeConfig::docker_20_10(), 4usize << 20),
        (FakeConfig::modern(), 16 << 20),
    ] {
        for class in Class::ALL {
            let size = class.large_size() / divisor;
            let started = std::time::Instant::now();
            let outcome = run(hostile(daemon.clone(), class, size));
            eprintln!(
                "{} at {size} on a {} MiB daemon: {:?}",
                class.name(),
                limit >> 20,
                started.elapsed()
            );
            let returned = outcome.recorded.returned().unwrap();
            let Some(error) = returned.error.as_ref().filter(|e| e.code != 0) else {
                assert!(outcome.status.success(), "{class:?}: {:?}", outcome.status);
                let built = build_solves(&outcome);
                assert!(!built.is_empty(), "{class:?}");
                assert!(built.iter().all(|d| d.encoded_len() < limit), "{class:?}");
                continue;
            };
            let line = error
                .message
                .strip_prefix("Dockerfile:")
                .and_then(|rest| rest.split(':').next())
                .and_then(|n| n.split('-').next()?.parse::<usize>().ok());
            assert!(
                line.is_some_and(|n| n > 0),
                "{class:?}: {}",
                &error.message[..error.message.len().min(300)]
            );
            assert!(error.encoded_len() < limit, "{class:?}");
        }
    }
}

/// The lint subrequest (`buildx build --call check`) of every class: it
/// converts every stage, not only the target's, so a class a build passes
/// quickly (5,000 stages on one base) can still cost it all. It answers
/// with the findings, and a conversion error as data naming its line, or
/// fails naming a line. Sizes as in the build test above.
#[test]
fn every_hostile_class_lints_or_names_a_line() {
    let divisor = if cfg!(debug_assertions) { 10 } else { 1 };
    for class in Class::ALL {
        let size = class.large_size() / divisor;
        let started = std::time::Instant::now();
        let outcome =
            run(hostile(FakeConfig::modern(), class, size).with_opt("requestid", "frontend.lint"));
        eprintln!(
            "{} at {size}, lint subrequest: {:?}",
            class.name(),
            started.elapsed()
        );
        assert!(build_solves(&outcome).is_empty(), "{class:?}");
        let returned = outcome.recorded.returned().unwrap();
        let line = match returned.error.as_ref().filter(|e| e.code != 0) {
            Some(error) => error
                .message
                .strip_prefix("Dockerfile:")
                .and_then(|rest| rest.split([':', '-']).next())
                .and_then(|n| n.parse::<u64>().ok()),
            None => {
                let md = returned_result(&outcome).metadata;
                let v: serde_json::Value = serde_json::from_slice(&md["result.json"]).unwrap();
                if v["buildError"].is_null() {
                    continue;
                }
                v["buildError"]["location"]["ranges"][0]["start"]["line"].as_u64()
            }
        };
        assert!(line.is_some_and(|n| n > 0), "{class:?}");
    }
}
