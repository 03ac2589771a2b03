//! `frontend.lint`: the findings of every stage (or the target's), with
//! the Dockerfile as their one source, and a status code buildx exits with.

use std::collections::BTreeMap;

use stagecraft_lint::Finding;
use stagecraft_syntax::Span;

use crate::checks::report::{self, BuildError, Located, Source};

/// The answer: `result.json`, `result.txt`, `result.statuscode` (1 when
/// anything was found or the file could not be checked) and `version`.
pub fn lint(
    filename: &str,
    data: &[u8],
    findings: &[Finding],
    error: Option<(&str, Option<Span>)>,
) -> BTreeMap<String, Vec<u8>> {
    let sources = [Source { filename, data }];
    let located: Vec<Located<'_>> = findings
        .iter()
        .map(|finding| Located { source: 0, finding })
        .collect();
    let build_error = error.map(|(message, span)| BuildError {
        source: 0,
        message,
        span,
    });
    let json = report::json(&sources, &located, build_error.as_ref());
    let text = report::text(&sources, &located);
    let status = u8::from(!findings.is_empty() || error.is_some());
    let mut md = super::answer(json, text);
    md.insert(
        "result.statuscode".to_string(),
        status.to_string().into_bytes(),
    );
    md
}
