//! File ops: a chain of copy/mkdir/mkfile/rm/symlink actions, each applied to
//! the result of the previous one, in one op.

use crate::caps::Cap;
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Built, EMPTY_INPUT, InputTable, OpKind, Output, SKIP_OUTPUT, State};

/// A user or group, by numeric ID or by name. Names are looked up in the
/// `/etc/passwd` / `/etc/group` of the state the file op applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    Id(u32),
    Name(String),
}

/// Ownership to give to created files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chown {
    pub user: Option<UserRef>,
    pub group: Option<UserRef>,
}

impl Chown {
    pub fn ids(uid: u32, gid: u32) -> Self {
        Chown {
            user: Some(UserRef::Id(uid)),
            group: Some(UserRef::Id(gid)),
        }
    }

    fn to_pb(&self, base: i64) -> pb::ChownOpt {
        let one = |u: &UserRef| pb::UserOpt {
            user: Some(match u {
                UserRef::Id(id) => pb::user_opt::User::ById(*id),
                UserRef::Name(name) => pb::user_opt::User::ByName(pb::NamedUserOpt {
                    name: name.clone(),
                    input: base,
                }),
            }),
        };
        pb::ChownOpt {
            user: self.user.as_ref().map(one),
            group: self.group.as_ref().map(one),
        }
    }
}

/// Permissions of copied files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyMode {
    /// Numeric mode, e.g. `0o755`.
    Octal(u32),
    /// A chmod-style string, e.g. `u+x,go-w`.
    Symbolic(String),
}

/// Copy `src` from another state to `dest`.
#[derive(Clone, Debug)]
pub struct FileCopy {
    pub from: State,
    pub src: String,
    pub dest: String,
    pub follow_symlinks: bool,
    pub copy_dir_contents_only: bool,
    pub attempt_unpack: bool,
    pub create_dest_path: bool,
    pub allow_wildcard: bool,
    pub allow_empty_wildcard: bool,
    pub owner: Option<Chown>,
    pub mode: Option<CopyMode>,
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub required_paths: Vec<String>,
    pub always_replace_existing_dest_paths: bool,
    /// Nanoseconds since the Unix epoch.
    pub timestamp: Option<i64>,
}

impl FileCopy {
    /// A plain copy: no flags, no owner or mode override.
    pub fn new(from: State, src: impl Into<String>, dest: impl Into<String>) -> Self {
        FileCopy {
            from,
            src: src.into(),
            dest: dest.into(),
            follow_symlinks: false,
            copy_dir_contents_only: false,
            attempt_unpack: false,
            create_dest_path: false,
            allow_wildcard: false,
            allow_empty_wildcard: false,
            owner: None,
            mode: None,
            include_patterns: Vec::new(),
            exclude_patterns: Vec::new(),
            required_paths: Vec::new(),
            always_replace_existing_dest_paths: false,
            timestamp: None,
        }
    }
}

/// Create a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mkdir {
    pub path: String,
    pub mode: u32,
    pub make_parents: bool,
    pub owner: Option<Chown>,
    pub timestamp: Option<i64>,
}

impl Mkdir {
    pub fn new(path: impl Into<String>, mode: u32) -> Self {
        Mkdir {
            path: path.into(),
            mode,
            make_parents: false,
            owner: None,
            timestamp: None,
        }
    }
}

/// Create a file with the given content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mkfile {
    pub path: String,
    pub mode: u32,
    pub data: Vec<u8>,
    pub owner: Option<Chown>,
    pub timestamp: Option<i64>,
}

impl Mkfile {
    pub fn new(path: impl Into<String>, mode: u32, data: Vec<u8>) -> Self {
        Mkfile {
            path: path.into(),
            mode,
            data,
            owner: None,
            timestamp: None,
        }
    }
}

/// Remove a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rm {
    pub path: String,
    pub allow_not_found: bool,
    pub allow_wildcard: bool,
}

impl Rm {
    pub fn new(path: impl Into<String>) -> Self {
        Rm {
            path: path.into(),
            allow_not_found: false,
            allow_wildcard: false,
        }
    }
}

/// Create a symlink `newpath` pointing at `oldpath`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symlink {
    pub oldpath: String,
    pub newpath: String,
    pub owner: Option<Chown>,
    pub timestamp: Option<i64>,
}

impl Symlink {
    pub fn new(oldpath: impl Into<String>, newpath: impl Into<String>) -> Self {
        Symlink {
            oldpath: oldpath.into(),
            newpath: newpath.into(),
            owner: None,
            timestamp: None,
        }
    }
}

/// One action of a file op.
#[derive(Clone, Debug)]
pub enum FileAction {
    Copy(FileCopy),
    Mkdir(Mkdir),
    Mkfile(Mkfile),
    Rm(Rm),
    Symlink(Symlink),
}

impl From<FileCopy> for FileAction {
    fn from(a: FileCopy) -> Self {
        FileAction::Copy(a)
    }
}
impl From<Mkdir> for FileAction {
    fn from(a: Mkdir) -> Self {
        FileAction::Mkdir(a)
    }
}
impl From<Mkfile> for FileAction {
    fn from(a: Mkfile) -> Self {
        FileAction::Mkfile(a)
    }
}
impl From<Rm> for FileAction {
    fn from(a: Rm) -> Self {
        FileAction::Rm(a)
    }
}
impl From<Symlink> for FileAction {
    fn from(a: Symlink) -> Self {
        FileAction::Symlink(a)
    }
}

/// Lexical clean of a slash path, as Go's `path.Clean`: `..` above the root
/// stays at the root for absolute paths and is kept for relative ones.
pub fn clean_path(p: &str) -> String {
    clean(p, p.starts_with('/'))
}

/// [`clean_path`], of `/p` when `rooted`; written into one exact-size string.
fn clean(p: &str, rooted: bool) -> String {
    let mut parts: Vec<&str> = Vec::with_capacity(p.bytes().filter(|&b| b == b'/').count() + 1);
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let mut out = String::with_capacity(p.len() + 1);
    for (i, part) in parts.iter().enumerate() {
        if rooted || i > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    if out.is_empty() {
        out.push(if rooted { '/' } else { '.' });
    }
    out
}

/// An absolute, clean path; with `keep_slash`, a trailing `/` or `/.` that
/// says "into this directory" survives.
pub(crate) fn normalize_path(p: &str, keep_slash: bool) -> String {
    let mut out = clean(p, true);
    if keep_slash {
        if p.ends_with('/') && !out.ends_with('/') {
            out.push('/');
        } else if p.ends_with("/.") {
            if out != "/" {
                out.push('/');
            }
            out.push('.');
        }
    }
    out
}

fn timestamp(t: Option<i64>) -> i64 {
    t.unwrap_or(-1)
}

#[derive(Debug)]
pub(crate) struct FileNode {
    base: State,
    actions: Vec<FileAction>,
}

impl FileNode {
    pub(crate) fn build(&self) -> Built {
        let mut inputs = InputTable::with_capacity(2 * self.actions.len());
        let mut caps = vec![Cap::FileBase];
        // Inputs are numbered in action order (base first, then the copy
        // source) before the chained action indexes, which start after them.
        let mut plan = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let base = inputs.dedup_state(&self.base);
            let secondary = match action {
                FileAction::Copy(c) => inputs.dedup_state(&c.from),
                _ => EMPTY_INPUT,
            };
            plan.push((base, secondary));
        }
        let n = inputs.wire.len() as i64;
        let last = self.actions.len().saturating_sub(1);
        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, (action, (base, secondary))) in self.actions.iter().zip(plan).enumerate() {
            let input = if i == 0 { base } else { n + i as i64 - 1 };
            let output = if i == last { 0 } else { SKIP_OUTPUT };
            let owner = |o: &Option<Chown>| o.as_ref().map(|c| c.to_pb(base));
            let wire = match action {
                FileAction::Copy(c) => {
                    if !c.include_patterns.is_empty() || !c.exclude_patterns.is_empty() {
                        caps.push(Cap::FileCopyIncludeExcludePatterns);
                    }
                    if !c.required_paths.is_empty() {
                        caps.push(Cap::FileCopyRequiredPaths);
                    }
                    if c.always_replace_existing_dest_paths {
                        caps.push(Cap::FileCopyAlwaysReplaceExistingDestPaths);
                    }
                    let (mode, mode_str) = match &c.mode {
                        None => (-1, String::new()),
                        Some(CopyMode::Octal(m)) => {
                            (i32::try_from(*m).unwrap_or(-1), String::new())
                        }
                        Some(CopyMode::Symbolic(s)) => {
                            caps.push(Cap::FileCopyModeString);
                            (0, s.clone())
                        }
                    };
                    pb::file_action::Action::Copy(pb::FileActionCopy {
                        src: normalize_path(&c.src, false),
                        dest: normalize_path(&c.dest, true),
                        owner: owner(&c.owner),
                        mode,
                        follow_symlink: c.follow_symlinks,
                        dir_copy_contents: c.copy_dir_contents_only,
                        attempt_unpack_docker_compatibility: c.attempt_unpack,
                        create_dest_path: c.create_dest_path,
                        allow_wildcard: c.allow_wildcard,
                        allow_empty_wildcard: c.allow_empty_wildcard,
                        timestamp: timestamp(c.timestamp),
                        include_patterns: c.include_patterns.clone(),
                        exclude_patterns: c.exclude_patterns.clone(),
                        always_replace_existing_dest_paths: c.always_replace_existing_dest_paths,
                        mode_str,
                        required_paths: c.required_paths.clone(),
                    })
                }
                FileAction::Mkdir(m) => pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                    path: normalize_path(&m.path, false),
                    mode: (m.mode & 0o777) as i32,
                    make_parents: m.make_parents,
                    owner: owner(&m.owner),
                    timestamp: timestamp(m.timestamp),
                }),
                FileAction::Mkfile(m) => pb::file_action::Action::Mkfile(pb::FileActionMkFile {
                    path: normalize_path(&m.path, false),
                    mode: (m.mode & 0o777) as i32,
                    data: m.data.clone(),
                    owner: owner(&m.owner),
                    timestamp: timestamp(m.timestamp),
                }),
                FileAction::Rm(r) => {
                    if r.allow_wildcard {
                        caps.push(Cap::FileRmWildcard);
                    }
                    pb::file_action::Action::Rm(pb::FileActionRm {
                        path: normalize_path(&r.path, false),
                        allow_not_found: r.allow_not_found,
                        allow_wildcard: r.allow_wildcard,
                    })
                }
                FileAction::Symlink(s) => {
                    caps.push(Cap::FileSymlinkCreate);
                    pb::file_action::Action::Symlink(pb::FileActionSymlink {
                        oldpath: s.oldpath.clone(),
                        newpath: s.newpath.clone(),
                        owner: owner(&s.owner),
                        timestamp: timestamp(s.timestamp),
                    })
                }
            };
            actions.push(pb::FileAction {
                input,
                secondary_input: secondary,
                output,
                action: Some(wire),
            });
        }
        let op = pb::Op {
            inputs: std::mem::take(&mut inputs.wire),
            platform: None,
            constraints: Some(pb::WorkerConstraints::default()),
            op: Some(pb::op::Op::File(pb::FileOp { actions })),
        };
        inputs.outputs = self.walk_order();
        Built { op, caps, inputs }
    }

    /// The order the marshal walk visits this op's inputs, which decides
    /// where not-yet-emitted inputs land in the Definition. The Go client
    /// walks the action chain from the last action back to the first, each
    /// time its base then its copy source; matching it keeps ops in the same
    /// positions (e.g. the inline documents of `COPY <<A <<B`, or the sources
    /// of `ADD URL1 URL2`). Same edges as the wire table, only reordered.
    fn walk_order(&self) -> Vec<Output> {
        let mut order = Vec::with_capacity(self.actions.len() * 2);
        for action in self.actions.iter().rev() {
            order.extend(self.base.out.clone());
            if let FileAction::Copy(c) = action {
                order.extend(c.from.out.clone());
            }
        }
        order
    }
}

impl State {
    /// Applies `actions` in order to this state, as one file op. No actions
    /// means no op: the state itself is returned.
    pub fn file(&self, actions: Vec<FileAction>) -> State {
        if actions.is_empty() {
            return self.clone();
        }
        State::from_op(
            OpKind::File(FileNode {
                base: self.clone(),
                actions,
            }),
            OpMeta::default(),
        )
    }

    /// Shorthand for a file op with one action.
    pub fn file_action(&self, action: impl Into<FileAction>) -> State {
        self.file(vec![action.into()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_path_clean() {
        for (input, want) in [
            ("", "."),
            ("/", "/"),
            ("a/b/../c", "a/c"),
            ("/../a", "/a"),
            ("../../a", "../../a"),
            ("/a//b/./c/", "/a/b/c"),
            ("a/../..", ".."),
            ("/../a/", "/a"),
            ("a//b/.", "a/b"),
        ] {
            assert_eq!(clean_path(input), want, "{input}");
        }
    }

    #[test]
    fn copy_sources_are_marshalled_last_action_first() {
        let doc = |name: &str| {
            State::scratch().file_action(Mkfile::new(format!("/{name}"), 0o644, Vec::new()))
        };
        let (a, b) = (doc("a"), doc("b"));
        let base = State::scratch().file_action(Mkdir::new("/dst", 0o755));
        let copied = base.file(vec![
            FileCopy::new(a.clone(), "/a", "/dst/").into(),
            FileCopy::new(b.clone(), "/b", "/dst/").into(),
        ]);
        let def = crate::marshal(&copied);
        let digests: Vec<String> = def.def.iter().map(|d| crate::digest_of(d)).collect();
        let digest = |s: &State| s.output().map(|o| o.digest().to_string()).unwrap();
        // Base, then the second copy's source before the first's; the wire
        // inputs keep action order.
        assert_eq!(digests[..3], [digest(&base), digest(&b), digest(&a)]);
        let op = <pb::Op as prost::Message>::decode(def.def[3].as_slice()).unwrap();
        let wire: Vec<&str> = op.inputs.iter().map(|i| i.digest.as_str()).collect();
        assert_eq!(wire, [digest(&base), digest(&a), digest(&b)]);
    }

    #[test]
    fn normalize_keeps_dir_markers() {
        assert_eq!(normalize_path("src/", true), "/src/");
        assert_eq!(normalize_path("src/", false), "/src");
        assert_eq!(normalize_path("/app/.", true), "/app/.");
        assert_eq!(normalize_path(".", true), "/");
        assert_eq!(normalize_path("/.", true), "/.");
        assert_eq!(normalize_path("a/../b", true), "/b");
    }
}
