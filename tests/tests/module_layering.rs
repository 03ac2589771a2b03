//! Inside a crate, modules import each other without loops: following the
//! `crate::…` and `super::…` paths of a crate's sources from file to file
//! never comes back to where it started. A loop means two modules hold one
//! concept between them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Crates that must stay free of loops, relative to the workspace.
const CRATES: &[&str] = &[
    "frontend/shell/src",
    "frontend/syntax/src",
    "frontend/instructions/src",
    "frontend/lower/src",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, by module path (`a/b.rs` and `a/b/mod.rs`
/// are `["a", "b"]`; `lib.rs` is `[]`).
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut segments: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            out.insert(segments, path);
        }
    }
    out
}

/// The source without its `#[cfg(test)] mod tests` (tests may import
/// anything) and without comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths named in `code` as `crate::a::b` or `super::a` (one level of
/// `{…}` groups expanded), as absolute module paths from `module`.
fn imported_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            // Part of a longer path or identifier (e.g. `stagecraft_llb::…`).
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                // `super` of `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
                let mut m = module.to_vec();
                m.pop();
                m
            };
            let rest = &code[from..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let prefix: Vec<String> = rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut paths = vec![prefix.clone()];
            if rest[end..].starts_with('{')
                && let Some(close) = rest.find('}')
            {
                for part in rest[end + 1..close].split(',') {
                    let mut p = prefix.clone();
                    p.extend(part.split("::").map(|s| s.trim().to_string()).filter(|s| {
                        !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                    }));
                    paths.push(p);
                }
            }
            for p in paths {
                let mut full = base.clone();
                full.extend(p.into_iter().filter(|s| s != "self"));
                out.push(full);
            }
        }
    }
    out
}

/// The deepest module of `mods` that `path` names.
fn resolve<'a>(
    mods: &'a BTreeMap<Vec<String>, PathBuf>,
    path: &[String],
) -> Option<&'a Vec<String>> {
    (0..=path.len())
        .rev()
        .find_map(|n| mods.get_key_value(&path[..n]).map(|(k, _)| k))
}

fn find_cycle(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<Vec<String>>> {
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            return Some(stack[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn import_graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mods = modules(src);
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &mods {
        if module
            .first()
            .is_some_and(|m| m == "tests" || m == "testutil")
        {
            continue;
        }
        let text = code(&std::fs::read_to_string(file).unwrap());
        let targets = edges.entry(module.clone()).or_default();
        for path in imported_paths(&text, module) {
            // A module's own children and the crate root are not imports
            // that can close a loop (the root only declares modules).
            if let Some(target) = resolve(&mods, &path)
                && target != module
                && !target.is_empty()
                && !target.starts_with(module)
            {
                targets.insert(target.clone());
            }
        }
    }
    edges
}

#[test]
fn no_import_loops_inside_a_crate() {
    for dir in CRATES {
        let edges = import_graph(&workspace().join(dir));
        assert!(edges.len() > 5, "{dir}: read {} modules", edges.len());
        if let Some(cycle) = find_cycle(&edges) {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("{dir}: import loop {}", names.join(" -> "));
        }
    }
}

#[test]
fn the_loop_finder_sees_a_loop() {
    let module = |m: &str| vec![m.to_string()];
    let mut edges = BTreeMap::new();
    edges.insert(module("a"), BTreeSet::from([module("b")]));
    edges.insert(module("b"), BTreeSet::from([module("a")]));
    assert_eq!(find_cycle(&edges).map(|c| c.len()), Some(2));
    let code = "use crate::x::{Y, z::W};\nuse super::copy::f;\nfn g() { crate::e::Hint(1) }";
    let paths = imported_paths(code, &["d".into(), "add".into()]);
    assert!(
        paths.contains(&vec!["x".to_string(), "z".into(), "W".into()]),
        "{paths:?}"
    );
    assert!(
        paths.contains(&vec!["d".to_string(), "copy".into(), "f".into()]),
        "{paths:?}"
    );
    assert!(
        paths.contains(&vec!["e".to_string(), "Hint".into()]),
        "{paths:?}"
    );
}
