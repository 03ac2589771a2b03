//! The image config we return to BuildKit (`containerimage.config`) and read
//! from base images.
//!
//! Our own serde types rather than `oci-spec`'s: the OCI config lacks the
//! Docker extensions a Dockerfile sets (`Healthcheck`, `OnBuild`, `Shell`).
//! Fields of a base image that neither spec defines (`container_config`,
//! `docker_version`, `Hostname`, …) are dropped on reading, as the reference
//! does: they describe how the base was made, not the image we build. Empty
//! lists and maps are left out when writing, like Go's `omitempty`.

use std::sync::Arc;

use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};

use crate::platform::Platform;

pub use crate::config_env::ConfigEnv;

/// The default PATH BuildKit gives Linux containers whose image sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", default, skip_serializing_if = "none_or_empty")]
    pub os_features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: ImageConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    /// Persistent, entries shared: every stage starts from a copy of its
    /// base's history, and adding to a shared list copies a chunk of it.
    #[serde(default, skip_serializing_if = "Vector::is_empty")]
    pub history: Vector<Arc<History>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(rename = "User", default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "none_or_empty"
    )]
    pub exposed_ports: Option<OrdMap<String, Empty>>,
    #[serde(
        rename = "Env",
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "ConfigEnv::is_empty"
    )]
    pub env: ConfigEnv,
    #[serde(rename = "Entrypoint", default, skip_serializing_if = "none_or_empty")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "Cmd", default, skip_serializing_if = "none_or_empty")]
    pub cmd: Option<Vec<String>>,
    #[serde(rename = "Volumes", default, skip_serializing_if = "none_or_empty")]
    pub volumes: Option<OrdMap<String, Empty>>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub working_dir: String,
    /// Persistent, like the ports and volumes: a chain of stages each adding
    /// one shares the map instead of copying it per stage (linear memory).
    #[serde(rename = "Labels", default, skip_serializing_if = "none_or_empty")]
    pub labels: Option<OrdMap<String, String>>,
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub stop_signal: String,
    #[serde(rename = "ArgsEscaped", default, skip_serializing_if = "is_false")]
    pub args_escaped: bool,
    #[serde(
        rename = "Healthcheck",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub healthcheck: Option<Healthcheck>,
    #[serde(
        rename = "OnBuild",
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub on_build: Vec<String>,
    #[serde(rename = "Shell", default, skip_serializing_if = "none_or_empty")]
    pub shell: Option<Vec<String>>,
}

/// Docker writes set members as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    #[serde(rename = "Test", default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    /// Durations are Go `time.Duration`: integer nanoseconds on the wire.
    #[serde(rename = "Interval", default, skip_serializing_if = "is_zero")]
    pub interval: u64,
    #[serde(rename = "Timeout", default, skip_serializing_if = "is_zero")]
    pub timeout: u64,
    #[serde(rename = "StartPeriod", default, skip_serializing_if = "is_zero")]
    pub start_period: u64,
    #[serde(rename = "StartInterval", default, skip_serializing_if = "is_zero")]
    pub start_interval: u64,
    #[serde(rename = "Retries", default, skip_serializing_if = "is_zero_i64")]
    pub retries: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<String>,
}

impl Default for RootFs {
    fn default() -> Self {
        RootFs {
            kind: "layers".to_string(),
            diff_ids: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub empty_layer: bool,
}

/// Go's `omitempty` on a slice or map: absent and empty are both left out.
fn none_or_empty<T: IsEmpty>(v: &Option<T>) -> bool {
    v.as_ref().is_none_or(IsEmpty::is_empty)
}

trait IsEmpty {
    fn is_empty(&self) -> bool;
}

impl<T> IsEmpty for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

impl<K, V> IsEmpty for OrdMap<K, V> {
    fn is_empty(&self) -> bool {
        OrdMap::is_empty(self)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Image {
    /// The config of `FROM scratch`: no layers, `/` as working dir, and the
    /// default PATH on Linux.
    pub fn empty(platform: &Platform) -> Self {
        let mut img = Image {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            os_version: platform.os_version.clone(),
            variant: platform.variant.clone(),
            ..Image::default()
        };
        img.config.working_dir = "/".to_string();
        if platform.os != "windows" {
            img.config.env = ConfigEnv::from(vec![format!("PATH={DEFAULT_PATH}")]);
        }
        img
    }

    /// Parses a base image's config as a registry (or dockerd) returns it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A child stage starts from its base's config minus what is not
    /// inherited: the creation time and ONBUILD triggers (those run instead).
    pub fn for_child(&self) -> Self {
        let mut img = self.clone();
        img.created = None;
        img.config.on_build.clear();
        img
    }
}

impl ImageConfig {
    /// Sets `key=value` in the env list, replacing an earlier value of `key`
    /// in place so the order of first definition is kept.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.set(key, value);
    }

    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env.value(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_fields_of_a_base_config_that_no_spec_defines() {
        let raw = br#"{"architecture":"amd64","os":"linux","comment":"Imported from -","docker_version":"20.10","container_config":{"Tty":false},"config":{"Env":["A=1"],"Cmd":["sh"],"Hostname":"x","Image":"sha256:01"},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]}}"#;
        let img = Image::from_json(raw).unwrap();
        assert_eq!(img.config.cmd, Some(vec!["sh".to_string()]));
        let back: serde_json::Value = serde_json::from_slice(&img.to_json()).unwrap();
        for gone in ["comment", "docker_version", "container_config"] {
            assert!(back.get(gone).is_none(), "{gone} leaked: {back}");
        }
        for gone in ["Hostname", "Image"] {
            assert!(back["config"].get(gone).is_none(), "{gone} leaked: {back}");
        }
    }

    #[test]
    fn empty_lists_and_maps_are_left_out_like_go_omitempty() {
        let mut img = Image::empty(&Platform::linux_amd64());
        img.config.cmd = Some(vec![]);
        img.config.entrypoint = Some(vec![]);
        img.config.labels = Some(OrdMap::new());
        img.config.exposed_ports = Some(OrdMap::new());
        img.config.volumes = Some(OrdMap::new());
        img.config.shell = Some(vec![]);
        let back: serde_json::Value = serde_json::from_slice(&img.to_json()).unwrap();
        for gone in [
            "Cmd",
            "Entrypoint",
            "Labels",
            "ExposedPorts",
            "Volumes",
            "Shell",
        ] {
            assert!(back["config"].get(gone).is_none(), "{gone} written: {back}");
        }
    }

    #[test]
    fn null_lists_read_as_empty() {
        let img = Image::from_json(
            br#"{"config":{"Env":null,"OnBuild":null},"rootfs":{"type":"layers","diff_ids":null}}"#,
        )
        .unwrap();
        assert!(img.config.env.is_empty());
        assert!(img.config.on_build.is_empty());
    }

    #[test]
    fn scratch_has_default_path_and_root_workdir() {
        let img = Image::empty(&Platform::linux_amd64());
        let v: serde_json::Value = serde_json::from_slice(&img.to_json()).unwrap();
        assert_eq!(v["config"]["Env"][0], format!("PATH={DEFAULT_PATH}"));
        assert_eq!(v["config"]["WorkingDir"], "/");
        assert_eq!(v["rootfs"]["type"], "layers");
        assert_eq!(v["os"], "linux");
        assert_eq!(v["architecture"], "amd64");
    }

    #[test]
    fn env_replaces_in_place() {
        let mut config = ImageConfig {
            env: ConfigEnv::from(["A=1", "B=2"]),
            ..ImageConfig::default()
        };
        config.set_env("A", "3");
        config.set_env("C", "4");
        assert_eq!(config.env.to_vec(), ["A=3", "B=2", "C=4"]);
        assert_eq!(config.env_value("B"), Some("2"));
        assert_eq!(config.env_value("Z"), None);
    }
}
