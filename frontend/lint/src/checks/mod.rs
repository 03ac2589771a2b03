//! The checks, in the order the reference runs them: parse-time checks
//! node by node, stage names and casing, FROM lines, base images, then each
//! stage's instructions as a build would dispatch them.

mod dispatch;
mod expose;
mod from;
mod parse;
mod secrets;
mod stages;

use stagecraft_shell::Lexer;

use stagecraft_syntax::Parsed;

use crate::LintInput;
use crate::config::CheckConfig;
use crate::finding::{Collector, Finding};

pub(crate) fn run(input: &LintInput<'_>) -> Vec<Finding> {
    let mut out = Collector::default();
    parse::empty_continuations(input.parsed, input.config, &mut out);
    parse::per_node(input, &mut out);
    stages::names(input, &mut out);
    stages::casing(input, &mut out);
    let lexer = Lexer::new(input.parsed.escape);
    from::default_arg_bases(input, lexer, &mut out);
    if let Some(globals) = from::globals(input, lexer, input.build_args)
        && let Some(bases) = from::stage_bases(input, lexer, &globals, &mut out)
        && let Some(images) = from::base_images(input, &bases, &mut out)
    {
        dispatch::stages(input, lexer, &globals, &bases, &images, &mut out);
    }
    out.findings
}

pub(crate) fn until_error(parsed: &Parsed, config: &CheckConfig) -> Vec<Finding> {
    let mut out = Collector::default();
    parse::until_error(parsed, config, &mut out);
    out.findings
}
