//! Instructions that only change the image config: USER, SHELL, CMD,
//! ENTRYPOINT, LABEL, EXPOSE, VOLUME, HEALTHCHECK, STOPSIGNAL, ONBUILD,
//! MAINTAINER.

use stagecraft_instructions::{
    CmdInstruction, CommandLine, EntrypointInstruction, ExposeInstruction, Healthcheck,
    HealthcheckInstruction, LabelInstruction, MaintainerInstruction, OnbuildInstruction,
    ShellInstruction, StopSignalInstruction, UserInstruction, VolumeInstruction,
};

use super::gofmt::{duration, list_q, list_v};
use super::ports::parse_ports;
use super::{DispatchContext, DispatchState};
use crate::error::{LowerError, LowerErrorKind};
use crate::image::{self, Empty, Image};

/// The stage's SHELL, or the OS default.
pub(crate) fn shell_or_default(img: &Image) -> Vec<String> {
    match &img.config.shell {
        Some(shell) if !shell.is_empty() => shell.clone(),
        _ if img.os == "windows" => ["cmd", "/S", "/C"].map(String::from).to_vec(),
        _ => ["/bin/sh", "-c"].map(String::from).to_vec(),
    }
}

fn command_args(d: &DispatchState, command: &CommandLine) -> Vec<String> {
    match command {
        CommandLine::Exec(args) => args.clone(),
        CommandLine::Shell(text) => d.with_shell(text),
    }
}

pub(crate) fn dispatch_user(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &UserInstruction,
) -> Result<(), LowerError> {
    let user = d.expand_word(cx, &i.user, i.origin.span)?;
    d.user = user.clone();
    d.image.config.user = user.clone();
    d.commit_empty(["USER ", &user].concat());
    Ok(())
}

pub(crate) fn dispatch_shell(
    d: &mut DispatchState,
    i: &ShellInstruction,
) -> Result<(), LowerError> {
    d.image.config.shell = Some(i.shell.clone());
    d.commit_empty(["SHELL ", &list_v(&i.shell)].concat());
    Ok(())
}

pub(crate) fn dispatch_cmd(d: &mut DispatchState, i: &CmdInstruction) -> Result<(), LowerError> {
    let args = command_args(d, &i.command);
    d.commit_empty(["CMD ", &list_q(&args)].concat());
    d.image.config.cmd = Some(args);
    d.image.config.args_escaped = true;
    d.cmd_set = true;
    Ok(())
}

pub(crate) fn dispatch_entrypoint(
    d: &mut DispatchState,
    i: &EntrypointInstruction,
) -> Result<(), LowerError> {
    let args = command_args(d, &i.command);
    d.commit_empty(["ENTRYPOINT ", &list_q(&args)].concat());
    d.image.config.entrypoint = Some(args);
    if !d.cmd_set {
        d.image.config.cmd = None;
    }
    Ok(())
}

pub(crate) fn dispatch_label(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &LabelInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let mut message = String::from("LABEL");
    let mut expanded = Vec::with_capacity(i.labels.len());
    for kv in &i.labels {
        expanded.push((
            d.expand_word(cx, &kv.key, span)?,
            d.expand_word(cx, &kv.value, span)?,
        ));
    }
    let labels = d.image.config.labels.get_or_insert_with(Default::default);
    for (key, value) in expanded {
        for part in [" ", key.as_str(), "=", value.as_str()] {
            message.push_str(part);
        }
        labels.insert(key, value);
    }
    d.commit_empty(message);
    Ok(())
}

pub(crate) fn dispatch_expose(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &ExposeInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let mut words = Vec::new();
    for port in &i.ports {
        words.extend(d.expand_words(cx, port, span)?);
    }
    let ports = parse_ports(&words).map_err(|message| {
        LowerError::at(
            LowerErrorKind::Invalid {
                instruction: "EXPOSE",
                message,
            },
            span,
        )
    })?;
    let exposed = d
        .image
        .config
        .exposed_ports
        .get_or_insert_with(Default::default);
    for p in &ports {
        exposed.insert(p.clone(), Empty {});
    }
    d.commit_empty(["EXPOSE ", &list_v(&ports)].concat());
    Ok(())
}

pub(crate) fn dispatch_volume(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &VolumeInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let mut volumes = Vec::with_capacity(i.volumes.len());
    for v in &i.volumes {
        let v = d.expand_word(cx, v, span)?;
        if v.is_empty() {
            return Err(LowerError::at(
                LowerErrorKind::Invalid {
                    instruction: "VOLUME",
                    message: "VOLUME specified can not be an empty string".to_string(),
                },
                span,
            ));
        }
        volumes.push(v);
    }
    let set = d.image.config.volumes.get_or_insert_with(Default::default);
    for v in &volumes {
        set.insert(v.clone(), Empty {});
    }
    d.commit_empty(["VOLUME ", &list_v(&volumes)].concat());
    Ok(())
}

pub(crate) fn dispatch_healthcheck(
    d: &mut DispatchState,
    i: &HealthcheckInstruction,
) -> Result<(), LowerError> {
    let hc = match &i.check {
        Healthcheck::None => image::Healthcheck {
            test: vec!["NONE".to_string()],
            ..image::Healthcheck::default()
        },
        Healthcheck::Check(c) => {
            let nanos = |v: Option<std::time::Duration>| {
                v.map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            };
            image::Healthcheck {
                test: c.test_array(),
                interval: nanos(c.interval),
                timeout: nanos(c.timeout),
                start_period: nanos(c.start_period),
                start_interval: nanos(c.start_interval),
                retries: i64::from(c.retries),
            }
        }
    };
    let dur = |n: u64| duration(std::time::Duration::from_nanos(n));
    d.commit_empty(format!(
        "HEALTHCHECK {{Test:{} Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
        list_v(&hc.test),
        dur(hc.interval),
        dur(hc.timeout),
        dur(hc.start_period),
        dur(hc.start_interval),
        hc.retries
    ));
    d.image.config.healthcheck = Some(hc);
    Ok(())
}

pub(crate) fn dispatch_stopsignal(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &StopSignalInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let signal = d.expand_word(cx, &i.signal, span)?;
    if !is_valid_signal(&signal) {
        return Err(LowerError::at(
            LowerErrorKind::Invalid {
                instruction: "STOPSIGNAL",
                message: format!("Invalid signal: {signal}"),
            },
            span,
        ));
    }
    d.image.config.stop_signal = signal.clone();
    d.commit_empty(["STOPSIGNAL ", &signal].concat());
    Ok(())
}

/// Linux signal names (with or without `SIG`, any case) or a non-zero number.
fn is_valid_signal(raw: &str) -> bool {
    if let Ok(n) = raw.parse::<i64>() {
        return n != 0;
    }
    let upper = raw.to_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        "RTMIN", "RTMAX",
    ];
    if NAMES.contains(&name) {
        return true;
    }
    let rt = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.parse::<u8>().ok())
            .is_some_and(|n| n >= 1)
    };
    // RTMIN+1..=RTMIN+15 and RTMAX-14..=RTMAX-1: 32 real-time signals.
    let plus = name
        .strip_prefix("RTMIN+")
        .and_then(|n| n.parse::<u8>().ok());
    let minus = name
        .strip_prefix("RTMAX-")
        .and_then(|n| n.parse::<u8>().ok());
    (rt("RTMIN+") && plus.is_some_and(|n| n <= 15))
        || (rt("RTMAX-") && minus.is_some_and(|n| n <= 14))
}

pub(crate) fn dispatch_onbuild(
    d: &mut DispatchState,
    i: &OnbuildInstruction,
) -> Result<(), LowerError> {
    d.image.config.on_build.push(i.expression.clone());
    Ok(())
}

pub(crate) fn dispatch_maintainer(
    d: &mut DispatchState,
    _cx: &DispatchContext<'_>,
    i: &MaintainerInstruction,
) -> Result<(), LowerError> {
    d.image.author = Some(i.maintainer.clone());
    d.commit_empty(["MAINTAINER ", &i.maintainer].concat());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_accept_names_numbers_and_rt_forms() {
        for ok in ["SIGTERM", "term", "9", "SIGRTMIN+3", "RTMAX-14"] {
            assert!(is_valid_signal(ok), "{ok}");
        }
        for bad in ["0", "SIGFOO", "", "RTMIN+16"] {
            assert!(!is_valid_signal(bad), "{bad}");
        }
    }
}
