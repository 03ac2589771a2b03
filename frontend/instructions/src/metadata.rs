//! Instructions that set image metadata: ENV, LABEL, MAINTAINER, EXPOSE,
//! USER, WORKDIR, VOLUME, STOPSIGNAL.
//!
//! Values are raw: the dispatcher expands them with build args/env (LABEL,
//! ENV, USER, WORKDIR, VOLUME, STOPSIGNAL, EXPOSE).

use stagecraft_syntax::Node;

use crate::error::ErrorKind;
use crate::flags::parse_flags;
use crate::origin::Origin;

/// One `key=value` (or legacy `key value`) of ENV or LABEL. Key and value
/// are raw words: quotes and escapes are still in them and go away when the
/// dispatcher runs them through the shell-word expander.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    /// True for the legacy `ENV key value` form (no `=`), which lint flags.
    pub legacy_form: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvInstruction {
    pub origin: Origin,
    pub vars: Vec<KeyValue>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelInstruction {
    pub origin: Origin,
    pub labels: Vec<KeyValue>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintainerInstruction {
    pub origin: Origin,
    pub maintainer: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposeInstruction {
    pub origin: Origin,
    /// `80`, `53/udp`, `8000-8010/tcp` … sorted as the reference sorts them.
    pub ports: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInstruction {
    pub origin: Origin,
    /// `user[:group]`.
    pub user: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkdirInstruction {
    pub origin: Origin,
    pub path: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeInstruction {
    pub origin: Origin,
    /// Trimmed, never empty.
    pub volumes: Vec<String>,
}

/// The signal is validated by the dispatcher after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StopSignalInstruction {
    pub origin: Origin,
    pub signal: String,
}

fn no_flags(node: &Node, origin: &Origin) -> Result<(), ErrorKind> {
    parse_flags(&origin.keyword, &node.flags, &[]).map(|_| ())
}

fn key_values(args: &[String], instruction: &'static str) -> Result<Vec<KeyValue>, ErrorKind> {
    if args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument { instruction });
    }
    let triples = args.chunks_exact(3);
    if !triples.remainder().is_empty() {
        return Err(ErrorKind::TooManyArguments { instruction });
    }
    triples
        .map(|t| match t {
            [key, value, sep] if !key.is_empty() => Ok(KeyValue {
                key: key.clone(),
                value: value.clone(),
                legacy_form: sep.is_empty(),
            }),
            _ => Err(ErrorKind::BlankName { instruction }),
        })
        .collect()
}

fn exactly_one(node: &Node, instruction: &'static str) -> Result<String, ErrorKind> {
    match node.args.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(ErrorKind::ExactlyOneArgument { instruction }),
    }
}

pub(crate) fn parse_env(node: &Node, origin: Origin) -> Result<EnvInstruction, ErrorKind> {
    no_flags(node, &origin)?;
    let vars = key_values(&node.args, "ENV")?;
    Ok(EnvInstruction { origin, vars })
}

pub(crate) fn parse_label(node: &Node, origin: Origin) -> Result<LabelInstruction, ErrorKind> {
    no_flags(node, &origin)?;
    let labels = key_values(&node.args, "LABEL")?;
    Ok(LabelInstruction { origin, labels })
}

pub(crate) fn parse_maintainer(
    node: &Node,
    origin: Origin,
) -> Result<MaintainerInstruction, ErrorKind> {
    let maintainer = exactly_one(node, "MAINTAINER")?;
    no_flags(node, &origin)?;
    Ok(MaintainerInstruction { origin, maintainer })
}

pub(crate) fn parse_expose(node: &Node, origin: Origin) -> Result<ExposeInstruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "EXPOSE",
        });
    }
    no_flags(node, &origin)?;
    let mut ports = node.args.clone();
    ports.sort();
    Ok(ExposeInstruction { origin, ports })
}

pub(crate) fn parse_user(node: &Node, origin: Origin) -> Result<UserInstruction, ErrorKind> {
    let user = exactly_one(node, "USER")?;
    no_flags(node, &origin)?;
    Ok(UserInstruction { origin, user })
}

pub(crate) fn parse_workdir(node: &Node, origin: Origin) -> Result<WorkdirInstruction, ErrorKind> {
    let path = exactly_one(node, "WORKDIR")?;
    no_flags(node, &origin)?;
    Ok(WorkdirInstruction { origin, path })
}

pub(crate) fn parse_volume(node: &Node, origin: Origin) -> Result<VolumeInstruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "VOLUME",
        });
    }
    no_flags(node, &origin)?;
    let volumes = node
        .args
        .iter()
        .map(|v| match v.trim() {
            "" => Err(ErrorKind::EmptyVolume),
            t => Ok(t.to_string()),
        })
        .collect::<Result<_, _>>()?;
    Ok(VolumeInstruction { origin, volumes })
}

pub(crate) fn parse_stopsignal(
    node: &Node,
    origin: Origin,
) -> Result<StopSignalInstruction, ErrorKind> {
    // Flags are ignored, as the reference ignores them (it never reads them).
    let signal = exactly_one(node, "STOPSIGNAL")?;
    Ok(StopSignalInstruction { origin, signal })
}
