//! Checks the reference makes while it reads the file: empty continuation
//! lines, MAINTAINER, FROM casing, and description comments.

use stagecraft_instructions::{
    ArgInstruction, FromInstruction, Instruction, Item, Origin, parse_node,
};
use stagecraft_syntax::{Node, Parsed, Span};

use crate::LintInput;
use crate::config::CheckConfig;
use crate::finding::Collector;
use crate::rule::Rule;

pub(crate) fn empty_continuations(parsed: &Parsed, config: &CheckConfig, out: &mut Collector) {
    let url = Rule::NoEmptyContinuation.url();
    for w in &parsed.warnings {
        if w.url == url
            && let Some(span) = w.span
        {
            out.report(
                config,
                Rule::NoEmptyContinuation,
                span,
                "Empty continuation line",
            );
        }
    }
}

pub(crate) fn per_node(input: &LintInput<'_>, out: &mut Collector) {
    let config = input.config;
    for arg in &input.dockerfile.meta_args {
        arg_description(config, arg, out);
    }
    for stage in &input.dockerfile.stages {
        from_line(config, &stage.base, out);
        for cmd in &stage.commands {
            instruction(config, cmd, out);
        }
    }
}

/// For a file whose instructions do not all parse: what the reference has
/// found by the time it stops, at the first node that fails (or the first
/// instruction before any FROM), that node's own checks included.
pub(crate) fn until_error(parsed: &Parsed, config: &CheckConfig, out: &mut Collector) {
    empty_continuations(parsed, config, out);
    let mut in_stage = false;
    for node in &parsed.nodes {
        match parse_node(node) {
            Ok(Item::From(from)) => {
                from_line(config, &from, out);
                in_stage = true;
            }
            Ok(Item::Instruction(cmd)) => {
                instruction(config, &cmd, out);
                if !in_stage && !matches!(cmd, Instruction::Arg(_)) {
                    return;
                }
            }
            Err(_) => {
                unparsed_node(config, node, out);
                return;
            }
        }
    }
}

fn maintainer(config: &CheckConfig, span: Span, out: &mut Collector) {
    out.report(
        config,
        Rule::MaintainerDeprecated,
        span,
        "Maintainer instruction is deprecated in favor of using label",
    );
}

fn instruction(config: &CheckConfig, cmd: &Instruction, out: &mut Collector) {
    match cmd {
        Instruction::Maintainer(m) => {
            maintainer(
                &config.with_comments(&m.origin.comments),
                m.origin.span,
                out,
            );
        }
        Instruction::Arg(arg) => arg_description(config, arg, out),
        _ => {}
    }
}

/// The checks made before a node's arguments are read, so they report
/// even on a node that then fails: MAINTAINER, and a FROM's name and `AS`
/// casing from its raw words.
fn unparsed_node(config: &CheckConfig, node: &Node, out: &mut Collector) {
    let config = config.with_comments(&node.prev_comment);
    let keyword = Origin::from_node(node).keyword;
    match node.keyword.to_ascii_lowercase().as_str() {
        "maintainer" => maintainer(&config, node.span, out),
        "from" => {
            if let [_, _, name] = node.args.as_slice() {
                stage_name_casing(&config, name, node.span, out);
            }
            if let [_, as_kw, ..] = node.args.as_slice()
                && node.args.len() >= 3
            {
                as_casing(&config, &keyword, as_kw, node.span, out);
            }
        }
        _ => {}
    }
}

fn is_one_case(s: &str) -> bool {
    s == s.to_lowercase() || s == s.to_uppercase()
}

fn stage_name_casing(config: &CheckConfig, name: &str, span: Span, out: &mut Collector) {
    if name != name.to_lowercase() {
        out.report(
            config,
            Rule::StageNameCasing,
            span,
            format!("Stage name '{name}' should be lowercase"),
        );
    }
}

/// `AS` follows FROM's case; a FROM of mixed case is left to the casing
/// check.
fn as_casing(config: &CheckConfig, keyword: &str, as_kw: &str, span: Span, out: &mut Collector) {
    if !is_one_case(keyword) {
        return;
    }
    let matches = if keyword == keyword.to_lowercase() {
        as_kw == as_kw.to_lowercase()
    } else {
        as_kw == as_kw.to_uppercase()
    };
    if !matches {
        out.report(
            config,
            Rule::FromAsCasing,
            span,
            format!("'{as_kw}' and '{keyword}' keywords' casing do not match"),
        );
    }
}

fn from_line(config: &CheckConfig, from: &FromInstruction, out: &mut Collector) {
    let local = config.with_comments(&from.origin.comments);
    let span = from.origin.span;
    if let Some(name) = &from.name {
        stage_name_casing(&local, &name.original, span, out);
    }
    if let Some(as_kw) = &from.as_keyword {
        as_casing(&local, &from.origin.keyword, as_kw, span, out);
    }
    if let Some(name) = &from.name {
        description(config, "FROM", &[name.lookup.as_str()], &from.origin, out);
    }
}

fn arg_description(config: &CheckConfig, arg: &ArgInstruction, out: &mut Collector) {
    let keys: Vec<&str> = arg.args.iter().map(|a| a.name.as_str()).collect();
    description(config, "ARG", &keys, &arg.origin, out);
}

/// A comment directly above a stage or ARG is its description only when it
/// starts with the name; anything else is probably a mistake.
fn description(
    config: &CheckConfig,
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
    let config = config.with_comments(&origin.comments);
    out.report(
        &config,
        Rule::InvalidDefinitionDescription,
        origin.span,
        format!("Comment for {instruction} should follow the format: `# {example} <description>`"),
    );
}
