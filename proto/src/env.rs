//! The environment BuildKit gives a frontend process.
//!
//! Functions take `(key, value)` pairs rather than reading the process
//! environment so they can be tested; [`process_vars`] supplies the real one.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Prefix of the variables carrying frontend options, `<prefix><i>=<key>=<value>`.
pub const FRONTEND_OPT_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";
pub const SESSION_ID: &str = "BUILDKIT_SESSION_ID";
pub const WORKERS: &str = "BUILDKIT_WORKERS";
pub const EXPORTED_PRODUCT: &str = "BUILDKIT_EXPORTEDPRODUCT";

/// What BuildKit told us through the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrontendEnv {
    /// Frontend options (`filename`, `target`, `build-arg:X`, …).
    pub opts: BTreeMap<String, String>,
    /// Goes into `local.session` of `local://` sources.
    pub session_id: Option<String>,
    /// Workers in BuildKit's order; the first platform of the first is the
    /// default build platform. Also in `Ping`'s answer.
    pub workers: Vec<WorkerInfo>,
    /// `buildkit` for buildkitd, Docker's product name under dockerd.
    pub exported_product: Option<String>,
    /// Entries that could not be read; they are left out above.
    pub problems: Vec<EnvProblem>,
}

/// An environment entry that was malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvProblem {
    #[error("{var} has no '=' between option key and value")]
    OptWithoutEquals { var: String },
    #[error("{WORKERS} is not a JSON worker list: {message}")]
    Workers { message: String },
}

/// One `client.WorkerInfo`. BuildKit before v0.11 writes Go's field names
/// (`ID`, `Labels`, `Platforms`), later ones lower-case names; both are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct WorkerInfo {
    #[serde(default, alias = "ID")]
    pub id: String,
    #[serde(default, alias = "Labels", deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, alias = "Platforms", deserialize_with = "null_as_default")]
    pub platforms: Vec<Platform>,
}

/// An OCI platform as JSON-encoded by Go (`ocispecs.Platform`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default, rename = "os.version")]
    pub os_version: Option<String>,
    #[serde(default, rename = "os.features", deserialize_with = "null_as_default")]
    pub os_features: Vec<String>,
}

/// Go writes nil maps and slices as `null`.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// True when the variables look like BuildKit started us as a frontend.
///
/// BuildKit always sets the session ID and the worker list; options only
/// when some were given.
pub fn is_frontend<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> bool
where
    K: AsRef<str>,
{
    vars.into_iter().any(|(key, _)| {
        let key = key.as_ref();
        key == SESSION_ID || key == WORKERS || key.starts_with(FRONTEND_OPT_PREFIX)
    })
}

/// Reads the frontend environment out of `vars`; unrelated variables are
/// ignored.
pub fn read_env<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> FrontendEnv
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut env = FrontendEnv::default();
    for (key, value) in vars {
        let (key, value) = (key.as_ref(), value.as_ref());
        if key.starts_with(FRONTEND_OPT_PREFIX) {
            match value.split_once('=') {
                Some((opt, opt_value)) => {
                    env.opts.insert(opt.to_string(), opt_value.to_string());
                }
                None => env.problems.push(EnvProblem::OptWithoutEquals {
                    var: key.to_string(),
                }),
            }
        } else if key == SESSION_ID {
            env.session_id = Some(value.to_string());
        } else if key == WORKERS {
            match parse_workers(value) {
                Ok(workers) => env.workers = workers,
                Err(err) => env.problems.push(EnvProblem::Workers {
                    message: err.to_string(),
                }),
            }
        } else if key == EXPORTED_PRODUCT {
            env.exported_product = Some(value.to_string());
        }
    }
    env
}

/// Parses `BUILDKIT_WORKERS`; `null` (Go's nil slice) is an empty list.
pub fn parse_workers(json: &str) -> Result<Vec<WorkerInfo>, serde_json::Error> {
    Ok(serde_json::from_str::<Option<Vec<WorkerInfo>>>(json)?.unwrap_or_default())
}

/// The process environment, skipping entries that are not UTF-8 (none of
/// BuildKit's are; an option value that is not UTF-8 could not be used).
pub fn process_vars() -> impl Iterator<Item = (String, String)> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_session_workers_product() {
        let vars = [
            ("PATH", "/bin"),
            ("BUILDKIT_FRONTEND_OPT_0", "build-arg:A=x=y"),
            ("BUILDKIT_FRONTEND_OPT_1", "target="),
            ("BUILDKIT_FRONTEND_OPT_2", "broken"),
            ("BUILDKIT_SESSION_ID", "s1"),
            (
                "BUILDKIT_WORKERS",
                r#"[{"ID":"w0","Labels":{"a":"b"},"Platforms":[{"architecture":"arm","os":"linux","variant":"v7"}],"GCPolicy":null}]"#,
            ),
            ("BUILDKIT_EXPORTEDPRODUCT", "docker"),
        ];
        assert!(is_frontend(vars));
        let env = read_env(vars);
        assert_eq!(env.opts.get("build-arg:A").map(String::as_str), Some("x=y"));
        assert_eq!(env.opts.get("target").map(String::as_str), Some(""));
        assert_eq!(env.opts.len(), 2);
        assert_eq!(
            env.problems,
            vec![EnvProblem::OptWithoutEquals {
                var: "BUILDKIT_FRONTEND_OPT_2".into()
            }]
        );
        assert_eq!(env.session_id.as_deref(), Some("s1"));
        assert_eq!(env.exported_product.as_deref(), Some("docker"));
        assert_eq!(env.workers.len(), 1);
        assert_eq!(env.workers[0].id, "w0");
        assert_eq!(
            env.workers[0].labels.get("a").map(String::as_str),
            Some("b")
        );
        assert_eq!(env.workers[0].platforms[0].variant.as_deref(), Some("v7"));
    }

    #[test]
    fn lower_case_worker_names_and_nulls() {
        let workers = parse_workers(
            r#"[{"id":"w","labels":null,"platforms":[{"architecture":"amd64","os":"linux","os.features":null}],"buildkitVersion":{}}]"#,
        )
        .unwrap();
        assert_eq!(workers[0].id, "w");
        assert!(workers[0].labels.is_empty());
        assert_eq!(workers[0].platforms[0].architecture, "amd64");
        assert!(parse_workers("null").unwrap().is_empty());
        let env = read_env([("BUILDKIT_WORKERS", "{")]);
        assert!(matches!(env.problems[0], EnvProblem::Workers { .. }));
    }

    #[test]
    fn not_a_frontend_without_buildkit_vars() {
        assert!(!is_frontend([("HOME", "/root"), ("BUILDKIT_HOST", "x")]));
        assert!(is_frontend([("BUILDKIT_SESSION_ID", "")]));
    }
}
