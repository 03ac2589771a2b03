//! Answers to `requestid` subrequests (buildx `--call`, `--print`).
//!
//! Only `frontend.subrequests.describe` is answered: it tells the client
//! that nothing else is offered, so buildx reports that cleanly.

use std::collections::BTreeMap;

use super::request::Subrequest;

const DESCRIBE_VERSION: &str = "1.0.0";

/// Metadata of the describe answer (`result.json`, `result.txt`, `version`).
pub fn describe() -> BTreeMap<String, Vec<u8>> {
    let requests = serde_json::json!([{
        "name": Subrequest::DESCRIBE,
        "version": DESCRIBE_VERSION,
        "type": "rpc",
        "description": "List available subrequest types",
        "opts": null,
        "inputs": null,
        "metadata": [
            {"name": "result.json", "description": ""},
            {"name": "result.txt", "description": ""}
        ],
        "refs": null
    }]);
    let json = serde_json::to_vec_pretty(&requests).unwrap_or_default();
    let name = Subrequest::DESCRIBE
        .strip_prefix("frontend.")
        .unwrap_or(Subrequest::DESCRIBE);
    let text = format!(
        "NAME{pad} VERSION DESCRIPTION\n{name} {DESCRIBE_VERSION}   List available subrequest types\n",
        pad = " ".repeat(name.len().saturating_sub(4)),
    );
    BTreeMap::from([
        ("result.json".to_string(), json),
        ("result.txt".to_string(), text.into_bytes()),
        ("version".to_string(), DESCRIBE_VERSION.as_bytes().to_vec()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_lists_itself() {
        let md = describe();
        let list: serde_json::Value = serde_json::from_slice(&md["result.json"]).unwrap();
        assert_eq!(list[0]["name"], "frontend.subrequests.describe");
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        assert_eq!(md["version"], b"1.0.0");
        let text = String::from_utf8(md["result.txt"].clone()).unwrap();
        assert!(text.starts_with("NAME"));
        assert!(text.contains("subrequests.describe 1.0.0"));
    }
}
