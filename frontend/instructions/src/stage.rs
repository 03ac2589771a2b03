//! Splitting the instruction list into stages.

use stagecraft_syntax::{Node, Parsed, Span};

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
    type_part(&parsed.nodes)?.finish(parsed.nodes.last().map(|n| n.span))
}

/// Typed nodes of part of a file, grouped as far as they go: the ARGs
/// before the first FROM and the stages. A file's nodes typed in parts
/// (each after the first starting with a FROM) and appended in order give
/// what typing them in one go gives, which lets two threads share a big
/// file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Part {
    meta_args: Vec<ArgInstruction>,
    stages: Vec<Stage>,
}

/// Types `nodes` in order and groups them into stages; the error is the
/// first node's that fails, as one pass over the file would find it.
pub fn type_part(nodes: &[Node]) -> Result<Part, InstructionError> {
    // Instructions are large: sizing the lists up front saves moving them
    // as the lists grow.
    let is_from = |node: &Node| node.keyword.eq_ignore_ascii_case("from");
    let mut part = Part {
        meta_args: Vec::new(),
        stages: Vec::with_capacity(nodes.iter().filter(|n| is_from(n)).count()),
    };
    for (i, node) in nodes.iter().enumerate() {
        match parse_node(node)? {
            Item::From(from) => {
                let rest = nodes.get(i + 1..).unwrap_or_default();
                let commands = rest.iter().take_while(|n| !is_from(n)).count();
                part.stages.push(Stage {
                    name: from.name.clone(),
                    span: from.origin.span,
                    base: from,
                    commands: Vec::with_capacity(commands),
                })
            }
            Item::Instruction(Instruction::Arg(arg)) if part.stages.is_empty() => {
                part.meta_args.push(arg)
            }
            Item::Instruction(instruction) => {
                let Some(stage) = part.stages.last_mut() else {
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
    Ok(part)
}

impl Part {
    /// Appends the part typed from the nodes that follow this part's.
    /// `later`'s nodes start with a FROM: cut anywhere else, its first
    /// instructions would have been typed as outside any stage, while they
    /// belong to this part's last.
    pub fn append(&mut self, later: Part) {
        debug_assert!(later.meta_args.is_empty(), "a later part starts at a FROM");
        self.meta_args.extend(later.meta_args);
        self.stages.extend(later.stages);
    }

    /// The Dockerfile of a file whose every node is typed into this part;
    /// `last` is the span of its last node (where a file with no stage
    /// fails).
    pub fn finish(self, last: Option<Span>) -> Result<Dockerfile, InstructionError> {
        if self.stages.is_empty() {
            return Err(InstructionError::new(
                ErrorKind::NoStages,
                last.unwrap_or_default(),
                None,
            ));
        }
        Ok(Dockerfile {
            meta_args: self.meta_args,
            stages: self.stages,
        })
    }
}
