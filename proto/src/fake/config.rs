//! What the fake answers.

use std::collections::BTreeMap;

use crate::caps::{BuildkitVersion, Cap, CapKind};
use crate::google::rpc;
use crate::moby::buildkit::v1::apicaps::ApiCap;
use crate::moby::buildkit::v1::types::WorkerRecord;
use crate::pb;

/// An image the fake can resolve.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FakeImage {
    /// Empty = what dockerd answers for images in its local store.
    pub digest: String,
    pub config: Vec<u8>,
}

/// Which Solve calls fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailWhen {
    /// The n-th Solve (0-based).
    Nth(usize),
    /// Every Solve that is more than loading one local source (i.e. the build
    /// itself, not reading the Dockerfile or .dockerignore).
    NotLocal,
}

/// Fail some Solve calls with `status` (sent with its details, as grpc-go does).
#[derive(Clone, Debug, PartialEq)]
pub struct SolveFailure {
    pub when: FailWhen,
    pub status: rpc::Status,
}

/// Script of the fake.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Announced gateway caps; empty = none announced (very old daemon).
    pub gateway_caps: Vec<ApiCap>,
    /// Announced LLB caps; empty = none announced.
    pub llb_caps: Vec<ApiCap>,
    pub workers: Vec<WorkerRecord>,
    /// Files of each local source (`dockerfile`, `context`, …) by path.
    pub locals: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    /// Images by the reference the frontend asks for.
    pub images: BTreeMap<String, FakeImage>,
    /// Answer to `Inputs`.
    pub inputs: BTreeMap<String, pb::Definition>,
    pub solve_failure: Option<SolveFailure>,
    /// Requests above this size are refused like grpc-go does.
    pub max_request_bytes: usize,
    /// Environment for a child: `BUILDKIT_FRONTEND_OPT_*`.
    pub frontend_opts: BTreeMap<String, String>,
    pub session_id: String,
    pub exported_product: String,
    /// How long `Ping` takes to answer (dockerd 20.10 takes several ms).
    pub ping_delay: std::time::Duration,
    /// How long a `ReadFile` of these paths takes to answer.
    pub read_delays: BTreeMap<String, std::time::Duration>,
}

fn enabled(ids: impl IntoIterator<Item = impl Into<String>>) -> Vec<ApiCap> {
    ids.into_iter()
        .map(|id| ApiCap {
            id: id.into(),
            enabled: true,
            ..Default::default()
        })
        .collect()
}

/// What dockerd 20.10 (BuildKit v0.8) announces: every cap up to its release.
fn docker_20_10_caps(kind: CapKind) -> Vec<ApiCap> {
    enabled(
        Cap::of_kind(kind)
            .filter(|cap| cap.since() <= BuildkitVersion::DOCKER_20_10)
            .map(Cap::id),
    )
}

fn linux_amd64_worker() -> WorkerRecord {
    WorkerRecord {
        id: "fake-worker".into(),
        platforms: vec![pb::Platform {
            architecture: "amd64".into(),
            os: "linux".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

impl FakeConfig {
    /// A current BuildKit: every known cap enabled, one linux/amd64 worker,
    /// 16 MiB request limit.
    pub fn modern() -> Self {
        let of_kind = |kind| enabled(Cap::of_kind(kind).map(Cap::id));
        FakeConfig {
            gateway_caps: of_kind(CapKind::Gateway),
            llb_caps: of_kind(CapKind::Llb),
            workers: vec![linux_amd64_worker()],
            locals: BTreeMap::new(),
            images: BTreeMap::new(),
            inputs: BTreeMap::new(),
            solve_failure: None,
            max_request_bytes: 16 << 20,
            frontend_opts: BTreeMap::new(),
            session_id: "fake-session".into(),
            exported_product: "buildkit".into(),
            ping_delay: std::time::Duration::ZERO,
            read_delays: BTreeMap::new(),
        }
    }

    /// dockerd 20.10's embedded BuildKit v0.8: its caps and 4 MiB limit.
    pub fn docker_20_10() -> Self {
        FakeConfig {
            gateway_caps: docker_20_10_caps(CapKind::Gateway),
            llb_caps: docker_20_10_caps(CapKind::Llb),
            max_request_bytes: 4 << 20,
            exported_product: "Docker".into(),
            ..FakeConfig::modern()
        }
    }

    pub fn with_local_file(
        mut self,
        local: &str,
        path: &str,
        contents: impl Into<Vec<u8>>,
    ) -> Self {
        self.locals
            .entry(local.to_string())
            .or_default()
            .insert(path.to_string(), contents.into());
        self
    }

    pub fn with_image(mut self, reference: &str, digest: &str, config: impl Into<Vec<u8>>) -> Self {
        self.images.insert(
            reference.to_string(),
            FakeImage {
                digest: digest.to_string(),
                config: config.into(),
            },
        );
        self
    }

    pub fn with_ping_delay(mut self, delay: std::time::Duration) -> Self {
        self.ping_delay = delay;
        self
    }

    pub fn with_read_delay(mut self, path: &str, delay: std::time::Duration) -> Self {
        self.read_delays.insert(path.to_string(), delay);
        self
    }

    pub fn with_opt(mut self, key: &str, value: &str) -> Self {
        self.frontend_opts
            .insert(key.to_string(), value.to_string());
        self
    }

    pub fn failing_solve(mut self, when: FailWhen, status: rpc::Status) -> Self {
        self.solve_failure = Some(SolveFailure { when, status });
        self
    }

    /// Keeps the cap in the list but marks it disabled.
    pub fn with_cap_disabled(mut self, kind: CapKind, id: &str, reason: &str) -> Self {
        let list = match kind {
            CapKind::Gateway => &mut self.gateway_caps,
            CapKind::Llb => &mut self.llb_caps,
        };
        list.retain(|c| c.id != id);
        list.push(ApiCap {
            id: id.to_string(),
            enabled: false,
            disabled_reason_msg: reason.to_string(),
            ..Default::default()
        });
        self
    }

    /// Drops the cap from the list.
    pub fn without_cap(mut self, kind: CapKind, id: &str) -> Self {
        match kind {
            CapKind::Gateway => self.gateway_caps.retain(|c| c.id != id),
            CapKind::Llb => self.llb_caps.retain(|c| c.id != id),
        }
        self
    }

    /// `BUILDKIT_WORKERS` as BuildKit v0.8 writes it (Go field names).
    pub fn workers_json(&self) -> String {
        let workers: Vec<serde_json::Value> = self
            .workers
            .iter()
            .map(|w| {
                let platforms: Vec<serde_json::Value> = w
                    .platforms
                    .iter()
                    .map(|p| {
                        let mut platform = serde_json::json!({
                            "architecture": p.architecture,
                            "os": p.os,
                        });
                        if !p.variant.is_empty() {
                            platform["variant"] = p.variant.clone().into();
                        }
                        platform
                    })
                    .collect();
                let labels: BTreeMap<_, _> = w.labels.iter().collect();
                serde_json::json!({
                    "ID": w.id,
                    "Labels": labels,
                    "Platforms": platforms,
                    "GCPolicy": null,
                })
            })
            .collect();
        serde_json::Value::from(workers).to_string()
    }

    /// The environment BuildKit would give the frontend process.
    pub fn child_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = self
            .frontend_opts
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                (
                    format!("{}{i}", crate::env::FRONTEND_OPT_PREFIX),
                    format!("{k}={v}"),
                )
            })
            .collect();
        env.push((crate::env::SESSION_ID.into(), self.session_id.clone()));
        env.push((crate::env::WORKERS.into(), self.workers_json()));
        env.push((
            crate::env::EXPORTED_PRODUCT.into(),
            self.exported_product.clone(),
        ));
        env
    }
}
