//! Table-driven tests, written against Dockerfile text parsed by the syntax
//! layer (so the argument shapes are the real ones).

mod arg;
mod copy;
mod flags;
mod from;
mod healthcheck;
mod metadata;
mod mount;
mod onbuild;
mod run;
mod stage;

use crate::{Dockerfile, Instruction, InstructionError, parse_dockerfile};

pub(crate) fn dockerfile(text: &str) -> Result<Dockerfile, InstructionError> {
    let parsed = stagecraft_syntax::parse(text).expect("syntax layer accepts the test input");
    parse_dockerfile(&parsed)
}

/// The single instruction of `FROM scratch` + `body` (which starts on line 2).
pub(crate) fn one(body: &str) -> Instruction {
    let df = dockerfile(&format!("FROM scratch\n{body}\n"))
        .unwrap_or_else(|e| panic!("{body:?} should parse: {e}"));
    assert_eq!(df.stages.len(), 1);
    let mut commands = df.stages.into_iter().next().unwrap().commands;
    assert_eq!(commands.len(), 1, "{body:?}");
    commands.remove(0)
}

/// The error for `FROM scratch` + `body`.
pub(crate) fn one_err(body: &str) -> InstructionError {
    match dockerfile(&format!("FROM scratch\n{body}\n")) {
        Ok(df) => panic!("{body:?} should fail, got {df:?}"),
        Err(e) => e,
    }
}

/// Asserts each `(body, message fragment)` fails on line 2 with that message.
pub(crate) fn assert_errors(cases: &[(&str, &str)]) {
    for (body, want) in cases {
        let err = one_err(body);
        let text = err.to_string();
        assert!(text.contains(want), "{body:?}: {text:?} lacks {want:?}");
        assert_eq!(err.line(), 2, "{body:?}: {text}");
        assert!(
            text.starts_with("dockerfile parse error on line 2"),
            "{body:?}: {text}"
        );
    }
}

pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
