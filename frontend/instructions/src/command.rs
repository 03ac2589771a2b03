//! Shell-or-exec command lines: RUN, CMD, ENTRYPOINT and SHELL.

use stagecraft_syntax::{Heredoc, Node};

use crate::origin::Origin;

/// How a command is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandLine {
    /// `RUN echo hi`: run through the stage's SHELL. The words are kept as
    /// one string, as written (heredoc markers included).
    Shell(String),
    /// `RUN ["echo", "hi"]`: run directly, no shell.
    Exec(Vec<String>),
}

impl CommandLine {
    pub(crate) fn from_node(node: &Node) -> Self {
        if node.json {
            CommandLine::Exec(node.args.clone())
        } else {
            CommandLine::Shell(node.args.join(" "))
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdInstruction {
    pub origin: Origin,
    pub command: CommandLine,
    /// Heredoc bodies named in the command, in order, as the syntax layer
    /// read them: for `<<-` the tabs are still in `content` (use
    /// [`Heredoc::body`]); `expand` is false for a quoted delimiter.
    pub heredocs: Vec<Heredoc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrypointInstruction {
    pub origin: Origin,
    /// `ENTRYPOINT []` gives `Exec(vec![])`, which clears the entrypoint.
    pub command: CommandLine,
    pub heredocs: Vec<Heredoc>,
}

/// `SHELL ["/bin/bash", "-c"]`: JSON form only, never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellInstruction {
    pub origin: Origin,
    pub shell: Vec<String>,
}
