//! Quotes, the escape character and word splitting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{error, word, words};
use stagecraft_shell::{Lexer, NoEnv, ShellErrorKind};

const ENV: &[(&str, &str)] = &[("V", "value"), ("SP", "  a  b "), ("KOREAN", "한국어")];

#[test]
fn single_quotes_are_literal() {
    assert_eq!(word("'$V \\\" x'", ENV), "$V \\\" x");
    assert_eq!(word("a'b'c", ENV), "abc");
    assert_eq!(word("'안녕\\'", ENV), "안녕\\");
    assert_eq!(error("'open", ENV), ShellErrorKind::UnterminatedSingleQuote);
}

#[test]
fn double_quotes_expand_and_escape_few_chars() {
    assert_eq!(word("\"$V '$V'\"", ENV), "value 'value'");
    assert_eq!(word("\"a\\\"b\\$V\\\\c\\td\"", ENV), "a\"b$V\\c\\td");
    assert_eq!(
        error("\"open", ENV),
        ShellErrorKind::UnterminatedDoubleQuote
    );
    assert_eq!(
        error("\"open\\\"", ENV),
        ShellErrorKind::UnterminatedDoubleQuote
    );
}

#[test]
fn escape_character_outside_quotes() {
    assert_eq!(word("a\\ b\\$V\\'c\\t", ENV), "a b$V'ct");
    // A trailing escape character is dropped.
    assert_eq!(word("end\\", ENV), "end");
    assert_eq!(word("end\\\\", ENV), "end\\");
    assert_eq!(word("안녕\\t하세요", ENV), "안녕t하세요");
}

#[test]
fn backtick_as_escape_character() {
    let lexer = Lexer::new('`');
    let env = common::env(ENV);
    let expand = |input: &str| lexer.expand_word(input, &env).unwrap().value;
    assert_eq!(expand("C:\\dir\\$V"), "C:\\dir\\value");
    assert_eq!(expand("a` b`$V"), "a b$V");
    assert_eq!(expand("\"q`\"`$V\\\""), "q\"$V\\");
    assert_eq!(expand("end`"), "end");
    assert_eq!(lexer.escape(), '`');
}

#[test]
fn splitting_into_words() {
    assert_eq!(words("  a   b\tc\nd ", ENV), ["a", "b", "c", "d"]);
    assert_eq!(words("x${SP}y", ENV), ["x", "a", "b", "y"]);
    assert_eq!(words("x\"${SP}\"y", ENV), ["x  a  b y"]);
    assert_eq!(words("a\\ b 'c d' \"e f\"", ENV), ["a b", "c d", "e f"]);
    assert_eq!(words("$KOREAN 말", ENV), ["한국어", "말"]);
    // Empty quoted words vanish, as in the reference.
    assert_eq!(words("a \"\" ''", ENV), ["a"]);
    assert!(words("", ENV).is_empty());
    // `<<` keeps the blanks after it in the same word, for heredoc detection.
    assert_eq!(words("cat << EOF", ENV), ["cat", "<< EOF"]);
    assert_eq!(words("a<b", ENV), ["a<b"]);
    // In single-word mode whitespace is kept.
    assert_eq!(word(" a  b ", ENV), " a  b ");
}

#[test]
fn operand_expansion_drops_text_before_it_in_words_mode() {
    // The reference shares one word buffer with the operand scan; kept for exact agreement.
    assert_eq!(words("hello${NOPE:-abc} b", ENV), ["abc", "b"]);
    assert_eq!(word("hello${NOPE:-abc} b", ENV), "helloabc b");
    assert_eq!(words("x ${V}y", ENV), ["x", "valuey"]);
}

#[test]
fn multibyte_text_never_breaks() {
    let lexer = Lexer::new('\\');
    for input in [
        "한",
        "${한",
        "${V#한",
        "'한",
        "\"한\\",
        "${V/한/",
        "$한국어",
        "\u{feff}한",
    ] {
        let _ = lexer.expand_word(input, &NoEnv);
        let _ = lexer.expand_words(input, &NoEnv);
    }
    // A byte-order mark at the very start is ignored, as the reference's scanner does.
    assert_eq!(word("\u{feff}a\u{feff}", ENV), "a\u{feff}");
}

#[test]
fn deep_nesting_fails_cleanly_instead_of_overflowing() {
    let nested = |depth: usize| format!("{}x{}", "\"${A:-".repeat(depth), "}\"".repeat(depth));
    assert_eq!(word(&nested(200), ENV), "x");
    assert!(matches!(
        error(&nested(201), ENV),
        ShellErrorKind::TooDeeplyNested { limit: 200 }
    ));
    let lexer = Lexer::new('\\');
    assert!(lexer.expand_words(&nested(100_000), &NoEnv).is_err());
    let unclosed = "${A:-".repeat(100_000);
    assert!(lexer.expand_word(&unclosed, &NoEnv).is_err());
}
