//! Exec ops: run a command on a root filesystem with extra mounts.

use std::net::IpAddr;
use std::sync::Arc;

use crate::caps::Cap;
use crate::error::LlbError;
use crate::metadata::OpMeta;
use crate::mount::{BindMode, CacheSharing, Mount, MountKind, SecretMount, SshMount};
use crate::pb;
use crate::state::{Built, EMPTY_INPUT, InputTable, OpKind, Output, SKIP_OUTPUT, State};

/// Network access of the command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NetworkMode {
    #[default]
    Sandbox,
    Host,
    None,
}

/// Privileges of the command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecurityMode {
    #[default]
    Sandbox,
    Insecure,
}

/// An `/etc/hosts` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostIp {
    pub host: String,
    pub ip: IpAddr,
}

/// A resource limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// Proxy settings; kept out of the cache key by the daemon.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub http_proxy: String,
    pub https_proxy: String,
    pub ftp_proxy: String,
    pub no_proxy: String,
    pub all_proxy: String,
}

/// A secret exposed as an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretEnv {
    pub id: String,
    pub name: String,
    pub optional: bool,
}

/// Everything about one command run.
#[derive(Clone, Debug, Default)]
pub struct ExecSpec {
    pub args: Vec<String>,
    /// Ordered `(key, value)` pairs, sent as `K=V`.
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub user: String,
    pub network: NetworkMode,
    pub security: SecurityMode,
    pub hostname: String,
    pub extra_hosts: Vec<HostIp>,
    pub ulimits: Vec<Ulimit>,
    pub cgroup_parent: String,
    pub proxy_env: Option<ProxyEnv>,
    /// Exit codes counted as success; empty means only 0.
    pub valid_exit_codes: Vec<i32>,
    pub mounts: Vec<Mount>,
    pub secret_env: Vec<SecretEnv>,
    pub platform: Option<pb::Platform>,
    /// The command relies on the daemon to supply a default `PATH` when `env`
    /// has none (cap `exec.meta.setsdefaultpath`). Without that cap the
    /// caller must put `PATH` in `env` itself.
    pub daemon_default_path: bool,
    pub meta: OpMeta,
}

impl ExecSpec {
    pub fn new(args: Vec<String>) -> Self {
        ExecSpec {
            args,
            cwd: "/".to_string(),
            ..ExecSpec::default()
        }
    }

    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn with_cwd(mut self, cwd: impl Into<String>) -> Self {
        self.cwd = cwd.into();
        self
    }

    pub fn with_user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    pub fn with_mount(mut self, mount: Mount) -> Self {
        self.mounts.push(mount);
        self
    }

    pub fn with_platform(mut self, platform: pb::Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    pub fn with_meta(mut self, meta: OpMeta) -> Self {
        self.meta = meta;
        self
    }
}

/// The states an exec produces: the root filesystem and every writable bind
/// mount (by destination, sorted).
#[derive(Clone, Debug)]
pub struct ExecResult {
    pub root: State,
    pub mounts: Vec<(String, State)>,
}

impl ExecResult {
    /// The output state of the writable bind mount at `dest`.
    pub fn mount(&self, dest: &str) -> Option<&State> {
        self.mounts.iter().find(|(d, _)| d == dest).map(|(_, s)| s)
    }
}

/// A validated exec: mounts sorted by destination with the root first,
/// secrets and SSH sockets after the filesystem mounts.
#[derive(Debug)]
pub(crate) struct ExecNode {
    root: State,
    spec: ExecSpec,
    fs_mounts: Vec<Mount>,
    secrets: Vec<(String, SecretMount)>,
    ssh: Vec<(String, SshMount)>,
}

impl ExecNode {
    pub(crate) fn build(&self) -> Built {
        let spec = &self.spec;
        let mut caps = vec![Cap::ExecMetaBase];
        let mut inputs = InputTable::with_capacity(self.fs_mounts.len() + 1);
        let mut mounts = Vec::with_capacity(self.fs_mounts.len() + 1);

        mounts.push(pb::Mount {
            input: inputs.dedup_state(&self.root),
            dest: "/".to_string(),
            output: 0,
            ..pb::Mount::default()
        });
        // The root is a bind mount of the base state like any other.
        if !self.root.is_scratch() {
            caps.push(Cap::ExecMountBind);
        }
        let mut next_output = 1;
        for m in &self.fs_mounts {
            let mut pm = pb::Mount {
                dest: m.dest.clone(),
                output: SKIP_OUTPUT,
                ..pb::Mount::default()
            };
            match &m.kind {
                MountKind::Bind {
                    source,
                    selector,
                    mode,
                } => {
                    caps.push(Cap::ExecMountBind);
                    pm.input = inputs.dedup_state(source);
                    pm.selector = selector.clone().unwrap_or_default();
                    match mode {
                        BindMode::ReadOnly => pm.readonly = true,
                        BindMode::ReadWrite => {
                            pm.output = next_output;
                            next_output += 1;
                        }
                        BindMode::ReadWriteDiscard => {
                            caps.push(Cap::ExecMountBindReadWriteNoOutput)
                        }
                    }
                }
                MountKind::Cache {
                    id,
                    sharing,
                    from,
                    selector,
                    readonly,
                } => {
                    caps.extend([Cap::ExecMountCache, Cap::ExecMountCacheSharing]);
                    pm.input = from.as_ref().map_or(EMPTY_INPUT, |s| inputs.dedup_state(s));
                    pm.selector = selector.clone().unwrap_or_default();
                    pm.readonly = *readonly;
                    pm.mount_type = pb::MountType::Cache as i32;
                    pm.cache_opt = Some(pb::CacheOpt {
                        id: id.clone(),
                        sharing: match sharing {
                            CacheSharing::Shared => pb::CacheSharingOpt::Shared,
                            CacheSharing::Private => pb::CacheSharingOpt::Private,
                            CacheSharing::Locked => pb::CacheSharingOpt::Locked,
                        } as i32,
                    });
                }
                MountKind::Tmpfs { size } => {
                    caps.push(Cap::ExecMountTmpfs);
                    let size = size.unwrap_or(0);
                    if size > 0 {
                        caps.push(Cap::ExecMountTmpfsSize);
                    }
                    pm.input = EMPTY_INPUT;
                    pm.mount_type = pb::MountType::Tmpfs as i32;
                    pm.tmpfs_opt = Some(pb::TmpfsOpt { size });
                }
                // Split off in `State::exec`.
                MountKind::Secret(_) | MountKind::Ssh(_) => continue,
            }
            if !pm.selector.is_empty() {
                caps.push(Cap::ExecMountSelector);
            }
            mounts.push(pm);
        }
        // BuildKit ignores the output of secret and SSH mounts; 0 is what the
        // Go client leaves there, so the bytes match its ops.
        for (dest, s) in &self.secrets {
            mounts.push(pb::Mount {
                input: EMPTY_INPUT,
                dest: dest.clone(),
                mount_type: pb::MountType::Secret as i32,
                secret_opt: Some(pb::SecretOpt {
                    id: s.id.clone(),
                    uid: s.uid,
                    gid: s.gid,
                    mode: s.mode,
                    optional: s.optional,
                }),
                ..pb::Mount::default()
            });
        }
        for (dest, s) in &self.ssh {
            mounts.push(pb::Mount {
                input: EMPTY_INPUT,
                dest: dest.clone(),
                mount_type: pb::MountType::Ssh as i32,
                ssh_opt: Some(pb::SshOpt {
                    id: s.id.clone(),
                    uid: s.uid,
                    gid: s.gid,
                    mode: s.mode,
                    optional: s.optional,
                }),
                ..pb::Mount::default()
            });
        }
        if !self.secrets.is_empty() || !spec.secret_env.is_empty() {
            caps.push(Cap::ExecMountSecret);
        }
        if !spec.secret_env.is_empty() {
            caps.push(Cap::ExecSecretEnv);
        }
        if !self.ssh.is_empty() {
            caps.push(Cap::ExecMountSsh);
        }
        if spec.network != NetworkMode::Sandbox {
            caps.push(Cap::ExecMetaNetwork);
        }
        if spec.security != SecurityMode::Sandbox {
            caps.push(Cap::ExecMetaSecurity);
        }
        if spec.proxy_env.is_some() {
            caps.push(Cap::ExecMetaProxy);
        }
        if !spec.ulimits.is_empty() {
            caps.push(Cap::ExecMetaUlimit);
        }
        // The Go client leaves this cap (and read-write-no-output above) to
        // its caller; declaring it here makes an old daemon refuse the build
        // instead of silently ignoring the field.
        if !spec.cgroup_parent.is_empty() {
            caps.push(Cap::ExecMetaCgroupParent);
        }
        if !spec.valid_exit_codes.is_empty() {
            caps.push(Cap::ExecValidExitCode);
        }
        if spec.daemon_default_path {
            caps.push(Cap::ExecMetaSetsDefaultPath);
        }
        if spec.meta.linux_resources.is_some() {
            caps.push(Cap::ExecMetaLinuxResources);
        }

        let meta = pb::Meta {
            args: spec.args.clone(),
            env: spec
                .env
                .iter()
                .map(|(k, v)| [k.as_str(), "=", v.as_str()].concat())
                .collect(),
            cwd: spec.cwd.clone(),
            user: spec.user.clone(),
            proxy_env: spec.proxy_env.as_ref().map(|p| pb::ProxyEnv {
                http_proxy: p.http_proxy.clone(),
                https_proxy: p.https_proxy.clone(),
                ftp_proxy: p.ftp_proxy.clone(),
                no_proxy: p.no_proxy.clone(),
                all_proxy: p.all_proxy.clone(),
            }),
            extra_hosts: spec
                .extra_hosts
                .iter()
                .map(|h| pb::HostIp {
                    host: h.host.clone(),
                    ip: h.ip.to_string(),
                })
                .collect(),
            hostname: spec.hostname.clone(),
            ulimit: spec
                .ulimits
                .iter()
                .map(|u| pb::Ulimit {
                    name: u.name.clone(),
                    soft: u.soft,
                    hard: u.hard,
                })
                .collect(),
            cgroup_parent: spec.cgroup_parent.clone(),
            remove_mount_stubs_recursive: true,
            valid_exit_codes: spec.valid_exit_codes.clone(),
        };
        let exec = pb::ExecOp {
            meta: Some(meta),
            mounts,
            network: match spec.network {
                NetworkMode::Sandbox => pb::NetMode::Unset,
                NetworkMode::Host => pb::NetMode::Host,
                NetworkMode::None => pb::NetMode::None,
            } as i32,
            security: match spec.security {
                SecurityMode::Sandbox => pb::SecurityMode::Sandbox,
                SecurityMode::Insecure => pb::SecurityMode::Insecure,
            } as i32,
            secretenv: spec
                .secret_env
                .iter()
                .map(|s| pb::SecretEnv {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    optional: s.optional,
                })
                .collect(),
            cdi_devices: Vec::new(),
        };
        Built {
            op: pb::Op {
                inputs: std::mem::take(&mut inputs.wire),
                platform: spec.platform.clone(),
                constraints: Some(pb::WorkerConstraints::default()),
                op: Some(pb::op::Op::Exec(exec)),
            },
            caps,
            inputs,
        }
    }
}

impl State {
    /// Runs a command with this state as the root filesystem.
    ///
    /// Fails when there are no arguments, a mount destination is relative, or
    /// two mounts (or a mount and the root) share a destination.
    pub fn exec(&self, spec: ExecSpec) -> Result<ExecResult, LlbError> {
        if spec.args.is_empty() {
            return Err(LlbError::EmptyArgs);
        }
        let mut fs_mounts = Vec::new();
        let mut secrets = Vec::new();
        let mut ssh = Vec::new();
        let mut seen = std::collections::BTreeSet::from(["/".to_string()]);
        for m in &spec.mounts {
            if !m.dest.starts_with('/') {
                return Err(LlbError::RelativeMountDest {
                    dest: m.dest.clone(),
                });
            }
            if !seen.insert(m.dest.clone()) {
                return Err(LlbError::DuplicateMountDest {
                    dest: m.dest.clone(),
                });
            }
            match &m.kind {
                MountKind::Secret(s) => secrets.push((m.dest.clone(), s.clone())),
                MountKind::Ssh(s) => ssh.push((m.dest.clone(), s.clone())),
                _ => fs_mounts.push(m.clone()),
            }
        }
        // Stable sort: the order of mounts must not depend on how the caller
        // listed them, only on where they go.
        fs_mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
        let writable: Vec<String> = fs_mounts
            .iter()
            .filter(|m| {
                matches!(
                    m.kind,
                    MountKind::Bind {
                        mode: BindMode::ReadWrite,
                        ..
                    }
                )
            })
            .map(|m| m.dest.clone())
            .collect();

        let meta = spec.meta.clone();
        let node = ExecNode {
            root: self.clone(),
            spec,
            fs_mounts,
            secrets,
            ssh,
        };
        let root = State::from_op(OpKind::Exec(Box::new(node)), meta);
        let mut mounts = Vec::with_capacity(writable.len());
        if let Some(out) = &root.out {
            for (i, dest) in writable.into_iter().enumerate() {
                let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let state = State {
                    out: Some(Output {
                        node: Arc::clone(&out.node),
                        index,
                    }),
                };
                mounts.push((dest, state));
            }
        }
        Ok(ExecResult { root, mounts })
    }
}
