//! Checks the reference makes while it reads the file: empty continuation
//! lines, MAINTAINER, FROM casing, and description comments.

use stagecraft_instructions::{ArgInstruction, FromInstruction, Instruction, Origin};

use crate::LintInput;
use crate::finding::Collector;
use crate::rule::Rule;

pub(crate) fn empty_continuations(input: &LintInput<'_>, out: &mut Collector) {
    let url = Rule::NoEmptyContinuation.url();
    for w in &input.parsed.warnings {
        if w.url == url
            && let Some(span) = w.span
        {
            out.report(
                input.config,
                Rule::NoEmptyContinuation,
                span,
                "Empty continuation line",
            );
        }
    }
}

pub(crate) fn per_node(input: &LintInput<'_>, out: &mut Collector) {
    for arg in &input.dockerfile.meta_args {
        arg_description(input, arg, out);
    }
    for stage in &input.dockerfile.stages {
        from_line(input, &stage.base, out);
        for cmd in &stage.commands {
            match cmd {
                Instruction::Maintainer(m) => {
                    let config = input.config.with_comments(&m.origin.comments);
                    out.report(
                        &config,
                        Rule::MaintainerDeprecated,
                        m.origin.span,
                        "Maintainer instruction is deprecated in favor of using label",
                    );
                }
                Instruction::Arg(arg) => arg_description(input, arg, out),
                _ => {}
            }
        }
    }
}

fn is_one_case(s: &str) -> bool {
    s == s.to_lowercase() || s == s.to_uppercase()
}

fn from_line(input: &LintInput<'_>, from: &FromInstruction, out: &mut Collector) {
    let config = input.config.with_comments(&from.origin.comments);
    let span = from.origin.span;
    if let Some(name) = &from.name
        && name.original != name.original.to_lowercase()
    {
        out.report(
            &config,
            Rule::StageNameCasing,
            span,
            format!("Stage name '{}' should be lowercase", name.original),
        );
    }
    let keyword = &from.origin.keyword;
    if let Some(as_kw) = &from.as_keyword
        && is_one_case(keyword)
    {
        let matches = if *keyword == keyword.to_lowercase() {
            *as_kw == as_kw.to_lowercase()
        } else {
            *as_kw == as_kw.to_uppercase()
        };
        if !matches {
            out.report(
                &config,
                Rule::FromAsCasing,
                span,
                format!("'{as_kw}' and '{keyword}' keywords' casing do not match"),
            );
        }
    }
    if let Some(name) = &from.name {
        description(input, "FROM", &[name.lookup.as_str()], &from.origin, out);
    }
}

fn arg_description(input: &LintInput<'_>, arg: &ArgInstruction, out: &mut Collector) {
    let keys: Vec<&str> = arg.args.iter().map(|a| a.name.as_str()).collect();
    description(input, "ARG", &keys, &arg.origin, out);
}

/// A comment directly above a stage or ARG is its description only when it
/// starts with the name; anything else is probably a mistake.
fn description(
    input: &LintInput<'_>,
    instruction: &str,
    keys: &[&str],
    origin: &Origin,
    out: &mut Collector,
) {
    let (Some(last), Some(first_key)) = (origin.comments.last(), keys.first()) else {
        return;
    };
    let word = last.split(' ').next().unwrap_or_default();
    if keys.contains(&word) {
        return;
    }
    let example = if keys.len() > 1 {
        "<arg_key>"
    } else {
        first_key
    };
    let config = input.config.with_comments(&origin.comments);
    out.report(
        &config,
        Rule::InvalidDefinitionDescription,
        origin.span,
        format!("Comment for {instruction} should follow the format: `# {example} <description>`"),
    );
}
