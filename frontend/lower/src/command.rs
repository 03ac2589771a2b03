//! One instruction as a stage runs it.

use stagecraft_instructions::Instruction;
use stagecraft_syntax::Span;

/// One instruction to run in a stage: the stage's own, or an ONBUILD
/// trigger (inherited, run first, located at the stage's FROM line).
#[derive(Clone, Debug)]
pub(crate) struct Command {
    pub(crate) instruction: Instruction,
    pub(crate) on_build: bool,
}

impl Command {
    pub(crate) fn span(&self) -> Span {
        self.instruction.span()
    }
}
