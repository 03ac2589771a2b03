//! Dockerfile bytes → text, the way the reference treats bytes that are not
//! UTF-8.
//!
//! The reference reads the file as bytes. Its word lexer reads each byte that
//! is not UTF-8 as U+FFFD, and its JSON reader does the same, so in ENV,
//! LABEL, COPY, comments and exec forms such bytes become U+FFFD and the build
//! goes on. A RUN command in shell form (or a heredoc script) is not lexed: it
//! reaches the LLB as written, where a protobuf string must be UTF-8, and the
//! v0.32 frontend fails the build without naming a line (dockerd 20.10's
//! frontend ran it with U+FFFD). We read such bytes as U+FFFD too, and fail
//! the RUN as the current reference does, but name the line.

use crate::lines::is_comment;
use crate::parser::{parse_any_size, too_large};
use crate::{Parsed, Span, SyntaxError, SyntaxErrorKind};

/// A Dockerfile read from bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with U+FFFD for each run of bytes that is not UTF-8.
    pub text: String,
    /// The 1-based lines that held such bytes, in order.
    pub invalid_lines: Vec<usize>,
    /// Size of the bytes read (the size limit is on these, not on the text).
    pub bytes: usize,
}

/// Reads `data` as text; every byte sequence that is not UTF-8 becomes
/// U+FFFD and its line is remembered. Linear in `data`.
pub fn decode(data: &[u8]) -> Decoded {
    // Nearly every file is UTF-8 already: one validating pass, then a copy.
    if let Ok(text) = std::str::from_utf8(data) {
        return Decoded {
            text: text.to_owned(),
            invalid_lines: Vec::new(),
            bytes: data.len(),
        };
    }
    let mut text = String::with_capacity(data.len());
    let mut invalid_lines = Vec::new();
    let mut line = 1;
    for chunk in data.utf8_chunks() {
        let valid = chunk.valid();
        line += valid.bytes().filter(|b| *b == b'\n').count();
        text.push_str(valid);
        if !chunk.invalid().is_empty() {
            text.push(char::REPLACEMENT_CHARACTER);
            if invalid_lines.last() != Some(&line) {
                invalid_lines.push(line);
            }
        }
    }
    Decoded {
        text,
        invalid_lines,
        bytes: data.len(),
    }
}

/// Parses a decoded Dockerfile: the size limit applies to its bytes, and a
/// RUN whose command holds bytes that were not UTF-8 is an error on the
/// first such line.
pub fn parse_decoded(decoded: &Decoded) -> Result<Parsed, SyntaxError> {
    if let Some(error) = too_large(decoded.text.as_bytes(), decoded.bytes) {
        return Err(error);
    }
    let parsed = parse_any_size(&decoded.text)?;
    if decoded.invalid_lines.is_empty() {
        return Ok(parsed);
    }
    let lines: Vec<&str> = decoded.text.split('\n').collect();
    for node in &parsed.nodes {
        if node.keyword != "run" || node.json {
            continue;
        }
        let first = decoded
            .invalid_lines
            .iter()
            .copied()
            .skip_while(|line| *line < node.span.start)
            .take_while(|line| *line <= node.span.end)
            // A comment between continuation lines is dropped before the
            // command is sent; in a heredoc body every line is the script.
            .find(|line| {
                !node.heredocs.is_empty() || !lines.get(line - 1).is_some_and(|l| is_comment(l))
            });
        if let Some(line) = first {
            return Err(SyntaxError::new(
                SyntaxErrorKind::NotUtf8 {
                    keyword: "RUN".to_owned(),
                },
                Span::line(line),
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_bytes(data: &[u8]) -> Result<Parsed, SyntaxError> {
        parse_decoded(&decode(data))
    }

    #[test]
    fn valid_text_is_unchanged() {
        let d = decode("FROM a\nRUN echo é\n".as_bytes());
        assert_eq!(d.text, "FROM a\nRUN echo é\n");
        assert!(d.invalid_lines.is_empty());
    }

    #[test]
    fn invalid_bytes_become_replacement_characters_and_their_lines_are_kept() {
        let data = b"FROM a\n# caf\xe9\nLABEL a=\xff\xfe b=\xff\n";
        let d = decode(data);
        assert_eq!(
            d.text,
            "FROM a\n# caf\u{fffd}\nLABEL a=\u{fffd}\u{fffd} b=\u{fffd}\n"
        );
        assert_eq!(d.invalid_lines, vec![2, 3]);
        assert_eq!(d.bytes, data.len());
    }

    #[test]
    fn a_run_command_that_is_not_utf8_fails_on_its_line() {
        let e = parse_bytes(b"FROM a\nRUN echo a \\\n  b\xff\n").unwrap_err();
        assert_eq!(e.span, Span::line(3));
        assert_eq!(e.to_string(), "RUN holds bytes that are not UTF-8");
        let e = parse_bytes(b"FROM a\nRUN <<EOF\n# caf\xe9\nEOF\n").unwrap_err();
        assert_eq!(e.span, Span::line(3));
    }

    #[test]
    fn elsewhere_invalid_bytes_read_as_replacement_characters() {
        for text in [
            &b"FROM a\n# caf\xe9\nRUN true\n"[..],
            b"FROM a\nENV A=caf\xe9\n",
            b"FROM a\nRUN [\"echo\", \"caf\xe9\"]\n",
            b"FROM a\nRUN echo a \\\n# caf\xe9\n  b\n",
            b"FROM a\nONBUILD RUN echo caf\xe9\n",
            b"FROM a\nCOPY <<EOF /x\ncaf\xe9\nEOF\n",
        ] {
            assert!(
                parse_bytes(text).is_ok(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn the_size_limit_is_on_the_bytes() {
        let mut data = b"FROM a\n".to_vec();
        data.resize(crate::MAX_DOCKERFILE_BYTES / 2, 0xff);
        // Each byte reads as three, but the file is half the limit.
        assert!(!matches!(
            parse_bytes(&data).map_err(|e| e.kind),
            Err(SyntaxErrorKind::TooLarge { .. })
        ));
        data.resize(crate::MAX_DOCKERFILE_BYTES + 1, b'\n');
        let e = parse_bytes(&data).unwrap_err();
        assert!(matches!(
            e.kind,
            SyntaxErrorKind::TooLarge { size, .. } if size == crate::MAX_DOCKERFILE_BYTES + 1
        ));
    }
}
