//! Physical-line helpers: splitting, comments, and line continuations.

/// Byte-order mark stripped from the start of a file.
pub const BOM: char = '\u{feff}';

/// The characters the reference splits instruction words on (`[\t\v\f\r ]`):
/// narrower than Unicode whitespace, which only trims the ends of a line.
pub fn is_split_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Splits at the first run of [`is_split_space`]; the second part is `None`
/// when there is no such run.
pub fn split_once_space(s: &str) -> (&str, Option<&str>) {
    match s.find(is_split_space) {
        Some(i) => {
            let (head, tail) = s.split_at(i);
            (head, Some(tail.trim_start_matches(is_split_space)))
        }
        None => (s, None),
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
    line.trim_end_matches(['\r', '\n'])
}

pub fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
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
    let trimmed = line.trim_end_matches([' ', '\t']);
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
