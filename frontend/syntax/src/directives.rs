//! Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of a
//! file, and syntax detection for the gateway.

use crate::Span;
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::lines::{BOM, trim_newline};

/// Parser directives from the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Directives {
    pub syntax: Option<Directive>,
    pub escape: Option<Directive>,
    pub check: Option<Directive>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub value: String,
    pub span: Span,
}

impl Directive {
    /// The frontend image reference of a `syntax` value: its first
    /// space-separated word (the rest are frontend options).
    pub fn frontend_ref(&self) -> &str {
        self.value.split(' ').next().unwrap_or_default()
    }
}

/// The directives the parser knows; any other key ends the directive block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectiveName {
    Syntax,
    Escape,
    Check,
}

impl DirectiveName {
    fn from_key(key: &str) -> Option<Self> {
        match key.to_ascii_lowercase().as_str() {
            "syntax" => Some(DirectiveName::Syntax),
            "escape" => Some(DirectiveName::Escape),
            "check" => Some(DirectiveName::Check),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DirectiveName::Syntax => "syntax",
            DirectiveName::Escape => "escape",
            DirectiveName::Check => "check",
        }
    }
}

/// Reads directive lines until the first line that is not one.
#[derive(Debug)]
pub(crate) struct DirectiveScanner {
    prefix: &'static str,
    done: bool,
    found: Directives,
}

impl DirectiveScanner {
    pub fn new(prefix: &'static str) -> Self {
        DirectiveScanner {
            prefix,
            done: false,
            found: Directives::default(),
        }
    }

    pub fn directives(&self) -> &Directives {
        &self.found
    }

    pub fn into_directives(self) -> Directives {
        self.found
    }

    /// Looks at source line `line_no`; returns the directive it holds, if any.
    pub fn scan(
        &mut self,
        line: &str,
        line_no: usize,
    ) -> Result<Option<DirectiveName>, SyntaxError> {
        if self.done {
            return Ok(None);
        }
        let Some((name, value)) = line
            .strip_prefix(self.prefix)
            .and_then(|rest| split_directive(rest.trim_start()))
            .and_then(|(key, value)| Some((DirectiveName::from_key(key)?, value)))
        else {
            self.done = true;
            return Ok(None);
        };
        let span = Span::line(line_no);
        let slot = match name {
            DirectiveName::Syntax => &mut self.found.syntax,
            DirectiveName::Escape => &mut self.found.escape,
            DirectiveName::Check => &mut self.found.check,
        };
        if slot.is_some() {
            return Err(SyntaxError::new(
                SyntaxErrorKind::DuplicateDirective {
                    name: name.as_str().to_owned(),
                },
                span,
            ));
        }
        *slot = Some(Directive {
            value: value.to_owned(),
            span,
        });
        Ok(Some(name))
    }
}

/// The whitespace of the reference's directive pattern (RE2 `\s`).
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

/// `key = value` with an ASCII-alphanumeric key starting with a letter.
fn split_directive(s: &str) -> Option<(&str, &str)> {
    let key_len = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(s.len(), |(i, _)| i);
    if key_len == 0 {
        return None;
    }
    let (key, rest) = s.split_at(key_len);
    let rest = rest.trim_start_matches(is_re_space).strip_prefix('=')?;
    let value = rest.trim_matches(is_re_space);
    if !value.is_empty() {
        return Some((key, value));
    }
    // An all-space value still matches the pattern's lazy `.+?`: it keeps
    // the last space character.
    let last = rest.char_indices().next_back()?;
    Some((key, &rest[last.0..]))
}

/// Validates an `escape` directive value.
pub(crate) fn escape_char(d: &Directive) -> Result<char, SyntaxError> {
    match d.value.as_str() {
        "\\" => Ok('\\'),
        "`" => Ok('`'),
        other => Err(SyntaxError::new(
            SyntaxErrorKind::InvalidEscape {
                value: other.to_owned(),
            },
            d.span,
        )),
    }
}

/// Finds the `syntax` directive the way BuildKit picks a frontend: after an
/// optional BOM and `#!` line, as `# syntax=`, then `// syntax=`, then as the
/// `"syntax"` key of a JSON object file.
pub fn detect_syntax(text: &str) -> Option<Directive> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let (text, first_line) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("#!") => (rest, 1),
        None if text.starts_with("#!") => ("", 1),
        _ => (text, 0),
    };
    for prefix in ["#", "//"] {
        let mut scanner = DirectiveScanner::new(prefix);
        for (i, line) in text.split('\n').enumerate() {
            if scanner.done
                || scanner
                    .scan(trim_newline(line), first_line + i + 1)
                    .is_err()
            {
                break;
            }
        }
        if let Some(d) = scanner.into_directives().syntax {
            return Some(d);
        }
    }
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).ok()?;
    let value = object.get("syntax")?.as_str()?;
    Some(Directive {
        value: value.to_owned(),
        span: Span::line(first_line + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_lines() {
        let cases: [(&str, Option<(&str, &str)>); 9] = [
            (
                "syntax=docker/dockerfile:1",
                Some(("syntax", "docker/dockerfile:1")),
            ),
            ("escape = ` ", Some(("escape", "`"))),
            ("Check\t=\tskip=all", Some(("Check", "skip=all"))),
            ("escape=   ", Some(("escape", " "))),
            ("escape=", None),
            ("1syntax=x", None),
            ("syn-tax=x", None),
            ("syntax x", None),
            ("x2=y z", Some(("x2", "y z"))),
        ];
        for (input, want) in cases {
            assert_eq!(split_directive(input), want, "{input:?}");
        }
    }

    #[test]
    fn scanner_stops_and_rejects_duplicates() {
        let mut s = DirectiveScanner::new("#");
        assert_eq!(s.scan("# syntax=a", 1), Ok(Some(DirectiveName::Syntax)));
        let err = s.scan("# SYNTAX=b", 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "only one syntax parser directive can be used"
        );
        assert_eq!(err.span, Span::line(2));

        let mut s = DirectiveScanner::new("#");
        assert_eq!(s.scan("# unknown=a", 1), Ok(None));
        assert_eq!(s.scan("# escape=`", 2), Ok(None));
        assert_eq!(s.directives().escape, None);
    }

    #[test]
    fn detects_syntax() {
        let d = |v: &str, line| {
            Some(Directive {
                value: v.to_owned(),
                span: Span::line(line),
            })
        };
        let cases = [
            ("# syntax=a/b:1 opt\nFROM x", d("a/b:1 opt", 1)),
            ("\u{feff}#syntax = a", d("a", 1)),
            ("#!/usr/bin/env buildctl\n# syntax=a\n", d("a", 2)),
            ("# escape=`\n# syntax=a", d("a", 2)),
            ("// syntax=a\n", d("a", 1)),
            ("{\"syntax\": \"a\"}", d("a", 1)),
            ("{\"syntax\": 1}", None),
            ("FROM x\n# syntax=a", None),
            ("# foo\n# syntax=a", None),
            ("# syntax=a\n# syntax=b", d("a", 1)),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(detect_syntax(input), want, "{input:?}");
        }
        assert_eq!(
            detect_syntax("# syntax=img:1 a=b").unwrap().frontend_ref(),
            "img:1"
        );
    }
}
