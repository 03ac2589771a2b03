//! Helpers shared by the test files of this crate.

#![allow(dead_code)]

use std::collections::BTreeMap;

use stagecraft_shell::{Lexer, ShellErrorKind};

pub fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn word(input: &str, pairs: &[(&str, &str)]) -> String {
    Lexer::new('\\')
        .expand_word(input, &env(pairs))
        .unwrap_or_else(|err| panic!("{input:?} failed: {err}"))
        .value
}

pub fn words(input: &str, pairs: &[(&str, &str)]) -> Vec<String> {
    Lexer::new('\\')
        .expand_words(input, &env(pairs))
        .unwrap_or_else(|err| panic!("{input:?} failed: {err}"))
        .value
}

pub fn error(input: &str, pairs: &[(&str, &str)]) -> ShellErrorKind {
    match Lexer::new('\\').expand_word(input, &env(pairs)) {
        Ok(out) => panic!("{input:?} should fail, gave {:?}", out.value),
        Err(err) => {
            assert_eq!(err.input, input);
            err.kind
        }
    }
}
