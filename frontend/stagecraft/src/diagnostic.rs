//! One way to show an error against the Dockerfile, for both doors: the CLI
//! prints it, the gateway sends it as the Return message (dockerd 20.10 shows
//! nothing but that message, so the lines must be in it).

use stagecraft_syntax::Span;

/// An error tied to lines of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub filename: String,
    pub span: Option<Span>,
    pub message: String,
}

/// Snippets longer than this are cut: the message must stay readable and small.
const MAX_SNIPPET_LINES: usize = 6;
/// Likewise each line of a snippet, in bytes (a generated line can be megabytes).
const MAX_SNIPPET_LINE_BYTES: usize = 512;

impl Diagnostic {
    pub fn new(filename: &str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            filename: filename.to_string(),
            span,
            message: message.into(),
        }
    }

    /// `Dockerfile:7: message`.
    pub fn headline(&self) -> String {
        match self.span {
            Some(span) => format!("{}:{}: {}", self.filename, span, self.message),
            None => format!("{}: {}", self.filename, self.message),
        }
    }

    /// The headline followed by the numbered source lines, the way a
    /// compiler shows them.
    pub fn render(&self, source: &str) -> String {
        let mut out = self.headline();
        let Some(span) = self.span else {
            return out;
        };
        let lines: Vec<&str> = source.lines().collect();
        let width = span.end.to_string().len();
        for (shown, line_no) in span.lines().enumerate() {
            if shown == MAX_SNIPPET_LINES {
                out.push_str(&format!("\n {:>width$} | …", ""));
                break;
            }
            let Some(text) = line_no.checked_sub(1).and_then(|i| lines.get(i)) else {
                break;
            };
            out.push_str(&format!("\n {line_no:>width$} | {}", shorten(text)));
        }
        out
    }
}

/// `line`, or its first [`MAX_SNIPPET_LINE_BYTES`] and a count of the rest.
fn shorten(line: &str) -> std::borrow::Cow<'_, str> {
    if line.len() <= MAX_SNIPPET_LINE_BYTES {
        return line.into();
    }
    let mut cut = MAX_SNIPPET_LINE_BYTES;
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    let shown = line.get(..cut).unwrap_or_default();
    format!("{shown} … ({} more bytes)", line.len() - cut).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_and_snippet() {
        let src = "FROM busybox\nRUNN echo\n";
        let d = Diagnostic::new(
            "Dockerfile",
            Some(Span::line(2)),
            "unknown instruction: RUNN",
        );
        assert_eq!(
            d.render(src),
            "Dockerfile:2: unknown instruction: RUNN\n 2 | RUNN echo"
        );
    }

    #[test]
    fn long_lines_are_cut_at_a_char_boundary() {
        let line = format!("RUNX {}", "é".repeat(1000));
        let d = Diagnostic::new("Dockerfile", Some(Span::line(1)), "unknown instruction");
        let out = d.render(&line);
        let (head, snippet) = out.split_once('\n').unwrap();
        assert_eq!(head, "Dockerfile:1: unknown instruction");
        assert!(snippet.starts_with(" 1 | RUNX éé"));
        assert!(snippet.ends_with(&format!(" … ({} more bytes)", line.len() - 511)));
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let d = Diagnostic::new("Dockerfile", Some(Span::new(5, 9)), "x");
        assert_eq!(d.render("FROM a\n"), "Dockerfile:5-9: x");
    }

    #[test]
    fn long_spans_are_cut() {
        let src = (1..=20)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let d = Diagnostic::new("Dockerfile", Some(Span::new(1, 20)), "x");
        let shown = d.render(&src);
        assert!(shown.contains("l6") && !shown.contains("l7") && shown.ends_with('…'));
    }

    #[test]
    fn without_span_names_the_file() {
        let d = Diagnostic::new("Dockerfile.dev", None, "no build stage");
        assert_eq!(d.render(""), "Dockerfile.dev: no build stage");
    }
}
