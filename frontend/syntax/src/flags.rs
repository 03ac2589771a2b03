//! Splitting an instruction line into keyword, `--flags` and the rest.

use crate::lines::{split_once_space, trim};

use std::borrow::Cow;

/// An instruction line split into its parts, before per-keyword parsing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CommandLine<'a> {
    pub keyword: &'a str,
    pub flags: Vec<String>,
    pub rest: Cow<'a, str>,
}

pub(crate) fn split_command(line: &str, escape: char) -> CommandLine<'_> {
    let (keyword, tail) = split_once_space(trim(line));
    let (rest, flags) = match tail {
        Some(tail) => extract_flags(tail, escape),
        None => (Cow::Borrowed(""), Vec::new()),
    };
    let rest = match rest {
        Cow::Borrowed(r) => Cow::Borrowed(trim(r)),
        Cow::Owned(r) => Cow::Owned(trim(&r).to_owned()),
    };
    CommandLine {
        keyword,
        flags,
        rest,
    }
}

/// `line` from byte `at`: borrowed, unless the byte-wise walk stopped
/// inside a character (then read as the reference reads it).
fn rest_from(line: &str, at: usize) -> Cow<'_, str> {
    match line.get(at..) {
        Some(rest) => Cow::Borrowed(rest),
        None => lossy(line.as_bytes().get(at..).unwrap_or_default()),
    }
}

/// Whitespace as the reference tests it when it walks a line byte by byte:
/// ASCII spaces, plus the bytes 0x85 and 0xA0 (which in UTF-8 text are the
/// tails of characters such as `à`).
pub(crate) fn is_byte_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// The text of `bytes`, which may start or end inside a character when the
/// byte-wise walk split one.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(u8),
}

/// Takes the leading words that start with `--` as flags (quotes and the
/// escape character are resolved inside them); a bare `--` ends the flags.
/// Returns the text after the flags, and the flags.
///
/// The walk is byte-wise, each byte becoming one character, as in the
/// reference: a non-ASCII flag value comes out as its Latin-1 reading of the
/// UTF-8 bytes (`é` → `Ã©`). Docker builds see the same flag values.
fn extract_flags(line: &str, escape: char) -> (Cow<'_, str>, Vec<String>) {
    let bytes = line.as_bytes();
    let escape = u8::try_from(escape).unwrap_or(b'\\');
    let mut flags = Vec::new();
    // The word being built, reused: each flag is copied out at its size.
    let mut word = String::new();
    let mut blank_ok = false;
    let mut phase = Phase::Spaces;
    let mut pos = 0;
    while let Some(&b) = bytes.get(pos) {
        pos += 1;
        match phase {
            Phase::Spaces => {
                if is_byte_space(b) {
                    continue;
                }
                if b != b'-' || bytes.get(pos) != Some(&b'-') {
                    return (rest_from(line, pos - 1), flags);
                }
                // Most flags are plain ASCII up to the next space: no quote
                // or escape to resolve, so the word is the text itself.
                let start = pos - 1;
                let end = bytes[start..]
                    .iter()
                    .position(|&c| is_byte_space(c))
                    .map_or(bytes.len(), |n| start + n);
                if let Some(plain) = line.get(start..end).filter(|w| {
                    w.bytes()
                        .all(|c| c.is_ascii() && c != b'\'' && c != b'"' && c != escape)
                }) {
                    if plain == "--" {
                        return (rest_from(line, end), flags);
                    }
                    flags.push(plain.to_owned());
                    pos = end;
                    continue;
                }
                phase = Phase::Word;
                word.push(char::from(b));
            }
            Phase::Word => {
                if is_byte_space(b) {
                    if word == "--" {
                        return (rest_from(line, pos - 1), flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(word.as_str().to_owned());
                        word.clear();
                    }
                    blank_ok = false;
                    phase = Phase::Spaces;
                } else if b == b'\'' || b == b'"' {
                    blank_ok = true;
                    phase = Phase::Quote(b);
                } else if b == escape {
                    // An escape at the very end is dropped.
                    if let Some(&next) = bytes.get(pos) {
                        pos += 1;
                        word.push(char::from(next));
                    }
                } else {
                    word.push(char::from(b));
                }
            }
            Phase::Quote(q) => {
                if b == q {
                    phase = Phase::Word;
                } else if b == escape {
                    match bytes.get(pos) {
                        Some(&next) => {
                            pos += 1;
                            word.push(char::from(next));
                        }
                        None => phase = Phase::Word,
                    }
                } else {
                    word.push(char::from(b));
                }
            }
        }
    }
    if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
        flags.push(word);
    }
    (Cow::Borrowed(""), flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_flags() {
        let cases: [(&str, &str, &[&str], &str); 12] = [
            ("COPY foo /tmp/", "COPY", &[], "foo /tmp/"),
            (
                "  copy   --user=me foo /tmp/ ",
                "copy",
                &["--user=me"],
                "foo /tmp/",
            ),
            ("COPY --a=1 --b -- foo", "COPY", &["--a=1", "--b"], "foo"),
            ("COPY -- --foo", "COPY", &[], "--foo"),
            ("CMD --doit -- [ ]", "CMD", &["--doit"], "[ ]"),
            (
                "RUN --mount=\"type=cache, x\" ls",
                "RUN",
                &["--mount=type=cache, x"],
                "ls",
            ),
            ("RUN --a='' ls", "RUN", &["--a="], "ls"),
            ("RUN --a=b\\ c ls", "RUN", &["--a=b c"], "ls"),
            ("RUN --x", "RUN", &["--x"], ""),
            ("RUN --x --", "RUN", &["--x"], ""),
            ("RUN -x", "RUN", &[], "-x"),
            ("FROM", "FROM", &[], ""),
        ];
        for (line, kw, flags, rest) in cases {
            let got = split_command(line, '\\');
            assert_eq!(got.keyword, kw, "{line:?}");
            assert_eq!(got.flags, flags, "{line:?}");
            assert_eq!(got.rest, rest, "{line:?}");
        }
    }

    #[test]
    fn byte_wise_like_the_reference() {
        // NBSP's first byte is no space: no flags, and the line is trimmed after.
        let got = split_command("RUN \u{a0}--x y", '\\');
        assert!(got.flags.is_empty());
        assert_eq!(got.rest, "--x y");
        let got = split_command("COPY --chown=é a b", '\\');
        assert_eq!(got.flags, ["--chown=Ã©"]);
        // `à` ends in the byte 0xA0, which the walk takes for a space.
        let got = split_command("COPY --x=àb c", '\\');
        assert_eq!(got.flags, ["--x=Ã"]);
        assert_eq!(got.rest, "b c");
    }

    #[test]
    fn backtick_escape_in_flags() {
        let got = split_command("RUN --a=b` c ls", '`');
        assert_eq!(got.flags, ["--a=b c"]);
        assert_eq!(got.rest, "ls");
    }
}
