//! ENV and ARG.

use stagecraft_instructions::{ArgInstruction, EnvInstruction};

use super::{DispatchContext, DispatchState};
use crate::error::LowerError;

/// Args that configure the frontend and never reach a command's env.
const NON_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

pub(crate) fn dispatch_env(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &EnvInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    // Every pair is expanded with the env from before the line: `ENV A=1
    // B=$A` does not see the new A.
    let mut pairs = Vec::with_capacity(i.vars.len());
    for kv in &i.vars {
        pairs.push((
            d.expand_word(cx, &kv.key, span)?,
            d.expand_word(cx, &kv.value, span)?,
        ));
    }
    let mut message = String::from("ENV");
    for (key, value) in pairs {
        for part in [" ", key.as_str(), "=", value.as_str()] {
            message.push_str(part);
        }
        d.env.set(&key, &value);
        d.image.config.set_env(&key, &value);
    }
    d.commit_empty(message);
    Ok(())
}

pub(crate) fn dispatch_arg(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    i: &ArgInstruction,
) -> Result<(), LowerError> {
    let span = i.origin.span;
    let mut parts = Vec::with_capacity(i.args.len());
    for arg in &i.args {
        let key = arg.name.as_str();
        let value = match (cx.options.build_args.get(key), &arg.default) {
            (Some(given), _) => Some(given.clone()),
            (None, Some(default)) => Some(d.expand_word(cx, default, span)?),
            // A bare `ARG NAME` re-declaring a global ARG takes its value.
            (None, None) => cx.global_args.get(key).map(str::to_string),
        };
        if let Some(v) = value.as_ref().filter(|_| !NON_ENV_ARGS.contains(&key)) {
            d.env.set(key, v);
        }
        d.declared_args.insert(key.to_string());
        parts.push(match &value {
            Some(v) => [key, "=", v].concat(),
            None => key.to_string(),
        });
        d.build_args
            .push_back(std::sync::Arc::new((key.to_string(), value)));
    }
    d.commit_empty(["ARG ", &parts.join(" ")].concat());
    Ok(())
}
