//! One instruction as a stage runs it.

use std::collections::BTreeMap;

use stagecraft_instructions::Instruction;
use stagecraft_syntax::Span;

use crate::target::Target;

/// One instruction to run in a stage: the stage's own, or an ONBUILD
/// trigger (inherited, run first, located at the stage's FROM line).
#[derive(Clone, Debug)]
pub(crate) struct Command<'a> {
    source: Source<'a>,
    /// Where COPY reads its sources: `--from` resolved once, when the
    /// graph is planned.
    pub(crate) copy_from: CopyFrom,
    /// RUN `--mount=from=<name>`: each name resolved once, when the graph
    /// is planned (`from=` holds no variables, so the name is as written).
    pub(crate) mount_from: BTreeMap<String, Target>,
}

/// Where a command's instruction lives. A stage's own instructions are
/// read in place from the parsed file, which outlives the lowering:
/// copying thousands of them into the plan cost as much as planning. Only
/// a trigger, parsed from text (an image config's or a base stage's
/// ONBUILD), has nothing to borrow from.
#[derive(Clone, Debug)]
enum Source<'a> {
    Stage(&'a Instruction),
    Trigger(Box<Instruction>),
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

impl<'a> Command<'a> {
    /// One of the stage's own instructions.
    pub(crate) fn own(instruction: &'a Instruction) -> Self {
        Self::with(Source::Stage(instruction))
    }

    /// An inherited ONBUILD trigger.
    pub(crate) fn trigger(instruction: Instruction) -> Self {
        Self::with(Source::Trigger(Box::new(instruction)))
    }

    fn with(source: Source<'a>) -> Self {
        Command {
            source,
            copy_from: CopyFrom::Context,
            mount_from: BTreeMap::new(),
        }
    }

    pub(crate) fn instruction(&self) -> &Instruction {
        match &self.source {
            Source::Stage(i) => i,
            Source::Trigger(i) => i,
        }
    }

    /// An inherited ONBUILD trigger (progress names say so).
    pub(crate) fn on_build(&self) -> bool {
        matches!(self.source, Source::Trigger(_))
    }

    pub(crate) fn span(&self) -> Span {
        self.instruction().span()
    }
}
