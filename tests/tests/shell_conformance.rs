//! The reference lexer's own expansion and word-splitting vectors, run against stagecraft-shell.
//!
//! The data is read from `<workspace>/../shared/conformance/buildkit` (never copied into the repo).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use stagecraft_shell::Lexer;

fn conformance_file(name: &str) -> Option<String> {
    common::conformance_dir().map(|dir| common::read(&dir.join(name)))
}

/// `PLATFORM|input|expected`: `A` (all) and `U` (unix) lines apply here; `error` means the expansion
/// must fail. Expanded with `\` as escape and a fixed set of variables.
#[test]
fn env_var_vectors() {
    let Some(text) = conformance_file("shell-envVarTest") else {
        return;
    };
    let env: Vec<String> = ["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let lexer = Lexer::new('\\');
    let (mut ran, mut skipped) = (0, 0);
    let mut failures = Vec::new();

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = raw.trim().split('|').map(str::trim).collect();
        let [platform, input, expected] = parts[..] else {
            panic!("line {line_no}: expected 3 fields separated by '|': {raw:?}");
        };
        match platform {
            "A" | "U" => {}
            "W" => {
                skipped += 1;
                continue;
            }
            other => panic!("line {line_no}: unknown platform tag {other:?}"),
        }
        ran += 1;
        let result = lexer.expand_word(input, &env);
        let ok = match (&result, expected) {
            (Err(_), "error") => true,
            (Ok(out), expected) => expected != "error" && out.value == expected,
            (Err(_), _) => false,
        };
        if !ok {
            failures.push(format!(
                "line {line_no}: {input:?} expected {expected:?}, got {:?}",
                result.map(|out| out.value)
            ));
        }
    }

    eprintln!(
        "shell-envVarTest: {} of {ran} vectors passed ({skipped} Windows-only skipped)",
        ran - failures.len()
    );
    assert!(ran > 0, "no vectors found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `input | word,word,...`: word splitting with variables from the `ENV k=v` lines above; a failed
/// expansion counts as the single word `error`.
#[test]
fn words_vectors() {
    let Some(text) = conformance_file("shell-wordsTest") else {
        return;
    };
    let lexer = Lexer::new('\\');
    let mut env: Vec<String> = Vec::new();
    let mut ran = 0;
    let mut failures = Vec::new();

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        if raw.starts_with('#') {
            continue;
        }
        if let Some(definition) = raw.strip_prefix("ENV ") {
            env.push(definition.trim_start_matches(' ').to_string());
            continue;
        }
        let parts: Vec<&str> = raw.split('|').collect();
        let [input, expected] = parts[..] else {
            panic!("line {line_no}: expected exactly one '|': {raw:?}");
        };
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        ran += 1;
        let got = match lexer.expand_words(input, &env) {
            Ok(out) => out.value,
            Err(_) => vec!["error".to_string()],
        };
        if got != expected {
            failures.push(format!(
                "line {line_no}: {input:?} expected {expected:?}, got {got:?}"
            ));
        }
    }

    eprintln!(
        "shell-wordsTest: {} of {ran} vectors passed",
        ran - failures.len()
    );
    assert!(ran > 0, "no vectors found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
