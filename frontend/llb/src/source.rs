//! Source ops: images, the client's local files, git repositories, HTTP files.

use std::collections::BTreeMap;

use crate::caps::Cap;
use crate::error::LlbError;
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Built, InputTable, OpKind, State};

#[derive(Debug)]
pub(crate) struct SourceNode {
    identifier: String,
    attrs: BTreeMap<String, String>,
    platform: Option<pb::Platform>,
    caps: Vec<Cap>,
}

impl SourceNode {
    pub(crate) fn build(&self) -> Built {
        Built {
            op: pb::Op {
                inputs: Vec::new(),
                platform: self.platform.clone(),
                constraints: Some(pb::WorkerConstraints::default()),
                op: Some(pb::op::Op::Source(pb::SourceOp {
                    identifier: self.identifier.clone(),
                    attrs: self.attrs.clone(),
                })),
            },
            caps: self.caps.clone(),
            inputs: InputTable::default(),
        }
    }
}

fn source_state(node: SourceNode) -> State {
    State::from_op(OpKind::Source(node), OpMeta::default())
}

/// How the daemon resolves an image reference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResolveMode {
    #[default]
    Default,
    ForcePull,
    PreferLocal,
}

impl ResolveMode {
    fn attr(self) -> Option<&'static str> {
        match self {
            ResolveMode::Default => None,
            ResolveMode::ForcePull => Some("pull"),
            ResolveMode::PreferLocal => Some("local"),
        }
    }
}

/// A `docker-image://` source.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSource {
    /// The reference as the caller normalised it (e.g.
    /// `docker.io/library/alpine:3.19`).
    pub reference: String,
    /// `sha256:…` to pin the reference to, when resolved.
    pub digest: Option<String>,
    pub resolve_mode: ResolveMode,
    pub platform: Option<pb::Platform>,
}

impl ImageSource {
    pub fn new(reference: impl Into<String>) -> Self {
        ImageSource {
            reference: reference.into(),
            digest: None,
            resolve_mode: ResolveMode::Default,
            platform: None,
        }
    }

    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    pub fn with_resolve_mode(mut self, mode: ResolveMode) -> Self {
        self.resolve_mode = mode;
        self
    }

    pub fn with_platform(mut self, platform: pb::Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    /// The identifier: the reference, pinned by digest when one is known and
    /// the reference is not already pinned.
    pub fn identifier(&self) -> String {
        match &self.digest {
            Some(d) if !d.is_empty() && !self.reference.contains('@') => {
                format!("docker-image://{}@{}", self.reference, d)
            }
            _ => format!("docker-image://{}", self.reference),
        }
    }
}

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

/// A `git://` source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GitSource {
    /// Remote without scheme, e.g. `github.com/moby/buildkit.git`; part of
    /// the identifier.
    pub remote: String,
    /// The full URL to fetch from (`https://…`, `git@…`), when known.
    pub full_url: Option<String>,
    /// Branch, tag or commit.
    pub reference: Option<String>,
    pub subdir: Option<String>,
    pub keep_git_dir: bool,
    pub checksum: Option<String>,
    pub auth_token_secret: Option<String>,
    pub auth_header_secret: Option<String>,
    /// For SSH remotes: known hosts lines and the SSH agent ID to mount.
    pub known_ssh_hosts: Option<String>,
    pub mount_ssh_sock: Option<String>,
    pub skip_submodules: bool,
}

impl GitSource {
    pub fn new(remote: impl Into<String>) -> Self {
        GitSource {
            remote: remote.into(),
            ..GitSource::default()
        }
    }

    pub fn identifier(&self) -> String {
        let mut id = format!("git://{}", self.remote);
        let reference = self.reference.as_deref().unwrap_or("");
        let subdir = self.subdir.as_deref().unwrap_or("");
        if !reference.is_empty() || !subdir.is_empty() {
            id.push('#');
            id.push_str(reference);
            if !subdir.is_empty() {
                id.push(':');
                id.push_str(subdir);
            }
        }
        id
    }
}

/// An `http(s)://` source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpSource {
    pub url: String,
    /// `sha256:…` the content must have.
    pub checksum: Option<String>,
    pub filename: Option<String>,
    pub perm: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub auth_header_secret: Option<String>,
    /// Extra request headers, name → value.
    pub headers: BTreeMap<String, String>,
}

impl HttpSource {
    pub fn new(url: impl Into<String>) -> Self {
        HttpSource {
            url: url.into(),
            ..HttpSource::default()
        }
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
    /// An image source. Fails when the reference is empty.
    pub fn image(src: ImageSource) -> Result<State, LlbError> {
        if src.reference.is_empty() {
            return Err(LlbError::EmptySourceField {
                field: "image reference",
            });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceImage];
        if let Some(mode) = src.resolve_mode.attr() {
            attrs.insert("image.resolvemode".to_string(), mode.to_string());
            // Only forced pulls are a security guarantee the daemon must honour.
            if src.resolve_mode == ResolveMode::ForcePull {
                caps.push(Cap::SourceImageResolveMode);
            }
        }
        Ok(source_state(SourceNode {
            identifier: src.identifier(),
            attrs,
            platform: src.platform,
            caps,
        }))
    }

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

    /// A git source. Fails when the remote is empty.
    pub fn git(src: GitSource) -> Result<State, LlbError> {
        if src.remote.is_empty() {
            return Err(LlbError::EmptySourceField {
                field: "git remote",
            });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceGit];
        let mut set = |key: &str, value: &str, cap: Option<Cap>| {
            attrs.insert(key.to_string(), value.to_string());
            if let Some(cap) = cap {
                caps.push(cap);
            }
        };
        if src.keep_git_dir {
            set("git.keepgitdir", "true", Some(Cap::SourceGitKeepDir));
        }
        if let Some(url) = src.full_url.as_deref().filter(|u| !u.is_empty()) {
            set("git.fullurl", url, Some(Cap::SourceGitFullUrl));
        }
        if let Some(s) = src.auth_token_secret.as_deref().filter(|s| !s.is_empty()) {
            set("git.authtokensecret", s, Some(Cap::SourceGitHttpAuth));
        }
        if let Some(s) = src.auth_header_secret.as_deref().filter(|s| !s.is_empty()) {
            set("git.authheadersecret", s, Some(Cap::SourceGitHttpAuth));
        }
        if let Some(h) = src.known_ssh_hosts.as_deref().filter(|s| !s.is_empty()) {
            set("git.knownsshhosts", h, Some(Cap::SourceGitKnownSshHosts));
        }
        if let Some(s) = src.mount_ssh_sock.as_deref().filter(|s| !s.is_empty()) {
            set("git.mountsshsock", s, Some(Cap::SourceGitMountSshSock));
        }
        if let Some(c) = src.checksum.as_deref().filter(|s| !s.is_empty()) {
            set("git.checksum", c, Some(Cap::SourceGitChecksum));
        }
        if src.skip_submodules {
            set(
                "git.skipsubmodules",
                "true",
                Some(Cap::SourceGitSkipSubmodules),
            );
        }
        if src.subdir.as_deref().is_some_and(|s| !s.is_empty()) {
            caps.push(Cap::SourceGitSubdir);
        }
        Ok(source_state(SourceNode {
            identifier: src.identifier(),
            attrs,
            platform: None,
            caps,
        }))
    }

    /// An HTTP(S) source. Fails when the URL is empty.
    pub fn http(src: HttpSource) -> Result<State, LlbError> {
        if src.url.is_empty() {
            return Err(LlbError::EmptySourceField { field: "http url" });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceHttp];
        if let Some(c) = src.checksum.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.checksum".to_string(), c.clone());
            caps.push(Cap::SourceHttpChecksum);
        }
        if let Some(f) = src.filename.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.filename".to_string(), f.clone());
        }
        if let Some(perm) = src.perm.filter(|p| *p != 0) {
            attrs.insert("http.perm".to_string(), format!("0{perm:o}"));
            caps.push(Cap::SourceHttpPerm);
        }
        if let Some(uid) = src.uid.filter(|u| *u != 0) {
            attrs.insert("http.uid".to_string(), uid.to_string());
            caps.push(Cap::SourceHttpUidGid);
        }
        if let Some(gid) = src.gid.filter(|g| *g != 0) {
            attrs.insert("http.gid".to_string(), gid.to_string());
            caps.push(Cap::SourceHttpUidGid);
        }
        if let Some(s) = src.auth_header_secret.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.authheadersecret".to_string(), s.clone());
            caps.push(Cap::SourceHttpAuth);
        }
        if !src.headers.is_empty() {
            for (name, value) in &src.headers {
                attrs.insert(format!("http.header.{name}"), value.clone());
            }
            caps.push(Cap::SourceHttpHeader);
        }
        Ok(source_state(SourceNode {
            identifier: src.url.clone(),
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

    #[test]
    fn image_identifier_pins_once() {
        let pinned = ImageSource::new("docker.io/library/alpine:3.19").with_digest("sha256:ab");
        assert_eq!(
            pinned.identifier(),
            "docker-image://docker.io/library/alpine:3.19@sha256:ab"
        );
        let already = ImageSource::new("alpine@sha256:cd").with_digest("sha256:ab");
        assert_eq!(already.identifier(), "docker-image://alpine@sha256:cd");
    }

    #[test]
    fn git_identifier_with_ref_and_subdir() {
        let mut g = GitSource::new("github.com/a/b.git");
        assert_eq!(g.identifier(), "git://github.com/a/b.git");
        g.subdir = Some("docs".into());
        assert_eq!(g.identifier(), "git://github.com/a/b.git#:docs");
        g.reference = Some("v1".into());
        assert_eq!(g.identifier(), "git://github.com/a/b.git#v1:docs");
    }
}
