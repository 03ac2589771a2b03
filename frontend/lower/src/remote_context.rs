//! A remote main build context: the client names a Git repository or an
//! HTTP(S) URL instead of sending a directory (`docker build <url>`,
//! `buildx build <url>`).

use stagecraft_llb::{HttpSource, OpMeta, State};

use crate::dispatch::add::{GitSourceSpec, git_state};
use crate::dispatch::remote::{GitRef, parse_git_ref};

/// Where a remote main context comes from.
#[derive(Clone, Debug)]
pub enum RemoteContext {
    /// A Git repository (`…git#ref:subdir`, query options of 1.26): the
    /// Dockerfile is read from it too.
    Git(State),
    /// An HTTP(S) download saved as [`HTTP_CONTEXT_FILE`]: a tarball of the
    /// context, or the Dockerfile itself.
    Http(State),
}

/// The state of a Git repository used as a context, main or named: the
/// whole checkout, its files' times as committed.
pub(crate) fn git_context_state(git: GitRef, url: &str) -> Result<State, String> {
    let name = format!("[internal] load git source {url}");
    git_state(
        git,
        GitSourceSpec {
            keep_git_dir: None,
            checksum: "",
            name: &name,
            keep_mtime: true,
        },
    )
}

/// The file an HTTP context is downloaded to.
pub const HTTP_CONTEXT_FILE: &str = "context";

/// The remote context `value` names, if it names one. `keep_git_dir` is
/// `BUILDKIT_CONTEXT_KEEP_GIT_DIR`.
pub fn remote_context(
    value: &str,
    keep_git_dir: Option<bool>,
) -> Result<Option<RemoteContext>, String> {
    if let Some(git) =
        parse_git_ref(value).map_err(|e| format!("invalid git context {value}: {e}"))?
    {
        let keep = git.keep_git_dir.unwrap_or(false) || keep_git_dir.unwrap_or(false);
        let git = crate::dispatch::remote::GitRef {
            keep_git_dir: Some(keep),
            ..git
        };
        return Ok(Some(RemoteContext::Git(git_context_state(git, value)?)));
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        let src = HttpSource {
            filename: Some(HTTP_CONTEXT_FILE.to_string()),
            ..HttpSource::new(value)
        };
        let state = State::http(src)
            .map_err(|e| e.to_string())?
            .with_meta(OpMeta::named("[internal] load remote build context"));
        return Ok(Some(RemoteContext::Http(state)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source op, as `stagecraft llb --json` shows it.
    fn source(state: &State) -> serde_json::Value {
        let dump = stagecraft_llb::dump_json(&state.marshal());
        let ops: Vec<serde_json::Value> = serde_json::from_str(&dump).unwrap();
        ops[0].clone()
    }

    #[test]
    fn git_and_http_urls_are_remote_contexts() {
        let Some(RemoteContext::Git(git)) =
            remote_context("https://example.com/app.git#v1:sub", Some(true)).unwrap()
        else {
            panic!("a git context")
        };
        let src = source(&git).to_string();
        assert!(src.contains("git://example.com/app.git#v1:sub"), "{src}");
        assert!(src.contains(r#""git.keepgitdir":"true""#), "{src}");
        let Some(RemoteContext::Http(http)) =
            remote_context("https://example.com/ctx.tar.gz", None).unwrap()
        else {
            panic!("an http context")
        };
        let src = source(&http).to_string();
        assert!(src.contains(r#""http.filename":"context""#), "{src}");
        assert!(remote_context(".", None).unwrap().is_none());
        assert!(remote_context("https://example.com/a.git?nope=1", None).is_err());
    }

    #[test]
    fn git_query_options_mtime_and_fetch_by_commit_reach_the_source() {
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let url =
            format!("https://example.com/app.git?checksum={commit}&mtime=commit&fetch-by-commit");
        let Some(RemoteContext::Git(git)) = remote_context(&url, None).unwrap() else {
            panic!("a git context")
        };
        let op = source(&git);
        assert_eq!(op["attrs"]["git.mtime"], "commit", "{op}");
        assert_eq!(op["attrs"]["git.fetchbycommit"], "true", "{op}");
        assert_eq!(op["attrs"]["git.checksum"], commit, "{op}");
        // The default policy written out is still passed on, as the
        // reference does; `fetch-by-commit=false` is no attribute at all.
        let url = "https://example.com/app.git?mtime=checkout&fetch-by-commit=false";
        let Some(RemoteContext::Git(git)) = remote_context(url, None).unwrap() else {
            panic!("a git context")
        };
        let op = source(&git);
        assert_eq!(op["attrs"]["git.mtime"], "checkout", "{op}");
        assert!(op["attrs"].get("git.fetchbycommit").is_none(), "{op}");
        let err = remote_context("https://example.com/a.git?mtime=now", None).unwrap_err();
        assert!(err.contains("invalid mtime value"), "{err}");
        let err =
            remote_context("https://example.com/a.git?fetch-by-commit=maybe", None).unwrap_err();
        assert!(err.contains("fetch-by-commit"), "{err}");
    }
}
