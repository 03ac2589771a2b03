//! The lowering phase: typed instructions → an LLB graph and an image config.
//!
//! [`lower`] plans the stage graph, resolves the base images the target
//! needs (all at once), runs ONBUILD triggers, dispatches every needed
//! stage in file order and returns the target's state and image config.
//! [`list_targets`] and [`stage_graph`] answer questions about the graph
//! without resolving anything.

mod args;
mod budget;
mod build;
mod command;
mod config_env;
mod context;
mod context_state;
mod dispatch;
mod envlist;
mod epoch;
mod error;
mod finalize;
mod graph;
pub mod image;
mod named_context;
mod onbuild;
pub mod options;
pub mod platform;
pub use stagecraft_instructions::reference;
mod remote_context;
mod resolve;
mod schedule;
mod steps;
mod target;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_instructions::Dockerfile;
use stagecraft_shell::Lexer;

pub use budget::Limits;
pub use envlist::EnvList;
pub use error::{LowerError, LowerErrorKind};
pub use graph::{EdgeKind, GraphEdge, GraphNode, GraphNodeKind, StageGraph, TargetInfo};
pub use image::{Healthcheck, History, Image, ImageConfig};
pub use options::{BuildOptions, CacheImport, LinuxResources, NoCache, OptionError, SbomRequest};
pub use platform::Platform;
pub use remote_context::{HTTP_CONTEXT_FILE, RemoteContext, remote_context};
/// Option types that pass unchanged into the LLB.
pub use stagecraft_llb::{HostIp, NetworkMode, ResolveMode, Ulimit};

/// What the lowering needs besides the Dockerfile.
pub struct LowerRequest<'a> {
    pub dockerfile: &'a Dockerfile,
    /// The shell lexer's escape character (from `Parsed.escape`).
    pub escape: char,
    /// For the LLB source map (`Definition.source`).
    pub source: &'a SourceFile,
    pub options: &'a BuildOptions,
    pub context: &'a ContextConfig,
    /// LLB caps the daemon supports (from Ping); `None` = assume everything.
    pub llb_caps: Option<&'a BTreeSet<String>>,
    /// What the daemon accepts; lowering fails rather than exceed it.
    pub limits: Limits,
}

/// The Dockerfile as the source map records it.
#[derive(Clone, Debug, Default)]
pub struct SourceFile {
    pub filename: String,
    pub data: Vec<u8>,
    /// The Definition that loaded the file, if any.
    pub definition: Option<stagecraft_llb::pb::Definition>,
}

/// How the main build context (`local://context`) is named.
#[derive(Clone, Debug, Default)]
pub struct ContextConfig {
    /// `context`.
    pub local_name: String,
    /// `BUILDKIT_SESSION_ID` in gateway mode; `None` in CLI mode.
    pub session_id: Option<String>,
    /// Stable ID for CLI mode (no session).
    pub local_unique: Option<String>,
    /// `.dockerignore` patterns, already parsed.
    pub exclude_patterns: Vec<String>,
    /// The locals named by `local:` named contexts, by local name.
    pub named_locals: BTreeMap<String, NamedLocal>,
    /// The client's frontend inputs, for `input:` named contexts.
    pub inputs: BTreeMap<String, stagecraft_llb::pb::Definition>,
    /// The main context when it is not a local directory (a Git repository
    /// or an HTTP download, see [`remote_context`]): used as it is, no
    /// `.dockerignore`, no followpaths.
    pub remote: Option<stagecraft_llb::State>,
}

/// A directory the client sends for a `local:<name>` named context.
#[derive(Clone, Debug, Default)]
pub struct NamedLocal {
    /// Its session (`local-sessionid:<name>`, else the build's); `None` in
    /// CLI mode.
    pub session_id: Option<String>,
    /// Its own `.dockerignore` patterns.
    pub exclude_patterns: Vec<String>,
}

/// Base image lookup: the gateway implements it with ResolveImageConfig,
/// the CLI with `--image-config REF=FILE.json` files.
pub trait ImageResolver: Sync {
    /// `reference` is normalised (`docker.io/library/busybox:latest`);
    /// `log_name` is the progress name
    /// `[internal] load metadata for docker.io/library/busybox:latest`.
    fn resolve(
        &self,
        reference: &str,
        platform: &Platform,
        mode: ResolveMode,
        log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send;

    /// An image in an OCI layout the client holds (`oci-layout://` named
    /// contexts), looked up in `store` of the build session. Only a
    /// gateway resolver reaches the client's stores.
    fn resolve_oci(
        &self,
        reference: &str,
        platform: &Platform,
        store: &OciStore,
        log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let message = format!(
            "cannot read {reference} ({}, {log_name}): OCI layouts are read from a client's BuildKit session",
            platform.id()
        );
        let _ = store;
        async move { Err(ResolveError { message }) }
    }
}

/// Where an OCI layout image is: the session that holds the store and the
/// store's ID in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciStore {
    pub session_id: String,
    pub store_id: String,
}

/// What a resolver found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedImage {
    /// `sha256:…` to pin the reference to; `None` keeps it unpinned (e.g.
    /// dockerd's local store).
    pub digest: Option<String>,
    /// The raw image config JSON; `None` = unknown (CLI without
    /// `--image-config`).
    pub config: Option<Vec<u8>>,
}

/// A failed lookup, e.g. the daemon's "not found" text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ResolveError {
    pub message: String,
}

/// The result of lowering.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The target stage's final state: marshal it with
    /// `stagecraft_llb::marshal` (the source map travels with the ops).
    pub state: stagecraft_llb::State,
    /// The image config to return as `containerimage.config`.
    pub image: Image,
    /// For `refs.platforms`.
    pub platform: Platform,
    /// E.g. unused build args.
    pub warnings: Vec<LowerWarning>,
    /// CLI: images whose config was unknown (normalised references).
    pub unresolved_images: Vec<String>,
    /// SOURCE_DATE_EPOCH in seconds, for the exporter (`source.date.epoch`).
    pub epoch: Option<i64>,
    /// With an SBOM asked for (`attest:sbom`): what the scanner sees
    /// besides the image.
    pub sbom: Option<SbomTargets>,
}

/// The states an SBOM scanner is shown next to the image
/// (`BUILDKIT_SBOM_SCAN_CONTEXT`, `BUILDKIT_SBOM_SCAN_STAGE`).
#[derive(Clone, Debug)]
pub struct SbomTargets {
    /// `context` → the build context; a stage's name → its final state.
    pub extras: BTreeMap<String, stagecraft_llb::State>,
    /// Some stage scanned is built without cache (`no-cache`): the scan
    /// must not come from cache either.
    pub ignore_cache: bool,
}

/// Something a user should hear about that does not stop the build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerWarning {
    pub short: String,
    pub detail: String,
    pub span: Option<stagecraft_syntax::Span>,
}

/// Lowers the Dockerfile to the target stage's LLB state and image config.
pub async fn lower(
    req: LowerRequest<'_>,
    resolver: &impl ImageResolver,
) -> Result<Lowered, LowerError> {
    build::lower(req, resolver, build::Workers::Auto).await
}

/// Every stage, for `stagecraft targets`.
pub fn list_targets(df: &Dockerfile) -> Vec<TargetInfo> {
    let last = df.stages.len().saturating_sub(1);
    df.stages
        .iter()
        .enumerate()
        .map(|(i, s)| TargetInfo {
            name: s
                .name
                .as_ref()
                .map_or_else(|| format!("stage-{i}"), |n| n.lookup.clone()),
            named: s.name.is_some(),
            base: s.base.base.clone(),
            platform: s.base.platform.clone(),
            description: s.base.description.clone(),
            span: s.base.origin.span,
            is_default: i == last,
        })
        .collect()
}

/// The stage graph and what `target` (default: the last stage) needs;
/// `escape` is the file's escape character (`Parsed.escape`).
/// FROM lines are expanded with the global ARGs' defaults and the
/// automatic platform args of a linux/amd64 build; ONBUILD triggers of
/// base images are not known here.
pub fn stage_graph(
    df: &Dockerfile,
    escape: char,
    target: Option<&str>,
) -> Result<StageGraph, LowerError> {
    let options = BuildOptions {
        target: target.map(str::to_string),
        build_platform: Platform::linux_amd64(),
        ..BuildOptions::default()
    };
    let lexer = Lexer::new(escape);
    let target_name = build::target_name(df, &options);
    let mut global = args::default_args(&options, target_name.as_deref());
    args::add_meta_args(&mut global, df, lexer, &options, Limits::default())?;
    let mut plan = graph::Plan::build(df, &global, lexer, target)?;
    build::add_stage_onbuilds(&mut plan)?;
    let reachable = plan.reachable();
    plan.check_order(&reachable)?;
    Ok(plan.to_public(&reachable))
}
