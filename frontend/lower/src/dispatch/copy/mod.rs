//! COPY, and the copy machinery ADD shares: each source becomes a copy
//! action (`sources`), then the actions land on the stage as one file op or,
//! with `--link`, as a layer of their own merged over it (`apply`). Remote
//! sources go through the [`RemoteSources`] hook: ADD fetches them
//! (`super::add`), COPY refuses them.

mod apply;
mod sources;

use stagecraft_instructions::{ChmodError, CopyInstruction, CopySource, FileMode, InlineFile};
use stagecraft_llb::{Cap, Chown, CopyMode, State, UserRef};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

pub(crate) use sources::{RemoteCopy, RemoteSources};

use super::remote::Remote;
use super::{DispatchContext, DispatchState};
use crate::command::CopyFrom;
use crate::context::clean_path;
use crate::error::{LowerError, LowerErrorKind};

/// COPY or ADD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CopyKind {
    Copy,
    Add,
}

impl CopyKind {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            CopyKind::Copy => "COPY",
            CopyKind::Add => "ADD",
        }
    }
}

/// One COPY/ADD with its words already expanded.
pub(crate) struct CopyRequest<'a> {
    pub(crate) kind: CopyKind,
    /// Instruction text as written (progress name).
    pub(crate) original: &'a str,
    pub(crate) span: Span,
    /// Expanded source paths/URLs, in order.
    pub(crate) paths: Vec<String>,
    /// Inline files, bodies expanded when their delimiter was not quoted.
    pub(crate) inline: Vec<InlineFile>,
    /// Expanded destination as written.
    pub(crate) dest: String,
    /// Where path sources are read: the build context or a `--from` state.
    pub(crate) source: State,
    pub(crate) chown: String,
    pub(crate) chmod: String,
    pub(crate) link: bool,
    pub(crate) parents: bool,
    pub(crate) excludes: Vec<String>,
}

pub(crate) fn invalid(kind: CopyKind, message: impl Into<String>, span: Span) -> LowerError {
    LowerError::at(
        LowerErrorKind::Invalid {
            instruction: kind.keyword(),
            message: message.into(),
        },
        span,
    )
}

pub(crate) fn dispatch_copy(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    copy: &CopyInstruction,
    from: CopyFrom,
) -> Result<(), LowerError> {
    let span = copy.origin.span;
    let (paths, inline, dest) = expand_sources(d, cx, &copy.sources, &copy.dest, span)?;
    let source = cx.copy_source(d, from, copy.from.as_deref().unwrap_or_default(), span)?;
    let req = CopyRequest {
        kind: CopyKind::Copy,
        original: &copy.origin.original,
        span,
        paths,
        inline,
        dest,
        source,
        chown: expand_opt(d, cx, copy.chown.as_deref(), span)?,
        chmod: expand_opt(d, cx, copy.chmod.as_deref(), span)?,
        link: copy.link,
        parents: copy.parents,
        excludes: copy.excludes.clone(),
    };
    if from == CopyFrom::Context {
        for p in &req.paths {
            d.ctx_paths.insert(p);
        }
    }
    lower_copy(d, cx, req, &NoRemoteSources)?;
    Ok(())
}

/// COPY reads paths only.
struct NoRemoteSources;

impl RemoteSources for NoRemoteSources {
    fn fetch(&self, remote: Remote, _name: &str) -> Result<RemoteCopy, String> {
        Err(match remote {
            Remote::Git(_) => "source can't be a git ref for COPY",
            Remote::Http(_) => "source can't be a URL for COPY",
        }
        .to_string())
    }

    fn unpack_local(&self) -> bool {
        false
    }
}

pub(crate) fn expand_opt(
    d: &DispatchState,
    cx: &DispatchContext<'_>,
    value: Option<&str>,
    span: Span,
) -> Result<String, LowerError> {
    match value {
        Some(v) => d.expand_word(cx, v, span),
        None => Ok(String::new()),
    }
}

/// Expands path sources and the destination with the env in scope, and
/// inline bodies whose delimiter was not quoted (only `$` is special there).
pub(crate) fn expand_sources(
    d: &DispatchState,
    cx: &DispatchContext<'_>,
    sources: &[CopySource],
    dest: &str,
    span: Span,
) -> Result<(Vec<String>, Vec<InlineFile>, String), LowerError> {
    let mut paths = Vec::new();
    let mut inline = Vec::new();
    for src in sources {
        match src {
            CopySource::Path(p) => paths.push(d.expand_word(cx, p, span)?),
            CopySource::Inline(file) => {
                let mut file = file.clone();
                if file.expand {
                    // A backslash escape whatever `# escape=` says: the
                    // reference expands heredoc bodies with a lexer of its own.
                    file.content = Lexer::new('\\')
                        .skip_process_quotes(true)
                        .expand_word(&file.content, &d.env)
                        .map(|e| e.value)
                        .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), span))?;
                }
                inline.push(file);
            }
        }
    }
    Ok((paths, inline, d.expand_word(cx, dest, span)?))
}

/// `dest` resolved against the working directory; a trailing `/` (or `/.`)
/// still says "into this directory". Absolute paths are kept as written.
pub(crate) fn dest_path(workdir: &str, dest: &str) -> String {
    if dest.starts_with('/') {
        return dest.to_string();
    }
    let dest = if dest.is_empty() || dest == "." {
        "./"
    } else {
        dest
    };
    let mut joined = clean_path(&[workdir, "/", dest].concat());
    if !joined.starts_with('/') {
        joined = clean_path(&["/", &joined].concat());
    }
    if dest.ends_with('/') && !joined.ends_with('/') {
        joined.push('/');
    } else if dest.ends_with("/.") {
        if joined != "/" {
            joined.push('/');
        }
        joined.push('.');
    }
    joined
}

/// `--chown=user[:group]` as the Go client reads it: `root` and numbers are
/// IDs (negative numbers wrap, as there), other text a name resolved in the
/// destination's `/etc/passwd` / `/etc/group`; an empty name means ID 0.
pub(crate) fn chown(spec: &str) -> Chown {
    let one = |s: &str| {
        if s == "root" || s.is_empty() {
            return UserRef::Id(0);
        }
        match s.parse::<i32>() {
            Ok(n) => UserRef::Id(n as u32),
            Err(_) => UserRef::Name(s.to_string()),
        }
    };
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    Chown {
        user: Some(one(user)),
        group: group.map(one),
    }
}

/// `--chmod`: octal, or symbolic when the daemon can apply it.
fn copy_mode(
    cx: &DispatchContext<'_>,
    req: &CopyRequest<'_>,
) -> Result<Option<CopyMode>, LowerError> {
    if req.chmod.is_empty() {
        return Ok(None);
    }
    match FileMode::parse(&req.chmod) {
        Ok(FileMode::Octal(v)) => Ok(Some(CopyMode::Octal(v))),
        Ok(FileMode::Symbolic { text, .. }) => {
            cx.require_cap(
                Cap::FileCopyModeString,
                (
                    req.kind.keyword(),
                    &format!("--chmod={text} (symbolic mode)"),
                ),
                req.span,
            )?;
            Ok(Some(CopyMode::Symbolic(text)))
        }
        Err(e @ (ChmodError::NotOctal(_) | ChmodError::BadSymbolic(_))) => {
            Err(invalid(req.kind, e.to_string(), req.span))
        }
    }
}

/// The image history text: the instruction with its words expanded.
fn history_text(req: &CopyRequest<'_>) -> String {
    let mut history = String::from(req.kind.keyword());
    if req.parents {
        history.push_str(" --parents");
    }
    if !req.chown.is_empty() {
        history.push_str(" --chown=");
        history.push_str(&req.chown);
    }
    if !req.chmod.is_empty() {
        history.push_str(" --chmod=");
        history.push_str(&req.chmod);
    }
    for src in &req.paths {
        history.push(' ');
        history.push_str(src);
    }
    for file in &req.inline {
        history.push_str(" <<");
        history.push_str(&file.name);
    }
    history.push(' ');
    history.push_str(&req.dest);
    history
}

/// Lowers a COPY/ADD onto `d.state` and records its history entry.
pub(crate) fn lower_copy(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    req: CopyRequest<'_>,
    remote: &dyn RemoteSources,
) -> Result<(), LowerError> {
    if !req.excludes.is_empty() {
        cx.require_cap(
            Cap::FileCopyIncludeExcludePatterns,
            (req.kind.keyword(), "--exclude"),
            req.span,
        )?;
    }
    let template = sources::CopyTemplate {
        dest: dest_path(&d.workdir, &req.dest),
        mode: copy_mode(cx, &req)?,
        owner: (!req.chown.is_empty()).then(|| chown(&req.chown)),
        excludes: req.excludes.clone(),
    };
    let text = d.step_text(cx, req.original);
    let step = d.next_step();
    let actions = sources::copy_actions(cx, &req, &template, remote, &step.name(&text))?;
    apply::apply(d, cx, &req, actions, &step, &text);
    d.commit_layer(history_text(&req));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dest_is_relative_to_workdir_and_keeps_dir_marker() {
        assert_eq!(dest_path("/src", "./"), "/src/");
        assert_eq!(dest_path("/src", "."), "/src/");
        assert_eq!(dest_path("/", "."), "/");
        assert_eq!(dest_path("/src", "bin"), "/src/bin");
        assert_eq!(dest_path("/src", "bin/"), "/src/bin/");
        assert_eq!(dest_path("/src", "a/.."), "/src");
        assert_eq!(dest_path("/src", "x/."), "/src/x/.");
        assert_eq!(dest_path("/src", "/abs//p/"), "/abs//p/");
    }

    #[test]
    fn chown_names_ids_and_root() {
        assert_eq!(chown("1000:1000"), Chown::ids(1000, 1000));
        assert_eq!(
            chown("app:staff"),
            Chown {
                user: Some(UserRef::Name("app".into())),
                group: Some(UserRef::Name("staff".into())),
            }
        );
        assert_eq!(
            chown("root"),
            Chown {
                user: Some(UserRef::Id(0)),
                group: None
            }
        );
        assert_eq!(chown(":42").user, Some(UserRef::Id(0)));
    }
}
