//! Per-keyword argument shapes: each known keyword reads the text after its
//! flags in its own way, as the reference's dispatch table does.

use crate::error::SyntaxErrorKind;
use crate::flags::{is_byte_space, lossy};
use crate::json::parse_json_array;
use crate::lines::{split_all_space, split_once_space};
use crate::words::split_words;

/// How a keyword's arguments are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// JSON array, else the whole text as one argument (RUN, CMD, …).
    MaybeJson,
    /// JSON array, else whitespace-separated words (ADD, COPY, VOLUME).
    MaybeJsonList,
    /// `key value` or `key=value ...` as (key, value, separator) triples.
    KeyValue,
    /// Words, quotes kept (ARG).
    Words,
    /// Whitespace-separated words (FROM, EXPOSE).
    Whitespace,
    /// The whole text as one argument.
    Whole,
    /// A type word, then the MaybeJson form (HEALTHCHECK).
    Health,
    /// Another instruction (ONBUILD).
    SubCommand,
    /// An unknown keyword: its arguments are dropped.
    Ignore,
}

pub(crate) fn shape_of(keyword: &str) -> Shape {
    match keyword {
        "add" | "copy" | "volume" => Shape::MaybeJsonList,
        "cmd" | "entrypoint" | "run" | "shell" => Shape::MaybeJson,
        "env" | "label" => Shape::KeyValue,
        "arg" => Shape::Words,
        "expose" | "from" => Shape::Whitespace,
        "maintainer" | "stopsignal" | "user" | "workdir" => Shape::Whole,
        "healthcheck" => Shape::Health,
        "onbuild" => Shape::SubCommand,
        _ => Shape::Ignore,
    }
}

/// Arguments read in a keyword's shape.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Args {
    pub args: Vec<String>,
    pub json: bool,
}

impl Args {
    fn plain(args: Vec<String>) -> Self {
        Args { args, json: false }
    }
}

/// Reads `rest` in the given shape; `keyword` is the keyword as written (for
/// messages). [`Shape::SubCommand`] is handled by the caller.
pub(crate) fn parse_args(
    shape: Shape,
    keyword: &str,
    rest: &str,
    escape: char,
) -> Result<Args, SyntaxErrorKind> {
    match shape {
        Shape::MaybeJson => maybe_json(rest),
        Shape::MaybeJsonList => match parse_json_array(rest)? {
            Some(args) => Ok(Args { args, json: true }),
            None => Ok(Args::plain(whitespace(rest))),
        },
        Shape::KeyValue => key_values(keyword, rest, escape).map(Args::plain),
        Shape::Words => Ok(Args::plain(split_words(rest, escape))),
        Shape::Whitespace => Ok(Args::plain(whitespace(rest))),
        Shape::Whole if rest.is_empty() => Ok(Args::default()),
        Shape::Whole => Ok(Args::plain(vec![rest.to_owned()])),
        Shape::Health => health(rest),
        Shape::SubCommand | Shape::Ignore => Ok(Args::default()),
    }
}

fn whitespace(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        Vec::new()
    } else {
        split_all_space(rest)
    }
}

fn maybe_json(rest: &str) -> Result<Args, SyntaxErrorKind> {
    if rest.is_empty() {
        return Ok(Args::default());
    }
    Ok(match parse_json_array(rest)? {
        Some(args) => Args { args, json: true },
        None => Args::plain(vec![rest.to_owned()]),
    })
}

fn health(rest: &str) -> Result<Args, SyntaxErrorKind> {
    // Byte-wise, as the reference does (see `flags::is_byte_space`).
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|&b| is_byte_space(b))
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok(Args::default());
    }
    let (kind, tail) = bytes.split_at(sep);
    let skip = tail.iter().take_while(|&&b| is_byte_space(b)).count();
    let mut cmd = maybe_json(&lossy(&tail[skip..]))?;
    cmd.args.insert(0, lossy(kind).into_owned());
    Ok(cmd)
}

/// ENV/LABEL: the old `KEY value` form when the first word has no `=`,
/// otherwise `KEY=value` pairs. Each becomes `key, value, separator`.
fn key_values(keyword: &str, rest: &str, escape: char) -> Result<Vec<String>, SyntaxErrorKind> {
    let words = split_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        return match split_once_space(rest) {
            (key, Some(value)) => Ok(vec![key.to_owned(), value.to_owned(), String::new()]),
            (_, None) => Err(SyntaxErrorKind::MissingValue {
                keyword: keyword.to_ascii_uppercase(),
            }),
        };
    }
    let mut out = Vec::with_capacity(words.len() * 3);
    for mut word in words {
        let Some(eq) = word.find('=') else {
            return Err(SyntaxErrorKind::MissingEquals { word });
        };
        // The word's own buffer becomes the key.
        let value = word.get(eq + 1..).unwrap_or_default().to_owned();
        word.truncate(eq);
        out.extend([word, value, "=".to_owned()]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(keyword: &str, rest: &str) -> Result<(Vec<String>, bool), SyntaxErrorKind> {
        parse_args(shape_of(keyword), keyword, rest, '\\').map(|a| (a.args, a.json))
    }

    fn ok(args: &[&str], json: bool) -> Result<(Vec<String>, bool), SyntaxErrorKind> {
        Ok((args.iter().map(|s| s.to_string()).collect(), json))
    }

    #[test]
    fn shapes() {
        let cases = [
            ("run", "echo hi", ok(&["echo hi"], false)),
            ("run", r#"["echo", "hi"]"#, ok(&["echo", "hi"], true)),
            ("run", "[ \"a\"", ok(&["[ \"a\""], false)),
            ("run", "", ok(&[], false)),
            ("cmd", "[]", ok(&[], true)),
            ("copy", "a  b\tc", ok(&["a", "b", "c"], false)),
            ("copy", r#"["a b", "c"]"#, ok(&["a b", "c"], true)),
            ("volume", "['/a']", ok(&["['/a']"], false)),
            ("from", "img AS b", ok(&["img", "AS", "b"], false)),
            ("arg", "A B=\"x y\"", ok(&["A", "B=\"x y\""], false)),
            ("user", "a b", ok(&["a b"], false)),
            ("workdir", "", ok(&[], false)),
            ("env", "A b c", ok(&["A", "b c", ""], false)),
            (
                "env",
                "A=b C=\"d e\"",
                ok(&["A", "b", "=", "C", "\"d e\"", "="], false),
            ),
            ("label", "a=", ok(&["a", "", "="], false)),
            ("env", "", ok(&[], false)),
            ("healthcheck", "CMD ls -l", ok(&["CMD", "ls -l"], false)),
            ("healthcheck", "CMD [\"ls\"]", ok(&["CMD", "ls"], true)),
            ("healthcheck", "NONE", ok(&["NONE"], false)),
            ("healthcheck", "", ok(&[], false)),
            ("bogus", "x y", ok(&[], false)),
        ];
        for (kw, rest, want) in cases {
            assert_eq!(run(kw, rest), want, "{kw} {rest:?}");
        }
    }

    #[test]
    fn shape_errors() {
        let e = run("env", "PATH").unwrap_err();
        assert_eq!(e.to_string(), "ENV must have two arguments");
        let e = run("label", "a=b c").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Syntax error - can't find = in \"c\". Must be of the form: name=value"
        );
        let e = run("cmd", r#"["a", ["b"]]"#).unwrap_err();
        assert_eq!(e, SyntaxErrorKind::NotStringArray);
        assert_eq!(
            run("add", "[1]").unwrap_err(),
            SyntaxErrorKind::NotStringArray
        );
    }
}
