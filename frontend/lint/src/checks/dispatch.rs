//! Each stage's instructions, walked as a build dispatches them: which
//! variables are in scope (image env, ENV, ARG) and what the stage has set
//! so far (SHELL, WORKDIR, CMD …).

use std::collections::BTreeSet;

use stagecraft_instructions::{
    AddInstruction, ArgInstruction, CommandLine, CopyInstruction, CopySource, Instruction, suggest,
};
use stagecraft_shell::Lexer;
use stagecraft_syntax::Span;

use super::expose;
use super::from::{Base, Globals, StageBase, parse_triggers, stage_triggers};
use super::secrets::looks_secret;
use crate::config::CheckConfig;
use crate::finding::Collector;
use crate::ignore::Ignored;
use crate::rule::Rule;
use crate::vars::Vars;
use crate::{ImageFacts, LintInput};

/// Build args that never become env (SBOM scan switches).
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A stage as far as the checks follow it.
#[derive(Clone, Default)]
struct StageState {
    env: Vars,
    /// ARG names declared in the stage and its base stages; persistent,
    /// as a stage starts from a copy of its base's (a chain of 5,000
    /// stages each declaring one would otherwise hold 12 million names).
    declared: imbl::OrdSet<String>,
    shell_set: bool,
    workdir_set: bool,
    os: String,
}

/// Where CMD, ENTRYPOINT and HEALTHCHECK were last set in this stage.
#[derive(Default)]
struct Once {
    cmd: Option<Span>,
    entrypoint: Option<Span>,
    healthcheck: Option<Span>,
}

/// The expansion failed: the build stops here, and so do the checks.
struct Stop;

struct Walker<'a, 'b> {
    input: &'a LintInput<'b>,
    ignored: Option<Ignored>,
    lexer: Lexer,
    globals: &'a Globals,
    out: &'a mut Collector,
}

pub(crate) fn stages(
    input: &LintInput<'_>,
    lexer: Lexer,
    globals: &Globals,
    bases: &[StageBase],
    images: &[Option<ImageFacts>],
    out: &mut Collector,
) {
    let mut walker = Walker {
        input,
        ignored: input.dockerignore.and_then(Ignored::new),
        lexer,
        globals,
        out,
    };
    let mut finals: Vec<Option<StageState>> = Vec::new();
    for (i, stage) in input.dockerfile.stages.iter().enumerate() {
        let base = bases.get(i);
        let start = match base.map(|b| &b.base) {
            _ if !input.scope.includes(i) => None,
            Some(Base::Stage(b)) => finals.get(*b).cloned().flatten(),
            Some(Base::Scratch) => Some(from_image(None, bases.get(i))),
            Some(Base::Image(_)) => Some(from_image(
                images.get(i).and_then(Option::as_ref),
                bases.get(i),
            )),
            None => None,
        };
        let Some(mut state) = start else {
            finals.push(None);
            continue;
        };
        let triggers = match base.map(|b| &b.base) {
            Some(Base::Image(_)) => images
                .get(i)
                .and_then(Option::as_ref)
                .map(|f| f.on_build.clone())
                .unwrap_or_default(),
            Some(Base::Stage(b)) => input
                .dockerfile
                .stages
                .get(*b)
                .map(|s| stage_triggers(&s.commands))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let Some(triggers) = parse_triggers(&triggers) else {
            return;
        };
        if walker
            .stage(&mut state, &triggers, stage.base.origin.span)
            .and_then(|()| walker.stage(&mut state, &stage.commands, Span::default()))
            .is_err()
        {
            return;
        }
        finals.push(Some(state));
    }
}

fn from_image(facts: Option<&ImageFacts>, base: Option<&StageBase>) -> StageState {
    let os = base.map_or("linux", |b| b.platform.os.as_str()).to_string();
    let mut env = Vars::from_entries(facts.map_or(&[][..], |f| &f.env));
    if env.get("PATH").is_none() && os != "windows" {
        env.set("PATH", DEFAULT_PATH);
    }
    StageState {
        env,
        declared: imbl::OrdSet::new(),
        shell_set: facts.is_some_and(|f| !f.shell.is_empty()),
        workdir_set: false,
        os,
    }
}

fn is_absolute(path: &str, os: &str) -> bool {
    if os == "windows" {
        let b = path.as_bytes();
        path.starts_with(['/', '\\'])
            || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
    } else {
        path.starts_with('/')
    }
}

impl Walker<'_, '_> {
    /// Walks `commands`; ONBUILD triggers pass the stage's FROM line as
    /// `at`, where the build reports them.
    fn stage(
        &mut self,
        st: &mut StageState,
        commands: &[Instruction],
        at: Span,
    ) -> Result<(), Stop> {
        let mut once = Once::default();
        for cmd in commands {
            let config = self.input.config.with_comments(&cmd.origin().comments);
            let span = if at == Span::default() {
                cmd.span()
            } else {
                at
            };
            self.command(st, &mut once, &config, cmd, span)?;
        }
        Ok(())
    }

    /// Expands one word with the stage's variables, reporting the unset ones.
    fn word(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        word: &str,
    ) -> Result<String, Stop> {
        self.word_with(self.lexer, st, config, span, word)
    }

    fn word_with(
        &mut self,
        lexer: Lexer,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        word: &str,
    ) -> Result<String, Stop> {
        let e = lexer.expand_word(word, &st.env).map_err(|_| Stop)?;
        self.undefined(st, config, span, &e.unset);
        Ok(e.value)
    }

    fn undefined(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        unset: &BTreeSet<String>,
    ) {
        for name in unset {
            if st.declared.contains(name) || NON_ENV_ARGS.contains(&name.as_str()) {
                continue;
            }
            let hint = suggest(name, st.env.keys(), true)
                .map(|s| format!(" (did you mean ${s}?)"))
                .unwrap_or_default();
            self.out.report(
                config,
                Rule::UndefinedVar,
                span,
                format!("Usage of undefined variable '${name}'{hint}"),
            );
        }
    }

    fn command(
        &mut self,
        st: &mut StageState,
        once: &mut Once,
        config: &CheckConfig,
        cmd: &Instruction,
        span: Span,
    ) -> Result<(), Stop> {
        let name = cmd.origin().keyword.as_str();
        match cmd {
            Instruction::Env(env) => {
                let mut pairs = Vec::new();
                for kv in &env.vars {
                    let k = self.word(st, config, span, &kv.key)?;
                    let v = self.word(st, config, span, &kv.value)?;
                    pairs.push((k, v, kv.legacy_form));
                }
                for (k, v, legacy) in pairs {
                    if legacy {
                        self.legacy(config, span, name);
                    }
                    self.secret(config, span, "ENV", &k);
                    st.env.set(&k, &v);
                }
            }
            Instruction::Label(label) => {
                for kv in &label.labels {
                    self.word(st, config, span, &kv.key)?;
                    self.word(st, config, span, &kv.value)?;
                }
                for kv in &label.labels {
                    if kv.legacy_form {
                        self.legacy(config, span, name);
                    }
                }
            }
            Instruction::Copy(copy) => self.copy(st, config, span, copy)?,
            Instruction::Add(add) => self.add(st, config, span, add)?,
            Instruction::Workdir(w) => {
                let path = self.word(st, config, span, &w.path)?;
                if !st.workdir_set && !is_absolute(&path, &st.os) {
                    self.out.report(
                        config,
                        Rule::WorkdirRelativePath,
                        span,
                        format!(
                            "Relative workdir {path:?} can have unexpected results if the base image changes"
                        ),
                    );
                }
                st.workdir_set = true;
            }
            Instruction::Run(run) => {
                for mount in &run.mounts {
                    let mut unset = BTreeSet::new();
                    let env = &st.env;
                    let lexer = self.lexer;
                    let resolved = mount.resolve(|v| {
                        lexer.expand_word(v, env).map(|e| {
                            unset.extend(e.unset);
                            e.value
                        })
                    });
                    self.undefined(st, config, span, &unset);
                    resolved.map_err(|_| Stop)?;
                }
            }
            Instruction::User(u) => {
                self.word(st, config, span, &u.user)?;
            }
            Instruction::Volume(v) => {
                for vol in &v.volumes {
                    self.word(st, config, span, vol)?;
                }
            }
            Instruction::StopSignal(s) => {
                self.word(st, config, span, &s.signal)?;
            }
            Instruction::Arg(arg) => self.arg(st, config, span, arg)?,
            Instruction::Cmd(c) => {
                self.used_once(config, &mut once.cmd, span, name);
                self.json_args(st, config, span, name, &c.command);
            }
            Instruction::Entrypoint(e) => {
                self.used_once(config, &mut once.entrypoint, span, name);
                self.json_args(st, config, span, name, &e.command);
            }
            Instruction::Healthcheck(_) => {
                self.used_once(config, &mut once.healthcheck, span, name)
            }
            Instruction::Shell(s) => st.shell_set = !s.shell.is_empty(),
            Instruction::Expose(e) => {
                let mut ports = Vec::new();
                for p in &e.ports {
                    let words = self.lexer.expand_words(p, &st.env).map_err(|_| Stop)?;
                    ports.extend(words.value);
                }
                for p in &ports {
                    expose::check(config, p, span, self.out);
                }
            }
            Instruction::Maintainer(_) | Instruction::Onbuild(_) => {}
        }
        Ok(())
    }

    /// `from_context`: the command the reference names when a source from
    /// the build context is one `.dockerignore` excludes (`Copy`, `Add`).
    fn sources(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        sources: &[CopySource],
        dest: &str,
        from_context: Option<&str>,
    ) -> Result<(), Stop> {
        let mut expanded = Vec::new();
        for s in sources {
            if let CopySource::Path(p) = s {
                expanded.push(self.word(st, config, span, p)?);
            }
        }
        self.word(st, config, span, dest)?;
        // Inline bodies expand with only `$` special: quotes stay as written.
        let raw = Lexer::new('\\').skip_process_quotes(true);
        for s in sources {
            if let CopySource::Inline(f) = s
                && f.expand
            {
                self.word_with(raw, st, config, span, &f.content)?;
            }
        }
        if let (Some(cmd), Some(ignored)) = (from_context, &self.ignored) {
            for src in expanded.iter().filter(|s| !is_remote(s)) {
                if ignored.excludes(src) {
                    let file = crate::ignore::clean(src);
                    self.out.report(
                        config,
                        Rule::CopyIgnoredFile,
                        span,
                        format!(
                            "Attempting to {cmd} file {file:?} that is excluded by .dockerignore"
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    fn copy(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        copy: &CopyInstruction,
    ) -> Result<(), Stop> {
        for flag in [&copy.chown, &copy.chmod].into_iter().flatten() {
            self.word(st, config, span, flag)?;
        }
        let from_context = copy.from.is_none().then_some("Copy");
        self.sources(st, config, span, &copy.sources, &copy.dest, from_context)
    }

    fn add(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        add: &AddInstruction,
    ) -> Result<(), Stop> {
        for flag in [&add.chown, &add.chmod, &add.checksum]
            .into_iter()
            .flatten()
        {
            self.word(st, config, span, flag)?;
        }
        self.sources(st, config, span, &add.sources, &add.dest, Some("Add"))
    }

    fn arg(
        &mut self,
        st: &mut StageState,
        config: &CheckConfig,
        span: Span,
        arg: &ArgInstruction,
    ) -> Result<(), Stop> {
        for pair in &arg.args {
            self.secret(config, span, "ARG", &pair.name);
            let given = self.input.build_args.get(&pair.name);
            let value = match (given, &pair.default) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(d)) => Some(self.word(st, config, span, d)?),
                (None, None) => self.globals.vars.get(&pair.name).map(str::to_string),
            };
            if let Some(v) = value
                && !NON_ENV_ARGS.contains(&pair.name.as_str())
            {
                st.env.set(&pair.name, &v);
            }
            st.declared.insert(pair.name.clone());
        }
        Ok(())
    }

    fn legacy(&mut self, config: &CheckConfig, span: Span, name: &str) {
        self.out.report(
            config,
            Rule::LegacyKeyValueFormat,
            span,
            format!(
                "\"{name} key=value\" should be used instead of legacy \"{name} key value\" format"
            ),
        );
    }

    fn secret(&mut self, config: &CheckConfig, span: Span, instruction: &str, key: &str) {
        if looks_secret(key) {
            self.out.report(
                config,
                Rule::SecretsUsedInArgOrEnv,
                span,
                format!(
                    "Do not use ARG or ENV instructions for sensitive data ({instruction} {key:?})"
                ),
            );
        }
    }

    /// Only the last CMD/ENTRYPOINT/HEALTHCHECK of a stage counts: the
    /// earlier one is reported.
    fn used_once(&mut self, config: &CheckConfig, last: &mut Option<Span>, span: Span, name: &str) {
        if let Some(previous) = last.replace(span) {
            self.out.report(
                config,
                Rule::MultipleInstructionsDisallowed,
                previous,
                format!(
                    "Multiple {name} instructions should not be used in the same stage because only the last one will be used"
                ),
            );
        }
    }

    fn json_args(
        &mut self,
        st: &StageState,
        config: &CheckConfig,
        span: Span,
        name: &str,
        command: &CommandLine,
    ) {
        if matches!(command, CommandLine::Shell(_)) && !st.shell_set {
            self.out.report(
                config,
                Rule::JsonArgsRecommended,
                span,
                format!(
                    "JSON arguments recommended for {name} to prevent unintended behavior related to OS signals"
                ),
            );
        }
    }
}

/// URLs and Git sources of ADD are not read from the context.
fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}
