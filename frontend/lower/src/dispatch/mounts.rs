//! `RUN --mount=…`: each value is expanded with the env in scope, parsed,
//! and turned into an exec mount the way the reference frontend does it.

use std::collections::BTreeMap;

use stagecraft_instructions::{
    BindMount, CacheMount, CacheSharing, Mount, RunInstruction, SecretMount, SshMount, TmpfsMount,
};
use stagecraft_llb as llb;
use stagecraft_llb::{BindMode, Cap, Chown, Mkdir, State};
use stagecraft_syntax::Span;

use super::{DispatchContext, DispatchState};
use crate::context::{base_name, clean_path, context_path};
use crate::error::{LowerError, LowerErrorKind};
use crate::target::Target;

/// Progress name of the op that prepares a cache directory's owner/mode.
const CACHE_PERMISSIONS_NAME: &str = "[internal] setting cache mount permissions";

/// What the mounts of one RUN add to its exec.
#[derive(Debug, Default)]
pub(crate) struct RunMounts {
    pub(crate) mounts: Vec<llb::Mount>,
    pub(crate) secret_env: Vec<llb::SecretEnv>,
    /// Variables filled from secrets: their values are masked in the
    /// progress name.
    pub(crate) secret_env_names: Vec<String>,
    /// Socket path of the first SSH mount, for `SSH_AUTH_SOCK`.
    pub(crate) first_ssh_target: Option<String>,
}

fn invalid(message: impl Into<String>, span: Span) -> LowerError {
    LowerError::at(
        LowerErrorKind::Invalid {
            instruction: "RUN",
            message: message.into(),
        },
        span,
    )
}

/// Parses every `--mount` of `run` (values expanded with the stage's env,
/// `from` left as written) and lowers it. Context paths read by bind mounts
/// are recorded in `d.ctx_paths`.
pub(crate) fn dispatch_run_mounts(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    run: &RunInstruction,
    mount_from: &BTreeMap<String, Target>,
) -> Result<RunMounts, LowerError> {
    let span = run.origin.span;
    let mut out = RunMounts::default();
    let mut ssh_index = 0usize;
    for spec in &run.mounts {
        let env = &d.env;
        let mount = spec
            .resolve(|word| cx.lexer.expand_word(word, env).map(|e| e.value))
            .map_err(|e| invalid(format!("--mount={}: {e}", spec.raw), span))?;
        match mount {
            Mount::Bind(m) => {
                let mount = bind_mount(d, cx, &m, mount_from, span)?;
                out.mounts.push(mount);
            }
            Mount::Cache(m) => {
                let mount = cache_mount(d, cx, &m, mount_from, span)?;
                out.mounts.push(mount);
            }
            Mount::Tmpfs(m) => {
                let mount = tmpfs_mount(d, cx, &m, span)?;
                out.mounts.push(mount);
            }
            Mount::Secret(m) => secret_mount(cx, &m, span, &mut out)?,
            Mount::Ssh(m) => {
                ssh_mount(&m, ssh_index, span, &mut out)?;
                ssh_index += 1;
            }
        }
    }
    Ok(out)
}

/// The absolute mount point: relative targets are joined to the working
/// directory; absolute ones are kept as written, as the reference does.
/// `None` when that is the root, which cannot be a mount point.
fn resolve_target(workdir: &str, target: &str) -> Option<String> {
    let resolved = if clean_path(target).starts_with('/') {
        target.to_string()
    } else {
        clean_path(&format!("/{workdir}/{target}"))
    };
    (resolved != "/").then_some(resolved)
}

fn mount_target(d: &DispatchState, target: Option<&str>, span: Span) -> Result<String, LowerError> {
    resolve_target(&d.workdir, target.unwrap_or(""))
        .ok_or_else(|| invalid("invalid mount target \"/\"", span))
}

/// `source=` as a selector inside the mounted state (`None` for its root).
fn source_selector(source: Option<&str>) -> Option<String> {
    let path = context_path(source.unwrap_or(""));
    (path != "/").then_some(path)
}

fn bind_mount(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    m: &BindMount,
    mount_from: &BTreeMap<String, Target>,
    span: Span,
) -> Result<llb::Mount, LowerError> {
    let source = match m.from.as_deref().filter(|f| !f.is_empty()) {
        Some(from) => cx.mount_source(d, mount_from, from, span)?.state.clone(),
        None => {
            d.ctx_paths.insert(m.source.as_deref().unwrap_or(""));
            cx.main_context.clone()
        }
    };
    let mode = if m.read_only {
        BindMode::ReadOnly
    } else if cx.caps.supports(Cap::ExecMountBindReadWriteNoOutput) {
        BindMode::ReadWriteDiscard
    } else {
        // Older daemons: the writes become an extra output nobody reads.
        BindMode::ReadWrite
    };
    let target = mount_target(d, m.target.as_deref(), span)?;
    let mut mount = llb::Mount::bind(target, source, mode);
    if let Some(sel) = source_selector(m.source.as_deref()) {
        mount = mount.with_selector(sel);
    }
    Ok(mount)
}

fn cache_mount(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    m: &CacheMount,
    mount_from: &BTreeMap<String, Target>,
    span: Span,
) -> Result<llb::Mount, LowerError> {
    let seed = match m.from.as_deref().filter(|f| !f.is_empty()) {
        Some(from) => cx.mount_source(d, mount_from, from, span)?.state.clone(),
        None => State::scratch(),
    };
    let target = mount_target(d, m.target.as_deref(), span)?;
    // The default id is the target as written (cleaned), before it is
    // resolved against the working directory.
    let id = match m.id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => id.to_string(),
        None => clean_path(m.target.as_deref().unwrap_or("")),
    };
    let sharing = match m.sharing {
        CacheSharing::Shared => llb::CacheSharing::Shared,
        CacheSharing::Private => llb::CacheSharing::Private,
        CacheSharing::Locked => llb::CacheSharing::Locked,
    };
    let (from, selector) = match source_selector(m.source.as_deref()) {
        Some(sel) => (seed, Some(sel)),
        None if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() => {
            let mut mkdir = Mkdir::new("/cache", m.mode.unwrap_or(0o755));
            mkdir.owner = Some(Chown::ids(m.uid.unwrap_or(0), m.gid.unwrap_or(0)));
            let prepared = seed
                .file_action(mkdir)
                .with_custom_name(CACHE_PERMISSIONS_NAME);
            (prepared, Some("/cache".to_string()))
        }
        None => (seed, None),
    };
    Ok(llb::Mount {
        dest: target,
        kind: llb::MountKind::Cache {
            // `<namespace>/<id>` even with an empty namespace, so caches are
            // shared with builds by the reference frontend.
            id: format!("{}/{id}", cx.options.cache_mount_namespace),
            sharing,
            from: (!from.is_scratch()).then_some(from),
            selector,
            readonly: m.read_only,
        },
    })
}

fn tmpfs_mount(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    m: &TmpfsMount,
    span: Span,
) -> Result<llb::Mount, LowerError> {
    let size = m.size.filter(|s| *s > 0);
    if size.is_some() {
        // The reference emits the size unguarded and the solve fails late;
        // failing here names the flag instead.
        cx.require_cap(
            Cap::ExecMountTmpfsSize,
            ("RUN", "--mount=type=tmpfs,size="),
            span,
        )?;
    }
    // The reference records the (empty) source of a tmpfs mount as a
    // context path, which makes the whole context followed; keep that so the
    // context source gets the same attributes.
    d.ctx_paths.insert("/");
    let target = mount_target(d, m.target.as_deref(), span)?;
    Ok(llb::Mount::tmpfs(target, size))
}

fn secret_mount(
    cx: &DispatchContext<'_>,
    m: &SecretMount,
    span: Span,
    out: &mut RunMounts,
) -> Result<(), LowerError> {
    let id = m
        .secret_id()
        .ok_or_else(|| invalid("one of source, target required", span))?;
    let optional = !m.required;
    if let Some(name) = &m.env {
        cx.require_cap(
            Cap::ExecSecretEnv,
            ("RUN", "--mount=type=secret,env="),
            span,
        )?;
        out.secret_env.push(llb::SecretEnv {
            id: id.clone(),
            name: name.clone(),
            optional,
        });
        out.secret_env_names.push(name.clone());
    }
    let target = match (m.target.as_deref().filter(|t| !t.is_empty()), &m.env) {
        (Some(t), _) => Some(t.to_string()),
        // With env= and no target the secret is only an env var.
        (None, Some(_)) => None,
        (None, None) => Some(format!("/run/secrets/{}", base_name(&id))),
    };
    if let Some(target) = target {
        let secret = llb::SecretMount {
            id,
            uid: m.uid.unwrap_or(0),
            gid: m.gid.unwrap_or(0),
            mode: m.mode.unwrap_or(0o400),
            optional,
        };
        out.mounts.push(llb::Mount::secret(target, secret));
    }
    Ok(())
}

fn ssh_mount(
    m: &SshMount,
    index: usize,
    span: Span,
    out: &mut RunMounts,
) -> Result<(), LowerError> {
    if m.source.as_deref().is_some_and(|s| !s.is_empty()) {
        return Err(invalid("ssh does not support source", span));
    }
    let target = match m.target.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => format!("/run/buildkit/ssh_agent.{index}"),
    };
    if out.first_ssh_target.is_none() {
        out.first_ssh_target = Some(target.clone());
    }
    let ssh = llb::SshMount {
        // An empty id is what the reference sends for "default"; the daemon
        // maps it to the `default` agent.
        id: m.id.clone().unwrap_or_default(),
        uid: m.uid.unwrap_or(0),
        gid: m.gid.unwrap_or(0),
        mode: m.mode.unwrap_or(0o600),
        optional: !m.required,
    };
    out.mounts.push(llb::Mount::ssh(target, ssh));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_join_the_workdir_unless_absolute() {
        assert_eq!(resolve_target("/w", "cache").as_deref(), Some("/w/cache"));
        assert_eq!(resolve_target("/w", "../x/").as_deref(), Some("/x"));
        assert_eq!(resolve_target("/w", "/abs/").as_deref(), Some("/abs/"));
        assert_eq!(resolve_target("/w", "").as_deref(), Some("/w"));
        assert_eq!(resolve_target("/", ""), None);
        assert_eq!(resolve_target("/", "/"), None);
    }

    #[test]
    fn source_is_a_selector_unless_it_is_the_root() {
        assert_eq!(source_selector(Some("bin/")).as_deref(), Some("/bin"));
        assert_eq!(source_selector(Some("/a/../b")).as_deref(), Some("/b"));
        assert_eq!(source_selector(Some(".")), None);
        assert_eq!(source_selector(None), None);
    }
}
