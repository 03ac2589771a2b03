//! FROM lines: global ARGs, base names and `--platform` values as a build
//! expands them, and the base images' platforms.

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_instructions::{Instruction, Mount, MountSpec, Stage, reference, suggest};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

use crate::finding::Collector;
use crate::platform::PlatformSpec;
use crate::rule::Rule;
use crate::vars::Vars;
use crate::{ImageFacts, LintInput};

/// The global scope: automatic platform args and the ARGs before the first
/// FROM, plus every global ARG name (with or without a value).
pub(crate) struct Globals {
    pub(crate) vars: Vars,
    pub(crate) declared: BTreeSet<String>,
}

/// What a stage starts from.
pub(crate) enum Base {
    /// An earlier stage, by index.
    Stage(usize),
    Scratch,
    /// An image, by its expanded name.
    Image(String),
}

pub(crate) struct StageBase {
    pub(crate) base: Base,
    pub(crate) platform: PlatformSpec,
}

fn automatic_args(input: &LintInput<'_>) -> Vars {
    let target = input
        .target
        .map(str::to_string)
        .or_else(|| {
            input
                .dockerfile
                .stages
                .last()
                .and_then(|s| s.name.as_ref())
                .map(|n| n.lookup.clone())
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let (b, t) = (input.build_platform, input.target_platform);
    let variant = |p: &PlatformSpec| p.variant.clone().unwrap_or_default();
    let values = [
        ("BUILDPLATFORM", b.to_string()),
        ("BUILDOS", b.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", b.architecture.clone()),
        ("BUILDVARIANT", variant(b)),
        ("TARGETPLATFORM", t.to_string()),
        ("TARGETOS", t.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", t.architecture.clone()),
        ("TARGETVARIANT", variant(t)),
        ("TARGETSTAGE", target),
    ];
    let mut vars = Vars::default();
    for (key, value) in values {
        let value = input.build_args.get(key).cloned().unwrap_or(value);
        vars.set(key, &value);
    }
    vars
}

/// The global scope with `build_args` applied; `None` when a default does
/// not expand (the build fails there, and the checks stop).
pub(crate) fn globals(
    input: &LintInput<'_>,
    lexer: Lexer,
    build_args: &BTreeMap<String, String>,
) -> Option<Globals> {
    let mut vars = automatic_args(input);
    let mut declared = BTreeSet::new();
    for arg in &input.dockerfile.meta_args {
        for pair in &arg.args {
            declared.insert(pair.name.clone());
            let value = match (build_args.get(&pair.name), &pair.default) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(d)) => Some(lexer.expand_word(d, &vars).ok()?.value),
                (None, None) => None,
            };
            if let Some(v) = value {
                vars.set(&pair.name, &v);
            }
        }
    }
    Some(Globals { vars, declared })
}

/// Base names must stay valid when no build arg is given.
pub(crate) fn default_arg_bases(input: &LintInput<'_>, lexer: Lexer, out: &mut Collector) {
    let Some(defaults) = globals(input, lexer, &BTreeMap::new()) else {
        return;
    };
    for stage in &input.dockerfile.stages {
        let Ok(name) = lexer.expand_word(&stage.base.base, &defaults.vars) else {
            return;
        };
        if reference::normalize(&name.value).is_err() {
            out.report(
                input.config,
                Rule::InvalidDefaultArgInFrom,
                stage.base.origin.span,
                format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    stage.base.base
                ),
            );
        }
    }
}

/// Expands every FROM line; `None` when one does not expand (the build
/// fails there).
pub(crate) fn stage_bases(
    input: &LintInput<'_>,
    lexer: Lexer,
    globals: &Globals,
    out: &mut Collector,
) -> Option<Vec<StageBase>> {
    let arg_keys: BTreeSet<&str> = globals
        .vars
        .keys()
        .chain(globals.declared.iter().map(String::as_str))
        .collect();
    let undeclared = |unset: &BTreeSet<String>,
                      config: &crate::config::CheckConfig,
                      span: stagecraft_syntax::Span,
                      out: &mut Collector| {
        for name in unset.iter().filter(|n| !arg_keys.contains(n.as_str())) {
            let hint = suggest(name, arg_keys.iter().copied(), true)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            out.report(
                config,
                Rule::UndefinedArgInFrom,
                span,
                format!("FROM argument '{name}' is not declared{hint}"),
            );
        }
    };
    let mut bases = Vec::new();
    for (i, stage) in input.dockerfile.stages.iter().enumerate() {
        let from = &stage.base;
        let config = input.config.with_comments(&from.origin.comments);
        let span = from.origin.span;
        let name = lexer.expand_word(&from.base, &globals.vars);
        if let Ok(n) = &name {
            undeclared(&n.unset, &config, span, out);
        }
        let name = name.ok()?.value;
        if name.is_empty() {
            return None;
        }
        let mut platform = input.target_platform.clone();
        if let Some(raw) = &from.platform {
            let p = lexer.expand_word(raw, &globals.vars).ok()?;
            undeclared(&p.unset, &config, span, out);
            if p.used.len() == 1
                && p.unset.is_empty()
                && p.used.contains("TARGETPLATFORM")
                && globals.vars.get("TARGETPLATFORM") == Some(p.value.as_str())
            {
                out.report(
                    &config,
                    Rule::RedundantTargetPlatform,
                    span,
                    format!(
                        "Setting platform to predefined {raw} in FROM is redundant as this is the default behavior"
                    ),
                );
            }
            let parsed = PlatformSpec::parse(&p.value)?;
            if p.used.is_empty() && p.unset.is_empty() {
                let stage_name = stage.name.as_ref().map_or("", |n| n.lookup.as_str());
                if !stage_name.contains(&parsed.os) && !stage_name.contains(&parsed.architecture) {
                    out.report(
                        &config,
                        Rule::FromPlatformFlagConstDisallowed,
                        span,
                        format!(
                            "FROM --platform flag should not use constant value {:?}",
                            p.value
                        ),
                    );
                }
            }
            platform = parsed;
        }
        let lookup = name.to_lowercase();
        let earlier = input.dockerfile.stages[..i]
            .iter()
            .position(|s| s.name.as_ref().is_some_and(|n| n.lookup == lookup));
        let base = match earlier {
            Some(b) => Base::Stage(b),
            None if lookup == "scratch" => Base::Scratch,
            None => Base::Image(name),
        };
        bases.push(StageBase { base, platform });
    }
    Some(bases)
}

/// An image a build resolves, and where it is named.
struct ImageUse<'a> {
    name: String,
    platform: &'a PlatformSpec,
    /// `None` for `RUN --mount from=`, which the reference reports without a
    /// line.
    span: Option<Span>,
}

/// A mount's `from=`, read without expanding anything (as the build plans
/// its stages before expanding).
fn mount_from(m: &MountSpec) -> Option<String> {
    match m.resolve(|s| Ok::<_, String>(s.to_string())).ok()? {
        Mount::Bind(b) => b.from,
        Mount::Cache(c) => c.from,
        _ => None,
    }
}

/// Images named by `COPY --from` and `RUN --mount from=` in a stage (not
/// stages, not scratch); each use is resolved on its own, for the target
/// platform.
fn implicit_images<'a>(input: &'a LintInput<'_>, stage: &Stage) -> Vec<ImageUse<'a>> {
    let is_stage = |name: &str| input.dockerfile.stage_index(name).is_some();
    let mut uses = Vec::new();
    for cmd in &stage.commands {
        match cmd {
            Instruction::Copy(c) => {
                if let Some(from) = &c.from
                    && from.parse::<usize>().is_err()
                    && !is_stage(from)
                {
                    uses.push(ImageUse {
                        name: from.clone(),
                        platform: input.target_platform,
                        span: Some(c.origin.span),
                    });
                }
            }
            Instruction::Run(r) => {
                for m in &r.mounts {
                    if let Some(from) = mount_from(m)
                        && !is_stage(&from)
                        && !from.eq_ignore_ascii_case("scratch")
                    {
                        uses.push(ImageUse {
                            name: from,
                            platform: input.target_platform,
                            span: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    uses
}

/// Looks up every image the build resolves (stage bases, then images named
/// by COPY --from and RUN --mount, for the stages in scope) and reports
/// those pulled for another platform. Returns each stage's base image, or
/// `None` when a name is not a valid reference (the build fails there).
pub(crate) fn base_images(
    input: &LintInput<'_>,
    bases: &[StageBase],
    out: &mut Collector,
) -> Option<Vec<Option<ImageFacts>>> {
    let stages = &input.dockerfile.stages;
    let mut uses = Vec::new();
    for (i, (b, stage)) in bases.iter().zip(stages).enumerate() {
        if let Base::Image(name) = &b.base
            && input.scope.includes(i)
        {
            uses.push((
                Some(i),
                ImageUse {
                    name: name.clone(),
                    platform: &b.platform,
                    span: Some(stage.base.origin.span),
                },
            ));
        }
    }
    for (i, stage) in stages.iter().enumerate() {
        if input.scope.includes(i) {
            uses.extend(implicit_images(input, stage).into_iter().map(|u| (None, u)));
        }
    }
    let mut facts: Vec<Option<ImageFacts>> = vec![None; stages.len()];
    let mut invalid = false;
    // Lookups run side by side in a build: one bad name fails the build,
    // but the others still report.
    for (stage, u) in uses {
        if reference::normalize(&u.name).is_err() {
            invalid = true;
            continue;
        }
        let Some(found) = input.images.facts(&u.name, u.platform) else {
            continue;
        };
        mismatch(input, &u, &found, out);
        if let Some(slot) = stage.and_then(|i| facts.get_mut(i)) {
            *slot = Some(found);
        }
    }
    if invalid {
        return None;
    }
    // ONBUILD triggers may name more images; they are looked up once the
    // triggers are known, and reported at the stage's FROM line.
    let mut more = Vec::new();
    for (i, (b, stage)) in bases.iter().zip(stages).enumerate() {
        if !input.scope.includes(i) {
            continue;
        }
        let triggers = match &b.base {
            Base::Image(_) => facts
                .get(i)
                .and_then(Option::as_ref)
                .map(|f| f.on_build.clone())
                .unwrap_or_default(),
            Base::Stage(s) => stages
                .get(*s)
                .map(|s| stage_triggers(&s.commands))
                .unwrap_or_default(),
            Base::Scratch => Vec::new(),
        };
        let Some(commands) = parse_triggers(&triggers) else {
            continue;
        };
        let pseudo = Stage {
            commands,
            ..stage.clone()
        };
        for mut u in implicit_images(input, &pseudo) {
            u.span = u.span.map(|_| stage.base.origin.span);
            more.push(u);
        }
    }
    for u in more {
        if let Some(found) = input.images.facts(&u.name, u.platform) {
            mismatch(input, &u, &found, out);
        }
    }
    Some(facts)
}

/// Types each ONBUILD trigger; `None` when one does not parse (the build
/// fails).
pub(crate) fn parse_triggers(triggers: &[String]) -> Option<Vec<Instruction>> {
    triggers
        .iter()
        .map(|t| {
            let parsed = stagecraft_syntax::parse(t).ok()?;
            match parsed.nodes.as_slice() {
                [node] => stagecraft_instructions::parse_command(node).ok(),
                _ => None,
            }
        })
        .collect()
}

/// The ONBUILD expressions of a base stage.
pub(crate) fn stage_triggers(commands: &[Instruction]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|c| match c {
            Instruction::Onbuild(o) => Some(o.expression.clone()),
            _ => None,
        })
        .collect()
}

fn mismatch(input: &LintInput<'_>, u: &ImageUse<'_>, found: &ImageFacts, out: &mut Collector) {
    if let Some(actual) = &found.platform
        && !actual.same_os_arch(u.platform)
    {
        out.report(
            input.config,
            Rule::InvalidBaseImagePlatform,
            u.span.unwrap_or_default(),
            format!(
                "Base image {} was pulled with platform {:?}, expected {:?} for current build",
                u.name,
                actual.to_string(),
                u.platform.to_string()
            ),
        );
    }
}
