//! Platforms as BuildKit names them (`linux/amd64`, `linux/arm/v7`), normalised
//! the way containerd does so IDs match what the exporter expects.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub os_version: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid platform {given:?}: {why}")]
pub struct PlatformError {
    pub given: String,
    pub why: &'static str,
}

impl Platform {
    pub fn new(os: &str, architecture: &str) -> Self {
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: None,
            os_version: None,
        }
    }

    pub fn linux_amd64() -> Self {
        Platform::new("linux", "amd64")
    }

    /// Parses `os[/arch[/variant]]` (or a bare architecture, taken as Linux),
    /// then normalises aliases such as `x86_64` or `aarch64`.
    pub fn parse(spec: &str) -> Result<Self, PlatformError> {
        let err = |why| PlatformError {
            given: spec.to_string(),
            why,
        };
        let trimmed = spec.trim();
        if trimmed.is_empty() {
            return Err(err("empty platform"));
        }
        let parts: Vec<&str> = trimmed.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(err("empty component"));
        }
        if parts.iter().any(|p| {
            !p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        }) {
            return Err(err("unexpected character"));
        }
        let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        let (os, arch, variant) = match lower.as_slice() {
            [one] if is_known_os(one) => (one.clone(), host_arch().to_string(), None),
            [one] => ("linux".to_string(), one.clone(), None),
            [os, arch] => (os.clone(), arch.clone(), None),
            [os, arch, variant] => (os.clone(), arch.clone(), Some(variant.clone())),
            _ => return Err(err("too many components")),
        };
        Ok(Platform {
            os: normalize_os(&os),
            architecture: String::new(),
            variant: None,
            os_version: None,
        }
        .with_arch(&arch, variant.as_deref()))
    }

    fn with_arch(mut self, arch: &str, variant: Option<&str>) -> Self {
        let (arch, variant) = normalize_arch(arch, variant);
        self.architecture = arch;
        self.variant = variant;
        self
    }

    /// The `os/arch[/variant]` form used in `refs.platforms` and TARGETPLATFORM.
    pub fn id(&self) -> String {
        self.to_string()
    }
}

/// The host's platform: what BuildKit assumes when no worker says otherwise.
impl Default for Platform {
    fn default() -> Self {
        Platform::new("linux", host_arch())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.os)?;
        if let Some(v) = &self.os_version {
            write!(f, "({v})")?;
        }
        write!(f, "/{}", self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

fn is_known_os(s: &str) -> bool {
    matches!(
        s,
        "linux" | "windows" | "darwin" | "freebsd" | "netbsd" | "openbsd" | "solaris" | "illumos"
    )
}

fn normalize_os(os: &str) -> String {
    match os {
        "macos" => "darwin".to_string(),
        other => other.to_string(),
    }
}

fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// containerd's alias table: what users write → what registries and BuildKit use.
fn normalize_arch(arch: &str, variant: Option<&str>) -> (String, Option<String>) {
    let v = variant.map(str::to_string);
    match arch {
        "i386" => ("386".into(), None),
        "x86_64" | "x86-64" | "amd64" => {
            // amd64's v1 is the baseline: containerd drops it.
            let v = v.filter(|v| v != "v1");
            ("amd64".into(), v)
        }
        "aarch64" | "arm64" => {
            let v = v.filter(|v| v != "8" && v != "v8");
            ("arm64".into(), v)
        }
        "armhf" => ("arm".into(), Some("v7".into())),
        "armel" => ("arm".into(), Some("v6".into())),
        "arm" => {
            let v = match v.as_deref() {
                None | Some("7") | Some("v7") => "v7".to_string(),
                Some("5") | Some("v5") => "v5".to_string(),
                Some("6") | Some("v6") => "v6".to_string(),
                Some("8") | Some("v8") => "v8".to_string(),
                Some(other) => other.to_string(),
            };
            ("arm".into(), Some(v))
        }
        other => (other.to_string(), v),
    }
}

impl Platform {
    /// The wire form put on image sources and exec ops.
    pub fn to_pb(&self) -> stagecraft_llb::pb::Platform {
        stagecraft_llb::pb::Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            variant: self.variant.clone().unwrap_or_default(),
            os_version: self.os_version.clone().unwrap_or_default(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_containerd() {
        let cases = [
            ("linux/amd64", "linux/amd64"),
            ("linux/x86_64", "linux/amd64"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/arm/v6", "linux/arm/v6"),
            ("Linux/AMD64", "linux/amd64"),
            ("arm64", "linux/arm64"),
            ("linux/386", "linux/386"),
            ("linux/riscv64", "linux/riscv64"),
        ];
        for (given, want) in cases {
            assert_eq!(Platform::parse(given).unwrap().to_string(), want, "{given}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "linux/",
            "/amd64",
            "linux/amd64/v8/x",
            "linux amd64",
            "linux/am$d",
        ] {
            assert!(Platform::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
