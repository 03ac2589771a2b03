//! What BuildKit asks of this run: options, session, platforms, locals.

use std::collections::BTreeMap;

use stagecraft_lower::RemoteContext;
use stagecraft_lower::options::BuildOptions;
use stagecraft_lower::platform::Platform;
use stagecraft_proto::env::{FrontendEnv, WorkerInfo};
use stagecraft_proto::moby::buildkit::v1::types::WorkerRecord;

use super::failure::Failure;

/// Local that holds the Dockerfile unless `dockerfilekey` names another.
pub const DOCKERFILE_LOCAL: &str = "dockerfile";
/// Local that holds the build context.
pub const CONTEXT_LOCAL: &str = "context";
/// Input names a client may pass instead of the locals (cap `frontend.inputs`).
pub const DOCKERFILE_INPUT: &str = "dockerfile";
pub const CONTEXT_INPUT: &str = "context";

/// A `requestid` subrequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subrequest {
    Describe,
    Outline,
    Targets,
    Lint,
    /// One we do not answer (convertllb, …).
    Other(String),
}

impl Subrequest {
    pub const DESCRIBE: &str = "frontend.subrequests.describe";
    pub const OUTLINE: &str = "frontend.outline";
    pub const TARGETS: &str = "frontend.targets";
    pub const LINT: &str = "frontend.lint";

    fn parse(id: &str) -> Self {
        match id {
            Self::DESCRIBE => Subrequest::Describe,
            Self::OUTLINE => Subrequest::Outline,
            Self::TARGETS => Subrequest::Targets,
            Self::LINT => Subrequest::Lint,
            other => Subrequest::Other(other.to_string()),
        }
    }
}

/// Where the Dockerfile comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerfileLocal {
    pub name: String,
    /// `dockerfilekey` was given: use the local even if an input is passed.
    pub forced: bool,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub options: BuildOptions,
    pub dockerfile: DockerfileLocal,
    pub subrequest: Option<Subrequest>,
    session_id: Option<String>,
    /// `local-sessionid:<name>` overrides.
    local_sessions: BTreeMap<String, String>,
    /// A Git repository or HTTP(S) URL given as the main context.
    pub remote_context: Option<RemoteContext>,
    /// `contextsubdir`: only this directory of a remote context is used.
    pub context_subdir: Option<String>,
}

impl Request {
    /// Reads the options; `pong_workers` backs up an empty `BUILDKIT_WORKERS`.
    pub fn new(env: &FrontendEnv, pong_workers: &[WorkerRecord]) -> Result<Self, Failure> {
        let opts = &env.opts;
        reject_unsupported(opts)?;
        let build_platform = build_platform(&env.workers, pong_workers);
        let options = BuildOptions::from_frontend_opts(opts, build_platform)
            .map_err(|e| Failure::Option(e.to_string()))?;
        let dockerfile = match opts.get("dockerfilekey") {
            Some(name) if !name.is_empty() => DockerfileLocal {
                name: name.clone(),
                forced: true,
            },
            _ => DockerfileLocal {
                name: DOCKERFILE_LOCAL.to_string(),
                forced: false,
            },
        };
        let local_sessions = opts
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("local-sessionid:")
                    .map(|name| (name.to_string(), v.clone()))
            })
            .collect();
        Ok(Request {
            options,
            dockerfile,
            subrequest: opts.get("requestid").map(|id| Subrequest::parse(id)),
            session_id: env.session_id.clone().filter(|s| !s.is_empty()),
            local_sessions,
            remote_context: remote_context(opts)?,
            context_subdir: opts.get("contextsubdir").cloned(),
        })
    }

    /// The session that serves the local `name`.
    pub fn session_for(&self, local: &str) -> Option<String> {
        self.local_sessions
            .get(local)
            .cloned()
            .or_else(|| self.session_id.clone())
    }

    pub fn filename(&self) -> &str {
        &self.options.filename
    }
}

/// Options for features the gateway cannot honour: failing says so, where
/// ignoring them would build something else than asked.
fn reject_unsupported(opts: &BTreeMap<String, String>) -> Result<(), Failure> {
    if opts.contains_key("gateway-devel") {
        return Err(Failure::Option(
            "development gateway is no longer supported".to_string(),
        ));
    }
    Ok(())
}

/// The remote main context the `context` option (or the one `contextkey`
/// names) gives, with `BUILDKIT_CONTEXT_KEEP_GIT_DIR`.
fn remote_context(opts: &BTreeMap<String, String>) -> Result<Option<RemoteContext>, Failure> {
    let key = opts
        .get("contextkey")
        .map(String::as_str)
        .unwrap_or("context");
    let Some(value) = opts.get(key).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    // Go's ParseBool: a value it cannot read is as if not given.
    let keep_git_dir = opts
        .get("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR")
        .and_then(|v| stagecraft_lower::options::parse_bool("keep-git-dir", v).ok());
    stagecraft_lower::remote_context(value, keep_git_dir).map_err(Failure::Option)
}

/// The first platform of the first worker, as BuildKit's frontends take it.
fn build_platform(env_workers: &[WorkerInfo], pong_workers: &[WorkerRecord]) -> Platform {
    let from_env = env_workers
        .first()
        .and_then(|w| w.platforms.first())
        .map(|p| {
            platform(
                &p.os,
                &p.architecture,
                p.variant.as_deref(),
                p.os_version.as_deref(),
            )
        });
    let from_pong = || {
        pong_workers
            .first()
            .and_then(|w| w.platforms.first())
            .map(|p| {
                platform(
                    &p.os,
                    &p.architecture,
                    Some(&p.variant),
                    Some(&p.os_version),
                )
            })
    };
    from_env.or_else(from_pong).unwrap_or_default()
}

fn platform(os: &str, arch: &str, variant: Option<&str>, os_version: Option<&str>) -> Platform {
    let variant = variant.filter(|v| !v.is_empty());
    let spec = match variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    // Normalised like the target platform so the two compare equal.
    let mut platform = Platform::parse(&spec).unwrap_or_else(|_| Platform {
        os: os.to_string(),
        architecture: arch.to_string(),
        variant: variant.map(str::to_string),
        os_version: None,
    });
    platform.os_version = os_version.filter(|v| !v.is_empty()).map(str::to_string);
    platform
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_proto::env::read_env;

    fn env(vars: &[(&str, &str)]) -> FrontendEnv {
        read_env(vars.iter().copied())
    }

    #[test]
    fn options_session_and_platform() {
        let e = env(&[
            ("BUILDKIT_FRONTEND_OPT_0", "filename=Dockerfile.dev"),
            ("BUILDKIT_FRONTEND_OPT_1", "local-sessionid:context=other"),
            ("BUILDKIT_SESSION_ID", "s1"),
            (
                "BUILDKIT_WORKERS",
                r#"[{"ID":"w","Platforms":[{"architecture":"arm64","os":"linux","variant":"v8"}]}]"#,
            ),
        ]);
        let r = Request::new(&e, &[]).unwrap();
        assert_eq!(r.filename(), "Dockerfile.dev");
        assert_eq!(r.session_for("dockerfile").as_deref(), Some("s1"));
        assert_eq!(r.session_for("context").as_deref(), Some("other"));
        assert_eq!(r.options.build_platform.id(), "linux/arm64");
        assert_eq!(r.dockerfile.name, "dockerfile");
        assert!(!r.dockerfile.forced);
        assert_eq!(r.subrequest, None);
    }

    #[test]
    fn pong_workers_back_up_the_environment() {
        let worker = WorkerRecord {
            platforms: vec![stagecraft_proto::pb::Platform {
                architecture: "s390x".into(),
                os: "linux".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let r = Request::new(&env(&[]), &[worker]).unwrap();
        assert_eq!(r.options.build_platform.id(), "linux/s390x");
    }

    #[test]
    fn dockerfilekey_requestid_and_rejections() {
        let r = Request::new(
            &env(&[
                ("BUILDKIT_FRONTEND_OPT_0", "dockerfilekey=df2"),
                (
                    "BUILDKIT_FRONTEND_OPT_1",
                    "requestid=frontend.subrequests.describe",
                ),
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(
            r.dockerfile,
            DockerfileLocal {
                name: "df2".into(),
                forced: true
            }
        );
        assert_eq!(r.subrequest, Some(Subrequest::Describe));

        let remote = env(&[(
            "BUILDKIT_FRONTEND_OPT_0",
            "context=https://github.com/x/y.git",
        )]);
        assert!(matches!(
            Request::new(&remote, &[]).unwrap().remote_context,
            Some(RemoteContext::Git(_))
        ));
        let named = env(&[("BUILDKIT_FRONTEND_OPT_0", "context:base=docker-image://x")]);
        let r = Request::new(&named, &[]).unwrap();
        assert_eq!(r.options.named_contexts["base"], "docker-image://x");
        let bad = env(&[("BUILDKIT_FRONTEND_OPT_0", "image-resolve-mode=sometimes")]);
        let err = Request::new(&bad, &[]).unwrap_err();
        assert!(err.to_string().contains("image-resolve-mode"), "{err}");
    }
}
