//! Physical-line helpers: splitting, comments, and line continuations.

/// Byte-order mark stripped from the start of a file.
pub const BOM: char = '\u{feff}';

/// The characters the reference splits instruction words on (`[\t\v\f\r ]`):
/// narrower than Unicode whitespace, which only trims the ends of a line.
/// All ASCII, and an ASCII byte in UTF-8 text is always a whole character,
/// so lines are searched byte by byte.
fn is_split_space(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Splits at the first run of [`is_split_space`]; the second part is `None`
/// when there is no such run.
pub fn split_once_space(s: &str) -> (&str, Option<&str>) {
    let bytes = s.as_bytes();
    let Some(i) = bytes.iter().position(|&b| is_split_space(b)) else {
        return (s, None);
    };
    let skip = bytes[i..]
        .iter()
        .take_while(|&&b| is_split_space(b))
        .count();
    // Both cuts fall next to ASCII bytes, so on character boundaries.
    match (s.get(..i), s.get(i + skip..)) {
        (Some(head), Some(tail)) => (head, Some(tail)),
        _ => (s, None),
    }
}

/// Every run-separated field of `s` (empty fields kept, as a regex split does).
pub fn split_all_space(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        match split_once_space(rest) {
            (head, Some(tail)) => {
                out.push(head.to_owned());
                rest = tail;
            }
            (head, None) => {
                out.push(head.to_owned());
                return out;
            }
        }
    }
}

pub fn trim_newline(line: &str) -> &str {
    trim_end_bytes(line, |b| matches!(b, b'\r' | b'\n'))
}

pub fn is_comment(line: &str) -> bool {
    trim_start(line).starts_with('#')
}

/// `s` without the trailing ASCII bytes `strip` accepts.
fn trim_end_bytes(s: &str, strip: impl Fn(u8) -> bool) -> &str {
    let kept = s.bytes().rev().take_while(|&b| strip(b)).count();
    // Only ASCII bytes were cut: the cut is on a character boundary.
    s.get(..s.len() - kept).unwrap_or(s)
}

/// Unicode whitespace among ASCII characters (what `char::is_whitespace`
/// says for them).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `str::trim_start`, without decoding characters while the start is ASCII
/// (nearly always): the first non-ASCII byte hands over to `trim_start`.
pub fn trim_start(s: &str) -> &str {
    let skip = s.bytes().take_while(|&b| is_ascii_space(b)).count();
    // The skipped bytes are ASCII: `skip` is a character boundary.
    let rest = s.get(skip..).unwrap_or(s);
    if rest.as_bytes().first().is_some_and(|&b| !b.is_ascii()) {
        return rest.trim_start();
    }
    rest
}

/// `str::trim_end`, as [`trim_start`] is to `str::trim_start`.
pub fn trim_end(s: &str) -> &str {
    let rest = trim_end_bytes(s, is_ascii_space);
    if rest.as_bytes().last().is_some_and(|&b| !b.is_ascii()) {
        return rest.trim_end();
    }
    rest
}

/// `str::trim`, as [`trim_start`] is to `str::trim_start`.
pub fn trim(s: &str) -> &str {
    trim_end(trim_start(s))
}

/// The text of a comment line, as the reference keeps it: everything after
/// the line's first byte, trimmed. Lossy only for a line opening with a
/// multi-byte space, which the reference would cut mid-character too.
pub fn comment_text(line: &str) -> String {
    let tail = line.as_bytes().get(1..).unwrap_or_default();
    String::from_utf8_lossy(tail).trim().to_owned()
}

/// Removes a trailing line-continuation (the escape character, then only
/// spaces/tabs). Returns the remaining text and whether the logical line ends
/// here. A doubled escape character at the end is an escaped escape, not a
/// continuation.
pub fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = trim_end_bytes(line, |b| matches!(b, b' ' | b'\t'));
    if let Some(before) = trimmed.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before, false);
    }
    (line, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_rules() {
        let cases = [
            ("RUN a \\", '\\', "RUN a ", false),
            ("RUN a \\  \t", '\\', "RUN a ", false),
            ("RUN a\\\\", '\\', "RUN a\\\\", true),
            ("RUN a\\\\\\", '\\', "RUN a\\\\\\", true),
            ("\\", '\\', "", false),
            ("  \\", '\\', "  ", false),
            ("RUN a `", '`', "RUN a ", false),
            ("RUN a \\", '`', "RUN a \\", true),
            ("RUN a", '\\', "RUN a", true),
            ("", '\\', "", true),
        ];
        for (line, esc, want, want_end) in cases {
            assert_eq!(trim_continuation(line, esc), (want, want_end), "{line:?}");
        }
    }

    #[test]
    fn splits_on_ascii_space_runs_only() {
        assert_eq!(split_once_space("RUN  \t a b"), ("RUN", Some("a b")));
        assert_eq!(split_once_space("RUN"), ("RUN", None));
        assert_eq!(split_once_space("A\u{a0}B"), ("A\u{a0}B", None));
        assert_eq!(split_all_space("a  b\tc"), vec!["a", "b", "c"]);
    }

    #[test]
    fn comments() {
        assert!(is_comment("  # x"));
        assert!(!is_comment("RUN # x"));
        assert_eq!(comment_text("# hello "), "hello");
        assert_eq!(comment_text(" # x"), "# x");
    }
}
