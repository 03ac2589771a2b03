//! The reference parser's own test vectors: every `testfiles/NAME/Dockerfile`
//! must dump to `testfiles/NAME/result`, and every
//! `testfiles-negative/NAME/Dockerfile` must be rejected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::path::{Path, PathBuf};

use common::{conformance_dir, read};

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn testfiles_dump_to_their_result() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let cases = case_dirs(&root.join("testfiles"));
    assert_eq!(cases.len(), 33, "expected the 33 reference test cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dockerfile = read(&case.join("Dockerfile"));
        // The result files are written on Unix; tolerate a CRLF checkout.
        let want = read(&case.join("result")).replace("\r\n", "\n");
        match stagecraft_syntax::parse(&dockerfile) {
            Ok(parsed) => {
                let got = parsed.dump() + "\n";
                if got != want {
                    failures.push(format!("{name}:\n--- want\n{want}--- got\n{got}"));
                }
            }
            Err(e) => failures.push(format!("{name}: rejected at line {}: {e}", e.span)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_testfiles_are_rejected() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let cases = case_dirs(&root.join("testfiles-negative"));
    assert_eq!(cases.len(), 4, "expected the 4 reference negative cases");
    for case in &cases {
        let dockerfile = read(&case.join("Dockerfile"));
        let result = stagecraft_syntax::parse(&dockerfile);
        assert!(
            result.is_err(),
            "{} was accepted: {:?}",
            case.display(),
            result.map(|p| p.dump())
        );
    }
}

#[test]
fn negative_testfiles_fail_for_the_right_reason() {
    let Some(root) = conformance_dir() else {
        return;
    };
    let dir = root.join("testfiles-negative");
    let cases = [
        ("empty_dockerfile", "file with no instructions"),
        ("only_comments", "file with no instructions"),
        ("env_no_value", "ENV must have two arguments"),
        (
            "shykes-nested-json",
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
    ];
    for (name, message) in cases {
        let err =
            stagecraft_syntax::parse(&read(&dir.join(name).join("Dockerfile"))).expect_err(name);
        assert_eq!(err.to_string(), message, "{name}");
    }
}
