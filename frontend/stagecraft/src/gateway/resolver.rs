//! Base image configs through the daemon's `ResolveImageConfig`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use stagecraft_lower::{
    ImageResolver, OciStore, Platform, ResolveError, ResolveMode, ResolvedImage,
};
use stagecraft_proto::Bridge;

/// Reference, platform ID, mode and progress name: a second lowering (the
/// next platform) asking the same is answered from memory, as the
/// reference caches its lookups, so a `FROM --platform=$BUILDPLATFORM`
/// image is looked up once per build.
type Key = (String, String, &'static str, String);

/// Resolves images over the Bridge; shared by all stages and platforms of
/// one build.
#[derive(Clone, Debug)]
pub struct BridgeResolver {
    bridge: Bridge,
    answers: Arc<Mutex<BTreeMap<Key, Result<ResolvedImage, ResolveError>>>>,
}

impl BridgeResolver {
    pub fn new(bridge: Bridge) -> Self {
        BridgeResolver {
            bridge,
            answers: Arc::default(),
        }
    }
}

impl BridgeResolver {
    /// The config already fetched for a normalised reference and platform
    /// ID, whatever mode or progress name it was asked with.
    pub fn known_config(&self, reference: &str, platform_id: &str) -> Option<Vec<u8>> {
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|((r, p, _, _), _)| r == reference && p == platform_id)
            .and_then(|(_, answer)| answer.as_ref().ok())
            .and_then(|image| image.config.clone())
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
        let key = (
            reference.to_string(),
            platform.id(),
            mode.as_str(),
            log_name.to_string(),
        );
        let known = self
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(answer) = known {
            return answer;
        }
        let answer = self.ask(reference, platform, mode, log_name).await;
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, answer.clone());
        answer
    }

    async fn resolve_oci(
        &self,
        reference: &str,
        platform: &Platform,
        store: &OciStore,
        log_name: &str,
    ) -> Result<ResolvedImage, ResolveError> {
        let image = self
            .bridge
            .resolve_oci_layout_config(
                reference,
                Some(platform.to_pb()),
                (&store.session_id, &store.store_id),
                log_name,
            )
            .await
            .map_err(daemon_words)?;
        Ok(ResolvedImage {
            digest: image.digest,
            config: Some(image.config),
        })
    }
}

/// The daemon's own words ("not found", registry errors).
fn daemon_words(e: stagecraft_proto::BridgeError) -> ResolveError {
    ResolveError {
        message: match e.status() {
            Some(status) => status.message().to_string(),
            None => e.to_string(),
        },
    }
}

impl BridgeResolver {
    async fn ask(
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
            .map_err(daemon_words)?;
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
