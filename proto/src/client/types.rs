//! Arguments and answers of the gateway client.

use std::collections::BTreeMap;

use crate::caps::Caps;
use crate::moby::buildkit::v1::types::WorkerRecord;
use crate::pb;

/// A BuildKit reference to a solved result (`Ref.id`). Empty = the empty
/// filesystem (scratch).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefId(pub String);

impl RefId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for RefId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The answer to `Ping`.
#[derive(Clone, Debug)]
pub struct Pong {
    pub caps: Caps,
    pub workers: Vec<WorkerRecord>,
}

/// How the daemon resolves an image reference: the value of
/// `ResolveImageConfigRequest.ResolveMode` and of an image source's
/// `image.resolvemode` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResolveMode {
    /// Use a local copy if there is one, else pull.
    #[default]
    Default,
    /// Always ask the registry.
    Pull,
    /// Only the local store.
    Local,
}

impl ResolveMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::Pull => "pull",
            ResolveMode::Local => "local",
        }
    }
}

/// An image's config as BuildKit resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageConfig {
    /// Manifest digest to pin the image with. `None` when the daemon did not
    /// give one: dockerd does so for images in its local store, and then the
    /// unpinned reference must be used.
    pub digest: Option<String>,
    /// Raw image config JSON.
    pub config: Vec<u8>,
    /// The reference as resolved (source policies may rewrite it); the
    /// requested one when the daemon predates that field.
    pub reference: String,
}

/// One `--cache-from`/`cache-imports` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheImport {
    /// e.g. `registry`, `local`, `gha`.
    pub kind: String,
    pub attrs: BTreeMap<String, String>,
}

/// Everything but the Definition a `Solve` can carry.
#[derive(Clone, Debug, Default)]
pub struct SolveOptions {
    /// Another frontend to run instead of (or on top of) a Definition, e.g.
    /// `gateway.v0` when forwarding to a `# syntax=` image.
    pub frontend: Option<String>,
    pub frontend_opt: BTreeMap<String, String>,
    pub frontend_inputs: BTreeMap<String, pb::Definition>,
    pub cache_imports: Vec<CacheImport>,
    /// Run the solve now rather than lazily (needs cap
    /// `gateway.solve.evaluate`), so failures surface here.
    pub evaluate: bool,
}

/// A warning for `Warn`.
#[derive(Clone, Debug, Default)]
pub struct Warning {
    /// Digest of the vertex the warning belongs to.
    pub vertex_digest: String,
    /// BuildKit uses 1 for lint warnings.
    pub level: i64,
    pub short: String,
    pub detail: Vec<String>,
    pub url: Option<String>,
    pub source: Option<pb::SourceInfo>,
    pub ranges: Vec<pb::Range>,
}
