//! Platforms as the checks compare them: `os/arch[/variant]`, normalised
//! the way containerd does (`aarch64` is `arm64`, `x86_64` is `amd64`).

/// A build or target platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformSpec {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for PlatformSpec {
    fn default() -> Self {
        PlatformSpec::new("linux", "amd64", None)
    }
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
];

impl PlatformSpec {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        let (architecture, variant) = normalize_arch(architecture, variant.unwrap_or(""));
        PlatformSpec {
            os: os.to_lowercase(),
            architecture,
            variant: (!variant.is_empty()).then_some(variant),
        }
    }

    /// Parses `os/arch[/variant]`, `os` or `arch`; a lone part that is not
    /// an OS is an architecture of the default (linux) OS.
    pub fn parse(spec: &str) -> Option<PlatformSpec> {
        let parts: Vec<&str> = spec.split('/').collect();
        if parts.iter().any(|p| p.is_empty() || !valid_part(p)) {
            return None;
        }
        match parts.as_slice() {
            [one] if KNOWN_OS.contains(&one.to_lowercase().as_str()) => {
                Some(PlatformSpec::new(one, "amd64", None))
            }
            [arch] => Some(PlatformSpec::new("linux", arch, None)),
            [os, arch] => Some(PlatformSpec::new(os, arch, None)),
            [os, arch, variant] => Some(PlatformSpec::new(os, arch, Some(variant))),
            _ => None,
        }
    }

    /// Same OS and architecture (the variant is not compared).
    pub fn same_os_arch(&self, other: &PlatformSpec) -> bool {
        self.os == other.os && self.architecture == other.architecture
    }
}

impl std::fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

fn valid_part(p: &str) -> bool {
    p.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_lowercase();
    let variant = variant.to_lowercase();
    match arch.as_str() {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            let v = if variant == "v1" {
                String::new()
            } else {
                variant
            };
            ("amd64".into(), v)
        }
        "aarch64" | "arm64" => {
            let v = if matches!(variant.as_str(), "8" | "v8" | "v8.0") {
                String::new()
            } else {
                variant
            };
            ("arm64".into(), v)
        }
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let v = match variant.as_str() {
                "" | "7" => "v7".to_string(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".into(), v)
        }
        _ => (arch, variant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let p = PlatformSpec::parse("linux/aarch64").unwrap();
        assert_eq!(p.to_string(), "linux/arm64");
        assert_eq!(
            PlatformSpec::parse("arm").unwrap().to_string(),
            "linux/arm/v7"
        );
        assert_eq!(PlatformSpec::parse("windows").unwrap().os, "windows");
        assert_eq!(
            PlatformSpec::parse("linux/amd64/v3").unwrap().to_string(),
            "linux/amd64/v3"
        );
        assert!(PlatformSpec::parse("linux//amd64").is_none());
        assert!(PlatformSpec::parse("$X").is_none());
    }
}
