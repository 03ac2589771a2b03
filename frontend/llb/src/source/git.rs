//! `git://` sources.

use std::collections::BTreeMap;

use super::{SourceNode, source_state};
use crate::caps::Cap;
use crate::error::LlbError;
use crate::state::State;

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
    /// `checkout` or `commit`: which time the files get.
    pub mtime: Option<String>,
    /// Trust `checksum` as the commit and fetch it directly.
    pub fetch_by_commit: bool,
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

impl State {
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
        if let Some(m) = src.mtime.as_deref().filter(|s| !s.is_empty()) {
            set("git.mtime", m, Some(Cap::SourceGitMTime));
        }
        if src.fetch_by_commit {
            set(
                "git.fetchbycommit",
                "true",
                Some(Cap::SourceGitFetchByCommit),
            );
        }
        if src.subdir.as_deref().is_some_and(|s| !s.is_empty()) {
            caps.push(Cap::SourceGitSubdir);
        }
        // An SSH remote: like the Go client, ask for the daemon's SSH host
        // key handling even when no known hosts are given.
        if src.mount_ssh_sock.as_deref().is_some_and(|s| !s.is_empty()) {
            caps.push(Cap::SourceGitKnownSshHosts);
        }
        Ok(source_state(SourceNode {
            identifier: src.identifier(),
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
    fn git_identifier_with_ref_and_subdir() {
        let mut g = GitSource::new("github.com/a/b.git");
        assert_eq!(g.identifier(), "git://github.com/a/b.git");
        g.subdir = Some("docs".into());
        assert_eq!(g.identifier(), "git://github.com/a/b.git#:docs");
        g.reference = Some("v1".into());
        assert_eq!(g.identifier(), "git://github.com/a/b.git#v1:docs");
    }
}
