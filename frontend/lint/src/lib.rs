//! Build checks: the lint rules of `docker/dockerfile:1`, run over a typed
//! Dockerfile.
//!
//! The checks sit after the instruction phase and know nothing of LLB or of
//! BuildKit. What only a build knows comes in as data: the build args, the
//! target platform, which stages the target needs
//! ([`Scope::Stages`]; a lint request checks them all), and what the base
//! images hold ([`BaseImages`]: their env, shell and platform).
//!
//! Entry point: [`lint`] → findings in the order the reference reports
//! them, each with its rule, message and source lines.

mod checks;
mod config;
mod finding;
mod ignore;
mod platform;
mod rule;
mod vars;

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_instructions::Dockerfile;
use stagecraft_syntax::Parsed;

pub use config::{CheckConfig, ConfigError};
pub use finding::{Finding, violation};
pub use platform::PlatformSpec;
pub use rule::Rule;

/// Which stages are dispatched, and so which stage-level checks run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every stage: a lint request, `stagecraft lint`.
    #[default]
    All,
    /// Only these stage indexes: a build of one target.
    Stages(BTreeSet<usize>),
}

impl Scope {
    fn includes(&self, stage: usize) -> bool {
        match self {
            Scope::All => true,
            Scope::Stages(set) => set.contains(&stage),
        }
    }
}

/// What a base image brings to a stage that the checks need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageFacts {
    /// `Env` of the image config, as `KEY=VALUE`.
    pub env: Vec<String>,
    /// `Shell` of the image config.
    pub shell: Vec<String>,
    /// The platform the image was pulled for, when known.
    pub platform: Option<PlatformSpec>,
    /// `OnBuild` triggers, run first in a stage built on the image.
    pub on_build: Vec<String>,
}

/// Base image lookup. `reference` is the FROM name after expansion, as
/// written (`node:20`); `None` means "unknown": the stage starts with only
/// the default PATH, as from an image with an empty config.
pub trait BaseImages {
    fn facts(&self, reference: &str, platform: &PlatformSpec) -> Option<ImageFacts>;
}

/// No image is known (offline linting).
pub struct NoImages;

impl BaseImages for NoImages {
    fn facts(&self, _: &str, _: &PlatformSpec) -> Option<ImageFacts> {
        None
    }
}

/// Everything a lint run reads.
pub struct LintInput<'a> {
    pub parsed: &'a Parsed,
    pub dockerfile: &'a Dockerfile,
    /// The config in force for the whole file (see [`file_config`]).
    pub config: &'a CheckConfig,
    pub build_args: &'a BTreeMap<String, String>,
    /// The target stage's name, if asked for.
    pub target: Option<&'a str>,
    pub build_platform: &'a PlatformSpec,
    pub target_platform: &'a PlatformSpec,
    pub scope: &'a Scope,
    pub images: &'a dyn BaseImages,
    /// Patterns of `.dockerignore`, when there is one.
    pub dockerignore: Option<&'a [String]>,
}

/// The config for a whole file: the `BUILDKIT_DOCKERFILE_CHECK` build arg
/// when given, else the `# check=` directive.
pub fn file_config(parsed: &Parsed, build_arg: Option<&str>) -> Result<CheckConfig, ConfigError> {
    match build_arg {
        Some(v) => CheckConfig::parse(v),
        None => CheckConfig::parse(
            parsed
                .directives
                .check
                .as_ref()
                .map_or("", |d| d.value.as_str()),
        ),
    }
}

/// Runs every check; findings come in the order the reference makes them.
pub fn lint(input: &LintInput<'_>) -> Vec<Finding> {
    checks::run(input)
}

/// For a file whose instructions do not all parse (the build fails there):
/// the findings the reference has made by the time it stops, which are
/// those of the checks it runs while reading each instruction.
pub fn lint_unparsed(parsed: &Parsed, config: &CheckConfig) -> Vec<Finding> {
    checks::until_error(parsed, config)
}
