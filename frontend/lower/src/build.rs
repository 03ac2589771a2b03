//! The lowering pipeline: plan → resolve (+ ONBUILD, until stable) →
//! dispatch → finalize.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use stagecraft_instructions::Dockerfile;
use stagecraft_llb::{Cap, OpMeta, SourceMap, State};
use stagecraft_shell::Lexer;

use crate::args;
use crate::budget::{Budget, Limits};
use crate::context::{ContextPaths, main_context};
use crate::dispatch::{
    COMMAND_DESCRIPTION, Caps, DispatchContext, DispatchState, ExecDefaults, StageOutput,
    dispatch_commands, names, workdir,
};
use crate::envlist::EnvList;
use crate::error::{LowerError, LowerErrorKind};
use crate::finalize::finalize_image;
use crate::graph::{Base, Plan, Target};
use crate::image::DEFAULT_PATH;
use crate::onbuild::{parse_triggers, stage_triggers};
use crate::options::BuildOptions;
use crate::resolve::{Resolved, ResolvedBase, resolve_bases};
use crate::schedule::{self, Jobs};
use crate::steps::StepCounter;
use crate::{ImageResolver, LowerRequest, LowerWarning, Lowered, SbomTargets};

/// The name TARGETSTAGE reports: the asked target, else the last stage's
/// name (unnamed: none).
pub(crate) fn target_name(df: &Dockerfile, options: &BuildOptions) -> Option<String> {
    options.target.clone().or_else(|| {
        df.stages
            .last()
            .and_then(|s| s.name.as_ref())
            .map(|n| n.lookup.clone())
    })
}

/// Prepends inherited ONBUILD triggers to every reachable stage not done
/// yet. Returns whether a trigger added a dependency (the reachable set
/// may then grow).
fn add_onbuilds(
    plan: &mut Plan<'_>,
    reachable: &BTreeSet<Target>,
    resolved: &Resolved,
) -> Result<bool, LowerError> {
    let mut new_deps = false;
    for t in reachable {
        let Some(node) = plan.node(*t) else { continue };
        if node.onbuild_done || node.stage.is_none() {
            continue;
        }
        let triggers = match &node.base {
            Base::Image(_) => resolved
                .get(t)
                .map(|r| r.image.config.on_build.clone())
                .unwrap_or_default(),
            Base::Stage(b) => plan
                .node(*b)
                .map(|b| stage_triggers(&b.commands))
                .unwrap_or_default(),
            // A context image's ONBUILD runs as any base image's does.
            Base::Context {
                whole_stage: false, ..
            } => resolved
                .get(t)
                .map(|r| r.image.config.on_build.clone())
                .unwrap_or_default(),
            Base::Scratch | Base::Context { .. } => Vec::new(),
        };
        let span = node.span;
        if let Some(n) = plan.nodes.get_mut(t.0) {
            n.onbuild_done = true;
        }
        if triggers.is_empty() {
            continue;
        }
        let commands = parse_triggers(&triggers, span)?;
        let mut commands = commands;
        for c in &mut commands {
            new_deps |= plan.add_command_deps(*t, c)?;
        }
        if let Some(n) = plan.nodes.get_mut(t.0) {
            n.steps = n.steps.with_onbuild(commands.len());
            let own = std::mem::take(&mut n.commands);
            n.commands = commands.into_iter().chain(own).collect();
        }
    }
    Ok(new_deps)
}

/// ONBUILD triggers of base stages only (no image configs): for
/// [`crate::stage_graph`].
pub(crate) fn add_stage_onbuilds(plan: &mut Plan<'_>) -> Result<(), LowerError> {
    loop {
        let reachable = plan.reachable();
        if !add_onbuilds(plan, &reachable, &BTreeMap::new())? {
            plan.check_cycles()?;
            return Ok(());
        }
    }
}

fn exec_defaults(options: &BuildOptions, caps: Caps<'_>) -> ExecDefaults {
    ExecDefaults {
        hostname: options.hostname.clone().unwrap_or_default(),
        extra_hosts: options.extra_hosts.clone(),
        ulimits: if caps.supports(Cap::ExecMetaUlimit) {
            options.ulimits.clone()
        } else {
            Vec::new()
        },
        shm_size: options
            .shm_size
            .filter(|s| *s > 0 && caps.supports(Cap::ExecMountTmpfsSize))
            .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
        cgroup_parent: options
            .cgroup_parent
            .clone()
            .filter(|_| caps.supports(Cap::ExecMetaCgroupParent))
            .unwrap_or_default(),
        proxy_env: args::proxy_env(options),
        linux_resources: options.linux_resources.clone(),
    }
}

struct Shared<'a> {
    plan: &'a Plan<'a>,
    reachable: &'a BTreeSet<Target>,
    resolved: &'a Resolved,
    options: &'a BuildOptions,
    caps: Caps<'a>,
    lexer: Lexer,
    source_map: &'a SourceMap,
    global_args: &'a EnvList,
    exec: &'a ExecDefaults,
    epoch: Option<i64>,
    limits: Limits,
    workers: Workers,
}

/// How many threads dispatch stages.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Workers {
    /// As many as pay (see [`Jobs::threads`]).
    Auto,
    /// Exactly this many, for tests comparing one with two.
    #[cfg_attr(not(test), allow(dead_code))]
    Exactly(usize),
}

struct Dispatched {
    /// The final state of each stage the lowering looks at again: the
    /// target, and with SBOM scans every stage.
    finals: Vec<Option<DispatchState>>,
    /// The ARGs every dispatched stage declared.
    declared_args: Vec<imbl::OrdSet<String>>,
    ctx_paths: ContextPaths,
}

fn location(
    source_map: &SourceMap,
    span: stagecraft_syntax::Span,
) -> stagecraft_llb::SourceLocation {
    let first = i32::try_from(span.start).unwrap_or(i32::MAX);
    let last = i32::try_from(span.end.max(span.start)).unwrap_or(i32::MAX);
    source_map.lines(first, last)
}

/// A stage starting from an image (or scratch).
fn fresh_state(s: &Shared<'_>, t: Target, r: &ResolvedBase, steps: StepCounter) -> DispatchState {
    let node = s.plan.node(t);
    let mut d = DispatchState {
        node: t.0,
        display_name: node.map(|n| n.display.clone()).unwrap_or_default(),
        state: r.state.clone(),
        image: r.image.for_child(),
        env: EnvList::new(),
        build_args: imbl::Vector::new(),
        workdir: "/".to_string(),
        user: String::new(),
        platform: r.platform.clone(),
        state_has_platform: r.state_has_platform,
        network: stagecraft_llb::NetworkMode::Sandbox,
        steps,
        ctx_paths: ContextPaths::default(),
        ignore_cache: false,
        cmd_set: false,
        on_build: false,
        declared_args: imbl::OrdSet::new(),
        epoch: s.epoch,
    };
    if let (Some(reference), Some(node)) = (&r.from_ref, node) {
        let label = d
            .steps
            .shows_platform()
            .then(|| names::platform_label(&d.platform, None));
        let name = d
            .steps
            .base_image_step(label.as_deref())
            .name(&format!("FROM {reference}"));
        let meta = OpMeta::named(name)
            .with_description(COMMAND_DESCRIPTION, node.from_text)
            .with_location(location(s.source_map, node.span));
        d.state = d.state.with_meta(meta);
    }
    d
}

/// What the reference does when a stage starts: default PATH, env from the
/// config, working dir and user, network mode. `fresh`: the env was never
/// set from the config (an image, scratch, a stage replaced whole);
/// otherwise it is a stage's, which [`settle_env`] left as this start
/// would.
fn init_from_image(d: &mut DispatchState, options: &BuildOptions, fresh: bool) {
    if d.image.config.env_value("PATH").is_none() && d.platform.os != "windows" {
        d.image.config.env.push(format!("PATH={DEFAULT_PATH}"));
        d.env.set("PATH", DEFAULT_PATH);
    }
    if fresh {
        set_config_env(&mut d.env, &d.image.config.env);
    }
    settle_env(d);
    if !d.image.config.working_dir.is_empty() {
        let wd = d.image.config.working_dir.clone();
        workdir::set_workdir(d, &wd);
    }
    if !d.image.config.user.is_empty() {
        d.user = d.image.config.user.clone();
    }
    d.network = options.network_mode;
}

/// Sets each `KEY=VALUE` entry of `config` on `env`, in order (a bare
/// name as empty), as the reference does when a stage starts.
fn set_config_env(env: &mut EnvList, config: &crate::image::ConfigEnv) {
    for entry in config.iter() {
        let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
        env.set(k, v);
    }
}

/// Puts the stage's env in the order a stage starting from it sets it to,
/// at the cost of the names set since the stage started (tests check it
/// against setting every config entry).
fn settle_env(d: &mut DispatchState) {
    #[cfg(debug_assertions)]
    let before = d.env.clone();
    d.env.settle(&d.image.config.env);
    #[cfg(debug_assertions)]
    {
        let mut again = before;
        set_config_env(&mut again, &d.image.config.env);
        assert!(
            again == d.env,
            "settling the env of {} differs from setting its config env",
            d.display_name
        );
    }
}

/// The stage is a named context that replaces it whole.
fn replaced_whole(base: &Base) -> bool {
    matches!(
        base,
        Base::Context {
            whole_stage: true,
            ..
        }
    )
}

/// Stage outputs and final states, filled in as stages are dispatched
/// (possibly on two threads) and read by the stages after them.
struct Slots {
    /// What COPY --from and RUN --mount from= read, by graph node.
    outputs: Vec<OnceLock<StageOutput>>,
    /// The final state of each stage the lowering looks at again: boxed,
    /// since few stages keep one and a slot for each of thousands of stages
    /// would otherwise take a state's size.
    finals: Vec<OnceLock<Box<DispatchState>>>,
}

/// What one stage's dispatch leaves for the merge.
struct StageDone {
    ctx_paths: ContextPaths,
    declared_args: imbl::OrdSet<String>,
}

fn dispatch_all(s: &Shared<'_>, main: &State) -> Result<Dispatched, LowerError> {
    let plan = s.plan;
    let n = plan.nodes.len();
    let mut slots = Slots {
        outputs: std::iter::repeat_with(OnceLock::new).take(n).collect(),
        finals: std::iter::repeat_with(OnceLock::new).take(n).collect(),
    };

    // Images named by COPY --from / RUN --mount are ready once resolved.
    for t in s.reachable {
        let Some(node) = plan.node(*t) else { continue };
        if node.stage.is_some() {
            continue;
        }
        let Some(r) = s.resolved.get(t) else { continue };
        let mut state = r.state.clone();
        if let Some(reference) = &r.from_ref {
            // One location per instruction naming the image in a stage
            // that is built, as the reference has one stage per reference.
            let meta = node
                .named_by
                .iter()
                .filter(|by| s.reachable.contains(&by.owner))
                .fold(
                    OpMeta::named(format!("FROM {reference}"))
                        .with_description(COMMAND_DESCRIPTION, ""),
                    |meta, by| {
                        meta.with_location(match by.at {
                            Some(span) => location(s.source_map, span),
                            None => stagecraft_llb::SourceLocation {
                                map: s.source_map.clone(),
                                ranges: Vec::new(),
                            },
                        })
                    },
                );
            state = state.with_meta(meta);
        }
        if let Some(slot) = slots.outputs.get_mut(t.0) {
            *slot = OnceLock::from(StageOutput { state });
        }
    }

    // A stage's final state (its image config and variables) is kept only
    // while something needs it: a stage built on it, the target, an SBOM
    // scan. Thousands of stages otherwise hold thousands of configs.
    // Only the stages others are built on settle their env, too.
    let mut is_base = vec![false; n];
    for t in s.reachable {
        if let Some(Base::Stage(b)) = plan.node(*t).map(|node| &node.base)
            && let Some(k) = is_base.get_mut(b.0)
        {
            *k = true;
        }
    }
    let mut keep: Vec<bool> = is_base
        .iter()
        .map(|&base| base || s.options.sbom.is_some())
        .collect();
    if let Some(k) = keep.get_mut(plan.target.0) {
        *k = true;
    }
    let marks = Marks {
        is_base: &is_base,
        keep: &keep,
    };

    let stages: Vec<usize> = (0..plan.stage_count)
        .filter(|&i| s.reachable.contains(&Target(i)))
        .collect();
    let jobs = stage_jobs(plan, &stages);
    let threads = match (s.workers, &jobs) {
        (_, None) => 1,
        (Workers::Auto, Some(jobs)) => jobs.threads(),
        (Workers::Exactly(k), Some(_)) => k,
    };
    let done = match jobs.filter(|_| threads > 1) {
        Some(jobs) => {
            let budget = Budget::new(s.limits);
            let run = |job: usize| match stages.get(job) {
                Some(&i) => dispatch_stage(s, main, &slots, marks, &budget, i),
                None => Err(LowerError::new(
                    LowerErrorKind::Unsupported("stage out of range".into()),
                    None,
                )),
            };
            match schedule::run_all(&jobs, threads, run) {
                Some(done) => done,
                None => {
                    // Which error one thread would have met first depends
                    // on the order: dispatch again in order for it.
                    for &i in &stages {
                        if let Some(slot) = slots.outputs.get_mut(i) {
                            slot.take();
                        }
                        if let Some(slot) = slots.finals.get_mut(i) {
                            slot.take();
                        }
                    }
                    dispatch_in_order(s, main, &slots, marks, &stages)?
                }
            }
        }
        None => dispatch_in_order(s, main, &slots, marks, &stages)?,
    };

    let mut declared_args = Vec::with_capacity(done.len());
    let mut ctx_paths = ContextPaths::default();
    for stage in done {
        ctx_paths.append(stage.ctx_paths);
        declared_args.push(stage.declared_args);
    }
    Ok(Dispatched {
        finals: slots
            .finals
            .into_iter()
            .map(|slot| slot.into_inner().map(|d| *d))
            .collect(),
        declared_args,
        ctx_paths,
    })
}

/// Which stages are built on (settle their env) and kept.
#[derive(Clone, Copy)]
struct Marks<'a> {
    is_base: &'a [bool],
    keep: &'a [bool],
}

/// The reachable `stages` (in file order) as jobs reading the stages they
/// are built on, copy from and mount from; `None` when one reads a stage
/// not before it (dispatch then reports it, in order).
fn stage_jobs(plan: &Plan<'_>, stages: &[usize]) -> Option<Jobs> {
    let mut job_of: Vec<Option<usize>> = vec![None; plan.stage_count];
    let mut jobs = Jobs::new();
    for &i in stages {
        let node = plan.node(Target(i))?;
        let base = match node.base {
            Base::Stage(b) => Some(b),
            _ => None,
        };
        let mut deps = Vec::new();
        for t in base.into_iter().chain(node.deps.iter().map(|d| d.target)) {
            if t.0 >= plan.stage_count {
                // An image, ready before any stage.
                continue;
            }
            deps.push(job_of.get(t.0).copied().flatten()?);
        }
        let job = jobs.push(deps, node.commands.len() + 1)?;
        if let Some(slot) = job_of.get_mut(i) {
            *slot = Some(job);
        }
    }
    Some(jobs)
}

fn dispatch_in_order(
    s: &Shared<'_>,
    main: &State,
    slots: &Slots,
    marks: Marks<'_>,
    stages: &[usize],
) -> Result<Vec<StageDone>, LowerError> {
    let budget = Budget::new(s.limits);
    stages
        .iter()
        .map(|&i| dispatch_stage(s, main, slots, marks, &budget, i))
        .collect()
}

/// Dispatches stage `i`, whose base and the stages it reads are in
/// `slots`, and puts its output and (if kept) final state there.
fn dispatch_stage(
    s: &Shared<'_>,
    main: &State,
    slots: &Slots,
    marks: Marks<'_>,
    budget: &Budget,
    i: usize,
) -> Result<StageDone, LowerError> {
    let plan = s.plan;
    let t = Target(i);
    let Some(node) = plan.node(t) else {
        return Ok(StageDone {
            ctx_paths: ContextPaths::default(),
            declared_args: imbl::OrdSet::new(),
        });
    };
    // The reference names a stage's FROM <image> in every resolve pass
    // that found the stage still unreachable, each time advancing its
    // counter: a stage first needed through an ONBUILD trigger starts
    // past 1 (`[a 2/1] FROM …`). A named context is never a FROM step,
    // but in the passes before it was reachable the reference named it
    // as an image all the same.
    let passes_before = match node.base {
        Base::Image(_) | Base::Context { .. } => node.reached_in_pass.unwrap_or(0),
        Base::Stage(_) | Base::Scratch => 0,
    };
    let steps = StepCounter::new(plan.named_steps.then(|| node.display.clone()), node.steps)
        .with_platform(s.options.multi_platform)
        .skipping(passes_before);
    let stage_name = node.name;
    let mut d = match &node.base {
        Base::Stage(b) => {
            let base = slots
                .finals
                .get(b.0)
                .and_then(OnceLock::get)
                .map(|d| DispatchState::clone(d))
                .ok_or_else(|| {
                    LowerError::at(
                        LowerErrorKind::LaterStage {
                            action: "build",
                            from: plan.node(*b).map(|n| n.display.clone()).unwrap_or_default(),
                            current: node.display.clone(),
                            from_line: plan.node_line(*b),
                        },
                        node.span,
                    )
                })?;
            let mut d = base;
            d.node = i;
            d.display_name = node.display.clone();
            d.image.config.on_build.clear();
            d.steps = steps;
            d.ctx_paths = ContextPaths::default();
            // The base's own are collected from its final state.
            d.declared_args = imbl::OrdSet::new();
            d.cmd_set = false;
            d.on_build = false;
            d
        }
        Base::Image(_) | Base::Scratch | Base::Context { .. } => {
            let r = s.resolved.get(&t).ok_or_else(|| {
                LowerError::at(
                    LowerErrorKind::Unsupported("unresolved base".into()),
                    node.span,
                )
            })?;
            fresh_state(s, t, r, steps)
        }
    };
    d.ignore_cache = s.options.no_cache.applies_to(stage_name);
    // A stage replaced whole is the context as it is: the reference
    // never starts it like a stage.
    let started = !replaced_whole(&node.base);
    if started {
        // A stage on one replaced whole starts from an env that was
        // never set from its config.
        let fresh = match &node.base {
            Base::Stage(b) => plan.node(*b).is_none_or(|n| replaced_whole(&n.base)),
            _ => true,
        };
        init_from_image(&mut d, s.options, fresh);
    }
    let cx = DispatchContext {
        options: s.options,
        caps: s.caps,
        lexer: s.lexer,
        source_map: s.source_map,
        main_context: main,
        plan,
        outputs: &slots.outputs,
        global_args: s.global_args,
        exec: s.exec,
        budget,
    };
    dispatch_commands(&mut d, &cx, &node.commands)?;
    // Once, here, rather than at each of the stages built on this one.
    if started && marks.is_base.get(i).copied().unwrap_or(false) {
        settle_env(&mut d);
    }
    let done = StageDone {
        ctx_paths: std::mem::take(&mut d.ctx_paths),
        declared_args: d.declared_args.clone(),
    };
    if let Some(slot) = slots.outputs.get(i) {
        // Each stage is dispatched once per run: the slot is empty.
        let _ = slot.set(StageOutput {
            state: d.state.clone(),
        });
    }
    if marks.keep.get(i).copied().unwrap_or(true)
        && let Some(slot) = slots.finals.get(i)
    {
        let _ = slot.set(Box::new(d));
    }
    Ok(done)
}

/// The context paths the reachable stages read, taken from their COPY and
/// ADD sources and `RUN --mount` binds as written: what dispatch records in
/// `ctx_paths` when no source has a variable in it. Only a guess (the
/// lowering checks it against what dispatch found), so a source it cannot
/// read is left out.
fn written_context_paths(plan: &Plan<'_>, reachable: &BTreeSet<Target>) -> ContextPaths {
    use stagecraft_instructions::{CopySource, Instruction, Mount};

    use crate::command::CopyFrom;

    fn sources(sources: &[CopySource]) -> impl Iterator<Item = &str> {
        sources.iter().filter_map(|s| match s {
            CopySource::Path(p) => Some(p.as_str()),
            CopySource::Inline(_) => None,
        })
    }
    let mut paths = ContextPaths::default();
    for t in reachable {
        let Some(node) = plan.node(*t) else { continue };
        for cmd in &node.commands {
            match cmd.instruction() {
                Instruction::Copy(copy) if cmd.copy_from == CopyFrom::Context => {
                    sources(&copy.sources).for_each(|p| paths.insert(p));
                }
                Instruction::Add(add) => sources(&add.sources)
                    .filter(|p| !p.starts_with("http://") && !p.starts_with("https://"))
                    .for_each(|p| paths.insert(p)),
                Instruction::Run(run) => {
                    for spec in &run.mounts {
                        match spec.resolve(|s| Ok::<_, String>(s.to_string())) {
                            Ok(Mount::Bind(m)) if m.from.as_deref().is_none_or(str::is_empty) => {
                                paths.insert(m.source.as_deref().unwrap_or(""));
                            }
                            Ok(Mount::Tmpfs(_)) => {
                                paths.insert("/");
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    paths
}

pub(crate) async fn lower(
    req: LowerRequest<'_>,
    resolver: &impl ImageResolver,
    workers: Workers,
) -> Result<Lowered, LowerError> {
    let df = req.dockerfile;
    let options = req.options;
    let lexer = Lexer::new(req.escape);
    let caps = Caps(req.llb_caps);

    let mut global = args::default_args(options, target_name(df, options).as_deref());
    let mut declared = args::add_meta_args(&mut global, df, lexer, options, req.limits)?;
    let epoch = crate::epoch::resolve(options, &global)?;
    let mut plan = Plan::build(df, &global, lexer, options.target.as_deref())?;
    plan.all_stages = options.all_stages;
    plan.use_named_contexts(options)?;

    let mut resolved = Resolved::new();
    // Passes end when ONBUILD triggers add no dependency: the stages then
    // reachable are those of the last pass.
    let mut pass = 0;
    let reachable = loop {
        let reachable = plan.reachable();
        for t in &reachable {
            if let Some(n) = plan.nodes.get_mut(t.0) {
                n.reached_in_pass.get_or_insert(pass);
            }
        }
        resolve_bases(
            &plan,
            reachable.iter().copied(),
            &mut resolved,
            options,
            req.context,
            resolver,
        )
        .await?;
        if !add_onbuilds(&mut plan, &reachable, &resolved)? {
            break reachable;
        }
        plan.check_cycles()?;
        pass += 1;
    };
    plan.check_order(&reachable)?;

    let mut source_map = SourceMap::new(
        req.source.filename.clone(),
        "Dockerfile",
        req.source.data.clone(),
    );
    if let Some(def) = &req.source.definition {
        source_map = source_map.with_definition(def.clone());
    }
    let exec = exec_defaults(options, caps);
    let shared = Shared {
        plan: &plan,
        reachable: &reachable,
        resolved: &resolved,
        options,
        caps,
        lexer,
        source_map: &source_map,
        global_args: &global,
        exec: &exec,
        epoch,
        limits: req.limits,
        workers,
    };
    // The context's followpaths are only known once every COPY has been
    // expanded, and ops are encoded as they are built: dispatch with the
    // source the sources as written would give (right unless a source has
    // a variable in it), then, if the paths used differ, swap in the source
    // that follows them (see `context`).
    let (dispatched_with, written) = match &req.context.remote {
        Some(remote) => (remote.clone(), None),
        None => {
            let written = written_context_paths(&plan, &reachable);
            (
                main_context(req.context, written.follow_paths())?,
                Some(written),
            )
        }
    };
    let done = dispatch_all(&shared, &dispatched_with)?;
    // Different paths can still give the same list (both reading `/`).
    let context = match written {
        Some(written) if written != done.ctx_paths => {
            let follow = done.ctx_paths.follow_paths();
            (follow != written.follow_paths())
                .then(|| main_context(req.context, follow))
                .transpose()?
        }
        _ => None,
    };

    let target = done
        .finals
        .get(plan.target.0)
        .and_then(Option::as_ref)
        .ok_or_else(|| {
            LowerError::new(
                LowerErrorKind::Unsupported("target not dispatched".into()),
                None,
            )
        })?;
    for args in &done.declared_args {
        declared.extend(args.iter().cloned());
    }
    let mut warnings = Vec::new();
    let unused = args::unconsumed(options, &declared);
    if !unused.is_empty() {
        warnings.push(LowerWarning {
            short: format!(
                "[Warning] One or more build-args [{}] were not consumed",
                unused.join(" ")
            ),
            detail: "Build args are only used by ARG instructions that declare them; these were given but no ARG declares them.".to_string(),
            span: None,
        });
    }
    let unresolved_images: Vec<String> = reachable
        .iter()
        .filter_map(|t| resolved.get(t).and_then(|r| r.unresolved.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let final_state = |st: &State| match &context {
        Some(context) => st.substitute(&dispatched_with, context),
        None => st.clone(),
    };
    let state = final_state(&target.state);
    let sbom = options.sbom.as_ref().map(|_| {
        let mut targets = SbomTargets {
            extras: BTreeMap::new(),
            ignore_cache: target.ignore_cache,
        };
        let stage_name = |t: Target| plan.nodes.get(t.0).and_then(|n| n.name).unwrap_or_default();
        if sbom_scan(target, stage_name(plan.target), &global, SBOM_SCAN_CONTEXT) {
            let used = context.as_ref().unwrap_or(&dispatched_with);
            targets.extras.insert("context".to_string(), used.clone());
        }
        for t in &reachable {
            let Some(d) = done.finals.get(t.0).and_then(Option::as_ref) else {
                continue;
            };
            let name = stage_name(*t);
            if *t == plan.target || !sbom_scan(d, name, &global, SBOM_SCAN_STAGE) {
                continue;
            }
            targets
                .extras
                .insert(name.to_string(), final_state(&d.state));
            targets.ignore_cache |= d.ignore_cache;
        }
        targets
    });
    Ok(Lowered {
        state,
        image: finalize_image(target.image.clone(), options),
        platform: options.platform().clone(),
        warnings,
        unresolved_images,
        epoch,
        sbom,
    })
}

/// The build args that show an SBOM scanner more than the image: the build
/// context, and the stages the target was built from.
const SBOM_SCAN_CONTEXT: &str = "BUILDKIT_SBOM_SCAN_CONTEXT";
const SBOM_SCAN_STAGE: &str = "BUILDKIT_SBOM_SCAN_STAGE";

/// Whether `arg` asks to scan stage `d` (`stage`: its `AS` name, empty when
/// it has none): its global value, then the stage's own ARG (a later
/// declaration wins). The value is a boolean or a comma-separated list of
/// stage names.
fn sbom_scan(d: &DispatchState, stage: &str, global: &EnvList, arg: &str) -> bool {
    let enabled = |value: &str| match crate::options::parse_bool(arg, value) {
        Ok(b) => b,
        Err(_) => value.split(',').any(|s| s == stage),
    };
    let mut on = global.get(arg).is_some_and(enabled);
    for kv in d.build_args.iter() {
        if let (name, Some(value)) = &**kv
            && name == arg
        {
            on = enabled(value);
        }
    }
    on
}
