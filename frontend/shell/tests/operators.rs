//! `$NAME`, `${NAME}` and every `${NAME<op>operand}` form.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use common::{error, word};
use stagecraft_shell::{Lexer, PatternError, RequiredReason, ShellErrorKind};

const SET: &[(&str, &str)] = &[("V", "value"), ("EMPTY", ""), ("P", "/usr/local/bin")];

#[test]
fn plain_references() {
    assert_eq!(word("$V", SET), "value");
    assert_eq!(word("${V}", SET), "value");
    assert_eq!(word("a${V}b", SET), "avalueb");
    assert_eq!(word("$V.x", SET), "value.x");
    assert_eq!(word("$Vx", SET), "");
    assert_eq!(word("$NOPE-", SET), "-");
    // Not a name: the `$` stays.
    assert_eq!(word("$.", SET), "$.");
    assert_eq!(word("a$", SET), "a$");
    // Positional and special parameters are names too, never set here.
    assert_eq!(word("$1x ${12}y $@z $$", SET), "x y z ");
}

#[test]
fn default_and_alternative() {
    assert_eq!(word("${V-d} ${EMPTY-d} ${NOPE-d}", SET), "value  d");
    assert_eq!(word("${V:-d} ${EMPTY:-d} ${NOPE:-d}", SET), "value d d");
    assert_eq!(word("${V+a} ${EMPTY+a} ${NOPE+a}", SET), "a a ");
    assert_eq!(word("${V:+a} ${EMPTY:+a} ${NOPE:+a}", SET), "a  ");
    assert_eq!(word("${NOPE:-${V:-x}}", SET), "value");
    assert_eq!(word("${NOPE:-a b \"c}\" \\}}", SET), "a b c} }");
}

#[test]
fn required_values() {
    assert_eq!(word("${V?msg} ${EMPTY?msg}.", SET), "value .");
    assert_eq!(word("${V:?msg}", SET), "value");
    let unset = error("${NOPE?must be set $V}", SET);
    assert_eq!(
        unset,
        ShellErrorKind::Required {
            name: "NOPE".into(),
            message: Some("must be set value".into()),
            reason: RequiredReason::Unset,
        }
    );
    assert_eq!(unset.to_string(), "NOPE: must be set value");
    assert_eq!(
        error("${EMPTY:?}", SET).to_string(),
        "EMPTY: is not allowed to be empty"
    );
    assert_eq!(
        error("${NOPE:?}", SET).to_string(),
        "NOPE: is not allowed to be unset"
    );
}

#[test]
fn prefix_and_suffix_removal() {
    assert_eq!(word("${P#*/}", SET), "usr/local/bin");
    assert_eq!(word("${P##*/}", SET), "bin");
    assert_eq!(word("${P%/*}", SET), "/usr/local");
    assert_eq!(word("${P%%/l*}", SET), "/usr");
    assert_eq!(word("${P#/usr}", SET), "/local/bin");
    assert_eq!(word("${P#nomatch}", SET), "/usr/local/bin");
    assert_eq!(word("${P#?u}", SET), "sr/local/bin");
    assert_eq!(word("${P#}", SET), "/usr/local/bin");
    assert_eq!(word("${NOPE#*}", SET), "");
    // Brackets are literal, escapes make wildcards literal.
    assert_eq!(word("${X#[a]}", &[("X", "[a]b")]), "b");
    assert_eq!(word("${X%%\\**}", &[("X", "xx**")]), "xx");
    assert_eq!(word("${X#?\\?}", &[("X", "???y")]), "?y");
    assert_eq!(word("${X#*x*y}", &[("X", "xxyy")]), "y");
    assert_eq!(word("${X#$Y}", &[("X", "xxyy"), ("Y", "x")]), "xyy");
    assert_eq!(word("${K%국*}", &[("K", "한국어 국")]), "한국어 ");
}

#[test]
fn replacement() {
    let file = &[("F", "/tmp/tmp/bar.txt")];
    assert_eq!(word("${F/tmp/x}", file), "/x/tmp/bar.txt");
    assert_eq!(word("${F//tmp/x}", file), "/x/x/bar.txt");
    assert_eq!(word("${F//\\//\\/}", file), "\\/tmp\\/tmp\\/bar.txt");
    assert_eq!(word("${F/*./}", file), "txt");
    assert_eq!(word("${F///}", file), "/tmp/tmp/bar.txt");
    assert_eq!(word("${F/$E/ww}", &[("F", "ab"), ("E", "")]), "wwab");
    // Unset is replaced as empty, so an empty pattern still inserts the replacement.
    assert_eq!(word("${NOPE/$E/ww}", &[("E", "")]), "ww");
    // Only the replace-all form expands `$0` from a value into the match.
    let tpl = &[("F", "ab"), ("R", "<$0>")];
    assert_eq!(word("${F/a/$R}", tpl), "<$0>b");
    assert_eq!(word("${F//a/$R}", tpl), "<a>b");
}

#[test]
fn syntax_errors() {
    use ShellErrorKind::*;
    assert_eq!(error("${}", SET), BadSubstitution);
    assert_eq!(error("${:-x}", SET), BadSubstitution);
    assert_eq!(error("${{V}", SET), BadSubstitution);
    assert_eq!(error("${", SET), MissingCloseBrace);
    assert_eq!(error("${V", SET), MissingCloseBrace);
    assert_eq!(error("${V:-x", SET), MissingCloseBrace);
    assert_eq!(error("${V:", SET), MissingCloseBrace);
    assert_eq!(error("${V/x", SET), MissingSlash);
    assert_eq!(error("${V//}", SET), MissingSlash);
    assert_eq!(error("${V/x/y", SET), MissingCloseBrace);
    assert_eq!(error("${V.}", SET), UnsupportedModifier(".".into()));
    assert_eq!(error("${V:=x}", SET), UnsupportedModifier(":=".into()));
    assert_eq!(error("${V=x}", SET), UnsupportedModifier("=".into()));
    assert_eq!(error("${V:#x}", SET), UnsupportedModifier(":#".into()));
    assert_eq!(error("${V:%%x}", SET), UnsupportedModifier(":%".into()));
    assert_eq!(
        error("${V#\\x}", SET),
        InvalidPattern {
            pattern: "\\x".into(),
            source: PatternError::InvalidEscape('x'),
        }
    );
    assert!(matches!(
        error("${NOPE//$B/b}", &[("B", "a\\")]),
        InvalidPattern {
            source: PatternError::TrailingEscape,
            ..
        }
    ));
    let message = Lexer::new('\\')
        .expand_word("${V:=x}", &common::env(SET))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "failed to process \"${V:=x}\": unsupported modifier (:=) in substitution"
    );
}

#[test]
fn reports_used_and_unset_names() {
    let env = common::env(&[("FOO", "x"), ("BAR", "")]);
    let out = Lexer::new('\\')
        .expand_word("${FOO:-a} ${BAR:-b} ${BAZ:-c} $BAZ ${Q+${FOO}}", &env)
        .unwrap();
    assert_eq!(out.value, "x b c  ");
    assert_eq!(out.used.iter().collect::<Vec<_>>(), ["BAR", "FOO"]);
    assert_eq!(out.unset.iter().collect::<Vec<_>>(), ["BAZ", "Q"]);

    let out = Lexer::new('\\').expand_word("plain", &env).unwrap();
    assert!(out.used.is_empty() && out.unset.is_empty());

    let out = Lexer::new('\\').expand_words("$FOO ${NOPE}", &env).unwrap();
    assert_eq!(out.value, ["x"]);
    assert!(out.used.contains("FOO") && out.unset.contains("NOPE"));
}

#[test]
fn names_are_case_sensitive() {
    assert_eq!(word("$v|$V", SET), "|value");
}

#[test]
fn expansions_longer_than_the_limit_fail_instead_of_growing() {
    let big = "x".repeat(stagecraft_shell::MAX_EXPANDED_BYTES / 2 + 1);
    let env = [("B", big.as_str())];
    let too_long = ShellErrorKind::TooLong {
        limit: stagecraft_shell::MAX_EXPANDED_BYTES,
    };
    // Exactly one copy fits; two do not, in any position or quoting.
    assert_eq!(word("$B", &env).len(), big.len());
    for input in ["$B$B", "\"$B$B\"", "${B}x${B}", "${NOPE:-$B$B}"] {
        assert_eq!(error(input, &env), too_long, "{input}");
    }
    // A replacement per character multiplies the size; it stops early.
    let small = [("S", "abcdefgh")];
    let huge_replacement = format!("${{S//?/{}}}", "y".repeat(200_000));
    assert_eq!(error(&huge_replacement, &small), too_long);
}
