//! ONBUILD triggers inherited by a stage: from its base image's config or
//! from the ONBUILD instructions of its base stage.

use stagecraft_instructions::{Instruction, parse_command};
use stagecraft_syntax::Span;

use crate::command::Command;
use crate::error::{LowerError, LowerErrorKind};

/// Parses each trigger text as a one-instruction Dockerfile. The
/// instructions are located at the inheriting stage's FROM line.
pub(crate) fn parse_triggers(
    triggers: &[String],
    at: Span,
) -> Result<Vec<Command<'static>>, LowerError> {
    triggers
        .iter()
        .map(|text| {
            let parsed = stagecraft_syntax::parse(text)
                .map_err(|e| LowerError::at(LowerErrorKind::Syntax(e), at))?;
            let [node] = parsed.nodes.as_slice() else {
                return Err(LowerError::at(LowerErrorKind::OnbuildTrigger, at));
            };
            let mut instruction = parse_command(node).map_err(|e| LowerError::at(e.into(), at))?;
            set_span(&mut instruction, at);
            Ok(Command::trigger(instruction))
        })
        .collect()
}

fn set_span(i: &mut Instruction, span: Span) {
    let origin = match i {
        Instruction::Run(x) => &mut x.origin,
        Instruction::Cmd(x) => &mut x.origin,
        Instruction::Entrypoint(x) => &mut x.origin,
        Instruction::Shell(x) => &mut x.origin,
        Instruction::Copy(x) => &mut x.origin,
        Instruction::Add(x) => &mut x.origin,
        Instruction::Env(x) => &mut x.origin,
        Instruction::Label(x) => &mut x.origin,
        Instruction::Maintainer(x) => &mut x.origin,
        Instruction::Expose(x) => &mut x.origin,
        Instruction::User(x) => &mut x.origin,
        Instruction::Workdir(x) => &mut x.origin,
        Instruction::Volume(x) => &mut x.origin,
        Instruction::StopSignal(x) => &mut x.origin,
        Instruction::Arg(x) => &mut x.origin,
        Instruction::Onbuild(x) => &mut x.origin,
        Instruction::Healthcheck(x) => &mut x.origin,
    };
    origin.span = span;
}

/// The trigger texts of a stage's own ONBUILD instructions.
pub(crate) fn stage_triggers(commands: &[Command<'_>]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|c| match c.instruction() {
            Instruction::Onbuild(o) => Some(o.expression.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_become_onbuild_commands_at_the_from_line() {
        let cmds = parse_triggers(
            &["RUN echo hi".to_string(), "ENV A=1".to_string()],
            Span::new(3, 3),
        )
        .unwrap();
        assert_eq!(cmds.len(), 2);
        assert!(
            cmds.iter()
                .all(|c| c.on_build() && c.span() == Span::new(3, 3))
        );
        assert_eq!(cmds[0].instruction().name(), "RUN");
    }

    #[test]
    fn bad_trigger_is_an_error_at_the_from_line() {
        let err = parse_triggers(&["FROM x".to_string()], Span::new(2, 2)).unwrap_err();
        assert_eq!(err.span, Some(Span::new(2, 2)));
    }
}
