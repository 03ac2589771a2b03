//! The target stage's image config as returned to BuildKit.

use crate::image::Image;
use crate::options::BuildOptions;

/// Merges `label:*` options and, when a platform was asked for, writes it
/// into the config.
pub(crate) fn finalize_image(mut img: Image, options: &BuildOptions) -> Image {
    if !options.labels.is_empty() {
        let labels = img.config.labels.get_or_insert_with(Default::default);
        for (k, v) in &options.labels {
            labels.insert(k.clone(), v.clone());
        }
    }
    if let Some(tp) = &options.target_platform {
        let same_os_arch = tp.os == img.os && tp.architecture == img.architecture;
        img.os = tp.os.clone();
        img.architecture = tp.architecture.clone();
        if tp.variant.is_some() || !same_os_arch {
            img.variant = tp.variant.clone();
        }
        if tp.os_version.is_some() || !same_os_arch {
            img.os_version = tp.os_version.clone();
        }
    }
    if img.rootfs.kind.is_empty() {
        img.rootfs.kind = "layers".to_string();
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;

    #[test]
    fn labels_and_explicit_platform() {
        let mut o = BuildOptions::default();
        o.labels.insert("a".into(), "1".into());
        o.target_platform = Some(Platform::parse("linux/arm64").unwrap());
        let mut base = Image::empty(&Platform::linux_amd64());
        base.variant = Some("v2".into());
        let img = finalize_image(base, &o);
        assert_eq!(img.architecture, "arm64");
        assert_eq!(img.variant, None);
        assert_eq!(img.config.labels.unwrap()["a"], "1");
    }
}
