//! One instruction as a stage runs it.

use std::collections::BTreeMap;

use stagecraft_instructions::Instruction;
use stagecraft_syntax::Span;

use crate::target::Target;

/// One instruction to run in a stage: the stage's own, or an ONBUILD
/// trigger (inherited, run first, located at the stage's FROM line).
#[derive(Clone, Debug)]
pub(crate) struct Command {
    pub(crate) instruction: Instruction,
    pub(crate) on_build: bool,
    /// Where COPY reads its sources: `--from` resolved once, when the
    /// graph is planned.
    pub(crate) copy_from: CopyFrom,
    /// RUN `--mount=from=<name>`: each name resolved once, when the graph
    /// is planned (`from=` holds no variables, so the name is as written).
    pub(crate) mount_from: BTreeMap<String, Target>,
}

/// The source of a COPY's paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum CopyFrom {
    /// The main build context (no `--from`).
    #[default]
    Context,
    /// A stage, or an image named by `--from`.
    Node(Target),
}

impl Command {
    pub(crate) fn new(instruction: Instruction, on_build: bool) -> Self {
        Command {
            instruction,
            on_build,
            copy_from: CopyFrom::Context,
            mount_from: BTreeMap::new(),
        }
    }

    pub(crate) fn span(&self) -> Span {
        self.instruction.span()
    }
}
