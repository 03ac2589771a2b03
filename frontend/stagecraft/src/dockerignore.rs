//! `.dockerignore` files, read the way Docker and BuildKit read them, so the
//! same patterns reach `local.excludepatterns` as with Docker's frontend.
//!
//! Matching is BuildKit's job (the daemon applies the patterns while sending
//! the context); only the file format is handled here.

/// Byte order mark some editors put at the start of the file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The patterns of an ignore file, in file order.
///
/// A line whose first byte is `#` is a comment (an indented `#` is part of a
/// pattern, as in Docker). Lines are trimmed; blank ones are skipped. A
/// leading `!` marks an exception and is kept; the path after it is cleaned
/// like Go's `filepath.Clean` and loses a leading `/`, so `/a/./b/` and
/// `a/b` are the same pattern.
pub fn parse(content: &[u8]) -> Vec<String> {
    let content = content.strip_prefix(UTF8_BOM).unwrap_or(content);
    content
        .split(|b| *b == b'\n')
        .filter_map(|raw| {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if raw.first() == Some(&b'#') {
                return None;
            }
            pattern(String::from_utf8_lossy(raw).trim())
        })
        .collect()
}

fn pattern(line: &str) -> Option<String> {
    if line.is_empty() {
        return None;
    }
    let (exception, path) = match line.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, line),
    };
    let mut cleaned = if path.is_empty() {
        String::new()
    } else {
        stagecraft_llb::clean_path(path)
    };
    if cleaned.len() > 1
        && let Some(relative) = cleaned.strip_prefix('/')
    {
        cleaned = relative.to_string();
    }
    Some(if exception {
        format!("!{cleaned}")
    } else {
        cleaned
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(text: &str) -> Vec<String> {
        parse(text.as_bytes())
    }

    #[test]
    fn comments_blank_lines_and_whitespace() {
        assert_eq!(
            patterns("# comment\n\n  node_modules  \n\t*.log\r\n   \n  # not a comment\n"),
            vec!["node_modules", "*.log", "# not a comment"]
        );
    }

    #[test]
    fn exceptions_keep_their_mark_and_are_cleaned() {
        assert_eq!(
            patterns("*.md\n!README.md\n! /docs//keep/./this/ \n!\n"),
            vec!["*.md", "!README.md", "!docs/keep/this", "!"]
        );
    }

    #[test]
    fn paths_are_cleaned_like_go() {
        assert_eq!(
            patterns("/abs/path\n./rel\na/../b\nx/y/../../..\n/\n/..\n.\ndir/\n**/*.tmp\n"),
            vec![
                "abs/path", "rel", "b", "..", "/", "/", ".", "dir", "**/*.tmp"
            ]
        );
    }

    #[test]
    fn bom_is_stripped_only_at_the_start() {
        let mut data = UTF8_BOM.to_vec();
        data.extend_from_slice(b"# comment after BOM\nbuild\n");
        assert_eq!(parse(&data), vec!["build"]);
    }

    #[test]
    fn empty_and_invalid_utf8_do_not_fail() {
        assert!(parse(b"").is_empty());
        assert_eq!(parse(b"a\xFFb\n"), vec!["a\u{FFFD}b"]);
    }
}
