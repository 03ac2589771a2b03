//! Everything that speaks BuildKit's wire protocol.
//!
//! The message and service types come from `bollard-buildkit-proto` (current
//! BuildKit protos; the LLB `pb` types use ordered maps so encoding is
//! deterministic); they are re-exported here so the rest of the workspace
//! names one crate.

pub use bollard_buildkit_proto::fsutil;
pub use bollard_buildkit_proto::google;
pub use bollard_buildkit_proto::moby;
pub use bollard_buildkit_proto::pb;
/// The gRPC crate our types come from (for `tonic::Code`, `tonic::Status`).
pub use tonic;

pub mod caps;
pub mod client;
pub mod env;
#[cfg(feature = "fake")]
pub mod fake;
pub mod fit;
pub mod status;
pub mod trace;
pub mod transport;

pub use caps::{
    BuildkitVersion, Cap, CapKind, CapSet, CapState, Caps, Fallback, MissingCap, MissingCaps,
};
pub use client::{
    Bridge, BridgeError, CacheImport, ImageConfig, Pong, RefId, ResolveMode, SolveOptions, Warning,
};
pub use env::{FrontendEnv, read_env};
pub use fit::fit_status;
pub use status::{SourceLocation, SourcePosition, SourceRange, error_status, status_from_tonic};
pub use trace::Trace;
