//! Every class of the stress generator at small sizes through the real
//! binary's `llb`, `graph` and `lint` (the linter converts every stage, as
//! the gateway's lint subrequest does): each ends converted, with output in
//! proportion to the input, or with an error that names a line. No timing
//! here: `integration/bench-hostile.sh` runs the large sizes for time and
//! memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::process::Command;

use serde_json::Value;
use stagecraft_tests::hostile::{Class, generate};

/// Output bytes allowed per input byte, plus a constant (as in the
/// in-process hostile tests: an op per line is a few hundred bytes).
const OUTPUT_PER_INPUT: usize = 64;

/// The line `Dockerfile:N:` at the start of `text` names.
fn named_line(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("Dockerfile:")?;
    rest.split([':', '-']).next()?.parse().ok()
}

#[test]
fn every_class_at_small_sizes_converts_lints_or_names_a_line() {
    let dir = tempfile::tempdir().unwrap();
    for class in Class::ALL {
        for size in [1, 10, 100] {
            let input = generate(class, size);
            std::fs::write(dir.path().join("Dockerfile"), &input).unwrap();
            let bound = OUTPUT_PER_INPUT * input.len() + (64 << 10);
            for args in [
                &["llb", "-f", "Dockerfile"][..],
                &["graph", "-f", "Dockerfile"],
                &["lint", "--format", "json", "-f", "Dockerfile"],
            ] {
                let what = format!("{} at {size}: stagecraft {}", class.name(), args[0]);
                let out = Command::new(env!("CARGO_BIN_EXE_stagecraft"))
                    .args(args)
                    .current_dir(dir.path())
                    .output()
                    .unwrap();
                assert!(
                    out.stdout.len() <= bound,
                    "{what}: {} bytes",
                    out.stdout.len()
                );
                let stderr = String::from_utf8_lossy(&out.stderr);
                let first_error = stderr.lines().find(|l| !l.starts_with("note:"));
                if args[0] == "lint" && !out.stdout.is_empty() {
                    // The lint result: a conversion error is data in it.
                    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                    let build_error = &v["buildError"];
                    if build_error.is_null() {
                        assert_eq!(out.status.code(), Some(0), "{what}: {stderr}");
                    } else {
                        let line = &build_error["location"]["ranges"][0]["start"]["line"];
                        assert!(line.as_u64().is_some_and(|n| n > 0), "{what}: {v}");
                        assert_ne!(out.status.code(), Some(0), "{what}");
                    }
                    continue;
                }
                if !out.status.success() {
                    assert!(
                        first_error.and_then(named_line).is_some_and(|n| n > 0),
                        "{what}: no line in {stderr}"
                    );
                }
            }
        }
    }
}
