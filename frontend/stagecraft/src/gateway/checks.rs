//! Build checks in the gateway: during a build their findings go to the
//! client as warnings (and fail it with `error=true`); the lint subrequest
//! returns them as data.

use std::collections::BTreeSet;
use std::sync::Mutex;

use stagecraft_instructions::Dockerfile;
use stagecraft_lint::{
    BaseImages, CheckConfig, Finding, ImageFacts, LintInput, PlatformSpec, Scope, file_config,
};
use stagecraft_lower::{BuildOptions, ImageResolver, Platform, reference};
use stagecraft_syntax::Parsed;

use super::failure::{Failure, SourceText};
use super::lowering::BuildWarning;
use super::resolver::BridgeResolver;
use crate::checks::{CHECK_BUILD_ARG, facts_from_config};

/// The check config of this build: the build arg, else the directive.
pub fn config(
    parsed: &Parsed,
    options: &BuildOptions,
    source: SourceText<'_>,
) -> Result<CheckConfig, Failure> {
    let arg = options.build_args.get(CHECK_BUILD_ARG).map(String::as_str);
    file_config(parsed, arg).map_err(|e| match arg {
        Some(_) => Failure::Option(format!("failed to parse build-arg:{CHECK_BUILD_ARG}: {e}")),
        None => source.error_at(
            parsed.directives.check.as_ref().map(|d| d.span),
            &format!("failed to parse check options: {e}"),
        ),
    })
}

fn spec(p: &Platform) -> PlatformSpec {
    PlatformSpec::new(&p.os, &p.architecture, p.variant.as_deref())
}

fn platform(p: &PlatformSpec) -> Platform {
    let mut out = Platform::new(&p.os, &p.architecture);
    out.variant = p.variant.clone();
    out
}

/// Base images as the resolver has them; lookups it has not made yet are
/// recorded, so the lint subrequest can make them and check again.
struct Resolved<'a> {
    resolver: &'a BridgeResolver,
    missing: Mutex<Vec<(String, PlatformSpec)>>,
}

impl BaseImages for Resolved<'_> {
    fn facts(&self, name: &str, p: &PlatformSpec) -> Option<ImageFacts> {
        let normalized = reference::normalize(name).ok()?;
        let id = platform(p).id();
        match self.resolver.known_config(&normalized, &id) {
            Some(config) => facts_from_config(&config),
            None => {
                if let Ok(mut missing) = self.missing.lock()
                    && !missing.iter().any(|(n, q)| *n == normalized && q == p)
                {
                    missing.push((normalized, p.clone()));
                }
                None
            }
        }
    }
}

/// What one check run reads besides the file.
pub struct Checking<'a> {
    pub parsed: &'a Parsed,
    pub dockerfile: &'a Dockerfile,
    pub config: &'a CheckConfig,
    pub options: &'a BuildOptions,
    pub resolver: &'a BridgeResolver,
    /// `.dockerignore` patterns of the context.
    pub dockerignore: &'a [String],
}

impl Checking<'_> {
    fn run(&self, scope: &Scope, images: &dyn BaseImages) -> Vec<Finding> {
        stagecraft_lint::lint(&LintInput {
            parsed: self.parsed,
            dockerfile: self.dockerfile,
            config: self.config,
            build_args: &self.options.build_args,
            target: self.options.target.as_deref(),
            build_platform: &spec(&self.options.build_platform),
            target_platform: &spec(self.options.platform()),
            scope,
            images,
            dockerignore: Some(self.dockerignore),
        })
    }

    /// The stages the target needs, as a build dispatches them.
    fn build_scope(&self) -> Scope {
        let Ok(graph) = stagecraft_lower::stage_graph(
            self.dockerfile,
            self.parsed.escape,
            self.options.target.as_deref(),
        ) else {
            return Scope::All;
        };
        let stages: BTreeSet<usize> = graph
            .reachable
            .iter()
            .filter_map(|n| match graph.nodes.get(*n).map(|n| &n.kind) {
                Some(stagecraft_lower::GraphNodeKind::Stage { index, .. }) => Some(*index),
                _ => None,
            })
            .collect();
        Scope::Stages(stages)
    }

    /// After lowering: the images it resolved are known.
    pub fn after_build(&self) -> Vec<Finding> {
        let images = Resolved {
            resolver: self.resolver,
            missing: Mutex::default(),
        };
        self.run(&self.build_scope(), &images)
    }

    /// The lint subrequest: every stage (or the target's).
    pub async fn lint_request(&self) -> Vec<Finding> {
        let scope = match self.options.target {
            Some(_) => self.build_scope(),
            None => Scope::All,
        };
        self.with_lookups(&scope).await
    }

    /// The outline subrequest converts the target as a build would, so it
    /// warns as a build would.
    pub async fn outline_request(&self) -> Vec<Finding> {
        self.with_lookups(&self.build_scope()).await
    }

    /// Checks `scope`, first looking up the base images a build would.
    async fn with_lookups(&self, scope: &Scope) -> Vec<Finding> {
        let first = Resolved {
            resolver: self.resolver,
            missing: Mutex::default(),
        };
        let findings = self.run(scope, &first);
        let missing = first.missing.into_inner().unwrap_or_default();
        if missing.is_empty() {
            return findings;
        }
        for (normalized, p) in &missing {
            let log_name = format!("[internal] load metadata for {normalized}");
            // An image that cannot be found fails the build, not the check:
            // the stage is then checked as if its config were empty.
            let _ = self
                .resolver
                .resolve(
                    normalized,
                    &platform(p),
                    self.options.image_resolve_mode,
                    &log_name,
                )
                .await;
        }
        let second = Resolved {
            resolver: self.resolver,
            missing: Mutex::default(),
        };
        self.run(scope, &second)
    }
}

/// Findings as the warnings a build shows: `Rule: message`, the rule's
/// description as detail, its page, its lines.
pub fn warnings(findings: &[Finding]) -> impl Iterator<Item = BuildWarning> + '_ {
    findings.iter().map(|f| BuildWarning {
        short: format!("{}: {}", f.rule, f.message),
        detail: f.rule.description().to_string(),
        url: f.rule.url(),
        span: (f.span.start > 0).then_some(f.span),
    })
}

/// `error=true` turns findings into a build error naming the rules.
pub fn violation(config: &CheckConfig, findings: &[Finding]) -> Result<(), Failure> {
    match stagecraft_lint::violation(findings) {
        Some(message) if config.error => Err(Failure::Checks(message)),
        _ => Ok(()),
    }
}
