//! Every input the fuzzer kept (its corpus, and any crash it found) runs
//! through the phases again on each `cargo test`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;

fn fuzz_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend/fuzz");
    ["corpus/phases", "regressions"]
        .iter()
        .map(|d| root.join(d))
        .collect()
}

#[test]
fn corpus_inputs_run_through_every_phase() {
    let mut count = 0;
    for dir in fuzz_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.path().is_file() {
                continue;
            }
            let data = std::fs::read(entry.path()).unwrap();
            stagecraft_tests::exercise(&data);
            count += 1;
        }
    }
    assert!(count > 0, "the fuzz corpus is missing: {:?}", fuzz_dirs());
}

/// The `lowering` target's inputs: shaped into Dockerfiles, then through
/// parse, type, lower and marshal. Crashes it found are kept in
/// `regressions/lowering`.
#[test]
fn lowering_corpus_inputs_still_lower_or_fail_cleanly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend/fuzz");
    let mut count = 0;
    for dir in ["corpus/lowering", "regressions/lowering"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().is_file() {
                stagecraft_tests::shapes::exercise(&std::fs::read(entry.path()).unwrap());
                count += 1;
            }
        }
    }
    assert!(count > 0, "the lowering fuzz corpus is missing");
}
