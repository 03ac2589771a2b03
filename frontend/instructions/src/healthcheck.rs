//! HEALTHCHECK.

use std::time::Duration;

use stagecraft_syntax::Node;

use crate::command::CommandLine;
use crate::duration::parse_go_duration;
use crate::error::ErrorKind;
use crate::flags::{FlagKind, Flags, parse_flags};
use crate::origin::Origin;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthcheckInstruction {
    pub origin: Origin,
    pub check: Healthcheck,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disable any inherited check (Test `["NONE"]`).
    None,
    Check(HealthConfig),
}

/// `HEALTHCHECK [opts] CMD …`. Unset or zero durations are `None` (inherit
/// the runtime default); `retries` 0 likewise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthConfig {
    /// `Exec` → Test `["CMD", …]`; `Shell` → Test `["CMD-SHELL", s]`.
    pub test: CommandLine,
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
    pub start_period: Option<Duration>,
    pub start_interval: Option<Duration>,
    pub retries: u32,
}

impl HealthConfig {
    /// The image-config `Test` array.
    pub fn test_array(&self) -> Vec<String> {
        match &self.test {
            CommandLine::Exec(args) => std::iter::once("CMD".to_string())
                .chain(args.iter().cloned())
                .collect(),
            CommandLine::Shell(s) => vec!["CMD-SHELL".to_string(), s.clone()],
        }
    }
}

fn interval(flags: &Flags, flag: &'static str) -> Result<Option<Duration>, ErrorKind> {
    let Some(text) = flags.string(flag).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let nanos = parse_go_duration(&text)
        .map_err(|source| ErrorKind::HealthcheckDuration { flag, source })?;
    if nanos == 0 {
        return Ok(None);
    }
    if nanos < 1_000_000 {
        return Err(ErrorKind::HealthcheckDurationTooShort { flag, value: text });
    }
    Ok(u64::try_from(nanos).ok().map(Duration::from_nanos))
}

fn retries(flags: &Flags) -> Result<u32, ErrorKind> {
    let Some(text) = flags.string("retries").filter(|s| !s.is_empty()) else {
        return Ok(0);
    };
    let value: i32 = text.parse().map_err(|_| ErrorKind::HealthcheckRetries {
        value: text.clone(),
    })?;
    u32::try_from(value).map_err(|_| ErrorKind::HealthcheckNegativeRetries {
        value: i64::from(value),
    })
}

pub(crate) fn parse_healthcheck(
    node: &Node,
    origin: Origin,
) -> Result<HealthcheckInstruction, ErrorKind> {
    let Some((kind, rest)) = node.args.split_first() else {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "HEALTHCHECK",
        });
    };
    let kind = kind.to_uppercase();
    if kind == "NONE" {
        if !rest.is_empty() {
            return Err(ErrorKind::HealthcheckNoneArguments);
        }
        // `HEALTHCHECK --interval=1s NONE`: the reference ignores the flags.
        return Ok(HealthcheckInstruction {
            origin,
            check: Healthcheck::None,
        });
    }
    let flags = parse_flags(
        &origin.keyword,
        &node.flags,
        &[
            ("interval", FlagKind::String),
            ("timeout", FlagKind::String),
            ("start-period", FlagKind::String),
            ("start-interval", FlagKind::String),
            ("retries", FlagKind::String),
        ],
    )?;
    if kind != "CMD" {
        return Err(ErrorKind::HealthcheckUnknownType { kind });
    }
    let test = if node.json {
        if rest.is_empty() {
            return Err(ErrorKind::HealthcheckMissingCommand);
        }
        CommandLine::Exec(rest.to_vec())
    } else {
        if rest.is_empty() {
            return Err(ErrorKind::HealthcheckMissingCommand);
        }
        CommandLine::Shell(rest.join(" "))
    };
    let config = HealthConfig {
        test,
        interval: interval(&flags, "interval")?,
        timeout: interval(&flags, "timeout")?,
        start_period: interval(&flags, "start-period")?,
        start_interval: interval(&flags, "start-interval")?,
        retries: retries(&flags)?,
    };
    Ok(HealthcheckInstruction {
        origin,
        check: Healthcheck::Check(config),
    })
}
