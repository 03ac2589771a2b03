//! The instruction enum and the per-node dispatch.

use stagecraft_syntax::{Node, Span};

use crate::arg::{ArgInstruction, parse_arg};
use crate::command::{CmdInstruction, CommandLine, EntrypointInstruction, ShellInstruction};
use crate::copy::{AddInstruction, CopyInstruction, parse_add, parse_copy};
use crate::error::{ErrorKind, InstructionError};
use crate::flags::parse_flags;
use crate::from::{FromInstruction, parse_from};
use crate::healthcheck::{HealthcheckInstruction, parse_healthcheck};
use crate::metadata::{
    EnvInstruction, ExposeInstruction, LabelInstruction, MaintainerInstruction,
    StopSignalInstruction, UserInstruction, VolumeInstruction, WorkdirInstruction, parse_env,
    parse_expose, parse_label, parse_maintainer, parse_stopsignal, parse_user, parse_volume,
    parse_workdir,
};
use crate::onbuild::{OnbuildInstruction, parse_onbuild};
use crate::origin::Origin;
use crate::run::{RunInstruction, parse_run};
use crate::suggest::suggest;

/// Every instruction keyword, upper-case.
pub const INSTRUCTION_NAMES: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// An instruction inside a stage (everything but FROM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instruction {
    Run(RunInstruction),
    Cmd(CmdInstruction),
    Entrypoint(EntrypointInstruction),
    Shell(ShellInstruction),
    Copy(CopyInstruction),
    Add(AddInstruction),
    Env(EnvInstruction),
    Label(LabelInstruction),
    Maintainer(MaintainerInstruction),
    Expose(ExposeInstruction),
    User(UserInstruction),
    Workdir(WorkdirInstruction),
    Volume(VolumeInstruction),
    StopSignal(StopSignalInstruction),
    Arg(ArgInstruction),
    Onbuild(OnbuildInstruction),
    Healthcheck(HealthcheckInstruction),
}

impl Instruction {
    pub fn origin(&self) -> &Origin {
        match self {
            Instruction::Run(i) => &i.origin,
            Instruction::Cmd(i) => &i.origin,
            Instruction::Entrypoint(i) => &i.origin,
            Instruction::Shell(i) => &i.origin,
            Instruction::Copy(i) => &i.origin,
            Instruction::Add(i) => &i.origin,
            Instruction::Env(i) => &i.origin,
            Instruction::Label(i) => &i.origin,
            Instruction::Maintainer(i) => &i.origin,
            Instruction::Expose(i) => &i.origin,
            Instruction::User(i) => &i.origin,
            Instruction::Workdir(i) => &i.origin,
            Instruction::Volume(i) => &i.origin,
            Instruction::StopSignal(i) => &i.origin,
            Instruction::Arg(i) => &i.origin,
            Instruction::Onbuild(i) => &i.origin,
            Instruction::Healthcheck(i) => &i.origin,
        }
    }

    pub fn span(&self) -> Span {
        self.origin().span
    }

    /// The upper-case keyword (`RUN`, `COPY` …).
    pub fn name(&self) -> &'static str {
        match self {
            Instruction::Run(_) => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Shell(_) => "SHELL",
            Instruction::Copy(_) => "COPY",
            Instruction::Add(_) => "ADD",
            Instruction::Env(_) => "ENV",
            Instruction::Label(_) => "LABEL",
            Instruction::Maintainer(_) => "MAINTAINER",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::User(_) => "USER",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::Volume(_) => "VOLUME",
            Instruction::StopSignal(_) => "STOPSIGNAL",
            Instruction::Arg(_) => "ARG",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
        }
    }
}

/// One typed node: FROM opens a stage, anything else belongs to one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    From(FromInstruction),
    Instruction(Instruction),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::From(f) => f.origin.span,
            Item::Instruction(i) => i.span(),
        }
    }
}

fn parse_cmd(node: &Node, origin: Origin) -> Result<CmdInstruction, ErrorKind> {
    parse_flags(&origin.keyword, &node.flags, &[])?;
    Ok(CmdInstruction {
        command: CommandLine::from_node(node),
        heredocs: node.heredocs.clone(),
        origin,
    })
}

fn parse_entrypoint(node: &Node, origin: Origin) -> Result<EntrypointInstruction, ErrorKind> {
    parse_flags(&origin.keyword, &node.flags, &[])?;
    Ok(EntrypointInstruction {
        command: CommandLine::from_node(node),
        heredocs: node.heredocs.clone(),
        origin,
    })
}

fn parse_shell(node: &Node, origin: Origin) -> Result<ShellInstruction, ErrorKind> {
    parse_flags(&origin.keyword, &node.flags, &[])?;
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "SHELL",
        });
    }
    if !node.json {
        return Err(ErrorKind::NotJson {
            instruction: "SHELL",
        });
    }
    Ok(ShellInstruction {
        shell: node.args.clone(),
        origin,
    })
}

/// Types one syntax node.
pub fn parse_node(node: &Node) -> Result<Item, InstructionError> {
    let origin = Origin::from_node(node);
    let span = node.span;
    // The origin moves into the instruction: an error names the keyword
    // from the node again (rare, so not worth a copy on every node).
    let wrap = |kind: ErrorKind| {
        let keyword = Origin::keyword_of(node, node.original.trim());
        InstructionError::new(kind, span, Some(keyword.to_uppercase()))
    };
    // The parser gives keywords lower-cased; a node made elsewhere may not.
    let lowered;
    let name = if node.keyword.bytes().any(|b| b.is_ascii_uppercase()) {
        lowered = node.keyword.to_ascii_lowercase();
        lowered.as_str()
    } else {
        node.keyword.as_str()
    };
    let item = match name {
        "from" => Item::From(parse_from(node, origin).map_err(wrap)?),
        other => Item::Instruction(match other {
            "run" => Instruction::Run(parse_run(node, origin).map_err(wrap)?),
            "cmd" => Instruction::Cmd(parse_cmd(node, origin).map_err(wrap)?),
            "entrypoint" => Instruction::Entrypoint(parse_entrypoint(node, origin).map_err(wrap)?),
            "shell" => Instruction::Shell(parse_shell(node, origin).map_err(wrap)?),
            "copy" => Instruction::Copy(parse_copy(node, origin).map_err(wrap)?),
            "add" => Instruction::Add(parse_add(node, origin).map_err(wrap)?),
            "env" => Instruction::Env(parse_env(node, origin).map_err(wrap)?),
            "label" => Instruction::Label(parse_label(node, origin).map_err(wrap)?),
            "maintainer" => Instruction::Maintainer(parse_maintainer(node, origin).map_err(wrap)?),
            "expose" => Instruction::Expose(parse_expose(node, origin).map_err(wrap)?),
            "user" => Instruction::User(parse_user(node, origin).map_err(wrap)?),
            "workdir" => Instruction::Workdir(parse_workdir(node, origin).map_err(wrap)?),
            "volume" => Instruction::Volume(parse_volume(node, origin).map_err(wrap)?),
            "stopsignal" => Instruction::StopSignal(parse_stopsignal(node, origin).map_err(wrap)?),
            "arg" => Instruction::Arg(parse_arg(node, origin).map_err(wrap)?),
            "onbuild" => Instruction::Onbuild(parse_onbuild(node, origin).map_err(wrap)?),
            "healthcheck" => {
                Instruction::Healthcheck(parse_healthcheck(node, origin).map_err(wrap)?)
            }
            _ => {
                let keyword = origin.keyword;
                let suggestion = suggest(&keyword, INSTRUCTION_NAMES, false);
                return Err(InstructionError::new(
                    ErrorKind::UnknownInstruction {
                        name: keyword,
                        suggestion,
                    },
                    span,
                    None,
                ));
            }
        }),
    };
    Ok(item)
}

/// Types a node that must not be FROM (e.g. an ONBUILD trigger).
impl OnbuildInstruction {
    /// Types the trigger instruction (what a child build would do).
    pub fn parse_trigger(&self) -> Result<Instruction, InstructionError> {
        parse_command(&self.node)
    }
}

pub fn parse_command(node: &Node) -> Result<Instruction, InstructionError> {
    match parse_node(node)? {
        Item::Instruction(i) => Ok(i),
        Item::From(f) => Err(InstructionError::new(
            ErrorKind::OnbuildForbidden {
                trigger: "FROM".to_string(),
            },
            f.origin.span,
            Some(f.origin.keyword.to_uppercase()),
        )),
    }
}
