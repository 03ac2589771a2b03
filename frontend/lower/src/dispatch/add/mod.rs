//! ADD: COPY's machinery with archives unpacked, and remote sources (HTTP
//! downloads, git repositories) fetched through the copy hook.

use stagecraft_instructions::AddInstruction;
use stagecraft_llb::{GitSource, HttpSource, OpMeta, State};

use super::copy::{
    CopyKind, CopyRequest, RemoteCopy, RemoteSources, expand_opt, expand_sources, invalid,
    lower_copy,
};
use super::remote::{
    GitRef, Remote, http_filename, is_http_source, parse_git_ref, validate_digest,
};
use super::{DispatchContext, DispatchState, with_command};
use crate::error::LowerError;

pub(crate) fn dispatch_add(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    add: &AddInstruction,
) -> Result<(), LowerError> {
    let span = add.origin.span;
    let (paths, inline, dest) = expand_sources(d, cx, &add.sources, &add.dest, span)?;
    let checksum = expand_opt(d, cx, add.checksum.as_deref(), span)?;
    if !checksum.is_empty() {
        let [only] = paths.as_slice() else {
            return Err(invalid(
                CopyKind::Add,
                "checksum can't be specified for multiple sources",
                span,
            ));
        };
        if !is_http_source(only) && !matches!(parse_git_ref(only), Ok(Some(_))) {
            return Err(invalid(
                CopyKind::Add,
                "checksum requires HTTP(S) or Git sources",
                span,
            ));
        }
    }
    let req = CopyRequest {
        kind: CopyKind::Add,
        original: &add.origin.original,
        span,
        paths,
        inline,
        dest,
        source: cx.main_context.clone(),
        chown: expand_opt(d, cx, add.chown.as_deref(), span)?,
        chmod: expand_opt(d, cx, add.chmod.as_deref(), span)?,
        link: add.link,
        parents: false,
        excludes: add.excludes.clone(),
    };
    // Every source that is not an http(s) URL counts as a context path, git
    // remotes included: the reference filters on the scheme prefix only.
    for p in req
        .paths
        .iter()
        .filter(|p| !p.starts_with("http://") && !p.starts_with("https://"))
    {
        d.ctx_paths.insert(p);
    }
    let fetch = AddSources {
        keep_git_dir: add.keep_git_dir,
        checksum: &checksum,
        unpack: add.unpack,
    };
    lower_copy(d, cx, req, &fetch)?;
    Ok(())
}

/// ADD's flags for remote sources and archives.
struct AddSources<'a> {
    keep_git_dir: Option<bool>,
    checksum: &'a str,
    /// `--unpack`: archives are unpacked unless it is false; downloads only
    /// when it is true.
    unpack: Option<bool>,
}

impl RemoteSources for AddSources<'_> {
    fn fetch(&self, remote: Remote, name: &str) -> Result<RemoteCopy, String> {
        match remote {
            Remote::Git(git) => {
                let spec = GitSourceSpec {
                    keep_git_dir: self.keep_git_dir,
                    checksum: self.checksum,
                    name,
                    keep_mtime: false,
                };
                Ok(RemoteCopy {
                    state: git_state(git, spec)?,
                    path: "/".to_string(),
                    unpack: false,
                })
            }
            Remote::Http(url) => {
                let (state, file) = http_state(&url, self.checksum, name)?;
                Ok(RemoteCopy {
                    state,
                    path: file,
                    unpack: self.unpack.unwrap_or(false),
                })
            }
        }
    }

    fn unpack_local(&self) -> bool {
        self.unpack.unwrap_or(true)
    }
}

/// The ADD flags that shape a git source.
pub(crate) struct GitSourceSpec<'a> {
    pub(crate) keep_git_dir: Option<bool>,
    pub(crate) checksum: &'a str,
    /// Progress name of the instruction (the source shows under it).
    pub(crate) name: &'a str,
    /// Whether the URL's `mtime=` reaches the source: build contexts pass it
    /// on, ADD drops it (the reference's ADD never reads it).
    pub(crate) keep_mtime: bool,
}

/// Secrets the daemon reads git HTTP credentials from, as the Go client
/// always names them.
const GIT_AUTH_TOKEN: &str = "GIT_AUTH_TOKEN";
const GIT_AUTH_HEADER: &str = "GIT_AUTH_HEADER";

/// The git source for `git`, with the flags of the instruction reconciled
/// with the options written in the URL.
pub(crate) fn git_state(git: GitRef, spec: GitSourceSpec<'_>) -> Result<State, String> {
    if let (Some(flag), Some(url)) = (spec.keep_git_dir, git.keep_git_dir)
        && flag != url
    {
        return Err("inconsistent keep-git-dir configuration".to_string());
    }
    if !spec.checksum.is_empty() && !git.checksum.is_empty() && spec.checksum != git.checksum {
        return Err(format!(
            "checksum mismatch {:?} != {:?}",
            spec.checksum, git.checksum
        ));
    }
    let checksum = if git.checksum.is_empty() {
        spec.checksum.to_string()
    } else {
        git.checksum.clone()
    };
    let source = GitSource {
        remote: git.repo_id,
        full_url: Some(git.remote),
        reference: Some(git.reference).filter(|r| !r.is_empty()),
        subdir: Some(git.subdir).filter(|s| !s.is_empty()),
        keep_git_dir: git.keep_git_dir.or(spec.keep_git_dir).unwrap_or(false),
        checksum: Some(checksum).filter(|c| !c.is_empty()),
        auth_token_secret: Some(GIT_AUTH_TOKEN.to_string()),
        auth_header_secret: Some(GIT_AUTH_HEADER.to_string()),
        known_ssh_hosts: None,
        mount_ssh_sock: git.ssh.then(|| "default".to_string()),
        skip_submodules: git.submodules == Some(false),
        mtime: git.mtime.filter(|_| spec.keep_mtime),
        fetch_by_commit: git.fetch_by_commit,
    };
    State::git(source)
        .map(|st| st.with_meta(OpMeta::named(spec.name)))
        .map_err(|e| e.to_string())
}

/// The HTTP source for `url` and the name of the file it downloads.
pub(crate) fn http_state(url: &str, checksum: &str, name: &str) -> Result<(State, String), String> {
    if !checksum.is_empty() {
        validate_digest(checksum)?;
    }
    let file = http_filename(url);
    let source = HttpSource {
        url: url.to_string(),
        checksum: Some(checksum.to_string()).filter(|c| !c.is_empty()),
        filename: Some(file.clone()),
        ..HttpSource::default()
    };
    // The reference attaches the command description to HTTP sources but
    // fills it from a value with no text, so it is always empty.
    let meta = with_command(OpMeta::named(name), "");
    let state = State::http(source).map_err(|e| e.to_string())?;
    Ok((state.with_meta(meta), file))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::dispatch::remote::tests::git;

    #[test]
    fn git_state_reconciles_flags_with_the_url() {
        let spec = |keep, checksum| GitSourceSpec {
            keep_git_dir: keep,
            checksum,
            name: "n",
            keep_mtime: false,
        };
        let g = git("https://h/r.git?keep-git-dir=false");
        assert!(git_state(g.clone(), spec(Some(true), "")).is_err());
        assert!(git_state(g, spec(Some(false), "")).is_ok());
        let g = git("https://h/r.git?checksum=abc");
        assert!(
            git_state(g.clone(), spec(None, "def"))
                .unwrap_err()
                .contains("mismatch")
        );
        let dump = stagecraft_llb::dump_json(&git_state(g, spec(None, "")).unwrap().marshal());
        let ops: Vec<serde_json::Value> = serde_json::from_str(&dump).unwrap();
        assert_eq!(ops[0]["id"], "git://h/r.git");
        assert_eq!(ops[0]["attrs"]["git.checksum"], "abc");
        assert_eq!(ops[0]["attrs"]["git.fullurl"], "https://h/r.git");
        assert_eq!(ops[0]["attrs"]["git.authtokensecret"], "GIT_AUTH_TOKEN");
        assert_eq!(ops[0]["name"], "n");
    }

    #[test]
    fn add_keeps_fetch_by_commit_and_drops_mtime() {
        let spec = GitSourceSpec {
            keep_git_dir: None,
            checksum: "",
            name: "n",
            keep_mtime: false,
        };
        let g = git("https://h/r.git?ref=v1&mtime=commit&fetch-by-commit=true");
        let dump = stagecraft_llb::dump_json(&git_state(g, spec).unwrap().marshal());
        let ops: Vec<serde_json::Value> = serde_json::from_str(&dump).unwrap();
        assert_eq!(ops[0]["attrs"]["git.fetchbycommit"], "true");
        assert!(ops[0]["attrs"].get("git.mtime").is_none(), "{}", ops[0]);
    }
}
