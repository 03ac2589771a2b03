//! Typed Dockerfile instructions and stages, built from the syntax layer's
//! [`Node`](stagecraft_syntax::Node)s.
//!
//! This layer gives each instruction its meaning and checks what can be
//! checked without build args: flags, argument counts, stage names,
//! durations, ONBUILD triggers. It knows nothing of LLB.
//!
//! Entry point: [`parse_dockerfile`] → [`Dockerfile`] (meta ARGs + stages).
//!
//! # Raw values
//!
//! Values the dispatcher expands are kept exactly as written (quotes and
//! escapes included); expanding them is the lowering's job:
//!
//! | instruction | expanded with the stage's args/env (ProcessWord) |
//! | --- | --- |
//! | FROM | `base` and `platform`, with the meta ARGs only |
//! | ENV, LABEL | every key and value |
//! | ARG | names and defaults (expansion errors are deferred, as upstream) |
//! | COPY | `chown`, `chmod`, source paths, `dest`; inline file bodies with `expand` (quotes kept). `from` is never expanded: a variable in it is an error at dispatch |
//! | ADD | `chown`, `chmod`, `checksum`, source paths, `dest`; inline bodies as COPY |
//! | RUN | `--mount` option values except `from` ([`MountSpec::resolve`]); the command itself is left to the shell |
//! | WORKDIR, USER, VOLUME, STOPSIGNAL | their values ([`parse_signal`] checks the expanded signal) |
//! | EXPOSE | each port word, split into words (ProcessWords) |
//! | CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER, ONBUILD | nothing |

mod arg;
mod chmod;
mod command;
mod copy;
mod csv;
mod device;
mod duration;
mod error;
mod flags;
mod from;
mod healthcheck;
mod instruction;
mod metadata;
mod mount;
mod onbuild;
mod origin;
pub mod reference;
mod run;
mod signal;
mod stage;
mod suggest;

#[cfg(test)]
mod tests;

pub use arg::{ArgInstruction, ArgPair};
pub use chmod::{ChmodError, Class, FileMode, Op, Perms, SymbolicClause, Who};
pub use command::{CmdInstruction, CommandLine, EntrypointInstruction, ShellInstruction};
pub use copy::{AddInstruction, CopyInstruction, CopySource, InlineFile};
pub use csv::CsvError;
pub use device::{Device, DeviceError};
pub use duration::{DurationError, parse_go_duration};
pub use error::{ErrorKind, InstructionError};
pub use from::{FromInstruction, StageName};
pub use healthcheck::{HealthConfig, Healthcheck, HealthcheckInstruction};
pub use instruction::{INSTRUCTION_NAMES, Instruction, Item, parse_command, parse_node};
pub use metadata::{
    EnvInstruction, ExposeInstruction, KeyValue, LabelInstruction, MaintainerInstruction,
    StopSignalInstruction, UserInstruction, VolumeInstruction, WorkdirInstruction,
};
pub use mount::{
    BindMount, CacheMount, CacheSharing, Mount, MountError, MountSpec, MountType, SecretMount,
    SshMount, TmpfsMount, ram_in_bytes,
};
pub use onbuild::OnbuildInstruction;
pub use origin::Origin;
pub use run::{NetworkMode, RunInstruction, SecurityMode};
pub use signal::{SignalError, parse_signal};
pub use stage::{Dockerfile, Stage, parse_dockerfile};
pub use suggest::suggest;
