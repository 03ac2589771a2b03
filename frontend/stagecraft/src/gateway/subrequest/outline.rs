//! `frontend.outline`: what the target reads — the build args its stages
//! use (with defaults and the description comment above them), its secrets
//! and SSH sockets — for the stages the target needs only.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::{Value, json};
use stagecraft_instructions::{Dockerfile, Instruction, Mount};
use stagecraft_lower::{BuildOptions, GraphNodeKind};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

use super::targets::location;
use super::{answer, indented, table};

/// One build arg as the outline shows it.
#[derive(Clone)]
struct Arg {
    name: String,
    value: String,
    description: String,
    span: Span,
}

/// A secret or SSH id, whether it is required, and where it is first used.
struct Used {
    name: String,
    required: bool,
    span: Span,
}

/// The global ARGs: their value (default expanded with those before, or
/// the build arg) and the names each default reads.
fn global_args(
    df: &Dockerfile,
    options: &BuildOptions,
    lexer: Lexer,
) -> BTreeMap<String, (Arg, BTreeSet<String>)> {
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for arg in &df.meta_args {
        for pair in &arg.args {
            let (value, deps) = match (options.build_args.get(&pair.name), &pair.default) {
                (Some(v), _) => (v.clone(), BTreeSet::new()),
                (None, Some(d)) => match lexer.expand_word(d, &values) {
                    Ok(e) => (e.value, e.used),
                    Err(_) => (d.clone(), BTreeSet::new()),
                },
                (None, None) => (String::new(), BTreeSet::new()),
            };
            if options.build_args.contains_key(&pair.name) || pair.default.is_some() {
                values.insert(pair.name.clone(), value.clone());
            }
            let arg = Arg {
                name: pair.name.clone(),
                value,
                description: pair.description.clone().unwrap_or_default(),
                span: arg.origin.span,
            };
            out.insert(pair.name.clone(), (arg, deps));
        }
    }
    out
}

fn used_list(items: Vec<Used>) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|u| {
                let mut v = serde_json::Map::new();
                v.insert("name".into(), json!(u.name));
                if u.required {
                    v.insert("required".into(), json!(true));
                }
                v.insert("location".into(), location(u.span));
                Value::Object(v)
            })
            .collect(),
    )
}

/// `Err` carries the message a build would fail with (unknown target …).
pub fn outline(
    df: &Dockerfile,
    data: &[u8],
    options: &BuildOptions,
    escape: char,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let graph = stagecraft_lower::stage_graph(df, escape, options.target.as_deref())
        .map_err(|e| e.kind.to_string())?;
    let stage_of = |node: usize| match graph.nodes.get(node).map(|n| &n.kind) {
        Some(GraphNodeKind::Stage { index, .. }) => Some(*index),
        _ => None,
    };
    let target = stage_of(graph.target).unwrap_or(0);
    // The target's own stage first: its ARGs win over the same names
    // declared elsewhere.
    let mut order: Vec<usize> = vec![target];
    order.extend(
        graph
            .reachable
            .iter()
            .filter_map(|n| stage_of(*n))
            .filter(|i| *i != target),
    );

    let lexer = Lexer::new(escape);
    let globals = global_args(df, options, lexer);
    let global_values: BTreeMap<String, String> = globals
        .values()
        .map(|(a, _)| (a.name.clone(), a.value.clone()))
        .collect();
    let mut args: Vec<Arg> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut secrets: Vec<Used> = Vec::new();
    let mut ssh: Vec<Used> = Vec::new();
    let add_global = |name: &str, args: &mut Vec<Arg>, seen: &mut BTreeSet<String>| {
        let mut pending = vec![name.to_string()];
        while let Some(n) = pending.pop() {
            if let Some((arg, deps)) = globals.get(&n)
                && seen.insert(n.clone())
            {
                args.push(arg.clone());
                pending.extend(deps.iter().cloned());
            }
        }
    };
    for i in order {
        let Some(stage) = df.stages.get(i) else {
            continue;
        };
        for word in std::iter::once(&stage.base.base).chain(stage.base.platform.iter()) {
            if let Ok(e) = lexer.expand_word(word, &global_values) {
                for name in &e.used {
                    add_global(name, &mut args, &mut seen);
                }
            }
        }
        for cmd in &stage.commands {
            match cmd {
                Instruction::Arg(arg) => {
                    for pair in &arg.args {
                        let given = options.build_args.get(&pair.name);
                        if given.is_none()
                            && pair.default.is_none()
                            && globals.contains_key(&pair.name)
                        {
                            add_global(&pair.name, &mut args, &mut seen);
                        } else if seen.insert(pair.name.clone()) {
                            let value = given.cloned().or_else(|| {
                                pair.default.as_ref().map(|d| {
                                    lexer
                                        .expand_word(d, &global_values)
                                        .map_or_else(|_| d.clone(), |e| e.value)
                                })
                            });
                            args.push(Arg {
                                name: pair.name.clone(),
                                value: value.unwrap_or_default(),
                                description: pair.description.clone().unwrap_or_default(),
                                span: arg.origin.span,
                            });
                        }
                    }
                }
                Instruction::Run(run) => {
                    for m in &run.mounts {
                        match m.resolve(|s| Ok::<_, String>(s.to_string())) {
                            Ok(Mount::Secret(s)) => {
                                if let Some(id) = s.secret_id()
                                    && !secrets.iter().any(|u| u.name == id)
                                {
                                    secrets.push(Used {
                                        name: id,
                                        required: s.required,
                                        span: run.origin.span,
                                    });
                                }
                            }
                            Ok(Mount::Ssh(s)) => {
                                let id =
                                    s.id.clone()
                                        .filter(|i| !i.is_empty())
                                        .unwrap_or_else(|| "default".to_string());
                                if !ssh.iter().any(|u| u.name == id) {
                                    ssh.push(Used {
                                        name: id,
                                        required: s.required,
                                        span: run.origin.span,
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    args.sort_by_key(|a| a.span.start);
    secrets.sort_by_key(|u| u.span.start);
    ssh.sort_by_key(|u| u.span.start);

    let stage = df.stages.get(target);
    let name = stage
        .and_then(|s| s.name.as_ref())
        .map(|n| n.lookup.clone())
        .unwrap_or_default();
    let description = stage
        .and_then(|s| s.base.description.clone())
        .unwrap_or_default();
    let mut doc = serde_json::Map::new();
    if !name.is_empty() {
        doc.insert("name".into(), json!(name));
    }
    if !description.is_empty() {
        doc.insert("description".into(), json!(description));
    }
    let mut text = String::new();
    if !name.is_empty() || !description.is_empty() {
        let shown = if name.is_empty() {
            "(default)".to_string()
        } else {
            name.clone()
        };
        let mut rows = vec![vec!["TARGET:".to_string(), shown]];
        if !description.is_empty() {
            rows.push(vec!["DESCRIPTION:".to_string(), description.clone()]);
        }
        text.push_str(&table::render(&rows, 1));
        text.push('\n');
    }
    if !args.is_empty() {
        let list: Vec<Value> = args
            .iter()
            .map(|a| {
                let mut v = serde_json::Map::new();
                v.insert("name".into(), json!(a.name));
                if !a.description.is_empty() {
                    v.insert("description".into(), json!(a.description));
                }
                if !a.value.is_empty() {
                    v.insert("value".into(), json!(a.value));
                }
                v.insert("location".into(), location(a.span));
                Value::Object(v)
            })
            .collect();
        doc.insert("args".into(), Value::Array(list));
        let rows: Vec<Vec<String>> = std::iter::once(vec![
            "BUILD ARG".into(),
            "VALUE".into(),
            "DESCRIPTION".into(),
        ])
        .chain(
            args.iter()
                .map(|a| vec![a.name.clone(), a.value.clone(), a.description.clone()]),
        )
        .collect();
        text.push_str(&table::render(&rows, 3));
        text.push('\n');
    }
    for (key, title, items) in [("secrets", "SECRET", secrets), ("ssh", "SSH", ssh)] {
        if items.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> =
            std::iter::once(vec![title.to_string(), "REQUIRED".to_string()])
                .chain(items.iter().map(|u| {
                    vec![
                        u.name.clone(),
                        if u.required {
                            "true".into()
                        } else {
                            String::new()
                        },
                    ]
                }))
                .collect();
        text.push_str(&table::render(&rows, 3));
        text.push('\n');
        doc.insert(key.into(), used_list(items));
    }
    doc.insert(
        "sources".into(),
        json!([base64::engine::general_purpose::STANDARD.encode(data)]),
    );
    Ok(answer(indented(&Value::Object(doc)), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_secrets_and_ssh_of_the_target_only() {
        let src = "# VERSION the release\nARG VERSION=1.0\nARG UNUSED=x\nFROM alpine:$VERSION AS build\n# MODE how to build\nARG MODE=fast\nRUN --mount=type=secret,id=token,required=true --mount=type=ssh true\nFROM alpine AS other\nARG OTHER\nRUN --mount=type=secret,id=other true\nFROM build\n";
        let parsed = stagecraft_syntax::parse(src).unwrap();
        let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
        let md = outline(&df, src.as_bytes(), &BuildOptions::default(), '\\').unwrap();
        let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
        let names: Vec<&str> = v["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["VERSION", "MODE"]);
        assert_eq!(v["args"][0]["value"], "1.0");
        assert_eq!(v["args"][0]["description"], "the release");
        assert_eq!(v["args"][1]["location"]["ranges"][0]["start"]["line"], 6);
        assert_eq!(v["secrets"][0]["name"], "token");
        assert_eq!(v["secrets"][0]["required"], true);
        assert_eq!(v["secrets"].as_array().unwrap().len(), 1);
        assert_eq!(v["ssh"][0]["name"], "default");
        let text = String::from_utf8(md["result.txt"].clone()).unwrap();
        assert!(text.contains("BUILD ARG   VALUE   DESCRIPTION\nVERSION     1.0     the release\nMODE        fast    how to build\n"), "{text}");
        assert!(
            text.contains("SECRET   REQUIRED\ntoken    true\n"),
            "{text}"
        );
    }
}
