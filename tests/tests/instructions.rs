//! Every Dockerfile of BuildKit's parser test data, through the syntax layer
//! and the instruction layer, against what the reference's
//! `instructions.Parse` does with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::path::Path;

use common::conformance_dir;
use stagecraft_instructions::{Dockerfile, Instruction, InstructionError, parse_dockerfile};

/// Files the reference rejects at the instruction level: (name, line, message).
const REJECTED: &[(&str, usize, &str)] = &[
    // `COPY --user=me`: COPY has no --user flag.
    ("flags", 3, "unknown flag: --user"),
    // A bare `HEALTHCHECK`.
    ("health", 4, "HEALTHCHECK requires at least one argument"),
    // These hold only CMD lines: no FROM opens a stage.
    (
        "jeztah-invalid-json-json-inside-string",
        1,
        "no build stage in current context",
    ),
    (
        "jeztah-invalid-json-json-inside-string-double",
        1,
        "no build stage in current context",
    ),
    (
        "jeztah-invalid-json-single-quotes",
        1,
        "no build stage in current context",
    ),
    (
        "jeztah-invalid-json-unterminated-bracket",
        1,
        "no build stage in current context",
    ),
    (
        "jeztah-invalid-json-unterminated-string",
        1,
        "no build stage in current context",
    ),
    ("json", 1, "no build stage in current context"),
];

fn run(path: &Path) -> Result<Dockerfile, InstructionError> {
    let text = std::fs::read_to_string(path).unwrap();
    let parsed = stagecraft_syntax::parse(&text)
        .unwrap_or_else(|e| panic!("{}: syntax layer rejected it: {e}", path.display()));
    parse_dockerfile(&parsed)
}

/// Keywords in file order: meta ARGs, then each stage's FROM and commands.
fn keywords(df: &Dockerfile) -> Vec<String> {
    let mut out: Vec<String> = df.meta_args.iter().map(|_| "arg".to_string()).collect();
    for stage in &df.stages {
        out.push("from".into());
        out.extend(stage.commands.iter().map(|c| c.name().to_lowercase()));
    }
    out
}

/// The keyword of each node in the reference's dump (`(keyword …)` lines).
fn reference_keywords(result: &str) -> Vec<String> {
    result
        .lines()
        .filter_map(|l| l.strip_prefix('('))
        .map(|l| l.split([' ', ')']).next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn reference_testfiles() {
    let Some(dir) = conformance_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(dir.join("testfiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 30,
        "expected the full set, found {}",
        names.len()
    );
    let (mut accepted, mut rejected) = (0, 0);
    for name in &names {
        let case = dir.join("testfiles").join(name);
        let outcome = run(&case.join("Dockerfile"));
        match (REJECTED.iter().find(|(n, ..)| n == name), outcome) {
            (Some((_, line, message)), Err(err)) => {
                assert_eq!(err.line(), *line, "{name}: {err}");
                assert!(err.to_string().contains(message), "{name}: {err}");
                rejected += 1;
            }
            (Some(_), Ok(df)) => panic!("{name}: the reference rejects it, we accepted {df:?}"),
            (None, Err(err)) => panic!("{name}: the reference accepts it, we failed: {err}"),
            (None, Ok(df)) => {
                let result = std::fs::read_to_string(case.join("result")).unwrap();
                assert_eq!(keywords(&df), reference_keywords(&result), "{name}");
                accepted += 1;
            }
        }
    }
    assert_eq!(rejected, REJECTED.len());
    eprintln!(
        "instruction conformance: {accepted} accepted, {rejected} rejected as the reference does"
    );
}

#[test]
fn reference_negative_testfiles_are_rejected() {
    let Some(dir) = conformance_dir() else { return };
    let neg = dir.join("testfiles-negative");
    let mut count = 0;
    for entry in std::fs::read_dir(&neg).unwrap() {
        let path = entry.unwrap().path().join("Dockerfile");
        let text = std::fs::read_to_string(&path).unwrap();
        let outcome = stagecraft_syntax::parse(&text)
            .map_err(|e| e.to_string())
            .and_then(|p| parse_dockerfile(&p).map_err(|e| e.to_string()));
        assert!(outcome.is_err(), "{} should be rejected", path.display());
        count += 1;
    }
    assert!(count >= 4);
}

#[test]
fn typed_details_of_reference_files() {
    let Some(dir) = conformance_dir() else { return };
    let df = run(&dir.join("testfiles/args/Dockerfile")).unwrap();
    let meta: Vec<(&str, Option<&str>)> = df.meta_args[0]
        .args
        .iter()
        .map(|a| (a.name.as_str(), a.default.as_deref()))
        .collect();
    assert_eq!(meta, [("foo", None), ("bar", Some("baz"))]);
    let Instruction::Arg(arg) = &df.stages[0].commands[0] else {
        panic!("not ARG")
    };
    assert_eq!(arg.args[0].default.as_deref(), Some("\"123 456\""));
    assert_eq!(arg.args[1].name, "def");

    let df = run(&dir.join("testfiles/lk4d4-the-edge-case-generator/Dockerfile")).unwrap();
    let triggers: Vec<&str> = df.stages[0]
        .commands
        .iter()
        .filter_map(|c| match c {
            Instruction::Onbuild(o) => Some(o.expression.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        triggers,
        ["RUN [\"echo\", \"test\"]", "RUN echo test", "COPY . /"]
    );
}
