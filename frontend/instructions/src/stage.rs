//! Splitting the instruction list into stages.

use stagecraft_syntax::{Parsed, Span};

use crate::arg::ArgInstruction;
use crate::error::{ErrorKind, InstructionError};
use crate::from::{FromInstruction, StageName};
use crate::instruction::{Instruction, Item, parse_node};

/// A typed Dockerfile: global ARGs and build stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dockerfile {
    /// ARGs before the first FROM (usable in FROM lines).
    pub meta_args: Vec<ArgInstruction>,
    /// At least one.
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// `AS name`, if given (same as `base.name`).
    pub name: Option<StageName>,
    /// The FROM line that opened the stage.
    pub base: FromInstruction,
    pub commands: Vec<Instruction>,
    /// From the FROM line to the stage's last instruction.
    pub span: Span,
}

impl Dockerfile {
    /// Index of the stage named `name` (case-insensitive); the reference
    /// takes the first match.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let lookup = name.to_lowercase();
        self.stages
            .iter()
            .position(|s| s.name.as_ref().is_some_and(|n| n.lookup == lookup))
    }
}

/// Types every node and groups them into stages.
pub fn parse_dockerfile(parsed: &Parsed) -> Result<Dockerfile, InstructionError> {
    // Instructions are large: sizing the lists up front saves moving them
    // as the lists grow.
    let is_from = |node: &stagecraft_syntax::Node| node.keyword.eq_ignore_ascii_case("from");
    let mut meta_args = Vec::new();
    let mut stages: Vec<Stage> =
        Vec::with_capacity(parsed.nodes.iter().filter(|n| is_from(n)).count());
    for (i, node) in parsed.nodes.iter().enumerate() {
        match parse_node(node)? {
            Item::From(from) => {
                let rest = parsed.nodes.get(i + 1..).unwrap_or_default();
                let commands = rest.iter().take_while(|n| !is_from(n)).count();
                stages.push(Stage {
                    name: from.name.clone(),
                    span: from.origin.span,
                    base: from,
                    commands: Vec::with_capacity(commands),
                })
            }
            Item::Instruction(Instruction::Arg(arg)) if stages.is_empty() => meta_args.push(arg),
            Item::Instruction(instruction) => {
                let Some(stage) = stages.last_mut() else {
                    return Err(InstructionError::new(
                        ErrorKind::InstructionBeforeFrom {
                            instruction: instruction.origin().keyword.to_uppercase(),
                        },
                        instruction.span(),
                        None,
                    ));
                };
                stage.span.end = stage.span.end.max(instruction.span().end);
                stage.commands.push(instruction);
            }
        }
    }
    if stages.is_empty() {
        let span = parsed.nodes.last().map(|n| n.span).unwrap_or_default();
        return Err(InstructionError::new(ErrorKind::NoStages, span, None));
    }
    Ok(Dockerfile { meta_args, stages })
}
