//! Per-stage dispatch: each instruction updates the stage's LLB state and
//! image config.
//!
//! Notes for the RUN / COPY / ADD dispatchers (`run` + `mounts`, `copy`
//! with its `sources` and `apply`, `add` for ADD's remote sources through
//! the copy hook, `remote` for what a URL source is, and `context.rs` for
//! the main context):
//!
//! * Expand words with [`DispatchState::expand_word`] /
//!   [`DispatchState::expand_words`]: they use the env in scope (image
//!   `Env`, then ENV and ARG values of the stage, in the order the Go client
//!   keeps) and the file's escape character.
//! * Take the step with [`DispatchState::next_step`] exactly once per
//!   instruction that produces ops (RUN/COPY/ADD/WORKDIR) and name each of
//!   its ops with [`crate::steps::Step::name`] given the text
//!   [`DispatchState::step_text`] makes of the instruction as written
//!   (RUN keeps quotes and unset variables: `names::expand_for_name`).
//! * Build the op's metadata with [`DispatchState::op_meta`] (name, source
//!   lines of the instruction, `ignore_cache` for `no-cache` stages) and add
//!   [`with_command`] for RUN and HTTP ADD (the
//!   `com.docker.dockerfile.v1.command` description).
//! * Record the step in the image history with
//!   [`DispatchState::commit_layer`] (RUN/COPY/ADD: ` # buildkit` suffix and
//!   a layer) or [`DispatchState::commit_empty`].
//! * COPY --from / RUN --mount from=: [`DispatchContext::copy_source`] and
//!   [`DispatchContext::mount_source`] (with the names the graph resolved
//!   on the command) return the dispatched stage or
//!   implicit image (errors name the line); the main build context is
//!   [`DispatchContext::main_context`]. Record every context path used in
//!   `d.ctx_paths` (as written; `/` means "all": no followpaths).
//! * Exec defaults from options (network, hostname, extra hosts, ulimits,
//!   shm size, cgroup parent, proxy env) are in [`DispatchContext::exec`],
//!   already filtered by the daemon's caps; `d.network` is the stage's
//!   default network (force-network-mode).

mod config;
mod env;
mod gofmt;
pub(crate) mod names;
mod ports;
pub(crate) mod workdir;

pub(crate) mod add;
mod copy;
mod mounts;
pub(crate) mod remote;
mod run;

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_instructions::Instruction;
use stagecraft_llb::{Cap, Mkfile, OpMeta, ProxyEnv, SourceMap, State};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

use crate::budget::Budget;
use crate::command::{Command, CopyFrom};
use crate::context::ContextPaths;
use crate::envlist::EnvList;
use crate::error::{LowerError, LowerErrorKind};
use crate::graph::{Plan, Target};
use crate::image::{History, Image};
use crate::options::BuildOptions;
use crate::platform::Platform;
use crate::steps::{Step, StepCounter};

pub(crate) use config::shell_or_default;

/// Description key holding the instruction text of RUN, FROM and HTTP ADD.
pub(crate) const COMMAND_DESCRIPTION: &str = "com.docker.dockerfile.v1.command";
/// The `comment` of every history entry the Dockerfile frontend writes.
pub(crate) const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// Progress name of the op writing an inline file.
const INLINE_DOCUMENT_NAME: &str = "[internal] preparing inline document";

/// A heredoc as a file of its own (RUN's script, COPY's inline source).
pub(crate) fn inline_document(name: String, mode: u32, content: &str) -> State {
    State::scratch()
        .file_action(Mkfile::new(name, mode, content.as_bytes().to_vec()))
        .with_custom_name(INLINE_DOCUMENT_NAME)
}

/// Adds the `com.docker.dockerfile.v1.command` description.
pub(crate) fn with_command(meta: OpMeta, original: &str) -> OpMeta {
    meta.with_description(COMMAND_DESCRIPTION, original)
}

/// What one stage is while its instructions are dispatched.
#[derive(Clone, Debug)]
pub(crate) struct DispatchState {
    /// Graph node of this stage.
    pub(crate) node: usize,
    /// `name` or `stage-N`, for messages.
    pub(crate) display_name: String,
    pub(crate) state: State,
    pub(crate) image: Image,
    /// The env RUN sees: image Env, ENV and ARG values. Every change to
    /// the image config's env also sets the name here (see
    /// [`EnvList::settle`]).
    pub(crate) env: EnvList,
    /// ARGs declared in this stage (and its base stages), with their
    /// values, in order: RUN's history text lists them (`|N K=V …`).
    /// Persistent, like the env: a stage starts from a copy of its base's.
    pub(crate) build_args: imbl::Vector<std::sync::Arc<(String, Option<String>)>>,
    /// Working directory of the state (always absolute, `/` by default).
    pub(crate) workdir: String,
    /// User of the state (`""` = image default).
    pub(crate) user: String,
    pub(crate) platform: Platform,
    /// The LLB state carries `platform` (an image does, scratch does not):
    /// in a multi-platform build only then do RUN names show it, as the
    /// reference reads RUN's platform from the state.
    pub(crate) state_has_platform: bool,
    pub(crate) network: stagecraft_llb::NetworkMode,
    pub(crate) steps: StepCounter,
    /// Paths used from the main build context.
    pub(crate) ctx_paths: ContextPaths,
    pub(crate) ignore_cache: bool,
    /// CMD was set in this stage (ENTRYPOINT then keeps it).
    pub(crate) cmd_set: bool,
    /// The command being dispatched is an ONBUILD trigger.
    pub(crate) on_build: bool,
    /// ARG names declared in this stage (for unused build-arg warnings).
    pub(crate) declared_args: imbl::OrdSet<String>,
    /// SOURCE_DATE_EPOCH in seconds: the time of history entries and of
    /// the directories WORKDIR creates.
    pub(crate) epoch: Option<i64>,
}

impl DispatchState {
    /// Expands one word with the env in scope (quotes removed).
    pub(crate) fn expand_word(
        &self,
        cx: &DispatchContext<'_>,
        word: &str,
        span: Span,
    ) -> Result<String, LowerError> {
        cx.lexer
            .expand_word(word, &self.env)
            .map(|e| e.value)
            .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), span))
    }

    /// Expands and splits into words (the reference's `ProcessWords`).
    pub(crate) fn expand_words(
        &self,
        cx: &DispatchContext<'_>,
        word: &str,
        span: Span,
    ) -> Result<Vec<String>, LowerError> {
        cx.lexer
            .expand_words(word, &self.env)
            .map(|e| e.value)
            .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), span))
    }

    /// How every step but RUN (which keeps quotes and unset variables)
    /// shows the instruction as written: variables expanded, keyword upper-cased.
    pub(crate) fn step_text(&self, cx: &DispatchContext<'_>, original: &str) -> String {
        names::uppercase_keyword(&names::expand_plain_for_name(cx.lexer, original, &self.env))
    }

    /// The next COPY/ADD/WORKDIR step.
    pub(crate) fn next_step(&mut self) -> Step {
        let label = self.platform_label(true);
        self.steps.next(self.on_build, label.as_deref())
    }

    /// The next RUN step: its platform comes from the state (see
    /// `state_has_platform`).
    pub(crate) fn next_run_step(&mut self) -> Step {
        let label = self.platform_label(self.state_has_platform);
        self.steps.next(self.on_build, label.as_deref())
    }

    /// The platform part of a multi-platform step name.
    fn platform_label(&self, known: bool) -> Option<String> {
        (known && self.steps.shows_platform())
            .then(|| names::platform_label(&self.platform, Some(&self.env)))
    }

    /// Metadata for an op made by the instruction at `span`.
    pub(crate) fn op_meta(&self, cx: &DispatchContext<'_>, name: String, span: Span) -> OpMeta {
        OpMeta::named(name)
            .with_location(cx.location(span))
            .with_ignore_cache(self.ignore_cache)
    }

    /// History entry for a step that adds a layer (RUN/COPY/ADD).
    pub(crate) fn commit_layer(&mut self, mut created_by: String) {
        created_by.push_str(" # buildkit");
        self.commit(created_by, true);
    }

    /// History entry for a metadata-only step.
    pub(crate) fn commit_empty(&mut self, created_by: String) {
        self.commit(created_by, false);
    }

    pub(crate) fn commit(&mut self, created_by: String, with_layer: bool) {
        self.image.history.push_back(std::sync::Arc::new(History {
            created: self.epoch.map(crate::epoch::rfc3339),
            created_by,
            author: String::new(),
            comment: HISTORY_COMMENT.to_string(),
            empty_layer: !with_layer,
        }));
    }

    /// `args` run through the stage's SHELL (or the OS default).
    pub(crate) fn with_shell(&self, command: &str) -> Vec<String> {
        let mut args = shell_or_default(&self.image);
        args.push(command.to_string());
        args
    }

    /// The platform as the llb crate wants it on ops.
    pub(crate) fn pb_platform(&self) -> stagecraft_llb::pb::Platform {
        self.platform.to_pb()
    }
}

/// Exec settings that come from build options, already filtered by the
/// daemon's caps as the reference filters them.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExecDefaults {
    pub(crate) hostname: String,
    pub(crate) extra_hosts: Vec<stagecraft_llb::HostIp>,
    /// Empty unless the daemon supports `exec.meta.ulimit`.
    pub(crate) ulimits: Vec<stagecraft_llb::Ulimit>,
    /// `/dev/shm` tmpfs size; `None` unless set and `exec.mount.tmpfs.size`
    /// is supported.
    pub(crate) shm_size: Option<i64>,
    /// Empty unless set and `exec.meta.cgroup.parent` is supported.
    pub(crate) cgroup_parent: String,
    pub(crate) proxy_env: Option<ProxyEnv>,
    /// `memory=`, `cpu*=`, `cpuset*=` options, checked against the daemon
    /// at each RUN.
    pub(crate) linux_resources: Option<crate::options::LinuxResources>,
}

/// The daemon's LLB caps; `None` means "assume everything".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Caps<'a>(pub(crate) Option<&'a BTreeSet<String>>);

impl Caps<'_> {
    pub(crate) fn supports(&self, cap: Cap) -> bool {
        self.0.is_none_or(|set| set.contains(cap.id()))
    }
}

/// A dispatched stage (or implicit image): what COPY --from and RUN
/// --mount from= read.
#[derive(Clone, Debug)]
pub(crate) struct StageOutput {
    pub(crate) state: State,
}

/// Everything shared by the stages of one build.
pub(crate) struct DispatchContext<'a> {
    pub(crate) options: &'a BuildOptions,
    pub(crate) caps: Caps<'a>,
    pub(crate) lexer: Lexer,
    pub(crate) source_map: &'a SourceMap,
    /// The `local://context` source (with followpaths once known).
    pub(crate) main_context: &'a State,
    pub(crate) plan: &'a Plan<'a>,
    /// Dispatched outputs by graph node (filled as stages are done).
    pub(crate) outputs: &'a [std::sync::OnceLock<StageOutput>],
    /// Global (meta) ARGs and the automatic platform args.
    pub(crate) global_args: &'a EnvList,
    pub(crate) exec: &'a ExecDefaults,
    /// What this pass of dispatch may still produce.
    pub(crate) budget: &'a Budget,
}

impl DispatchContext<'_> {
    /// Fails unless the daemon supports `cap`, naming the flag, the line and
    /// the BuildKit release that added it. The reference lets such builds
    /// reach the daemon, which then rejects the whole definition (or, for
    /// Docker's own frontend, quietly ignores the option).
    pub(crate) fn require_cap(
        &self,
        cap: Cap,
        (instruction, flag): (&'static str, &str),
        span: Span,
    ) -> Result<(), LowerError> {
        if self.caps.supports(cap) {
            return Ok(());
        }
        Err(LowerError::at(
            LowerErrorKind::MissingCap {
                instruction,
                flag: flag.to_string(),
                cap,
            },
            span,
        ))
    }

    /// The source location covering `span`, one range per line.
    pub(crate) fn location(&self, span: Span) -> stagecraft_llb::SourceLocation {
        let first = i32::try_from(span.start).unwrap_or(i32::MAX);
        let last = i32::try_from(span.end.max(span.start)).unwrap_or(i32::MAX);
        self.source_map.lines(first, last)
    }

    /// Where a COPY of stage `d` reads: the main context, or the stage or
    /// image its `--from` (written `from`) names.
    pub(crate) fn copy_source(
        &self,
        d: &DispatchState,
        source: CopyFrom,
        from: &str,
        span: Span,
    ) -> Result<State, LowerError> {
        match source {
            CopyFrom::Context => Ok(self.main_context.clone()),
            CopyFrom::Node(node) => Ok(self.output_for(d, node, from, "copy", span)?.state.clone()),
        }
    }

    /// The stage or image named by `RUN --mount=from=<from>` in stage `d`,
    /// as the graph resolved the command's names (`planned`).
    pub(crate) fn mount_source(
        &self,
        d: &DispatchState,
        planned: &BTreeMap<String, Target>,
        from: &str,
        span: Span,
    ) -> Result<&StageOutput, LowerError> {
        let node = planned.get(from).copied().ok_or_else(|| {
            LowerError::at(
                LowerErrorKind::Invalid {
                    instruction: "RUN",
                    message: format!("unknown mount source {from:?}"),
                },
                span,
            )
        })?;
        self.output_for(d, node, from, "mount", span)
    }

    fn output_for(
        &self,
        d: &DispatchState,
        node: Target,
        from: &str,
        action: &'static str,
        span: Span,
    ) -> Result<&StageOutput, LowerError> {
        match self.outputs.get(node.0).and_then(std::sync::OnceLock::get) {
            Some(out) => Ok(out),
            None => Err(LowerError::at(
                LowerErrorKind::LaterStage {
                    action,
                    from: from.to_string(),
                    current: d.display_name.clone(),
                    from_line: self.plan.node_line(node),
                },
                span,
            )),
        }
    }
}

/// Runs the commands of one stage in order.
pub(crate) fn dispatch_commands(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    commands: &[Command<'_>],
) -> Result<(), LowerError> {
    for cmd in commands {
        d.on_build = cmd.on_build();
        let before = Produced::of(d);
        dispatch_one(d, cx, cmd).map_err(|e| e.or_span(cmd.span()))?;
        cx.budget.charge(before.added_by(d), cmd.span())?;
    }
    d.on_build = false;
    Ok(())
}

/// Where a stage stood before an instruction, to charge what it added:
/// its op (the ops it made on the way are inputs of that one and small
/// next to it), history entries and exposed ports (one `EXPOSE` can list
/// every port; other config fields also write history of their size).
struct Produced {
    head: Option<stagecraft_llb::Output>,
    history: usize,
    ports: usize,
}

/// Bytes of one `"65535/sctp":{}` entry in the config.
const PORT_ENTRY_BYTES: usize = 16;

impl Produced {
    fn of(d: &DispatchState) -> Self {
        Produced {
            head: d.state.output().cloned(),
            history: d.image.history.len(),
            ports: exposed_ports(d),
        }
    }

    fn added_by(&self, d: &DispatchState) -> usize {
        let op = match (d.state.output(), &self.head) {
            (Some(now), Some(before)) if now.same_node(before) => 0,
            (Some(now), _) => now.approx_wire_bytes(),
            (None, _) => 0,
        };
        let entries: usize = (self.history..d.image.history.len())
            .filter_map(|i| d.image.history.get(i))
            .map(|h| h.created_by.len() + 64)
            .sum();
        let ports = exposed_ports(d).saturating_sub(self.ports) * PORT_ENTRY_BYTES;
        op + entries + ports
    }
}

fn exposed_ports(d: &DispatchState) -> usize {
    d.image.config.exposed_ports.as_ref().map_or(0, |p| p.len())
}

fn dispatch_one(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    cmd: &Command<'_>,
) -> Result<(), LowerError> {
    match cmd.instruction() {
        Instruction::Run(i) => run::dispatch_run(d, cx, i, &cmd.mount_from),
        Instruction::Copy(i) => copy::dispatch_copy(d, cx, i, cmd.copy_from),
        Instruction::Add(i) => add::dispatch_add(d, cx, i),
        Instruction::Env(i) => env::dispatch_env(d, cx, i),
        Instruction::Arg(i) => env::dispatch_arg(d, cx, i),
        Instruction::Workdir(i) => workdir::dispatch_workdir(d, cx, i),
        Instruction::User(i) => config::dispatch_user(d, cx, i),
        Instruction::Shell(i) => config::dispatch_shell(d, i),
        Instruction::Cmd(i) => config::dispatch_cmd(d, i),
        Instruction::Entrypoint(i) => config::dispatch_entrypoint(d, i),
        Instruction::Label(i) => config::dispatch_label(d, cx, i),
        Instruction::Expose(i) => config::dispatch_expose(d, cx, i),
        Instruction::Volume(i) => config::dispatch_volume(d, cx, i),
        Instruction::Healthcheck(i) => config::dispatch_healthcheck(d, i),
        Instruction::StopSignal(i) => config::dispatch_stopsignal(d, cx, i),
        Instruction::Onbuild(i) => config::dispatch_onbuild(d, i),
        Instruction::Maintainer(i) => config::dispatch_maintainer(d, cx, i),
    }
}
