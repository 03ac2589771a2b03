//! Remote COPY/ADD sources as the reference recognises them: git references
//! (`https://host/repo.git#ref:subdir`, `git@host:repo`, `ssh://`, `git://`,
//! with the `?ref=&tag=&branch=&subdir=&checksum=` query form) and plain
//! HTTP(S) downloads. ADD fetches them (`add/`); COPY refuses them.

use crate::context::clean_path;

/// Why a source that is a git reference cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GitRefError {
    #[error("query {0:?} has no value")]
    NoValue(String),
    #[error("query {0:?} has multiple values")]
    MultipleValues(String),
    #[error("unexpected query {0:?}")]
    UnexpectedQuery(String),
    #[error("ref conflicts: {0:?} vs {1:?}")]
    RefConflict(String, String),
    #[error("subdir conflicts: {0:?} vs {1:?}")]
    SubdirConflict(String, String),
    #[error("branch conflicts with tag")]
    BranchAndTag,
    #[error("invalid {key} value: {value:?}")]
    InvalidBool { key: &'static str, value: String },
    #[error("invalid mtime value: {0:?} (must be \"checkout\" or \"commit\")")]
    InvalidMtime(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GitScheme {
    Http,
    Https,
    Ssh,
    Git,
}

/// A git source as written in ADD, e.g. `https://host/repo.git#ref:subdir`
/// or `git@host:repo.git`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct GitRef {
    /// What git fetches from: the URL without fragment and query.
    pub remote: String,
    /// `host/path`, the part of the source identifier that names the repo.
    pub repo_id: String,
    pub ssh: bool,
    pub reference: String,
    pub subdir: String,
    pub checksum: String,
    pub keep_git_dir: Option<bool>,
    pub submodules: Option<bool>,
    /// `mtime=checkout|commit`: whose time the checked-out files get. Only
    /// build contexts pass it on; ADD reads and checks it, then drops it, as
    /// the reference does.
    pub mtime: Option<String>,
    /// `fetch-by-commit`: the checksum is the commit to fetch.
    pub fetch_by_commit: bool,
}

/// A URL split the way Go's `net/url` splits it, without decoding more than
/// the reference needs.
struct SplitUrl<'a> {
    scheme: String,
    userinfo: Option<&'a str>,
    host: &'a str,
    /// Percent-decoded, as Go's `URL.Path`.
    path: String,
    /// As written, for the URL git fetches from.
    raw_path: &'a str,
    query: Option<&'a str>,
    fragment: Option<String>,
}

fn split_url(raw: &str) -> Option<SplitUrl<'_>> {
    let (scheme, rest) = raw.split_once("://")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((b, f)) => (b, Some(percent_decode(f, false)?)),
        None => (rest, None),
    };
    let (before_query, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (before_fragment, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(SplitUrl {
        scheme: scheme.to_ascii_lowercase(),
        userinfo,
        host,
        path: percent_decode(path, false)?,
        raw_path: path,
        query,
        fragment,
    })
}

/// `%XX` decoding (and `+` as space in queries). `None` on a bad escape.
fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                // Two hex digits exactly: `from_str_radix` would also take a sign.
                let hex = s
                    .get(i + 1..i + 3)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Query pairs in order; pairs with bad escapes are skipped as Go's
/// `URL.Query` skips them.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k, true)?, percent_decode(v, true)?))
        })
        .collect()
}

/// `ref[:subdir]` from a fragment; the subdir is cleaned and made relative.
fn fragment_opts(fragment: &str) -> (String, String) {
    let (reference, subdir) = fragment.split_once(':').unwrap_or((fragment, ""));
    let subdir = clean_path(&format!("/{subdir}"));
    (
        reference.to_string(),
        subdir.trim_start_matches('/').to_string(),
    )
}

/// The parts of an scp-like git remote.
struct ScpUrl<'a> {
    user: &'a str,
    host: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

/// `user@host:path[?query][#fragment]`, as git's scp-like syntax.
fn split_scp(raw: &str) -> Option<ScpUrl<'_>> {
    let (user, rest) = raw.split_once('@')?;
    let user_ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if user.is_empty() || !user.chars().all(user_ok) {
        return None;
    }
    let (host, rest) = rest.split_once(':')?;
    let host_ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if host.is_empty() || !host.chars().all(host_ok) {
        return None;
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (rest, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    Some(ScpUrl {
        user,
        host,
        path,
        query,
        fragment,
    })
}

/// Parses `src` as a git reference. `Ok(None)`: not a git source (a local
/// path or a plain URL); `Err`: a git source with bad options.
pub(crate) fn parse_git_ref(src: &str) -> Result<Option<GitRef>, GitRefError> {
    // Paths that only look like remotes (`./x`, `github.com/x`) stay local:
    // the reference accepts the bare form only for build contexts.
    if src.starts_with("./") || src.starts_with("../") || src.starts_with("github.com/") {
        return Ok(None);
    }
    let (mut git, query) = if let Some(url) = split_url(src) {
        let scheme = match url.scheme.as_str() {
            "http" => GitScheme::Http,
            "https" => GitScheme::Https,
            "ssh" => GitScheme::Ssh,
            "git" => GitScheme::Git,
            _ => return Ok(None),
        };
        if matches!(scheme, GitScheme::Http | GitScheme::Https) && !url.path.ends_with(".git") {
            return Ok(None);
        }
        let mut remote = format!("{}://", url.scheme);
        if let Some(user) = url.userinfo {
            remote.push_str(user);
            remote.push('@');
        }
        remote.push_str(url.host);
        remote.push_str(url.raw_path);
        let (reference, subdir) = url
            .fragment
            .as_deref()
            .map(fragment_opts)
            .unwrap_or_default();
        let git = GitRef {
            remote,
            repo_id: format!("{}{}", url.host, clean_path(&format!("/{}", url.path))),
            ssh: scheme == GitScheme::Ssh,
            reference,
            subdir,
            ..GitRef::default()
        };
        (git, url.query.map(parse_query).unwrap_or_default())
    } else if let Some(ScpUrl {
        user,
        host,
        path,
        query,
        fragment,
    }) = split_scp(src)
    {
        let (reference, subdir) = fragment.map(fragment_opts).unwrap_or_default();
        let git = GitRef {
            remote: format!("{user}@{host}:{path}"),
            repo_id: format!("{host}{}", clean_path(&format!("/{path}"))),
            ssh: true,
            reference,
            subdir,
            ..GitRef::default()
        };
        (git, query.map(parse_query).unwrap_or_default())
    } else {
        return Ok(None);
    };
    apply_query(&mut git, &query)?;
    Ok(Some(git))
}

fn parse_flag(key: &'static str, values: &[&str]) -> Result<bool, GitRefError> {
    match values.first() {
        None => Ok(true),
        Some(v) => crate::options::parse_bool(key, v).map_err(|_| GitRefError::InvalidBool {
            key,
            value: v.to_string(),
        }),
    }
}

/// The query form (`?ref=…&subdir=…&checksum=…`) of a git source.
fn apply_query(git: &mut GitRef, query: &[(String, String)]) -> Result<(), GitRefError> {
    let mut keys: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let (mut tag, mut branch) = (String::new(), String::new());
    for key in keys {
        let mut values: Vec<&str> = query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.len() > 1 {
            return Err(GitRefError::MultipleValues(key.to_string()));
        }
        if values.first().is_some_and(|v| v.is_empty()) {
            if matches!(key, "submodules" | "keep-git-dir" | "fetch-by-commit") {
                values.clear();
            } else {
                return Err(GitRefError::NoValue(key.to_string()));
            }
        }
        let value = values.first().copied().unwrap_or_default().to_string();
        match key {
            "ref" => {
                if !git.reference.is_empty() && git.reference != value {
                    return Err(GitRefError::RefConflict(git.reference.clone(), value));
                }
                git.reference = value;
            }
            "tag" => tag = value,
            "branch" => branch = value,
            "subdir" => {
                if !git.subdir.is_empty() && git.subdir != value {
                    return Err(GitRefError::SubdirConflict(git.subdir.clone(), value));
                }
                git.subdir = value;
            }
            "checksum" | "commit" => git.checksum = value,
            "keep-git-dir" => git.keep_git_dir = Some(parse_flag("keep-git-dir", &values)?),
            "submodules" => git.submodules = Some(parse_flag("submodules", &values)?),
            "mtime" => {
                if !matches!(value.as_str(), "checkout" | "commit") {
                    return Err(GitRefError::InvalidMtime(value));
                }
                git.mtime = Some(value);
            }
            "fetch-by-commit" => git.fetch_by_commit = parse_flag("fetch-by-commit", &values)?,
            other => return Err(GitRefError::UnexpectedQuery(other.to_string())),
        }
    }
    if !tag.is_empty() {
        let tag = if tag.starts_with("refs/tags/") {
            tag
        } else {
            format!("refs/tags/{tag}")
        };
        if !git.reference.is_empty() && git.reference != tag {
            return Err(GitRefError::RefConflict(git.reference.clone(), tag));
        }
        git.reference = tag;
    }
    if !branch.is_empty() {
        if query.iter().any(|(k, v)| k == "tag" && !v.is_empty()) {
            return Err(GitRefError::BranchAndTag);
        }
        let branch = if branch.starts_with("refs/heads/") {
            branch
        } else {
            format!("refs/heads/{branch}")
        };
        if !git.reference.is_empty() && git.reference != branch {
            return Err(GitRefError::RefConflict(git.reference.clone(), branch));
        }
        git.reference = branch;
    }
    Ok(())
}

/// A source that is not a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Remote {
    Git(GitRef),
    /// An `http(s)://` URL that is not a git reference.
    Http(String),
}

/// What `src` names: `Ok(None)` for a path.
pub(crate) fn classify(src: &str) -> Result<Option<Remote>, GitRefError> {
    Ok(match parse_git_ref(src)? {
        Some(git) => Some(Remote::Git(git)),
        None if is_http_source(src) => Some(Remote::Http(src.to_string())),
        None => None,
    })
}

/// Whether `src` is fetched over HTTP: an `http(s)://` URL that is not a
/// valid git reference (a malformed one fails earlier, when it is parsed as
/// git).
pub(crate) fn is_http_source(src: &str) -> bool {
    (src.starts_with("http://") || src.starts_with("https://"))
        && !matches!(parse_git_ref(src), Ok(Some(_)))
}

/// The file name an HTTP download gets: the last path element of the URL,
/// or `__unnamed__`.
pub(crate) fn http_filename(src: &str) -> String {
    let base = split_url(src).map(|u| {
        let trimmed = u.path.trim_end_matches('/');
        trimmed.rsplit('/').next().unwrap_or("").to_string()
    });
    match base {
        Some(b) if !b.is_empty() && b != "." => b,
        _ => "__unnamed__".to_string(),
    }
}

/// Checks an `algorithm:hex` digest the way the reference's digest parser
/// does.
pub(crate) fn validate_digest(value: &str) -> Result<(), String> {
    let Some((algorithm, hex)) = value.split_once(':') else {
        return Err(format!("invalid checksum digest format: {value:?}"));
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(format!("unsupported digest algorithm: {value:?}")),
    };
    if hex.len() != len {
        return Err(format!("invalid checksum digest length: {value:?}"));
    }
    if !hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(format!("invalid checksum digest format: {value:?}"));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The parsed form of a URL the test knows is a Git source.
    pub(in crate::dispatch) fn git(src: &str) -> GitRef {
        parse_git_ref(src)
            .unwrap()
            .unwrap_or_else(|| panic!("{src} is git"))
    }

    #[test]
    fn percent_escapes_need_two_hex_digits() {
        assert_eq!(percent_decode("a%2Fb+c", false).as_deref(), Some("a/b+c"));
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        for bad in ["%+f", "%-1", "%4", "%zz"] {
            assert_eq!(percent_decode(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn plain_paths_and_non_git_urls_are_not_git() {
        for src in [
            "./repo.git",
            "../x.git",
            "github.com/moby/buildkit",
            "https://example.com/foo",
            "https://example.com/foo.git/",
            "https://example.com/foo.git.bar",
            "custom.xyz/moby/buildkit.git",
            "ftp://host/x.git",
            "src/app",
            ".git",
        ] {
            assert_eq!(parse_git_ref(src), Ok(None), "{src}");
        }
    }

    #[test]
    fn https_fragment_gives_ref_and_clean_subdir() {
        let g = git("https://github.com/foo/bar.git#baz/qux:quux/../quuz/");
        assert_eq!(g.remote, "https://github.com/foo/bar.git");
        assert_eq!(g.repo_id, "github.com/foo/bar.git");
        assert_eq!(g.reference, "baz/qux");
        assert_eq!(g.subdir, "quuz");
        assert!(!g.ssh);
        let g = git("https://foo:bar@github.com/docker/docker.git#:myfolder");
        assert_eq!(g.remote, "https://foo:bar@github.com/docker/docker.git");
        assert_eq!((g.reference.as_str(), g.subdir.as_str()), ("", "myfolder"));
    }

    #[test]
    fn scp_and_git_schemes() {
        let g = git("git@github.com:moby/buildkit.git#v0.12");
        assert_eq!(g.remote, "git@github.com:moby/buildkit.git");
        assert_eq!(g.repo_id, "github.com/moby/buildkit.git");
        assert_eq!(g.reference, "v0.12");
        assert!(g.ssh);
        let g = git("git://example.com/foo");
        assert_eq!(g.remote, "git://example.com/foo");
        assert!(!g.ssh);
        assert!(git("ssh://git@host:2222/r.git").ssh);
    }

    #[test]
    fn query_form() {
        let g = git("https://h/r.git?tag=v1&subdir=docs&checksum=abc&keep-git-dir=true");
        assert_eq!(g.reference, "refs/tags/v1");
        assert_eq!(g.subdir, "docs");
        assert_eq!(g.checksum, "abc");
        assert_eq!(g.keep_git_dir, Some(true));
        assert_eq!(
            git("https://h/r.git?branch=main").reference,
            "refs/heads/main"
        );
        assert_eq!(
            git("https://h/r.git?submodules=false").submodules,
            Some(false)
        );
        assert_eq!(git("https://h/r.git?keep-git-dir").keep_git_dir, Some(true));
        for (src, err) in [
            ("https://h/r.git?tag=a&branch=b", GitRefError::BranchAndTag),
            ("https://h/r.git?ref=", GitRefError::NoValue("ref".into())),
            (
                "https://h/r.git?x=1",
                GitRefError::UnexpectedQuery("x".into()),
            ),
            (
                "https://h/r.git?ref=a&ref=b",
                GitRefError::MultipleValues("ref".into()),
            ),
        ] {
            assert_eq!(parse_git_ref(src), Err(err), "{src}");
        }
        assert_eq!(
            parse_git_ref("https://h/r.git?ref=a#b"),
            Err(GitRefError::RefConflict("b".into(), "a".into()))
        );
    }

    #[test]
    fn http_sources_and_file_names() {
        assert!(is_http_source("https://example.com/a.tar.gz"));
        assert!(!is_http_source("https://example.com/a.git"));
        assert!(!is_http_source("file.txt"));
        assert_eq!(
            http_filename("https://example.com/dl/a.tar.gz?x=1#f"),
            "a.tar.gz"
        );
        assert_eq!(http_filename("https://example.com/dir/"), "dir");
        assert_eq!(http_filename("https://example.com"), "__unnamed__");
        assert_eq!(http_filename("https://example.com/"), "__unnamed__");
    }

    #[test]
    fn checksum_digests() {
        let hex = "a".repeat(64);
        assert!(validate_digest(&format!("sha256:{hex}")).is_ok());
        assert!(
            validate_digest("sha256:abc")
                .unwrap_err()
                .contains("length")
        );
        assert!(
            validate_digest("md5:abc")
                .unwrap_err()
                .contains("unsupported")
        );
        assert!(validate_digest("nocolon").unwrap_err().contains("format"));
        assert!(validate_digest(&format!("sha256:{}", "A".repeat(64))).is_err());
    }
}
