//! Everything that speaks BuildKit's wire protocol.
//!
//! The message and service types come from `bollard-buildkit-proto` (current
//! BuildKit protos, ordered maps so encoding is deterministic); they are
//! re-exported here so the rest of the workspace names one crate.

pub use bollard_buildkit_proto::fsutil;
pub use bollard_buildkit_proto::google;
pub use bollard_buildkit_proto::moby;
pub use bollard_buildkit_proto::pb;
