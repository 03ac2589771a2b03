//! Findings in the lint subrequest's shapes: `result.json` (warnings,
//! sources, build error; field names as BuildKit's `pb.Location` JSON, zero
//! values left out) and the `result.txt` listing.

use base64::Engine;
use serde_json::{Value, json};
use stagecraft_lint::Finding;
use stagecraft_syntax::Span;

/// One linted file.
pub struct Source<'a> {
    pub filename: &'a str,
    pub data: &'a [u8],
}

/// A finding and the index of its file in the sources.
pub struct Located<'a> {
    pub source: usize,
    pub finding: &'a Finding,
}

/// A file that could not be checked: its error and where.
pub struct BuildError<'a> {
    pub source: usize,
    pub message: &'a str,
    pub span: Option<Span>,
}

/// One range per line, as the reference locates an instruction (a finding
/// or a build error) on every line it spans.
fn location(source: usize, span: Option<Span>) -> Value {
    let mut loc = serde_json::Map::new();
    if source > 0 {
        loc.insert("sourceIndex".into(), json!(source));
    }
    let range = |start: usize, end: usize| {
        json!({
            "start": {"line": start},
            "end": {"line": end},
        })
    };
    let ranges: Vec<Value> = match span.filter(|s| s.start > 0) {
        None => Vec::new(),
        Some(s) => (s.start..=s.end.max(s.start))
            .map(|l| range(l, l))
            .collect(),
    };
    // Go leaves out empty lists (`omitempty`).
    if !ranges.is_empty() {
        loc.insert("ranges".into(), Value::Array(ranges));
    }
    Value::Object(loc)
}

/// `result.json`, indented as BuildKit indents it.
pub fn json(
    sources: &[Source<'_>],
    warnings: &[Located<'_>],
    error: Option<&BuildError<'_>>,
) -> Vec<u8> {
    let warnings: Vec<Value> = warnings
        .iter()
        .map(|w| {
            let f = w.finding;
            let mut v = serde_json::Map::new();
            v.insert("ruleName".into(), json!(f.rule.name()));
            v.insert("description".into(), json!(f.rule.description()));
            if let Some(url) = f.rule.url() {
                v.insert("url".into(), json!(url));
            }
            v.insert("detail".into(), json!(f.message));
            v.insert("location".into(), location(w.source, Some(f.span)));
            Value::Object(v)
        })
        .collect();
    let sources: Vec<Value> = sources
        .iter()
        .map(|s| {
            json!({
                "filename": s.filename,
                "data": base64::engine::general_purpose::STANDARD.encode(s.data),
                "language": "Dockerfile",
            })
        })
        .collect();
    let mut out = serde_json::Map::new();
    out.insert("warnings".into(), Value::Array(warnings));
    out.insert("sources".into(), Value::Array(sources));
    if let Some(e) = error {
        out.insert(
            "buildError".into(),
            json!({
                "message": e.message,
                "location": location(e.source, e.span),
            }),
        );
    }
    serde_json::to_vec_pretty(&Value::Object(out)).unwrap_or_default()
}

/// The lines around `span`, marked, as BuildKit prints a source range.
fn snippet(filename: &str, data: &[u8], span: Span, out: &mut String) {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let (first, mut last) = (span.start, span.end.max(span.start));
    if first < 1 || first > lines.len() {
        return;
    }
    last = last.min(lines.len());
    let (mut start, mut end) = (first, last);
    let pad = if first == last { 4 } else { 2 };
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != lines.len() {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    out.push_str(&format!("{filename}:{first}\n--------------------\n"));
    for i in start..=end {
        let mark = if (first..=last).contains(&i) {
            ">>>"
        } else {
            "   "
        };
        let line = lines.get(i - 1).copied().unwrap_or_default();
        out.push_str(&format!(" {i:>3} | {mark} {line}\n"));
    }
    out.push_str("--------------------\n");
}

/// `result.txt`: each warning with its rule, link, message and lines,
/// sorted by file then line.
pub fn text(sources: &[Source<'_>], warnings: &[Located<'_>]) -> String {
    let mut sorted: Vec<&Located<'_>> = warnings.iter().collect();
    sorted.sort_by(|a, b| {
        let fa = sources.get(a.source).map(|s| s.filename);
        let fb = sources.get(b.source).map(|s| s.filename);
        fa.cmp(&fb)
            .then(a.finding.span.start.cmp(&b.finding.span.start))
    });
    let mut out = String::new();
    for w in sorted {
        let f = w.finding;
        out.push_str(&format!("\nWARNING: {}", f.rule));
        if let Some(url) = f.rule.url() {
            out.push_str(&format!(" - {url}"));
        }
        out.push_str(&format!("\n{}\n", f.message));
        if let Some(s) = sources.get(w.source) {
            snippet(s.filename, s.data, f.span, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_lint::Rule;

    #[test]
    fn json_has_the_subrequest_shape() {
        let f = Finding {
            rule: Rule::MaintainerDeprecated,
            message: "Maintainer instruction is deprecated in favor of using label".into(),
            span: Span::line(2),
        };
        let data = b"FROM a\nMAINTAINER me\n";
        let out = json(
            &[Source {
                filename: "Dockerfile",
                data,
            }],
            &[Located {
                source: 0,
                finding: &f,
            }],
            None,
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["warnings"][0]["ruleName"], "MaintainerDeprecated");
        assert_eq!(
            v["warnings"][0]["url"],
            "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/"
        );
        assert_eq!(
            v["warnings"][0]["location"],
            json!({"ranges": [{"start": {"line": 2}, "end": {"line": 2}}]})
        );
        assert_eq!(v["sources"][0]["filename"], "Dockerfile");
        assert_eq!(v["sources"][0]["data"], "RlJPTSBhCk1BSU5UQUlORVIgbWUK");
        assert!(v.get("buildError").is_none());
        let txt = text(
            &[Source {
                filename: "Dockerfile",
                data,
            }],
            &[Located {
                source: 0,
                finding: &f,
            }],
        );
        assert_eq!(
            txt,
            "\nWARNING: MaintainerDeprecated - https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/\n\
             Maintainer instruction is deprecated in favor of using label\n\
             Dockerfile:2\n--------------------\n   1 |     FROM a\n   2 | >>> MAINTAINER me\n   3 |     \n--------------------\n"
        );
    }
}
