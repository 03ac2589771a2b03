//! Each COPY/ADD source as a copy action: paths of the context or the
//! `--from` state (with `--parents`), inline files, and remote sources
//! through the [`RemoteSources`] hook.

use stagecraft_llb as llb;
use stagecraft_llb::{Cap, Chown, CopyMode, FileAction, State};

use super::{CopyRequest, invalid};
use crate::context::clean_path;
use crate::dispatch::remote::{self, Remote};
use crate::dispatch::{DispatchContext, inline_document};
use crate::error::LowerError;

/// How remote sources (URLs, git references) become copy sources: ADD
/// fetches them, COPY refuses them.
pub(crate) trait RemoteSources {
    /// The state holding `remote` and what to copy from it; `name` is the
    /// instruction's progress name (the source shows under it). An error is
    /// the message for the instruction's line.
    fn fetch(&self, remote: Remote, name: &str) -> Result<RemoteCopy, String>;

    /// Whether local archives are unpacked.
    fn unpack_local(&self) -> bool;
}

/// A fetched remote source.
pub(crate) struct RemoteCopy {
    pub(crate) state: State,
    /// The path in `state` to copy.
    pub(crate) path: String,
    pub(crate) unpack: bool,
}

/// What every copy action of one instruction shares.
pub(crate) struct CopyTemplate {
    /// Resolved against the working directory.
    pub(crate) dest: String,
    pub(crate) mode: Option<CopyMode>,
    pub(crate) owner: Option<Chown>,
    pub(crate) excludes: Vec<String>,
}

impl CopyTemplate {
    fn copy(&self, from: State, src: String) -> llb::FileCopy {
        let mut c = llb::FileCopy::new(from, src, self.dest.clone());
        c.mode = self.mode.clone();
        c.create_dest_path = true;
        c.owner = self.owner.clone();
        c.exclude_patterns = self.excludes.clone();
        c
    }
}

/// One action per source, in order: paths and remote sources as written,
/// then inline files.
pub(crate) fn copy_actions(
    cx: &DispatchContext<'_>,
    req: &CopyRequest<'_>,
    template: &CopyTemplate,
    remote: &dyn RemoteSources,
    name: &str,
) -> Result<Vec<FileAction>, LowerError> {
    let mut actions: Vec<FileAction> = Vec::new();
    for src in &req.paths {
        let action =
            match remote::classify(src).map_err(|e| invalid(req.kind, e.to_string(), req.span))? {
                Some(source) => {
                    let fetched = remote
                        .fetch(source, name)
                        .map_err(|m| invalid(req.kind, m, req.span))?;
                    let mut c = template.copy(fetched.state, fetched.path);
                    c.attempt_unpack = fetched.unpack;
                    c
                }
                None => path_copy(cx, req, template, src, remote.unpack_local())?,
            };
        actions.push(action.into());
    }
    for file in &req.inline {
        let doc = inline_document(file.name.clone(), 0o644, &file.content);
        actions.push(template.copy(doc, absolute(&file.name)).into());
    }
    Ok(actions)
}

fn path_copy(
    cx: &DispatchContext<'_>,
    req: &CopyRequest<'_>,
    template: &CopyTemplate,
    src: &str,
    unpack: bool,
) -> Result<llb::FileCopy, LowerError> {
    let (from_dir, include, required) = if req.parents {
        let (parent, include, required) = parents_split(src);
        (parent, vec![include], required.into_iter().collect())
    } else {
        (src.to_string(), Vec::new(), Vec::new())
    };
    // The newer of the two caps first, so a daemon lacking both is told
    // the version that really builds this line.
    if !required.is_empty() {
        cx.require_cap(Cap::FileCopyRequiredPaths, ("COPY", "--parents"), req.span)?;
    }
    if !include.is_empty() {
        cx.require_cap(
            Cap::FileCopyIncludeExcludePatterns,
            ("COPY", "--parents"),
            req.span,
        )?;
    }
    let mut c = template.copy(req.source.clone(), absolute(&from_dir));
    c.follow_symlinks = true;
    c.copy_dir_contents_only = true;
    c.include_patterns = include;
    c.required_paths = required;
    c.attempt_unpack = unpack;
    c.allow_wildcard = true;
    c.allow_empty_wildcard = true;
    Ok(c)
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

#[cfg(test)]
mod tests {
    use super::*;

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
