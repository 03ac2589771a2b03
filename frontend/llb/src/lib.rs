//! A typed LLB graph and its deterministic marshalling to a BuildKit
//! `pb::Definition`.
//!
//! A [`State`] is a cheap, immutable handle on one output of one op (or on
//! scratch). Builders create new ops:
//!
//! * sources: [`State::image`], [`State::local`], [`State::git`],
//!   [`State::http`] (each `Result`, failing on an empty identifier), and
//!   [`State::scratch`];
//! * [`State::exec`] with an [`ExecSpec`] (mounts are [`Mount`]s whose
//!   [`MountKind`] carries its own options) giving an [`ExecResult`]: the
//!   root state plus one state per writable bind mount;
//! * [`State::file`] with a chain of [`FileAction`]s, each applied to the
//!   result of the previous one, in one op;
//! * [`State::merge`] and [`State::diff`].
//!
//! Metadata ([`OpMeta`]: progress name, descriptions, cache flags, progress
//! group, source locations) never changes a digest; set it with
//! [`State::with_meta`] and friends, or [`ExecSpec::meta`] for an exec.
//! Caps are derived from what each op uses.
//!
//! [`marshal`] walks the graph once, dependencies first, and produces the same
//! bytes for the same graph every time; [`required_caps`] lists the caps a
//! Definition needs, [`dump_json`] renders it for people.
//!
//! Ops are encoded with their fields in the order BuildKit's Go client
//! writes them (the op body after the plain fields), and the walk visits
//! inputs in its order; for the graphs in the `llb_golden` tests and the
//! Dockerfiles in `reference_llb` the digests and op order equal those of
//! BuildKit's own client and frontend, so builds can share their cache.

mod caps;
mod dump;
mod error;
mod exec;
mod file;
mod imported;
mod marshal;
mod merge;
mod metadata;
mod mount;
mod source;
mod sourcemap;
mod state;
mod substitute;
mod wire;

pub use caps::{Cap, required_caps};
pub use dump::{dump_json, dump_text};
pub use error::LlbError;
pub use exec::{
    ExecResult, ExecSpec, HostIp, NetworkMode, ProxyEnv, SecretEnv, SecurityMode, Ulimit,
};
pub use file::{
    Chown, CopyMode, FileAction, FileCopy, Mkdir, Mkfile, Rm, Symlink, UserRef, clean_path,
};
pub use marshal::{digest_of, marshal, write_definition};
pub use metadata::{OpMeta, ProgressGroup};
pub use mount::{BindMode, CacheSharing, Mount, MountKind, SecretMount, SshMount};
pub use source::{
    GitSource, HttpSource, ImageSource, LocalDiffer, LocalSession, LocalSource, OciLayoutSource,
    ResolveMode,
};
pub use sourcemap::{SourceLocation, SourceMap, TextPos, TextRange};
pub use state::{Output, State};

/// Wire types, re-exported so callers need not name the proto crate.
pub use stagecraft_proto::pb;
