//! Answers to `requestid` subrequests (buildx `--call`, `--check`):
//! `describe`, `outline`, `targets` and `lint`, each with BuildKit's
//! version, `result.json` shape and `result.txt` listing.

pub mod lint;
pub mod outline;
mod table;
pub mod targets;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::request::Subrequest;

/// One subrequest as `describe` lists it.
struct Definition {
    name: &'static str,
    description: &'static str,
    opts: &'static [(&'static str, &'static str)],
    metadata: &'static [&'static str],
}

const VERSION: &str = "1.0.0";

const OFFERED: [Definition; 4] = [
    Definition {
        name: Subrequest::OUTLINE,
        description: "List all parameters current build target supports",
        opts: &[("target", "Target build stage")],
        metadata: &["result.json", "result.txt"],
    },
    Definition {
        name: Subrequest::TARGETS,
        description: "List all targets current build supports",
        opts: &[],
        metadata: &["result.json", "result.txt"],
    },
    Definition {
        name: Subrequest::LINT,
        description: "Lint a Dockerfile",
        opts: &[],
        metadata: &["result.json", "result.txt", "result.statuscode"],
    },
    Definition {
        name: Subrequest::DESCRIBE,
        description: "List available subrequest types",
        opts: &[],
        metadata: &["result.json", "result.txt"],
    },
];

fn named(items: impl Iterator<Item = (&'static str, &'static str)>) -> Value {
    Value::Array(
        items
            .map(|(name, description)| json!({"name": name, "description": description}))
            .collect(),
    )
}

/// `result.json`, `result.txt` and `version` of an answer.
pub fn answer(json: Vec<u8>, text: String) -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("result.json".to_string(), json),
        ("result.txt".to_string(), text.into_bytes()),
        ("version".to_string(), VERSION.as_bytes().to_vec()),
    ])
}

/// Go's `json.MarshalIndent(v, "", "  ")`.
pub fn indented(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

/// The subrequests this frontend answers.
pub fn describe() -> BTreeMap<String, Vec<u8>> {
    let list: Vec<Value> = OFFERED
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "version": VERSION,
                "type": "rpc",
                "description": d.description,
                "opts": if d.opts.is_empty() { Value::Array(vec![]) } else { named(d.opts.iter().copied()) },
                "inputs": null,
                "metadata": named(d.metadata.iter().map(|m| (*m, ""))),
                "refs": null,
            })
        })
        .collect();
    let rows: Vec<Vec<String>> = std::iter::once(vec![
        "NAME".to_string(),
        "VERSION".to_string(),
        "DESCRIPTION".to_string(),
    ])
    .chain(OFFERED.iter().map(|d| {
        vec![
            d.name
                .strip_prefix("frontend.")
                .unwrap_or(d.name)
                .to_string(),
            VERSION.to_string(),
            d.description.to_string(),
        ]
    }))
    .collect();
    answer(indented(&Value::Array(list)), table::render(&rows, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_lists_every_subrequest() {
        let md = describe();
        let list: Value = serde_json::from_slice(&md["result.json"]).unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "frontend.outline",
                "frontend.targets",
                "frontend.lint",
                "frontend.subrequests.describe"
            ]
        );
        assert_eq!(list[0]["opts"][0]["name"], "target");
        assert_eq!(md["version"], b"1.0.0");
        let text = String::from_utf8(md["result.txt"].clone()).unwrap();
        assert!(
            text.starts_with("NAME                 VERSION DESCRIPTION\noutline "),
            "{text}"
        );
        assert!(
            text.contains("\nsubrequests.describe 1.0.0   List available subrequest types\n"),
            "{text}"
        );
    }
}
