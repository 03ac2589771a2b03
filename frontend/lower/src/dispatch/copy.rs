//! COPY, and the copy machinery ADD shares: one file op whose chained copy
//! actions bring every source to the destination, or with `--link` a copy
//! onto scratch merged over the stage.

use stagecraft_instructions::{ChmodError, CopyInstruction, CopySource, FileMode, InlineFile};
use stagecraft_llb as llb;
use stagecraft_llb::{Cap, Chown, CopyMode, FileAction, Mkfile, ProgressGroup, State, UserRef};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

use super::add::{self, GitSourceSpec};
use super::run::INLINE_DOCUMENT_NAME;
use super::{DispatchContext, DispatchState};
use crate::context::{clean_path, context_path};
use crate::error::{LowerError, LowerErrorKind};

/// COPY or ADD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CopyKind {
    Copy,
    Add,
}

impl CopyKind {
    fn keyword(self) -> &'static str {
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
    pub(crate) keep_git_dir: Option<bool>,
    pub(crate) checksum: String,
    pub(crate) unpack: Option<bool>,
}

fn invalid(kind: CopyKind, message: impl Into<String>, span: Span) -> LowerError {
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
) -> Result<(), LowerError> {
    let span = copy.origin.span;
    let (paths, inline, dest) = expand_sources(d, cx, &copy.sources, &copy.dest, span)?;
    let from = copy.from.as_deref().filter(|f| !f.is_empty());
    let source = match from {
        Some(from) => cx.copy_source(d, from, span)?.state.clone(),
        None => cx.main_context.clone(),
    };
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
        keep_git_dir: None,
        checksum: String::new(),
        unpack: None,
    };
    let used: Vec<String> = req.paths.iter().map(|p| context_path(p)).collect();
    lower_copy(d, cx, req)?;
    if from.is_none() {
        d.ctx_paths.extend(used);
    }
    Ok(())
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
    let mut joined = clean_path(&format!("{workdir}/{dest}"));
    if !joined.starts_with('/') {
        joined = clean_path(&format!("/{joined}"));
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

fn contains_wildcards(name: &str) -> bool {
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' | '[' => return true,
            '\\' => {
                chars.next();
            }
            _ => {}
        }
    }
    false
}

/// A local path source for `--parents`: the directory copied from, the
/// include pattern below it (`a/./b/c` pivots at `a`), and the path that
/// must exist when no wildcard is involved.
fn parents_split(src: &str) -> (String, String, Option<String>) {
    let (parent, pattern) = match src.split_once("/./") {
        Some((parent, pattern)) => (parent, pattern),
        None => ("/", src),
    };
    let pattern = if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        clean_path(&format!("/{pattern}"))
    };
    let required = (!contains_wildcards(parent) && !contains_wildcards(&pattern))
        .then(|| clean_path(&format!("/{parent}/{pattern}")));
    let include = pattern.strip_prefix('/').unwrap_or(&pattern).to_string();
    (parent.to_string(), include, required)
}

fn absolute(src: &str) -> String {
    if src.starts_with('/') {
        src.to_string()
    } else {
        clean_path(&format!("/{src}"))
    }
}

/// Lowers a COPY/ADD onto `d.state` and records its history entry.
pub(crate) fn lower_copy(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    req: CopyRequest<'_>,
) -> Result<(), LowerError> {
    let kind = req.kind;
    let span = req.span;
    let dest = dest_path(&d.workdir, &req.dest);
    let owner = (!req.chown.is_empty()).then(|| chown(&req.chown));
    if !req.excludes.is_empty() {
        cx.require_cap(
            Cap::FileCopyIncludeExcludePatterns,
            (kind.keyword(), "--exclude"),
            span,
        )?;
    }
    let mode = copy_mode(cx, &req)?;
    if !req.checksum.is_empty() {
        if kind == CopyKind::Copy {
            return Err(invalid(kind, "checksum can't be specified for COPY", span));
        }
        if req.paths.len() != 1 {
            return Err(invalid(
                kind,
                "checksum can't be specified for multiple sources",
                span,
            ));
        }
        let only = req.paths.first().map(String::as_str).unwrap_or_default();
        if !add::is_http_source(only) && !matches!(add::parse_git_ref(only), Ok(Some(_))) {
            return Err(invalid(
                kind,
                "checksum requires HTTP(S) or Git sources",
                span,
            ));
        }
    }

    let mut history = String::from(kind.keyword());
    if req.parents {
        history.push_str(" --parents");
    }
    if !req.chown.is_empty() {
        history.push_str(&format!(" --chown={}", req.chown));
    }
    if !req.chmod.is_empty() {
        history.push_str(&format!(" --chmod={}", req.chmod));
    }

    let expanded = super::names::expand_plain_for_name(cx.lexer, req.original, &d.env);
    let text = super::names::uppercase_keyword(&expanded);
    let name = d.prefixed(&text);

    let base_copy = |from: State, src: String| {
        let mut c = llb::FileCopy::new(from, src, dest.clone());
        c.mode = mode.clone();
        c.create_dest_path = true;
        c.owner = owner.clone();
        c.exclude_patterns = req.excludes.clone();
        c
    };

    let mut actions: Vec<FileAction> = Vec::new();
    for src in &req.paths {
        history.push(' ');
        history.push_str(src);
        match add::parse_git_ref(src).map_err(|e| invalid(kind, e.to_string(), span))? {
            Some(git) => {
                if kind == CopyKind::Copy {
                    return Err(invalid(kind, "source can't be a git ref for COPY", span));
                }
                let spec = GitSourceSpec {
                    keep_git_dir: req.keep_git_dir,
                    checksum: &req.checksum,
                    name: &name,
                };
                let state = add::git_state(git, spec).map_err(|m| invalid(kind, m, span))?;
                actions.push(base_copy(state, "/".to_string()).into());
                continue;
            }
            None if add::is_http_source(src) => {
                if kind == CopyKind::Copy {
                    return Err(invalid(kind, "source can't be a URL for COPY", span));
                }
                let (state, file) = add::http_state(src, &req.checksum, &name)
                    .map_err(|m| invalid(kind, m, span))?;
                let mut c = base_copy(state, file);
                c.attempt_unpack = req.unpack.unwrap_or(false);
                actions.push(c.into());
                continue;
            }
            None => {}
        }
        let (from_dir, include, required) = if req.parents {
            let (parent, include, required) = parents_split(src);
            (parent, vec![include], required.into_iter().collect())
        } else {
            (src.clone(), Vec::new(), Vec::new())
        };
        // The newer of the two caps first, so a daemon lacking both is told
        // the version that really builds this line.
        if !required.is_empty() {
            cx.require_cap(Cap::FileCopyRequiredPaths, ("COPY", "--parents"), span)?;
        }
        if !include.is_empty() {
            cx.require_cap(
                Cap::FileCopyIncludeExcludePatterns,
                ("COPY", "--parents"),
                span,
            )?;
        }
        let mut c = base_copy(req.source.clone(), absolute(&from_dir));
        c.follow_symlinks = true;
        c.copy_dir_contents_only = true;
        c.include_patterns = include;
        c.required_paths = required;
        c.attempt_unpack = req.unpack.unwrap_or(kind == CopyKind::Add);
        c.allow_wildcard = true;
        c.allow_empty_wildcard = true;
        actions.push(c.into());
    }
    for file in &req.inline {
        history.push_str(&format!(" <<{}", file.name));
        let doc = State::scratch()
            .file_action(Mkfile::new(
                file.name.clone(),
                0o644,
                file.content.clone().into_bytes(),
            ))
            .with_custom_name(INLINE_DOCUMENT_NAME);
        actions.push(base_copy(doc, absolute(&file.name)).into());
    }
    history.push(' ');
    history.push_str(&req.dest);

    let meta = d.op_meta(cx, name.clone(), span);
    // --link puts the files in a layer of their own, merged over the stage,
    // when the daemon can merge; the reference does it only without --chmod.
    if req.link && req.chmod.is_empty() && cx.caps.supports(Cap::MergeOp) {
        d.progress.index = d.progress.index.saturating_sub(1);
        let group_name = d.prefixed(&text);
        let copied = State::scratch().file(actions);
        let group = ProgressGroup {
            id: format!(
                "link:{}:{}",
                d.node,
                copied.output().map(|o| o.digest()).unwrap_or_default()
            ),
            name: group_name.clone(),
            weak: true,
        };
        let copied = copied.with_meta(
            d.op_meta(cx, group_name.clone(), span)
                .with_progress_group(group.clone()),
        );
        d.progress.index = d.progress.index.saturating_sub(1);
        let link_name = d.prefixed(&format!("LINK {text}"));
        let below = d.state.clone();
        d.state = if below.is_scratch() {
            // A merge over scratch is the copy itself: no merge op.
            copied
        } else {
            State::merge(&[below, copied]).with_meta(
                meta.with_custom_name(link_name)
                    .with_progress_group(ProgressGroup {
                        weak: false,
                        ..group
                    }),
            )
        };
    } else {
        d.state = d.state.file(actions).with_meta(meta);
    }
    d.commit_layer(&history);
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

    #[test]
    fn parents_pivot_include_and_required() {
        assert_eq!(
            parents_split("src/./app/main.go"),
            (
                "src".into(),
                "app/main.go".into(),
                Some("/src/app/main.go".into())
            )
        );
        assert_eq!(
            parents_split("x/*.txt"),
            ("/".into(), "x/*.txt".into(), None)
        );
        assert_eq!(
            parents_split("a/b"),
            ("/".into(), "a/b".into(), Some("/a/b".into()))
        );
    }

    #[test]
    fn wildcards_honour_escapes() {
        assert!(contains_wildcards("a*"));
        assert!(contains_wildcards("[ab]"));
        assert!(!contains_wildcards("a\\*"));
        assert!(!contains_wildcards("plain/path"));
    }
}
