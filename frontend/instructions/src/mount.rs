//! `RUN --mount=…` values.
//!
//! The reference frontend only fully parses a mount once its option values
//! have been expanded with the stage's build args and env (at dispatch). So
//! RUN keeps each value as a [`MountSpec`] (raw text, checked only for what
//! can be checked before expansion) and [`MountSpec::resolve`] turns it into
//! a typed [`Mount`] given an expander.

use crate::csv::{self, CsvError};
use crate::suggest::suggest;

/// One `--mount` value as written. Every option value except `from` is
/// expanded before use; `from` must not use variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountSpec {
    pub raw: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MountError {
    #[error("failed to parse csv mounts: {0}")]
    Csv(#[from] CsvError),
    #[error("'from' doesn't support variable expansion, define alias stage instead")]
    FromVariable,
    #[error("expanding mount option {key}: {message}")]
    Expand { key: String, message: String },
    #[error("unsupported mount type {value:?}{}", crate::suggest::Hint(suggestion))]
    UnknownType {
        value: String,
        suggestion: Option<String>,
    },
    #[error(
        "unsupported sharing value {value:?}{}",
        crate::suggest::Hint(suggestion)
    )]
    UnknownSharing {
        value: String,
        suggestion: Option<String>,
    },
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("unexpected key '{key}' for mount type '{kind}'")]
    KeyNotForType { key: String, kind: MountType },
    #[error(
        "unexpected key '{key}' in '{field}'{}",
        crate::suggest::Hint(suggestion)
    )]
    UnknownKey {
        key: String,
        field: String,
        suggestion: Option<String>,
    },
    #[error("invalid value for {key}: {value}")]
    InvalidBool { key: String, value: String },
    #[error("invalid value for size: {value}")]
    InvalidSize { value: String },
    #[error("invalid value {value} for {key}")]
    InvalidNumber { key: &'static str, value: String },
    #[error("{key} not allowed for \"{kind}\" type mounts")]
    FileInfoNotAllowed { key: &'static str, kind: MountType },
    #[error("secret mount should not have a from")]
    SecretFrom,
    #[error("secret mount should not define sharing")]
    SecretSharing,
    #[error("invalid secret mount. one of source, target required")]
    SecretNoId,
    #[error("both source and id can't be set")]
    SecretSourceAndId,
    #[error("invalid cache sharing set for {kind} mount")]
    SharingNotCache { kind: MountType },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    pub const ALL: [MountType; 5] = [
        MountType::Bind,
        MountType::Cache,
        MountType::Tmpfs,
        MountType::Secret,
        MountType::Ssh,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }

    /// mode/uid/gid make sense only where BuildKit creates the file.
    fn allows_file_info(self) -> bool {
        matches!(self, MountType::Secret | MountType::Ssh | MountType::Cache)
    }
}

impl std::fmt::Display for MountType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How concurrent builds share a cache mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CacheSharing {
    #[default]
    Shared,
    Private,
    Locked,
}

impl CacheSharing {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheSharing::Shared => "shared",
            CacheSharing::Private => "private",
            CacheSharing::Locked => "locked",
        }
    }
}

/// A fully parsed mount, its option values already expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mount {
    Bind(BindMount),
    Cache(CacheMount),
    Tmpfs(TmpfsMount),
    Secret(SecretMount),
    Ssh(SshMount),
}

impl Mount {
    pub fn kind(&self) -> MountType {
        match self {
            Mount::Bind(_) => MountType::Bind,
            Mount::Cache(_) => MountType::Cache,
            Mount::Tmpfs(_) => MountType::Tmpfs,
            Mount::Secret(_) => MountType::Secret,
            Mount::Ssh(_) => MountType::Ssh,
        }
    }
}

/// `type=bind` (the default type). Read-only unless `rw`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindMount {
    pub target: Option<String>,
    /// Path in `from` (default: its root).
    pub source: Option<String>,
    /// Stage, image or named context; default: the build context.
    pub from: Option<String>,
    pub read_only: bool,
}

/// `type=cache`. Read-write unless `ro`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheMount {
    pub target: Option<String>,
    /// Cache id; the dispatcher defaults it to the cleaned target.
    pub id: Option<String>,
    pub sharing: CacheSharing,
    /// Seed the cache from this stage/image.
    pub from: Option<String>,
    pub source: Option<String>,
    pub read_only: bool,
    /// Octal mode of the cache directory (dispatcher default 0755).
    pub mode: Option<u32>,
    /// Owner of the cache directory (dispatcher default 0).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// `type=tmpfs`. Read-write unless `ro`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TmpfsMount {
    pub target: Option<String>,
    /// Size limit in bytes (`size=64m` → 67108864); `None` = no limit.
    pub size: Option<i64>,
    pub read_only: bool,
}

/// `type=secret`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMount {
    pub id: Option<String>,
    /// Alias of `id` (both may not be given).
    pub source: Option<String>,
    /// File path; dispatcher default `/run/secrets/<id>` unless `env` is set.
    pub target: Option<String>,
    /// Expose the secret as this environment variable.
    pub env: Option<String>,
    /// Fail the build when the secret is not provided.
    pub required: bool,
    pub read_only: bool,
    /// Dispatcher default 0400 (when any of mode/uid/gid is given).
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

impl SecretMount {
    /// The secret's id as the dispatcher derives it: `source`, else `id`,
    /// else the base name of `target`.
    pub fn secret_id(&self) -> Option<String> {
        let explicit = self
            .source
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(self.id.as_deref().filter(|s| !s.is_empty()));
        if let Some(id) = explicit {
            return Some(id.to_string());
        }
        let target = self.target.as_deref().filter(|t| !t.is_empty())?;
        let trimmed = target.trim_end_matches('/');
        if trimmed.is_empty() {
            return Some("/".to_string());
        }
        Some(trimmed.rsplit('/').next().unwrap_or(trimmed).to_string())
    }
}

/// `type=ssh`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshMount {
    /// SSH agent id; dispatcher default `default`.
    pub id: Option<String>,
    /// Kept so the dispatcher can reject it ("ssh does not support source").
    pub source: Option<String>,
    /// Socket path; dispatcher default `/run/buildkit/ssh_agent.<n>`.
    pub target: Option<String>,
    pub required: bool,
    pub read_only: bool,
    /// Dispatcher default 0600 (when any of mode/uid/gid is given).
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// Every option key, for suggestions.
const ALL_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

/// Options in the order given; the mount type in force when a key is read
/// decides whether that key is allowed, as in the reference.
#[derive(Default)]
struct Fields {
    kind: Option<MountType>,
    from: Option<String>,
    source: Option<String>,
    target: Option<String>,
    read_only: Option<bool>,
    size: Option<i64>,
    id: Option<String>,
    sharing: Option<CacheSharing>,
    required: bool,
    env: Option<String>,
    mode: Option<u32>,
    uid: Option<u32>,
    gid: Option<u32>,
}

impl Fields {
    fn kind(&self) -> MountType {
        self.kind.unwrap_or(MountType::Bind)
    }
}

impl MountSpec {
    pub fn new(raw: impl Into<String>) -> Self {
        MountSpec { raw: raw.into() }
    }

    /// What can be checked before expansion: the CSV shape, and that `from`
    /// names no variable (a `$` at the very end is literal).
    pub fn check_unexpanded(&self) -> Result<(), MountError> {
        // Without a quote the CSV cannot be malformed, and without a `$`
        // nothing names a variable: the usual mount needs no split.
        if !self.raw.bytes().any(|b| b == b'"' || b == b'$') {
            return Ok(());
        }
        for field in csv::fields(&self.raw)? {
            if let Some((key, value)) = field.split_once('=')
                && key.eq_ignore_ascii_case("from")
                && value.find('$').is_some_and(|i| i + 1 != value.len())
            {
                return Err(MountError::FromVariable);
            }
        }
        Ok(())
    }

    /// Parses the mount, expanding each option value (except `from`) with
    /// `expand`. Pass `|s| Ok::<_, String>(s.to_string())` for no expansion.
    pub fn resolve<E: std::fmt::Display>(
        &self,
        mut expand: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<Mount, MountError> {
        self.check_unexpanded()?;
        let mut f = Fields::default();
        for field in csv::fields(&self.raw)? {
            let (key, value) = match field.split_once('=') {
                Some((k, v)) => (k.to_lowercase(), v.to_string()),
                None => {
                    bare_key(&mut f, &field)?;
                    continue;
                }
            };
            let value = if key == "from" {
                value
            } else {
                expand(&value).map_err(|e| MountError::Expand {
                    key: key.clone(),
                    message: e.to_string(),
                })?
            };
            keyed(&mut f, &key, value, &field)?;
        }
        finish(f)
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, MountError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(MountError::InvalidBool {
            key: key.to_string(),
            value: value.to_string(),
        }),
    }
}

fn bare_key(f: &mut Fields, field: &str) -> Result<(), MountError> {
    let key = field.to_lowercase();
    match key.as_str() {
        "readonly" | "ro" => f.read_only = Some(true),
        "readwrite" | "rw" => f.read_only = Some(false),
        "required" => {
            if !matches!(f.kind(), MountType::Secret | MountType::Ssh) {
                return Err(MountError::KeyNotForType {
                    key,
                    kind: f.kind(),
                });
            }
            f.required = true;
        }
        _ => {
            return Err(MountError::NotKeyValue {
                field: field.to_string(),
            });
        }
    }
    Ok(())
}

fn keyed(f: &mut Fields, key: &str, value: String, field: &str) -> Result<(), MountError> {
    match key {
        "type" => {
            let lower = value.to_lowercase();
            let Some(kind) = MountType::ALL.into_iter().find(|t| t.as_str() == lower) else {
                let suggestion = suggest(&value, MountType::ALL.map(MountType::as_str), true);
                return Err(MountError::UnknownType { value, suggestion });
            };
            f.kind = Some(kind);
        }
        "from" => f.from = Some(value),
        "source" | "src" => f.source = Some(value),
        "target" | "dst" | "destination" => f.target = Some(value),
        "readonly" | "ro" => f.read_only = Some(parse_bool(key, &value)?),
        "readwrite" | "rw" => f.read_only = Some(!parse_bool(key, &value)?),
        "required" => {
            if !matches!(f.kind(), MountType::Secret | MountType::Ssh) {
                return Err(MountError::KeyNotForType {
                    key: key.to_string(),
                    kind: f.kind(),
                });
            }
            f.required = parse_bool(key, &value)?;
        }
        "size" => {
            if f.kind() != MountType::Tmpfs {
                return Err(MountError::KeyNotForType {
                    key: key.to_string(),
                    kind: f.kind(),
                });
            }
            f.size = Some(ram_in_bytes(&value).ok_or(MountError::InvalidSize { value })?);
        }
        "id" => f.id = Some(value),
        "sharing" => {
            let all = [
                CacheSharing::Shared,
                CacheSharing::Private,
                CacheSharing::Locked,
            ];
            let lower = value.to_lowercase();
            let Some(sharing) = all.into_iter().find(|s| s.as_str() == lower) else {
                let suggestion = suggest(&value, all.map(CacheSharing::as_str), true);
                return Err(MountError::UnknownSharing { value, suggestion });
            };
            f.sharing = Some(sharing);
        }
        "mode" => f.mode = Some(parse_number("mode", value, 8)?),
        "uid" => f.uid = Some(parse_number("uid", value, 10)?),
        "gid" => f.gid = Some(parse_number("gid", value, 10)?),
        "env" => f.env = Some(value),
        _ => {
            return Err(MountError::UnknownKey {
                key: key.to_string(),
                field: field.to_string(),
                suggestion: suggest(key, ALL_KEYS.iter().copied(), true),
            });
        }
    }
    Ok(())
}

fn parse_number(key: &'static str, value: String, radix: u32) -> Result<u32, MountError> {
    // Go's ParseUint takes no sign; Rust's accepts '+'.
    if value.starts_with('+') {
        return Err(MountError::InvalidNumber { key, value });
    }
    u32::from_str_radix(&value, radix).map_err(|_| MountError::InvalidNumber { key, value })
}

fn finish(f: Fields) -> Result<Mount, MountError> {
    let kind = f.kind();
    if !kind.allows_file_info() {
        for (key, set) in [
            ("mode", f.mode.is_some()),
            ("uid", f.uid.is_some()),
            ("gid", f.gid.is_some()),
        ] {
            if set {
                return Err(MountError::FileInfoNotAllowed { key, kind });
            }
        }
    }
    let read_only = f
        .read_only
        .unwrap_or(!matches!(kind, MountType::Cache | MountType::Tmpfs));
    let nonempty = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
    if kind == MountType::Secret {
        if nonempty(&f.from) {
            return Err(MountError::SecretFrom);
        }
        if f.sharing.is_some() {
            return Err(MountError::SecretSharing);
        }
        if !nonempty(&f.source) && !nonempty(&f.target) && !nonempty(&f.id) {
            return Err(MountError::SecretNoId);
        }
        if nonempty(&f.source) && nonempty(&f.id) {
            return Err(MountError::SecretSourceAndId);
        }
    }
    if f.sharing.is_some() && kind != MountType::Cache {
        return Err(MountError::SharingNotCache { kind });
    }
    Ok(match kind {
        MountType::Bind => Mount::Bind(BindMount {
            target: f.target,
            source: f.source,
            from: f.from,
            read_only,
        }),
        MountType::Cache => Mount::Cache(CacheMount {
            target: f.target,
            id: f.id,
            sharing: f.sharing.unwrap_or_default(),
            from: f.from,
            source: f.source,
            read_only,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
        }),
        MountType::Tmpfs => Mount::Tmpfs(TmpfsMount {
            target: f.target,
            size: f.size,
            read_only,
        }),
        MountType::Secret => Mount::Secret(SecretMount {
            id: f.id,
            source: f.source,
            target: f.target,
            env: f.env,
            required: f.required,
            read_only,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
        }),
        MountType::Ssh => Mount::Ssh(SshMount {
            id: f.id,
            source: f.source,
            target: f.target,
            required: f.required,
            read_only,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
        }),
    })
}

/// A human size with binary multiples (`64m`, `1.5GiB`, `512`) in bytes,
/// like docker's `RAMInBytes`.
pub fn ram_in_bytes(text: &str) -> Option<i64> {
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(digits_end);
    if number.is_empty()
        || !number.starts_with(|c: char| c.is_ascii_digit())
        || number.ends_with('.')
        || number.contains("..")
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let mut unit = rest.strip_prefix(' ').unwrap_or(rest).chars().peekable();
    let multiplier: f64 = match unit.peek().map(|c| c.to_ascii_lowercase()) {
        Some('k') => 1024f64,
        Some('m') => 1024f64.powi(2),
        Some('g') => 1024f64.powi(3),
        Some('t') => 1024f64.powi(4),
        Some('p') => 1024f64.powi(5),
        _ => 1.0,
    };
    if multiplier != 1.0 {
        unit.next();
    }
    let tail: String = unit.collect::<String>().to_ascii_lowercase();
    if !matches!(tail.as_str(), "" | "i" | "b" | "ib") {
        return None;
    }
    let bytes = value * multiplier;
    if !bytes.is_finite() || bytes >= i64::MAX as f64 {
        return None;
    }
    Some(bytes as i64)
}
