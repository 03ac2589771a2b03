//! `local://` sources: the client's files, sent over the session.

use std::collections::BTreeMap;

use super::{SourceNode, source_state};
use crate::caps::Cap;
use crate::error::LlbError;
use crate::state::State;

/// How a local source is tied to the client's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalSession {
    /// Files come from this session (gateway mode).
    Session(String),
    /// No session (the daemon uses the request's); a stable ID keeps the
    /// cache key stable across runs.
    Unique(String),
}

/// How the daemon decides which local files changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalDiffer {
    None,
    Metadata,
}

impl LocalDiffer {
    fn attr(self) -> &'static str {
        match self {
            LocalDiffer::None => "none",
            LocalDiffer::Metadata => "metadata",
        }
    }
}

/// A `local://` source.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalSource {
    pub name: String,
    pub session: LocalSession,
    pub follow_paths: Vec<String>,
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub shared_key_hint: Option<String>,
    /// The differ, and whether the daemon must support choosing it.
    pub differ: Option<(LocalDiffer, bool)>,
}

impl LocalSource {
    pub fn new(name: impl Into<String>, session: LocalSession) -> Self {
        LocalSource {
            name: name.into(),
            session,
            follow_paths: Vec::new(),
            include_patterns: Vec::new(),
            exclude_patterns: Vec::new(),
            shared_key_hint: None,
            differ: None,
        }
    }

    pub fn with_follow_paths(mut self, paths: Vec<String>) -> Self {
        self.follow_paths = paths;
        self
    }

    pub fn with_include_patterns(mut self, patterns: Vec<String>) -> Self {
        self.include_patterns = patterns;
        self
    }

    pub fn with_exclude_patterns(mut self, patterns: Vec<String>) -> Self {
        self.exclude_patterns = patterns;
        self
    }

    pub fn with_shared_key_hint(mut self, hint: impl Into<String>) -> Self {
        self.shared_key_hint = Some(hint.into());
        self
    }

    pub fn with_differ(mut self, differ: LocalDiffer, required: bool) -> Self {
        self.differ = Some((differ, required));
        self
    }
}

/// Go's encoding/json escapes `<`, `>`, `&` and U+2028/9; doing the same keeps
/// our attribute bytes (hence cache keys) identical to the Go client's.
fn json_string_list(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

impl State {
    /// A local source (the client's files). Fails when the name is empty.
    pub fn local(src: LocalSource) -> Result<State, LlbError> {
        if src.name.is_empty() {
            return Err(LlbError::EmptySourceField {
                field: "local name",
            });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceLocal];
        match &src.session {
            LocalSession::Session(id) => {
                attrs.insert("local.session".to_string(), id.clone());
                caps.push(Cap::SourceLocalSessionId);
            }
            LocalSession::Unique(id) => {
                attrs.insert("local.unique".to_string(), id.clone());
                caps.push(Cap::SourceLocalUnique);
            }
        }
        if !src.include_patterns.is_empty() {
            attrs.insert(
                "local.includepattern".to_string(),
                json_string_list(&src.include_patterns),
            );
            caps.push(Cap::SourceLocalIncludePatterns);
        }
        if !src.follow_paths.is_empty() {
            attrs.insert(
                "local.followpaths".to_string(),
                json_string_list(&src.follow_paths),
            );
            caps.push(Cap::SourceLocalFollowPaths);
        }
        if !src.exclude_patterns.is_empty() {
            attrs.insert(
                "local.excludepatterns".to_string(),
                json_string_list(&src.exclude_patterns),
            );
            caps.push(Cap::SourceLocalExcludePatterns);
        }
        if let Some(hint) = src.shared_key_hint.as_ref().filter(|h| !h.is_empty()) {
            attrs.insert("local.sharedkeyhint".to_string(), hint.clone());
            caps.push(Cap::SourceLocalSharedKeyHint);
        }
        if let Some((differ, required)) = src.differ {
            attrs.insert("local.differ".to_string(), differ.attr().to_string());
            if required {
                caps.push(Cap::SourceLocalDiffer);
            }
        }
        Ok(source_state(SourceNode {
            identifier: format!("local://{}", src.name),
            attrs,
            platform: None,
            caps,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_list_escapes_like_go() {
        let got = json_string_list(&["a<b>&\"c\\".to_string(), "d\u{1}".to_string()]);
        assert_eq!(got, r#"["a\u003cb\u003e\u0026\"c\\","d\u0001"]"#);
    }
}
