//! SARIF 2.1.0 for code-scanning tools: one run, the rules that fired, one
//! result per finding with its file and lines.

use serde_json::{Value, json};
use stagecraft_lint::Rule;

use super::report::{Located, Source};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `error` marks results as errors (`error=true` or `--strict`) rather than
/// warnings.
pub fn sarif(sources: &[Source<'_>], warnings: &[Located<'_>], error: bool) -> Vec<u8> {
    let mut rules: Vec<Rule> = warnings.iter().map(|w| w.finding.rule).collect();
    rules.sort();
    rules.dedup();
    let rule_entries: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.name(),
                "shortDescription": {"text": r.description()},
            });
            if let Some(url) = r.url() {
                v["helpUri"] = json!(url);
            }
            v
        })
        .collect();
    let results: Vec<Value> = warnings
        .iter()
        .map(|w| {
            let f = w.finding;
            let uri = sources.get(w.source).map_or("Dockerfile", |s| s.filename);
            json!({
                "ruleId": f.rule.name(),
                "ruleIndex": rules.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": if error { "error" } else { "warning" },
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {
                            "startLine": f.span.start.max(1),
                            "endLine": f.span.end.max(f.span.start).max(1),
                        },
                    },
                }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stagecraft",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_entries,
            }},
            "results": results,
        }],
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}
