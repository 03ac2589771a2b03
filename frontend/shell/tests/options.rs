//! The reference's option modes: raw quotes, raw escapes, skip unset env, skip quote processing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use stagecraft_shell::Lexer;

fn run(lexer: Lexer, input: &str) -> String {
    let env = common::env(&[("V", "value"), ("EMPTY", "")]);
    lexer.expand_word(input, &env).unwrap().value
}

#[test]
fn raw_quotes_keep_quote_characters() {
    let lexer = Lexer::new('\\').raw_quotes(true);
    assert_eq!(run(lexer, "'a $V' \"b $V\""), "'a $V' \"b value\"");
    let env = common::env(&[]);
    assert_eq!(
        lexer.expand_words("a \"\" 'b c'", &env).unwrap().value,
        ["a", "\"\"", "'b c'"]
    );
}

#[test]
fn raw_escapes_keep_escape_characters() {
    let lexer = Lexer::new('\\').raw_escapes(true);
    assert_eq!(run(lexer, "a\\ b\\$V"), "a\\ b\\$V");
    // Inside double quotes an escape that protects nothing is written twice, like the reference.
    assert_eq!(run(lexer, "\"\\t\\$V\""), "\\\\t\\$V");
    // Operands of `-`/`+`/`?` drop escapes even in this mode.
    assert_eq!(run(lexer, "${NOPE:-\\$V}"), "$V");
}

#[test]
fn skip_unset_env_leaves_references() {
    let lexer = Lexer::new('\\').skip_unset_env(true);
    assert_eq!(run(lexer, "$V $NOPE ${NOPE}"), "value $NOPE ${NOPE}");
    assert_eq!(run(lexer, "${NOPE:-x} ${NOPE#a*}"), "${NOPE:-x} ${NOPE#a*}");
    assert_eq!(run(lexer, "${EMPTY:-x}"), "x");
    // The replace-all form is written back with a single `/`, as the reference does.
    assert_eq!(run(lexer, "${NOPE//a/b}"), "${NOPE/a/b}");
    // Unsupported modifiers on unset names pass through instead of failing.
    assert_eq!(run(lexer, "${NOPE:=x}"), "${NOPE:=x}");
    assert!(
        lexer
            .expand_word("${V:=x}", &common::env(&[("V", "v")]))
            .is_err()
    );
}

#[test]
fn skip_process_quotes_treats_quotes_as_text() {
    let lexer = Lexer::new('\\').skip_process_quotes(true);
    assert_eq!(run(lexer, "'$V' \"$V\""), "'value' \"value\"");
    assert_eq!(run(lexer, "it's"), "it's");
    assert_eq!(run(lexer, "\\$V"), "$V");
}

#[test]
fn default_lexer_uses_backslash() {
    assert_eq!(Lexer::default(), Lexer::new('\\'));
}
