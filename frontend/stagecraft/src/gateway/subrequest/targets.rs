//! `frontend.targets`: the stages, their descriptions, and the default.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Value, json};
use stagecraft_instructions::Dockerfile;
use stagecraft_syntax::Span;

use super::{answer, indented, table};

/// A `pb.Location` for lines of the one source.
pub fn location(span: Span) -> Value {
    json!({"ranges": [{"start": {"line": span.start}, "end": {"line": span.end}}]})
}

pub fn targets(df: &Dockerfile, data: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let last = df.stages.len().saturating_sub(1);
    let mut rows = vec![vec!["TARGET".to_string(), "DESCRIPTION".to_string()]];
    let list: Vec<Value> = df
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut t = serde_json::Map::new();
            let name = s
                .name
                .as_ref()
                .map(|n| n.lookup.clone())
                .unwrap_or_default();
            if !name.is_empty() {
                t.insert("name".into(), json!(name));
            }
            if i == last {
                t.insert("default".into(), json!(true));
            }
            let description = s.base.description.clone().unwrap_or_default();
            if !description.is_empty() {
                t.insert("description".into(), json!(description));
            }
            t.insert("base".into(), json!(s.base.base));
            if let Some(p) = &s.base.platform {
                t.insert("platform".into(), json!(p));
            }
            t.insert("location".into(), location(s.base.origin.span));
            let shown = match (name.is_empty(), i == last) {
                (true, true) => "(default)".to_string(),
                (false, true) => format!("{name} (default)"),
                _ => name,
            };
            rows.push(vec![shown, description]);
            Value::Object(t)
        })
        .collect();
    let data = base64::engine::general_purpose::STANDARD.encode(data);
    let doc = json!({"targets": list, "sources": [data]});
    answer(indented(&doc), table::render(&rows, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_stages_and_marks_the_default() {
        let src = "FROM alpine AS Build\n# release the image to ship\nFROM --platform=$BUILDPLATFORM scratch AS release\nFROM build\n";
        let parsed = stagecraft_syntax::parse(src).unwrap();
        let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
        let md = targets(&df, src.as_bytes());
        let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
        assert_eq!(v["targets"][0]["name"], "build");
        assert_eq!(v["targets"][0]["base"], "alpine");
        assert!(v["targets"][0].get("default").is_none());
        assert_eq!(v["targets"][1]["description"], "the image to ship");
        assert_eq!(v["targets"][1]["platform"], "$BUILDPLATFORM");
        assert_eq!(v["targets"][1]["location"]["ranges"][0]["start"]["line"], 3);
        assert_eq!(v["targets"][2]["default"], true);
        assert!(v["targets"][2].get("name").is_none());
        assert_eq!(
            String::from_utf8(md["result.txt"].clone()).unwrap(),
            "TARGET    DESCRIPTION\nbuild     \nrelease   the image to ship\n(default) \n"
        );
    }
}
