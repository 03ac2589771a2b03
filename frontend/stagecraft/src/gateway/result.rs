//! The result of a successful build, as BuildKit's image exporters read it.
//!
//! One platform gives one `ref` (the only shape dockerd 20.10's exporter
//! takes); a multi-platform build gives a map of refs keyed by platform ID,
//! each with its own `containerimage.config/<id>`.

use std::collections::BTreeMap;

use stagecraft_lower::platform::Platform;
use stagecraft_proto::RefId;

/// Image config JSON the exporter writes into the image.
pub const IMAGE_CONFIG_KEY: &str = "containerimage.config";
/// Which platform each returned ref is for.
pub const PLATFORMS_KEY: &str = "refs.platforms";

/// SOURCE_DATE_EPOCH in decimal seconds: newer exporters clamp file and
/// layer times to it (older ones ignore the key).
pub const EPOCH_KEY: &str = "source.date.epoch";

/// One platform's image.
#[derive(Debug)]
pub struct PlatformImage {
    pub reference: RefId,
    pub image_config: Vec<u8>,
    pub platform: Platform,
    pub epoch: Option<i64>,
    pub sbom: Option<super::sbom::SbomAttestation>,
}

/// What `Return` carries.
#[derive(Debug, PartialEq)]
pub enum Refs {
    Single(RefId),
    /// Platform ID → ref.
    ByPlatform(BTreeMap<String, RefId>),
}

/// The whole result: refs, metadata and attestations.
#[derive(Debug)]
pub struct ImageResult {
    pub refs: Refs,
    pub metadata: BTreeMap<String, Vec<u8>>,
    /// Platform ID → that image's SBOM (`attest:sbom`).
    pub sbom: BTreeMap<String, super::sbom::SbomAttestation>,
}

/// Shapes the images of a build: with `multi_platform` a map keyed by
/// platform ID and per-platform metadata keys; otherwise the single image.
/// `refs.platforms` lists every platform, in the order asked.
pub fn image_result(images: Vec<PlatformImage>, multi_platform: bool) -> ImageResult {
    let mut metadata = BTreeMap::new();
    metadata.insert(
        PLATFORMS_KEY.to_string(),
        platforms_json(images.iter().map(|i| &i.platform)),
    );
    let key = |base: &str, id: &str| {
        if multi_platform {
            format!("{base}/{id}")
        } else {
            base.to_string()
        }
    };
    let mut by_platform = BTreeMap::new();
    let mut single = None;
    let mut sbom = BTreeMap::new();
    for image in images {
        let id = image.platform.id();
        if let Some(attestation) = image.sbom {
            sbom.insert(id.clone(), attestation);
        }
        metadata.insert(key(IMAGE_CONFIG_KEY, &id), image.image_config);
        if let Some(epoch) = image.epoch {
            metadata.insert(key(EPOCH_KEY, &id), epoch.to_string().into_bytes());
        }
        if multi_platform {
            by_platform.insert(id, image.reference);
        } else {
            single = Some(image.reference);
        }
    }
    let refs = match single {
        Some(reference) if !multi_platform => Refs::Single(reference),
        _ => Refs::ByPlatform(by_platform),
    };
    ImageResult {
        refs,
        metadata,
        sbom,
    }
}

/// `{"Platforms":[{"ID":"linux/amd64","Platform":{…}}]}` (Go field names).
fn platforms_json<'a>(platforms: impl Iterator<Item = &'a Platform>) -> Vec<u8> {
    let entries: Vec<serde_json::Value> = platforms
        .map(|platform| {
            let mut spec = serde_json::json!({
                "architecture": platform.architecture,
                "os": platform.os,
            });
            if let Some(version) = &platform.os_version {
                spec["os.version"] = version.clone().into();
            }
            if let Some(variant) = &platform.variant {
                spec["variant"] = variant.clone().into();
            }
            serde_json::json!({ "ID": platform.id(), "Platform": spec })
        })
        .collect();
    serde_json::json!({ "Platforms": entries })
        .to_string()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(platform: &str, id: &str, epoch: Option<i64>) -> PlatformImage {
        PlatformImage {
            reference: RefId(id.into()),
            image_config: format!("{{\"p\":\"{platform}\"}}").into_bytes(),
            platform: Platform::parse(platform).unwrap(),
            epoch,
            sbom: None,
        }
    }

    #[test]
    fn one_platform_is_one_ref_with_the_exporter_shape() {
        let r = image_result(vec![image("linux/amd64", "r1", None)], false);
        assert_eq!(r.refs, Refs::Single(RefId("r1".into())));
        let json: serde_json::Value = serde_json::from_slice(&r.metadata[PLATFORMS_KEY]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}}]})
        );
        assert_eq!(r.metadata[IMAGE_CONFIG_KEY], br#"{"p":"linux/amd64"}"#);
        assert!(!r.metadata.contains_key(EPOCH_KEY));

        let arm = image_result(vec![image("linux/arm/v7", "r", Some(1700000000))], false);
        let json: serde_json::Value = serde_json::from_slice(&arm.metadata[PLATFORMS_KEY]).unwrap();
        assert_eq!(json["Platforms"][0]["ID"], "linux/arm/v7");
        assert_eq!(json["Platforms"][0]["Platform"]["variant"], "v7");
        assert_eq!(arm.metadata[EPOCH_KEY], b"1700000000");
    }

    #[test]
    fn several_platforms_are_a_map_with_per_platform_keys() {
        let r = image_result(
            vec![
                image("linux/arm64", "a", Some(5)),
                image("linux/amd64", "b", Some(5)),
            ],
            true,
        );
        assert_eq!(
            r.refs,
            Refs::ByPlatform(BTreeMap::from([
                ("linux/arm64".to_string(), RefId("a".into())),
                ("linux/amd64".to_string(), RefId("b".into())),
            ]))
        );
        let keys: Vec<&str> = r.metadata.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "containerimage.config/linux/amd64",
                "containerimage.config/linux/arm64",
                "refs.platforms",
                "source.date.epoch/linux/amd64",
                "source.date.epoch/linux/arm64",
            ]
        );
        let json: serde_json::Value = serde_json::from_slice(&r.metadata[PLATFORMS_KEY]).unwrap();
        assert_eq!(json["Platforms"][0]["ID"], "linux/arm64");
        assert_eq!(json["Platforms"][1]["ID"], "linux/amd64");
    }

    #[test]
    fn multi_platform_with_one_platform_is_still_a_map() {
        let r = image_result(vec![image("linux/amd64", "a", None)], true);
        assert!(matches!(&r.refs, Refs::ByPlatform(m) if m.len() == 1));
        assert!(r.metadata.contains_key("containerimage.config/linux/amd64"));
    }
}
