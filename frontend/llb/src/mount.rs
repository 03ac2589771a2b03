//! Extra mounts of an exec op. Each kind carries only the options that make
//! sense for it.

use crate::state::State;

/// How a bind mount may be written to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BindMode {
    #[default]
    ReadOnly,
    /// Writable, and the result is an output of the exec.
    ReadWrite,
    /// Writable, but changes are thrown away.
    ReadWriteDiscard,
}

/// Concurrency of a cache mount between builds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheSharing {
    #[default]
    Shared,
    Private,
    Locked,
}

/// A secret file mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMount {
    pub id: String,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub optional: bool,
}

impl SecretMount {
    /// Root-owned, mode 0400, required.
    pub fn new(id: impl Into<String>) -> Self {
        SecretMount {
            id: id.into(),
            uid: 0,
            gid: 0,
            mode: 0o400,
            optional: false,
        }
    }
}

/// An SSH agent socket mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshMount {
    pub id: String,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub optional: bool,
}

impl SshMount {
    /// Root-owned, mode 0600, required.
    pub fn new(id: impl Into<String>) -> Self {
        SshMount {
            id: id.into(),
            uid: 0,
            gid: 0,
            mode: 0o600,
            optional: false,
        }
    }
}

/// What is mounted.
#[derive(Clone, Debug)]
pub enum MountKind {
    /// A state (or a path inside it, `selector`).
    Bind {
        source: State,
        selector: Option<String>,
        mode: BindMode,
    },
    /// A persistent cache directory, optionally seeded from a state.
    Cache {
        id: String,
        sharing: CacheSharing,
        from: Option<State>,
        selector: Option<String>,
        readonly: bool,
    },
    /// An in-memory filesystem; `size` in bytes.
    Tmpfs {
        size: Option<i64>,
    },
    Secret(SecretMount),
    Ssh(SshMount),
}

/// One mount of an exec op (the root mount is implicit).
#[derive(Clone, Debug)]
pub struct Mount {
    /// Absolute path inside the container.
    pub dest: String,
    pub kind: MountKind,
}

impl Mount {
    pub fn bind(dest: impl Into<String>, source: State, mode: BindMode) -> Self {
        Mount {
            dest: dest.into(),
            kind: MountKind::Bind {
                source,
                selector: None,
                mode,
            },
        }
    }

    pub fn cache(dest: impl Into<String>, id: impl Into<String>, sharing: CacheSharing) -> Self {
        Mount {
            dest: dest.into(),
            kind: MountKind::Cache {
                id: id.into(),
                sharing,
                from: None,
                selector: None,
                readonly: false,
            },
        }
    }

    pub fn tmpfs(dest: impl Into<String>, size: Option<i64>) -> Self {
        Mount {
            dest: dest.into(),
            kind: MountKind::Tmpfs { size },
        }
    }

    pub fn secret(dest: impl Into<String>, secret: SecretMount) -> Self {
        Mount {
            dest: dest.into(),
            kind: MountKind::Secret(secret),
        }
    }

    pub fn ssh(dest: impl Into<String>, ssh: SshMount) -> Self {
        Mount {
            dest: dest.into(),
            kind: MountKind::Ssh(ssh),
        }
    }

    /// Mounts only `path` of the source (bind and cache mounts; ignored for
    /// the others).
    pub fn with_selector(mut self, path: impl Into<String>) -> Self {
        match &mut self.kind {
            MountKind::Bind { selector, .. } | MountKind::Cache { selector, .. } => {
                *selector = Some(path.into());
            }
            MountKind::Tmpfs { .. } | MountKind::Secret(_) | MountKind::Ssh(_) => {}
        }
        self
    }
}
