//! The main build context: one `local://<name>` source shared by every stage.
//!
//! Its `local.followpaths` attribute lists the context paths the build reads
//! (COPY and ADD sources, `RUN --mount` binds without `from`), so the client
//! only sends those. Those paths are only certain once every stage has been
//! dispatched (sources are expanded with each stage's variables), while LLB
//! ops are encoded (and digested) as they are built. So the stages are
//! dispatched with the source for the paths as written (`build.rs`,
//! `written_context_paths`), and dispatch fills each stage's `ctx_paths`;
//! [`ContextPaths::follow_paths`] turns their union into the attribute. Only
//! when that differs from the guess (a variable in a source) does the target's graph
//! have its context source swapped for the final one from [`main_context`]
//! (`State::substitute`), which re-encodes only the ops that read it, to the
//! bytes a build with the final source would give.

use std::collections::BTreeSet;

pub(crate) use stagecraft_llb::clean_path;
use stagecraft_llb::{LocalSession, LocalSource, OpMeta, State};

use crate::ContextConfig;
use crate::error::{LowerError, LowerErrorKind};

/// Progress name of the context source.
pub(crate) const LOAD_CONTEXT_NAME: &str = "[internal] load build context";

/// The `local://<name>` state for the main context. `follow_paths` are the
/// context paths the build uses, from [`ContextPaths::follow_paths`]
/// (empty: the whole context).
pub(crate) fn main_context(
    config: &ContextConfig,
    follow_paths: Vec<String>,
) -> Result<State, LowerError> {
    let session = match (&config.session_id, &config.local_unique) {
        (Some(id), _) => LocalSession::Session(id.clone()),
        (None, Some(unique)) => LocalSession::Unique(unique.clone()),
        // A stable value keeps the cache key stable between runs, which a
        // random one (the Go client's default) would not.
        (None, None) => LocalSession::Unique(config.local_name.clone()),
    };
    let src = LocalSource::new(config.local_name.clone(), session)
        .with_follow_paths(follow_paths)
        .with_exclude_patterns(config.exclude_patterns.clone())
        .with_shared_key_hint(config.local_name.clone());
    let state = State::local(src).map_err(|e| LowerError::new(LowerErrorKind::Llb(e), None))?;
    Ok(state.with_meta(OpMeta::named(LOAD_CONTEXT_NAME)))
}

/// Context paths a build reads, each as [`context_path`] records it
/// (absolute, cleaned): kept only that way, so the set is already in the
/// order, and free of the duplicates, that `local.followpaths` wants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ContextPaths(BTreeSet<String>);

impl ContextPaths {
    /// Records source path `path` as written (relative to the context).
    pub(crate) fn insert(&mut self, path: &str) {
        self.0.insert(context_path(path));
    }

    /// Takes in the paths of `other` (another stage's).
    pub(crate) fn append(&mut self, mut other: ContextPaths) {
        // The smaller set goes into the larger.
        if self.0.len() < other.0.len() {
            std::mem::swap(self, &mut other);
        }
        self.0.extend(other.0);
    }

    /// The `local.followpaths` list: relative, sorted, deduplicated; empty
    /// (attribute left out) when the whole context is used (`/`) or nothing
    /// is.
    pub(crate) fn follow_paths(&self) -> Vec<String> {
        if self.0.contains("/") {
            return Vec::new();
        }
        // Every path starts with `/`: without it they keep their order.
        self.0
            .iter()
            .map(|p| p.strip_prefix('/').unwrap_or(p).to_string())
            .collect()
    }
}

/// How a source path is recorded in `ctx_paths`: absolute and cleaned
/// (`.` and `` become `/`, `a/../b` becomes `/b`).
pub(crate) fn context_path(path: &str) -> String {
    clean_path(&["/", path].concat())
}

/// Go's `path.Base`: the last element, `.` for an empty path, `/` for the
/// root.
pub(crate) fn base_name(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(session: Option<&str>, excludes: &[&str]) -> ContextConfig {
        ContextConfig {
            local_name: "context".into(),
            session_id: session.map(str::to_string),
            local_unique: Some("u1".into()),
            exclude_patterns: excludes.iter().map(|s| s.to_string()).collect(),
            named_locals: Default::default(),
            inputs: Default::default(),
            remote: None,
        }
    }

    fn attrs(state: &State) -> serde_json::Map<String, serde_json::Value> {
        let dump = stagecraft_llb::dump_json(&state.marshal());
        let ops: Vec<serde_json::Value> = serde_json::from_str(&dump).unwrap();
        let source = ops.iter().find(|op| op["op"] == "source").unwrap();
        assert_eq!(source["id"], "local://context");
        source["attrs"].as_object().unwrap().clone()
    }

    fn paths(written: &[&str]) -> ContextPaths {
        let mut paths = ContextPaths::default();
        for p in written {
            paths.insert(p);
        }
        paths
    }

    #[test]
    fn follow_paths_are_sorted_relative_and_dropped_for_root() {
        let set = paths(&["go.sum", "/go.mod", "./src/../README.md", "go.mod"]);
        assert_eq!(set.follow_paths(), vec!["README.md", "go.mod", "go.sum"]);
        let mut with_root = paths(&["/a"]);
        with_root.append(paths(&["."]));
        assert!(with_root.follow_paths().is_empty());
        assert!(ContextPaths::default().follow_paths().is_empty());
        let mut merged = paths(&["b"]);
        merged.append(paths(&["a", "c"]));
        assert_eq!(merged, paths(&["a", "b", "c"]));
        assert_eq!(context_path("."), "/");
        assert_eq!(context_path("./src/"), "/src");
    }

    #[test]
    fn session_follow_paths_and_excludes_become_attrs() {
        let st = main_context(
            &config(Some("sess"), &["*.log"]),
            vec!["go.mod".into(), "go.sum".into()],
        )
        .unwrap();
        let a = attrs(&st);
        assert_eq!(a["local.session"], "sess");
        assert!(!a.contains_key("local.unique"));
        assert_eq!(a["local.sharedkeyhint"], "context");
        assert_eq!(a["local.followpaths"], r#"["go.mod","go.sum"]"#);
        assert_eq!(a["local.excludepatterns"], r#"["*.log"]"#);
        assert_eq!(
            st.meta().and_then(|m| m.custom_name.clone()).as_deref(),
            Some(LOAD_CONTEXT_NAME)
        );
    }

    #[test]
    fn no_session_uses_unique_and_empty_lists_are_left_out() {
        let a = attrs(&main_context(&config(None, &[]), Vec::new()).unwrap());
        assert_eq!(a["local.unique"], "u1");
        assert!(!a.contains_key("local.followpaths"));
        assert!(!a.contains_key("local.excludepatterns"));
    }

    #[test]
    fn base_matches_go() {
        for (input, want) in [("", "."), ("/", "/"), ("/a/b/", "b"), ("tok", "tok")] {
            assert_eq!(base_name(input), want, "{input}");
        }
    }
}
