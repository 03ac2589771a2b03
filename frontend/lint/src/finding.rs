//! What a check reports, and the collector every check reports into.

use stagecraft_syntax::Span;

use crate::config::CheckConfig;
use crate::rule::Rule;

/// One finding: the rule, its message, and the lines it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub message: String,
    pub span: Span,
}

impl Finding {
    /// `Rule: message (line N)`, the one-line form BuildKit shows.
    pub fn short(&self) -> String {
        if self.span.start > 0 {
            format!("{}: {} (line {})", self.rule, self.message, self.span.start)
        } else {
            format!("{}: {}", self.rule, self.message)
        }
    }
}

/// Collects findings in the order the checks make them, dropping those the
/// config in force turns off.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    pub(crate) findings: Vec<Finding>,
}

impl Collector {
    pub(crate) fn report(
        &mut self,
        config: &CheckConfig,
        rule: Rule,
        span: Span,
        message: impl Into<String>,
    ) {
        if config.enabled(rule) {
            self.findings.push(Finding {
                rule,
                message: message.into(),
                span,
            });
        }
    }
}

/// The build error `error=true` turns findings into: each rule once, in the
/// order first found.
pub fn violation(findings: &[Finding]) -> Option<String> {
    let mut rules: Vec<&str> = Vec::new();
    for f in findings {
        if !rules.contains(&f.rule.name()) {
            rules.push(f.rule.name());
        }
    }
    (!rules.is_empty()).then(|| format!("lint violation found for rules: {}", rules.join(", ")))
}
