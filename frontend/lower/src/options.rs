//! Frontend options (`BUILDKIT_FRONTEND_OPT_*`, `buildctl --opt`, the CLI's
//! flags) decoded into typed build options. Everything a user can get wrong
//! here fails with a message naming the option.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use stagecraft_llb::{HostIp, NetworkMode, ResolveMode, Ulimit};

use crate::platform::{Platform, PlatformError};

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BuildOptions {
    pub filename: String,
    /// The stage to build; `None` means the last one.
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub no_cache: NoCache,
    /// The platform this lowering builds for, if one was asked; otherwise
    /// the build platform is used and left out of the image config's
    /// explicit fields. See [`BuildOptions::for_each_platform`].
    pub target_platform: Option<Platform>,
    /// Every platform asked for (`platform=a,b,…`), in order, without
    /// repeats; empty = the build platform.
    pub target_platforms: Vec<Platform>,
    /// The result is a map of refs, one per platform, and progress names
    /// carry the platform (several platforms, `multi-platform` or
    /// `BUILDKIT_MULTI_PLATFORM`).
    pub multi_platform: bool,
    pub build_platform: Platform,
    pub image_resolve_mode: ResolveMode,
    pub extra_hosts: Vec<HostIp>,
    pub network_mode: NetworkMode,
    pub shm_size: Option<u64>,
    pub ulimits: Vec<Ulimit>,
    pub hostname: Option<String>,
    pub cgroup_parent: Option<String>,
    pub cache_mount_namespace: String,
    pub cache_imports: Vec<CacheImport>,
    /// `context:<name>[::<platform>]` options: key after the prefix →
    /// the source as given (parsed when a stage or image asks for it).
    pub named_contexts: BTreeMap<String, String>,
    /// `input-metadata:<input>`: JSON metadata of an `input:` context.
    pub input_metadata: BTreeMap<String, String>,
    /// `sharedkey:localdir:<key>`: cache key hint of a `local:` context.
    pub context_shared_keys: BTreeMap<String, String>,
    /// Resolve and dispatch every stage, not only what the target needs: a
    /// lint request without a target checks the whole file, so a stage no
    /// build would reach can still fail it.
    pub all_stages: bool,
    /// `attest:sbom` (buildx `--sbom`): the frontend runs the scanner, so
    /// that it can show it the context and stages too.
    pub sbom: Option<SbomRequest>,
    /// `memory`, `memswap`, `cpushares`, `cpuperiod`, `cpuquota`,
    /// `cpusetcpus`, `cpusetmems`: cgroup limits for every RUN.
    pub linux_resources: Option<LinuxResources>,
}

/// Resource limits of RUN steps, as the options give them (0 / empty =
/// unset).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LinuxResources {
    pub memory: i64,
    pub memory_swap: i64,
    pub cpu_shares: u64,
    pub cpu_period: u64,
    pub cpu_quota: i64,
    pub cpuset_cpus: String,
    pub cpuset_mems: String,
}

impl LinuxResources {
    /// The options set, as `key=value` in the reference's order, for
    /// messages.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        let mut num = |k: &str, v: String, set: bool| {
            if set {
                out.push(format!("{k}={v}"));
            }
        };
        num("memory", self.memory.to_string(), self.memory != 0);
        num(
            "memswap",
            self.memory_swap.to_string(),
            self.memory_swap != 0,
        );
        num(
            "cpushares",
            self.cpu_shares.to_string(),
            self.cpu_shares != 0,
        );
        num(
            "cpuperiod",
            self.cpu_period.to_string(),
            self.cpu_period != 0,
        );
        num("cpuquota", self.cpu_quota.to_string(), self.cpu_quota != 0);
        num(
            "cpusetcpus",
            self.cpuset_cpus.clone(),
            !self.cpuset_cpus.is_empty(),
        );
        num(
            "cpusetmems",
            self.cpuset_mems.clone(),
            !self.cpuset_mems.is_empty(),
        );
        out.join(",")
    }
}

/// An SBOM attestation asked for: the scanner image and the parameters it
/// gets as `BUILDKIT_SCAN_<KEY>` variables.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SbomRequest {
    /// Normalised, e.g. `docker.io/docker/buildkit-syft-scanner:stable-1`.
    pub generator: String,
    pub params: BTreeMap<String, String>,
}

/// The scanner BuildKit's own frontend uses when none is named.
const DEFAULT_SBOM_GENERATOR: &str = "docker/buildkit-syft-scanner:stable-1";

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum NoCache {
    #[default]
    None,
    All,
    Stages(BTreeSet<String>),
}

impl NoCache {
    pub fn applies_to(&self, stage_name: Option<&str>) -> bool {
        match self {
            NoCache::None => false,
            NoCache::All => true,
            NoCache::Stages(names) => {
                stage_name.is_some_and(|n| names.contains(&n.to_ascii_lowercase()))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheImport {
    pub kind: String,
    pub attrs: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error("invalid image-resolve-mode: {0:?} (expected default, pull or local)")]
    ResolveMode(String),
    #[error("invalid force-network-mode: {0:?} (expected sandbox, host or none)")]
    NetworkMode(String),
    #[error("failed to parse target platform: {0}")]
    Platform(#[from] PlatformError),
    #[error(
        "conflicting config: returning multiple target platforms is not allowed (platform={0} with multi-platform=false)"
    )]
    MultiPlatformConflict(String),
    #[error("failed to parse additional hosts {value:?}: {why}")]
    AddHosts { value: String, why: String },
    #[error("failed to parse shm size {0:?}: expected a number of bytes")]
    ShmSize(String),
    #[error("failed to parse ulimit {value:?}: {why}")]
    Ulimit { value: String, why: String },
    #[error("failed to parse cache-imports {value:?}: {why}")]
    CacheImports { value: String, why: String },
    #[error("invalid boolean value for {key}: {value:?}")]
    Bool { key: String, value: String },
    #[error("{0}")]
    Removed(&'static str),
    #[error("failed to parse {kind}: {why}")]
    Attest { kind: String, why: String },
    #[error("unknown attestation type {0:?}")]
    AttestType(String),
    #[error("invalid {key} value: {value}: {why}")]
    Resource {
        key: &'static str,
        value: String,
        why: String,
    },
    #[error("failed to parse sbom scanner {value}: {why}")]
    SbomScanner { value: String, why: String },
}

const BUILD_ARG: &str = "build-arg:";
const LABEL: &str = "label:";

impl BuildOptions {
    /// Decodes the frontend options BuildKit passed. `build_platform` is the
    /// first platform of the first worker (or the host's).
    pub fn from_frontend_opts(
        opts: &BTreeMap<String, String>,
        build_platform: Platform,
    ) -> Result<Self, OptionError> {
        let get = |k: &str| opts.get(k).map(String::as_str).filter(|v| !v.is_empty());

        if get("override-copy-image").is_some() {
            return Err(OptionError::Removed(
                "support for \"override-copy-image\" was removed in BuildKit 0.11",
            ));
        }

        let mut target_platforms: Vec<Platform> = Vec::new();
        if let Some(v) = get("platform") {
            for spec in v.split(',') {
                let p = Platform::parse(spec)?;
                if !target_platforms.contains(&p) {
                    target_platforms.push(p);
                }
            }
        }
        let several = target_platforms.len() > 1;
        // The build arg wins over the option, as in the reference.
        let multi_platform =
            match get("build-arg:BUILDKIT_MULTI_PLATFORM").or(get("multi-platform")) {
                None => several,
                Some(v) => {
                    let asked = parse_bool("multi-platform", v)?;
                    if several && !asked {
                        return Err(OptionError::MultiPlatformConflict(
                            get("platform").unwrap_or_default().to_string(),
                        ));
                    }
                    asked
                }
            };

        let image_resolve_mode = match get("image-resolve-mode") {
            None | Some("default") => ResolveMode::Default,
            Some("pull") => ResolveMode::Pull,
            Some("local") => ResolveMode::Local,
            Some(other) => return Err(OptionError::ResolveMode(other.to_string())),
        };
        let network_mode = match get("force-network-mode") {
            None | Some("sandbox") => NetworkMode::Sandbox,
            Some("host") => NetworkMode::Host,
            Some("none") => NetworkMode::None,
            Some(other) => return Err(OptionError::NetworkMode(other.to_string())),
        };
        let no_cache = match opts.get("no-cache") {
            None => NoCache::None,
            Some(v) if v.is_empty() => NoCache::All,
            Some(v) => NoCache::Stages(
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        };
        let shm_size = match get("shm-size") {
            None => None,
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| OptionError::ShmSize(v.to_string()))?,
            ),
        };

        let hostname = get("build-arg:BUILDKIT_SANDBOX_HOSTNAME")
            .or(get("hostname"))
            .map(str::to_string);

        Ok(BuildOptions {
            filename: get("filename").unwrap_or("Dockerfile").to_string(),
            target: get("target").map(str::to_string),
            build_args: with_prefix(opts, BUILD_ARG),
            labels: with_prefix(opts, LABEL),
            no_cache,
            target_platform: target_platforms.first().cloned(),
            target_platforms,
            multi_platform,
            build_platform,
            image_resolve_mode,
            extra_hosts: get("add-hosts")
                .map(parse_add_hosts)
                .transpose()?
                .unwrap_or_default(),
            network_mode,
            shm_size,
            ulimits: get("ulimit")
                .map(parse_ulimits)
                .transpose()?
                .unwrap_or_default(),
            hostname,
            cgroup_parent: get("cgroup-parent").map(str::to_string),
            cache_mount_namespace: opts
                .get("build-arg:BUILDKIT_CACHE_MOUNT_NS")
                .cloned()
                .unwrap_or_default(),
            cache_imports: parse_cache_imports(get("cache-imports"), get("cache-from"))?,
            named_contexts: with_prefix(opts, "context:"),
            input_metadata: with_prefix(opts, "input-metadata:"),
            context_shared_keys: with_prefix(opts, "sharedkey:localdir:"),
            all_stages: false,
            sbom: parse_sbom(opts)?,
            linux_resources: parse_linux_resources(&get)?,
        })
    }

    /// One set of options per platform to lower, each with its
    /// `target_platform`; a single entry when no platform was asked.
    pub fn for_each_platform(&self) -> Vec<BuildOptions> {
        if self.target_platforms.is_empty() {
            return vec![self.clone()];
        }
        self.target_platforms
            .iter()
            .map(|p| BuildOptions {
                target_platform: Some(p.clone()),
                ..self.clone()
            })
            .collect()
    }

    /// The platform the image is built for.
    pub fn platform(&self) -> &Platform {
        self.target_platform
            .as_ref()
            .unwrap_or(&self.build_platform)
    }
}

fn with_prefix(opts: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    opts.iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
        .collect()
}

/// Go's `strconv.ParseBool`, which BuildKit uses for boolean options.
pub fn parse_bool(key: &str, value: &str) -> Result<bool, OptionError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(OptionError::Bool {
            key: key.to_string(),
            value: value.to_string(),
        }),
    }
}

/// The resource options, checked as the reference checks them; `None` when
/// none is set.
fn parse_linux_resources<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<LinuxResources>, OptionError> {
    fn bad(key: &'static str, value: &str, why: impl Into<String>) -> OptionError {
        OptionError::Resource {
            key,
            value: value.to_string(),
            why: why.into(),
        }
    }
    fn signed(key: &'static str, v: &str) -> Result<i64, OptionError> {
        v.parse::<i64>()
            .map_err(|e| bad(key, v, format!("not a number ({e})")))
    }
    fn unsigned(key: &'static str, v: &str) -> Result<u64, OptionError> {
        v.parse::<u64>()
            .map_err(|e| bad(key, v, format!("not a number ({e})")))
    }
    let mut res = LinuxResources::default();
    if let Some(v) = get("memory") {
        res.memory = signed("memory", v)?;
        if res.memory <= 0 {
            return Err(bad("memory", v, "must be > 0"));
        }
    }
    if let Some(v) = get("memswap") {
        res.memory_swap = signed("memswap", v)?;
        if res.memory_swap < -1 || res.memory_swap == 0 {
            return Err(bad("memswap", v, "must be -1 (unlimited) or > 0"));
        }
    }
    if let Some(v) = get("cpushares") {
        res.cpu_shares = unsigned("cpushares", v)?;
        if res.cpu_shares == 0 {
            return Err(bad("cpushares", v, "must be > 0"));
        }
    }
    if let Some(v) = get("cpuperiod") {
        res.cpu_period = unsigned("cpuperiod", v)?;
        if res.cpu_period == 0 {
            return Err(bad("cpuperiod", v, "must be > 0"));
        }
    }
    if let Some(v) = get("cpuquota") {
        res.cpu_quota = signed("cpuquota", v)?;
        if res.cpu_quota <= 0 {
            return Err(bad("cpuquota", v, "must be > 0"));
        }
    }
    if let Some(v) = get("cpusetcpus") {
        check_cpuset(v).map_err(|why| bad("cpusetcpus", v, why))?;
        res.cpuset_cpus = v.to_string();
    }
    if let Some(v) = get("cpusetmems") {
        check_cpuset(v).map_err(|why| bad("cpusetmems", v, why))?;
        res.cpuset_mems = v.to_string();
    }
    Ok((res != LinuxResources::default()).then_some(res))
}

/// The largest CPU or memory node index a cpuset may name (BuildKit's
/// bound, so a value like `0-999999999` is refused rather than expanded).
const MAX_CPU: u64 = 8192;

/// A cpuset list such as `0-3,5,7-9`.
fn check_cpuset(value: &str) -> Result<(), String> {
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            None => {
                let n: u64 = part
                    .parse()
                    .map_err(|_| format!("invalid cpuset element {part:?}"))?;
                if n > MAX_CPU {
                    return Err(format!("cpuset element {part:?} exceeds maximum {MAX_CPU}"));
                }
            }
            Some((lo, hi)) => {
                let hi = match (lo.trim().parse::<u64>(), hi.trim().parse::<u64>()) {
                    (Ok(lo), Ok(hi)) if lo <= hi => hi,
                    _ => return Err(format!("invalid cpuset range {part:?}")),
                };
                if hi > MAX_CPU {
                    return Err(format!("cpuset range {part:?} exceeds maximum {MAX_CPU}"));
                }
            }
        }
    }
    Ok(())
}

/// The attestations asked for (`attest:<kind>`, or the build arg
/// `BUILDKIT_ATTEST_<KIND>`), checked as the reference checks them; only the
/// SBOM one concerns the frontend (the daemon adds provenance itself).
fn parse_sbom(opts: &BTreeMap<String, String>) -> Result<Option<SbomRequest>, OptionError> {
    let mut kinds: BTreeMap<String, &str> = BTreeMap::new();
    for (key, value) in opts {
        let kind = key
            .strip_prefix("attest:")
            .or_else(|| key.strip_prefix("build-arg:BUILDKIT_ATTEST_"));
        if let Some(kind) = kind {
            kinds.insert(kind.to_ascii_lowercase(), value);
        }
    }
    let mut sbom = None;
    for (kind, value) in kinds {
        if kind != "sbom" && kind != "provenance" {
            return Err(OptionError::AttestType(kind));
        }
        let mut attrs = BTreeMap::new();
        if !value.is_empty() {
            let fields = csv_fields(value).map_err(|why| OptionError::Attest {
                kind: kind.clone(),
                why,
            })?;
            for field in fields {
                let (k, v) = field.split_once('=').unwrap_or((field.as_str(), ""));
                attrs.insert(k.to_string(), v.to_string());
            }
        }
        if kind == "sbom" {
            let generator = attrs
                .remove("generator")
                .unwrap_or_else(|| DEFAULT_SBOM_GENERATOR.to_string());
            let normalized =
                stagecraft_instructions::reference::normalize(&generator).map_err(|why| {
                    OptionError::SbomScanner {
                        value: generator.clone(),
                        why,
                    }
                })?;
            sbom = Some(SbomRequest {
                generator: normalized,
                params: attrs,
            });
        }
    }
    Ok(sbom)
}

fn csv_fields(value: &str) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(value.as_bytes());
    let mut fields = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        fields.extend(record.iter().map(str::to_string));
    }
    Ok(fields)
}

fn parse_add_hosts(value: &str) -> Result<Vec<HostIp>, OptionError> {
    let err = |why: String| OptionError::AddHosts {
        value: value.to_string(),
        why,
    };
    let mut out = Vec::new();
    for field in csv_fields(value).map_err(err)? {
        let lower = field.to_ascii_lowercase();
        let Some((host, ip)) = lower.split_once('=') else {
            return Err(err(format!("invalid key-value pair {field}")));
        };
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| err(format!("failed to parse IP {ip}")))?;
        out.push(HostIp {
            host: host.to_string(),
            ip,
        });
    }
    Ok(out)
}

const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

fn parse_ulimits(value: &str) -> Result<Vec<Ulimit>, OptionError> {
    let err = |why: String| OptionError::Ulimit {
        value: value.to_string(),
        why,
    };
    let mut out = Vec::new();
    for field in csv_fields(value).map_err(err)? {
        let Some((name, limits)) = field.split_once('=') else {
            return Err(err(format!("invalid ulimit argument: {field}")));
        };
        if !ULIMIT_NAMES.contains(&name) {
            return Err(err(format!("invalid ulimit type: {name}")));
        }
        let (soft, hard) = match limits.split_once(':') {
            Some((s, h)) => (s, h),
            None => (limits, limits),
        };
        let num = |s: &str| {
            s.parse::<i64>()
                .map_err(|_| err(format!("invalid ulimit value: {s}")))
        };
        let (soft, hard) = (num(soft)?, num(hard)?);
        if soft > hard {
            return Err(err(format!(
                "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
            )));
        }
        out.push(Ulimit {
            name: name.to_string(),
            soft,
            hard,
        });
    }
    Ok(out)
}

fn parse_cache_imports(
    imports: Option<&str>,
    from: Option<&str>,
) -> Result<Vec<CacheImport>, OptionError> {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Type", alias = "type")]
        kind: String,
        #[serde(rename = "Attrs", alias = "attrs", default)]
        attrs: BTreeMap<String, String>,
    }
    let mut out = Vec::new();
    if let Some(v) = imports {
        let entries: Vec<Entry> =
            serde_json::from_str(v).map_err(|e| OptionError::CacheImports {
                value: v.to_string(),
                why: e.to_string(),
            })?;
        out.extend(entries.into_iter().map(|e| CacheImport {
            kind: e.kind,
            attrs: e.attrs,
        }));
    }
    if let Some(v) = from {
        out.extend(v.split(',').filter(|s| !s.is_empty()).map(|r| CacheImport {
            kind: "registry".to_string(),
            attrs: BTreeMap::from([("ref".to_string(), r.to_string())]),
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<BuildOptions, OptionError> {
        BuildOptions::from_frontend_opts(&opts(pairs), Platform::linux_amd64())
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.filename, "Dockerfile");
        assert_eq!(o.target, None);
        assert_eq!(o.no_cache, NoCache::None);
        assert_eq!(o.platform(), &Platform::linux_amd64());
        assert_eq!(o.network_mode, NetworkMode::Sandbox);
    }

    #[test]
    fn reads_every_option() {
        let o = parse(&[
            ("filename", "Dockerfile.dev"),
            ("target", "dev"),
            ("build-arg:A", "1"),
            ("label:org.x", "y"),
            ("no-cache", "build,Test"),
            ("platform", "linux/arm64"),
            ("image-resolve-mode", "pull"),
            ("add-hosts", "db=10.0.0.2,Cache=::1"),
            ("force-network-mode", "none"),
            ("shm-size", "67108864"),
            ("ulimit", "nofile=1024:2048,nproc=64"),
            ("hostname", "box"),
            ("cache-from", "reg/a:cache"),
            ("build-arg:BUILDKIT_CACHE_MOUNT_NS", "ns"),
        ])
        .unwrap();
        assert_eq!(o.filename, "Dockerfile.dev");
        assert_eq!(o.target.as_deref(), Some("dev"));
        assert_eq!(o.build_args.get("A").map(String::as_str), Some("1"));
        assert_eq!(o.labels.get("org.x").map(String::as_str), Some("y"));
        assert!(o.no_cache.applies_to(Some("test")));
        assert!(!o.no_cache.applies_to(Some("prod")));
        assert_eq!(o.platform().to_string(), "linux/arm64");
        assert_eq!(o.image_resolve_mode, ResolveMode::Pull);
        assert_eq!(o.extra_hosts.len(), 2);
        assert_eq!(o.extra_hosts[1].host, "cache");
        assert_eq!(o.network_mode, NetworkMode::None);
        assert_eq!(o.shm_size, Some(67108864));
        assert_eq!(
            o.ulimits,
            vec![
                Ulimit {
                    name: "nofile".into(),
                    soft: 1024,
                    hard: 2048
                },
                Ulimit {
                    name: "nproc".into(),
                    soft: 64,
                    hard: 64
                },
            ]
        );
        assert_eq!(o.hostname.as_deref(), Some("box"));
        assert_eq!(o.cache_imports[0].attrs["ref"], "reg/a:cache");
        assert_eq!(o.cache_mount_namespace, "ns");
    }

    #[test]
    fn empty_no_cache_means_all_stages() {
        assert!(
            parse(&[("no-cache", "")])
                .unwrap()
                .no_cache
                .applies_to(None)
        );
    }

    #[test]
    fn rejects_bad_values_with_the_option_name() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("image-resolve-mode", "sometimes")], "image-resolve-mode"),
            (&[("force-network-mode", "bridge")], "force-network-mode"),
            (
                &[
                    ("platform", "linux/amd64,linux/arm64"),
                    ("multi-platform", "false"),
                ],
                "conflicting config",
            ),
            (&[("platform", "linux//x")], "platform"),
            (&[("add-hosts", "db=notanip")], "failed to parse IP"),
            (&[("add-hosts", "db")], "key-value"),
            (&[("shm-size", "64m")], "shm size"),
            (&[("ulimit", "nofile=10:5")], "soft limit"),
            (&[("ulimit", "bogus=1")], "ulimit type"),
            (&[("cache-imports", "{")], "cache-imports"),
            (&[("multi-platform", "maybe")], "multi-platform"),
        ];
        for (given, want) in cases {
            let err = parse(given).unwrap_err().to_string();
            assert!(err.contains(want), "{given:?}: {err}");
        }
    }

    #[test]
    fn several_platforms_make_a_multi_platform_build() {
        let o = parse(&[("platform", "linux/amd64, linux/aarch64,linux/amd64")]).unwrap();
        let ids: Vec<String> = o.target_platforms.iter().map(Platform::id).collect();
        assert_eq!(ids, ["linux/amd64", "linux/arm64"]);
        assert!(o.multi_platform);
        let each: Vec<String> = o
            .for_each_platform()
            .iter()
            .map(|o| o.platform().id())
            .collect();
        assert_eq!(each, ["linux/amd64", "linux/arm64"]);

        let one = parse(&[("platform", "linux/arm64")]).unwrap();
        assert!(!one.multi_platform);
        assert_eq!(one.for_each_platform().len(), 1);

        // Asked for one platform (or none): still a map of refs.
        let forced = parse(&[("build-arg:BUILDKIT_MULTI_PLATFORM", "1")]).unwrap();
        assert!(forced.multi_platform);
        assert_eq!(forced.for_each_platform()[0].target_platform, None);
        // The build arg wins over the option.
        let both = parse(&[
            ("multi-platform", "true"),
            ("build-arg:BUILDKIT_MULTI_PLATFORM", "false"),
        ])
        .unwrap();
        assert!(!both.multi_platform);
    }

    #[test]
    fn sbom_requests_name_a_normalised_scanner_and_its_parameters() {
        let o = parse(&[("attest:sbom", "generator=scanner:1,MARK=x")]).unwrap();
        let sbom = o.sbom.unwrap();
        assert_eq!(sbom.generator, "docker.io/library/scanner:1");
        assert_eq!(sbom.params, opts(&[("MARK", "x")]));
        // Without a generator, BuildKit's default scanner; the build-arg
        // form counts too; provenance alone asks nothing of the frontend.
        let o = parse(&[("build-arg:BUILDKIT_ATTEST_SBOM", "")]).unwrap();
        assert_eq!(
            o.sbom.unwrap().generator,
            "docker.io/docker/buildkit-syft-scanner:stable-1"
        );
        assert!(
            parse(&[("attest:provenance", "mode=min")])
                .unwrap()
                .sbom
                .is_none()
        );
        assert!(matches!(
            parse(&[("attest:nope", "")]),
            Err(OptionError::AttestType(t)) if t == "nope"
        ));
        assert!(matches!(
            parse(&[("attest:sbom", "generator=Bad:Name")]),
            Err(OptionError::SbomScanner { .. })
        ));
    }

    #[test]
    fn resource_options_are_checked_as_the_reference_checks_them() {
        let o = parse(&[
            ("memory", "1073741824"),
            ("memswap", "-1"),
            ("cpushares", "512"),
            ("cpuperiod", "100000"),
            ("cpuquota", "50000"),
            ("cpusetcpus", "0-1,3"),
            ("cpusetmems", "0"),
        ])
        .unwrap();
        let r = o.linux_resources.unwrap();
        assert_eq!(r.memory, 1 << 30);
        assert_eq!(r.memory_swap, -1);
        assert_eq!(r.cpuset_cpus, "0-1,3");
        assert_eq!(
            r.describe(),
            "memory=1073741824,memswap=-1,cpushares=512,cpuperiod=100000,cpuquota=50000,cpusetcpus=0-1,3,cpusetmems=0"
        );
        assert!(parse(&[]).unwrap().linux_resources.is_none());
        for (key, value, why) in [
            ("memory", "0", "must be > 0"),
            ("memory", "lots", "not a number"),
            ("memswap", "-2", "must be -1 (unlimited) or > 0"),
            ("cpushares", "0", "must be > 0"),
            ("cpuquota", "-5", "must be > 0"),
            ("cpusetcpus", "3-1", "invalid cpuset range"),
            ("cpusetmems", "0-9000", "exceeds maximum 8192"),
            ("cpusetcpus", "x", "invalid cpuset element"),
        ] {
            let err = parse(&[(key, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid {key} value: {value}")),
                "{err}"
            );
            assert!(err.contains(why), "{err}");
        }
    }
}
