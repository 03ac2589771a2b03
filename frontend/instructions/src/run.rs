//! RUN and its flags.

use stagecraft_syntax::{Heredoc, Node};

use crate::command::CommandLine;
use crate::device::Device;
use crate::error::ErrorKind;
use crate::flags::{FlagKind, parse_flags};
use crate::mount::MountSpec;
use crate::origin::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum NetworkMode {
    #[default]
    Default,
    None,
    Host,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SecurityMode {
    #[default]
    Sandbox,
    Insecure,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInstruction {
    pub origin: Origin,
    pub command: CommandLine,
    /// Heredoc bodies named in the command, in order, as the syntax layer
    /// read them: for `<<-` the tabs are still in `content` (use
    /// [`Heredoc::body`]); `expand` is false for a quoted delimiter.
    pub heredocs: Vec<Heredoc>,
    /// `--mount` values, unexpanded; see [`MountSpec::resolve`].
    pub mounts: Vec<MountSpec>,
    pub network: NetworkMode,
    pub security: SecurityMode,
    pub devices: Vec<Device>,
    /// Names of the flags given (without `--`), e.g. for lint and
    /// capability checks.
    pub flags_used: Vec<String>,
}

pub(crate) fn parse_run(node: &Node, origin: Origin) -> Result<RunInstruction, ErrorKind> {
    let flags = parse_flags(
        &origin.keyword,
        &node.flags,
        &[
            ("mount", FlagKind::Strings),
            ("network", FlagKind::String),
            ("security", FlagKind::String),
            ("device", FlagKind::Strings),
        ],
    )?;
    let mounts: Vec<MountSpec> = flags
        .strings("mount")
        .into_iter()
        .map(MountSpec::new)
        .collect();
    for mount in &mounts {
        mount.check_unexpanded()?;
    }
    let network = match flags.string("network").as_deref() {
        None | Some("default") => NetworkMode::Default,
        Some("none") => NetworkMode::None,
        Some("host") => NetworkMode::Host,
        Some(other) => {
            return Err(ErrorKind::InvalidNetwork {
                value: other.to_string(),
            });
        }
    };
    let security = match flags.string("security").as_deref() {
        None | Some("sandbox") => SecurityMode::Sandbox,
        Some("insecure") => SecurityMode::Insecure,
        Some(other) => {
            return Err(ErrorKind::InvalidSecurity {
                value: other.to_string(),
            });
        }
    };
    let devices = flags
        .strings("device")
        .iter()
        .map(|d| Device::parse(d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RunInstruction {
        command: CommandLine::from_node(node),
        heredocs: node.heredocs.clone(),
        mounts,
        network,
        security,
        devices,
        flags_used: flags.used(),
        origin,
    })
}
