//! The metadata of a successful build, as BuildKit's image exporters read it.
//!
//! One platform, one `ref`: the only shape dockerd 20.10's exporter takes.

use std::collections::BTreeMap;

use stagecraft_lower::platform::Platform;

/// Image config JSON the exporter writes into the image.
pub const IMAGE_CONFIG_KEY: &str = "containerimage.config";
/// Which platform each returned ref is for.
pub const PLATFORMS_KEY: &str = "refs.platforms";

/// SOURCE_DATE_EPOCH in decimal seconds: newer exporters clamp file and
/// layer times to it (older ones ignore the key).
pub const EPOCH_KEY: &str = "source.date.epoch";

/// `containerimage.config` and `refs.platforms` for one image, and
/// `source.date.epoch` when the build set one.
pub fn metadata(
    image_config: Vec<u8>,
    platform: &Platform,
    epoch: Option<i64>,
) -> BTreeMap<String, Vec<u8>> {
    let mut md = BTreeMap::from([
        (IMAGE_CONFIG_KEY.to_string(), image_config),
        (PLATFORMS_KEY.to_string(), platforms_json(platform)),
    ]);
    if let Some(epoch) = epoch {
        md.insert(EPOCH_KEY.to_string(), epoch.to_string().into_bytes());
    }
    md
}

/// `{"Platforms":[{"ID":"linux/amd64","Platform":{…}}]}` (Go field names).
fn platforms_json(platform: &Platform) -> Vec<u8> {
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
    serde_json::json!({
        "Platforms": [{ "ID": platform.id(), "Platform": spec }]
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_have_the_exporter_shape() {
        let md = metadata(b"{}".to_vec(), &Platform::linux_amd64(), None);
        let json: serde_json::Value = serde_json::from_slice(&md[PLATFORMS_KEY]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}}]})
        );
        let arm = Platform::parse("linux/arm/v7").unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&metadata(vec![], &arm, Some(1700000000))[PLATFORMS_KEY])
                .unwrap();
        assert_eq!(json["Platforms"][0]["ID"], "linux/arm/v7");
        assert_eq!(json["Platforms"][0]["Platform"]["variant"], "v7");
    }

    #[test]
    fn epoch_is_sent_only_when_set() {
        let linux = Platform::linux_amd64();
        assert!(!metadata(vec![], &linux, None).contains_key(EPOCH_KEY));
        let md = metadata(vec![], &linux, Some(1700000000));
        assert_eq!(md[EPOCH_KEY], b"1700000000");
    }
}
