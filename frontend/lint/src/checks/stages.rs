//! Stage names (reserved, duplicated) and instruction-keyword casing
//! across the whole file.

use std::collections::BTreeSet;

use stagecraft_syntax::Span;

use crate::LintInput;
use crate::finding::Collector;
use crate::rule::Rule;

const RESERVED: [&str; 2] = ["context", "scratch"];

pub(crate) fn names(input: &LintInput<'_>, out: &mut Collector) {
    let mut seen = BTreeSet::new();
    for stage in &input.dockerfile.stages {
        let Some(name) = &stage.name else { continue };
        let span = stage.base.origin.span;
        if RESERVED.contains(&name.lookup.as_str()) {
            out.report(
                input.config,
                Rule::ReservedStageName,
                span,
                format!(
                    "Stage name should not use the same name as reserved stage {:?}",
                    name.lookup
                ),
            );
        }
        if !seen.insert(name.lookup.as_str()) {
            out.report(
                input.config,
                Rule::DuplicateStageName,
                span,
                format!(
                    "Duplicate stage name {:?}, stage names should be unique",
                    name.lookup
                ),
            );
        }
    }
}

/// Keywords of stage instructions (FROM included, global ARGs not), with
/// their lines.
fn keywords<'a>(input: &'a LintInput<'_>) -> impl Iterator<Item = (&'a str, Span)> {
    input.dockerfile.stages.iter().flat_map(|s| {
        std::iter::once((s.base.origin.keyword.as_str(), s.base.origin.span)).chain(
            s.commands
                .iter()
                .map(|c| (c.origin().keyword.as_str(), c.span())),
        )
    })
}

pub(crate) fn casing(input: &LintInput<'_>, out: &mut Collector) {
    let (mut lower, mut upper) = (0usize, 0usize);
    for (kw, _) in keywords(input) {
        if kw == kw.to_lowercase() {
            lower += 1;
        } else if kw == kw.to_uppercase() {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for (kw, span) in keywords(input) {
        let wanted = if majority_lower && kw != kw.to_lowercase() {
            "lowercase"
        } else if !majority_lower && kw != kw.to_uppercase() {
            "uppercase"
        } else {
            continue;
        };
        out.report(
            input.config,
            Rule::ConsistentInstructionCasing,
            span,
            format!("Command '{kw}' should match the case of the command majority ({wanted})"),
        );
    }
}
