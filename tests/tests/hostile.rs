//! Every hostile class at small sizes: each ends either built, with output
//! in proportion to the input, or with an error that names a line. No
//! timing here (speed is the stress bench's job): the bounds are sizes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use stagecraft_lower::Limits;
use stagecraft_tests::hostile::{Class, generate};
use stagecraft_tests::pipeline::{Outcome, run};

/// Output bytes allowed per input byte (plus a constant): an op per line
/// is a few hundred bytes for a line of tens.
const OUTPUT_PER_INPUT: usize = 64;

fn check(class: Class, size: usize, limits: Limits) -> Outcome {
    let input = generate(class, size);
    let outcome = run(&input, limits);
    match &outcome {
        Outcome::Built {
            llb_bytes,
            config_bytes,
            ..
        } => {
            // The config can be out of proportion (`EXPOSE 1-65535` lists
            // every port, as the reference's does) but not past the limit.
            let bound = OUTPUT_PER_INPUT * input.len() + (64 << 10);
            assert!(
                *llb_bytes <= bound && *config_bytes <= limits.message_bytes,
                "{} at {size}: {llb_bytes} bytes of LLB, {config_bytes} of config for {} of input",
                class.name(),
                input.len()
            );
            assert!(*llb_bytes <= limits.message_bytes, "{}", class.name());
        }
        Outcome::Failed { line, message } => {
            assert!(
                *line > 0,
                "{} at {size}: no line in {message:?}",
                class.name()
            );
        }
    }
    outcome
}

fn small() -> Limits {
    Limits {
        message_bytes: Limits::V0_8_MESSAGE_BYTES,
    }
}

#[test]
fn every_class_at_small_sizes_builds_in_proportion_or_names_a_line() {
    for class in Class::ALL {
        for size in [1, 10, 100] {
            check(class, size, small());
            check(class, size, Limits::default());
        }
    }
}

fn failed_at(outcome: Outcome) -> (usize, String) {
    match outcome {
        Outcome::Failed { line, message } => (line, message),
        built => panic!("expected an error, got {built:?}"),
    }
}

#[test]
fn doubling_stops_at_the_line_that_passes_the_word_limit() {
    // 10 bytes doubled 17 times is 1.3 MB: line 2 + 17.
    let (line, message) = failed_at(check(Class::EnvDoubling, 40, small()));
    assert_eq!(line, 19);
    assert!(message.contains("longer than 1048576 bytes"), "{message}");
    let (line, _) = failed_at(check(Class::GlobalArgDoubling, 40, small()));
    assert_eq!(line, 18);
    let (line, message) = failed_at(check(Class::ReplaceBlowup, 30, small()));
    assert!(line >= 3, "{line}");
    assert!(message.contains("1048576"), "{message}");
}

#[test]
fn hostile_exposes_are_refused_before_spelling_out_ports() {
    let (line, message) = failed_at(check(Class::ExposeRanges, 1000, small()));
    assert_eq!(line, 2);
    assert!(message.contains("196608"), "{message}");
    assert!(matches!(
        check(Class::ExposeRanges, 1, small()),
        Outcome::Built { .. }
    ));
}

#[test]
fn output_past_the_message_limit_names_the_line_that_crosses_it() {
    // 64 KiB of ARG value in every RUN's env, history entry and progress
    // name: about 20 RUNs fill 4 MiB.
    let (line, message) = failed_at(check(Class::ArgInManyRuns, 200, small()));
    assert!((15..=30).contains(&line), "{line}");
    assert!(message.contains("4194304"), "{message}");
    // The same file fits a 16 MiB daemon only up to about 4x as many RUNs.
    let (line16, _) = failed_at(check(Class::ArgInManyRuns, 400, Limits::default()));
    assert!(line16 > 3 * line, "{line16} vs {line}");
}

#[test]
fn oversized_files_name_the_line_the_limit_falls_on() {
    let (line, message) = failed_at(check(Class::BigFile, 3 << 20, small()));
    let line_bytes = "RUN echo \n".len() + 190;
    assert_eq!(
        line,
        1 + (stagecraft_syntax::MAX_DOCKERFILE_BYTES - 13) / line_bytes + 1
    );
    assert!(message.contains("2097152"), "{message}");
    let (line, _) = failed_at(check(Class::LongLine, 3 << 20, small()));
    assert_eq!(line, 2);
}

#[test]
fn chains_and_fan_outs_share_their_base_state() {
    // Each stage adds one op: the Definition grows by a constant per stage.
    let size_of = |n| match check(Class::FromChain, n, Limits::default()) {
        Outcome::Built { llb_bytes, ops, .. } => (llb_bytes, ops),
        other => panic!("{other:?}"),
    };
    let (small_bytes, small_ops) = size_of(100);
    let (big_bytes, big_ops) = size_of(1000);
    assert_eq!(big_ops - small_ops, 900);
    assert!(big_bytes < 11 * small_bytes, "{big_bytes} vs {small_bytes}");
    // The target's labels, ports, volumes and history grow by a few entries
    // per stage of the chain.
    let config_of = |n| match check(Class::ConfigChain, n, Limits::default()) {
        Outcome::Built { config_bytes, .. } => config_bytes,
        other => panic!("{other:?}"),
    };
    let (small, big) = (config_of(100), config_of(300));
    assert!(big < 300 * 600, "{big}");
    assert!(big < 4 * small, "{big} vs {small}");
    assert!(matches!(
        check(Class::FanOut, 300, Limits::default()),
        Outcome::Built { .. }
    ));
}

#[test]
fn invalid_utf8_names_its_line() {
    let (line, _) = failed_at(check(Class::InvalidUtf8, 10, small()));
    assert_eq!(line, 12);
}
