//! Base image configs through the daemon's `ResolveImageConfig`.

use stagecraft_lower::{ImageResolver, Platform, ResolveError, ResolveMode, ResolvedImage};
use stagecraft_proto::Bridge;

/// Resolves images over the Bridge; shared by all stages of one build.
#[derive(Clone, Debug)]
pub struct BridgeResolver {
    bridge: Bridge,
}

impl BridgeResolver {
    pub fn new(bridge: Bridge) -> Self {
        BridgeResolver { bridge }
    }
}

impl ImageResolver for BridgeResolver {
    /// A missing digest (dockerd's answer for images in its own store) stays
    /// `None`, so the reference is used unpinned.
    async fn resolve(
        &self,
        reference: &str,
        platform: &Platform,
        mode: ResolveMode,
        log_name: &str,
    ) -> Result<ResolvedImage, ResolveError> {
        let image = self
            .bridge
            .resolve_image_config(reference, Some(platform.to_pb()), mode, log_name)
            .await
            .map_err(|e| ResolveError {
                // The daemon's own words ("not found", registry errors).
                message: match e.status() {
                    Some(status) => status.message().to_string(),
                    None => e.to_string(),
                },
            })?;
        Ok(ResolvedImage {
            digest: image.digest,
            config: Some(image.config),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_proto::fake::{FakeBuildkit, FakeConfig};

    #[tokio::test]
    async fn resolves_through_the_bridge_with_platform_mode_and_name() {
        let fake = FakeBuildkit::new(FakeConfig::docker_20_10().with_image(
            "docker.io/library/busybox:latest",
            "",
            "{}",
        ));
        let bridge = fake.connect_in_process().await.unwrap();
        let resolver = BridgeResolver::new(bridge);
        let arm = Platform::parse("linux/arm64").unwrap();
        let got = resolver
            .resolve(
                "docker.io/library/busybox:latest",
                &arm,
                ResolveMode::Pull,
                "[internal] load metadata for docker.io/library/busybox:latest",
            )
            .await
            .unwrap();
        assert_eq!(
            got,
            ResolvedImage {
                digest: None,
                config: Some(b"{}".to_vec())
            }
        );
        let asked = &fake.recorded().resolved_images[0];
        assert_eq!(asked.resolve_mode, "pull");
        assert_eq!(asked.platform.as_ref().unwrap().architecture, "arm64");
        assert!(asked.log_name.starts_with("[internal] load metadata"));
        let missing = resolver
            .resolve(
                "docker.io/library/nope:latest",
                &arm,
                ResolveMode::Default,
                "x",
            )
            .await
            .unwrap_err();
        assert!(missing.message.contains("not found"), "{missing}");
    }
}
