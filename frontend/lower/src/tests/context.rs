use crate::testutil::*;

/// The one `local://context` source of a lowered build, and whether every
/// op input names an op of the Definition.
fn context_source(text: &str) -> (serde_json::Value, bool) {
    let l = lower_with(text, &options(), &FakeResolver::new()).unwrap();
    let dump = stagecraft_llb::dump_json(&l.state.marshal());
    let ops: Vec<serde_json::Value> = serde_json::from_str(&dump).unwrap();
    let locals: Vec<&serde_json::Value> = ops
        .iter()
        .filter(|op| op["op"] == "source" && op["id"] == "local://context")
        .collect();
    assert_eq!(locals.len(), 1, "{dump}");
    // An input naming no op of the Definition is dumped by digest.
    let linked = ops.iter().all(|op| {
        op["inputs"]
            .as_array()
            .is_none_or(|inputs| inputs.iter().all(|i| !i.to_string().contains("sha256:")))
    });
    (locals[0]["attrs"].clone(), linked)
}

#[test]
fn followpaths_are_the_paths_used_whether_written_or_expanded() {
    // Dispatch starts from the paths as written; a variable in a source
    // makes that guess wrong, and the context read is swapped for the one
    // following the expanded paths: the same graph either way.
    let written = "FROM busybox\nCOPY a /x\nRUN --mount=source=b,target=/m true\n";
    let expanded =
        "FROM busybox\nARG D=a\nCOPY $D /x\nRUN --mount=source=${D/a/b},target=/m true\n";
    let follow = serde_json::json!(r#"["a","b"]"#);
    for text in [written, expanded] {
        let (attrs, linked) = context_source(text);
        assert_eq!(attrs["local.followpaths"], follow, "{text}");
        assert!(linked, "{text}");
    }
    // A tmpfs mount makes the whole context followed.
    let (attrs, linked) =
        context_source("FROM busybox\nCOPY a /x\nRUN --mount=type=tmpfs,target=/t true\n");
    assert!(attrs.get("local.followpaths").is_none(), "{attrs}");
    assert!(linked);
}
