//! Base image configs through the daemon's `ResolveImageConfig`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use stagecraft_lower::{
    ImageResolver, OciStore, Platform, ResolveError, ResolveMode, ResolvedImage,
};
use stagecraft_proto::Bridge;

/// Reference, platform ID, mode and progress name: a second lowering (the
/// next platform) asking the same is answered from memory, as the
/// reference caches its lookups, so a `FROM --platform=$BUILDPLATFORM`
/// image is looked up once per build.
type Key = (String, String, &'static str, String);

type Answer = Result<ResolvedImage, ResolveError>;

/// A lookup under way, awaited by whoever asks for the same key meanwhile.
type InFlight = Shared<BoxFuture<'static, Answer>>;

#[derive(Clone)]
enum Entry {
    Known(Answer),
    Asked(InFlight),
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entry::Known(answer) => f.debug_tuple("Known").field(answer).finish(),
            Entry::Asked(_) => f.write_str("Asked"),
        }
    }
}

/// Resolves images over the Bridge; shared by all stages and platforms of
/// one build.
#[derive(Clone, Debug)]
pub struct BridgeResolver {
    bridge: Bridge,
    answers: Arc<Mutex<BTreeMap<Key, Entry>>>,
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
            .find_map(|((r, p, _, _), entry)| match entry {
                Entry::Known(Ok(image)) if r == reference && p == platform_id => {
                    image.config.clone()
                }
                _ => None,
            })
    }

    /// Starts the lookup `resolve` would make, in a task of its own, and
    /// returns at once: a later `resolve` of the same key awaits it.
    pub fn prefetch(
        &self,
        reference: &str,
        platform: &Platform,
        mode: ResolveMode,
        log_name: &str,
    ) {
        let key = key(reference, platform, mode, log_name);
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        if answers.contains_key(&key) {
            return;
        }
        let asked = self.ask(reference, platform, mode, log_name);
        answers.insert(key, Entry::Asked(asked.clone()));
        drop(answers);
        tokio::spawn(asked);
    }

    /// The lookup as a future others can await too.
    fn ask(
        &self,
        reference: &str,
        platform: &Platform,
        mode: ResolveMode,
        log_name: &str,
    ) -> InFlight {
        let bridge = self.bridge.clone();
        let (reference, platform, log_name) = (
            reference.to_string(),
            platform.to_pb(),
            log_name.to_string(),
        );
        async move {
            let image = bridge
                .resolve_image_config(&reference, Some(platform), mode, &log_name)
                .await
                .map_err(daemon_words)?;
            Ok(ResolvedImage {
                digest: image.digest,
                config: Some(image.config),
            })
        }
        .boxed()
        .shared()
    }
}

fn key(reference: &str, platform: &Platform, mode: ResolveMode, log_name: &str) -> Key {
    (
        reference.to_string(),
        platform.id(),
        mode.as_str(),
        log_name.to_string(),
    )
}

/// A resolver for a lowering run only to learn which images a build will
/// look up: each is started ([`BridgeResolver::prefetch`]) and answered with
/// an error, which ends that lowering once all are asked.
pub struct Prefetching<'a>(pub &'a BridgeResolver);

impl ImageResolver for Prefetching<'_> {
    async fn resolve(
        &self,
        reference: &str,
        platform: &Platform,
        mode: ResolveMode,
        log_name: &str,
    ) -> Result<ResolvedImage, ResolveError> {
        self.0.prefetch(reference, platform, mode, log_name);
        Err(ResolveError {
            message: "prefetching only".to_string(),
        })
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
        let key = key(reference, platform, mode, log_name);
        let asked = {
            let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
            match answers.get(&key) {
                Some(Entry::Known(answer)) => return answer.clone(),
                Some(Entry::Asked(asked)) => asked.clone(),
                None => {
                    let asked = self.ask(reference, platform, mode, log_name);
                    answers.insert(key.clone(), Entry::Asked(asked.clone()));
                    asked
                }
            }
        };
        let answer = asked.await;
        self.answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Entry::Known(answer.clone()));
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
