//! `docker-image://` sources.

use std::collections::BTreeMap;

use super::{SourceNode, source_state};
use crate::caps::Cap;
use crate::error::LlbError;
use crate::pb;
use crate::state::State;

pub use stagecraft_proto::ResolveMode;

/// A `docker-image://` source.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSource {
    /// The reference as the caller normalised it (e.g.
    /// `docker.io/library/alpine:3.19`).
    pub reference: String,
    /// `sha256:…` to pin the reference to, when resolved.
    pub digest: Option<String>,
    pub resolve_mode: ResolveMode,
    pub platform: Option<pb::Platform>,
}

impl ImageSource {
    pub fn new(reference: impl Into<String>) -> Self {
        ImageSource {
            reference: reference.into(),
            digest: None,
            resolve_mode: ResolveMode::Default,
            platform: None,
        }
    }

    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    pub fn with_resolve_mode(mut self, mode: ResolveMode) -> Self {
        self.resolve_mode = mode;
        self
    }

    pub fn with_platform(mut self, platform: pb::Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    /// The identifier: the reference, pinned by digest when one is known and
    /// the reference is not already pinned.
    pub fn identifier(&self) -> String {
        match &self.digest {
            Some(d) if !d.is_empty() && !self.reference.contains('@') => {
                format!("docker-image://{}@{}", self.reference, d)
            }
            _ => format!("docker-image://{}", self.reference),
        }
    }
}

impl State {
    /// An image source. Fails when the reference is empty.
    pub fn image(src: ImageSource) -> Result<State, LlbError> {
        if src.reference.is_empty() {
            return Err(LlbError::EmptySourceField {
                field: "image reference",
            });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceImage];
        if src.resolve_mode != ResolveMode::Default {
            attrs.insert(
                "image.resolvemode".to_string(),
                src.resolve_mode.as_str().to_string(),
            );
            // Only forced pulls are a security guarantee the daemon must honour.
            if src.resolve_mode == ResolveMode::Pull {
                caps.push(Cap::SourceImageResolveMode);
            }
        }
        Ok(source_state(SourceNode {
            identifier: src.identifier(),
            attrs,
            platform: src.platform,
            caps,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_identifier_pins_once() {
        let pinned = ImageSource::new("docker.io/library/alpine:3.19").with_digest("sha256:ab");
        assert_eq!(
            pinned.identifier(),
            "docker-image://docker.io/library/alpine:3.19@sha256:ab"
        );
        let already = ImageSource::new("alpine@sha256:cd").with_digest("sha256:ab");
        assert_eq!(already.identifier(), "docker-image://alpine@sha256:cd");
    }
}
