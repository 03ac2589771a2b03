//! The instruction text in progress names (`[<stage> <i>/<total>]` is
//! `crate::steps`), and the platform a multi-platform build puts first.

use stagecraft_shell::Lexer;

use crate::envlist::EnvList;
use crate::platform::Platform;

/// Upper-cases the first word (the keyword as the user wrote it).
pub(crate) fn uppercase_keyword(text: &str) -> String {
    match text.split_once(' ') {
        Some((kw, rest)) => {
            let mut out = String::with_capacity(text.len());
            if kw.is_ascii() {
                out.extend(kw.chars().map(|c| c.to_ascii_uppercase()));
            } else {
                out.push_str(&kw.to_uppercase());
            }
            out.push(' ');
            out.push_str(rest);
            out
        }
        None => text.to_uppercase(),
    }
}

/// Expands variables for display: quotes kept, unset variables left as
/// written; on an expansion error the text is shown unexpanded.
pub(crate) fn expand_for_name(lexer: Lexer, text: &str, env: &EnvList) -> String {
    lexer
        .raw_quotes(true)
        .skip_unset_env(true)
        .expand_word(text, env)
        .map(|e| e.value)
        .unwrap_or_else(|_| text.to_string())
}

/// Expands variables for display the way the reference names every step
/// but RUN: quotes removed, unset variables empty; on an expansion error the
/// text is shown unexpanded.
pub(crate) fn expand_plain_for_name(lexer: Lexer, text: &str, env: &EnvList) -> String {
    lexer
        .expand_word(text, env)
        .map_or_else(|_| text.to_string(), |e| e.value)
}

/// The platform part of a multi-platform name: the step's platform, and
/// `->arm64` (or `->windows/amd64`) when the step's env names another
/// target through `TARGETPLATFORM` or `TARGETOS`/`TARGETARCH`/
/// `TARGETVARIANT` (a cross-compiling stage that declared them).
pub(crate) fn platform_label(platform: &Platform, env: Option<&EnvList>) -> String {
    let mut label = platform.to_string();
    let Some(target) = env.and_then(|env| target_from_env(env, platform)) else {
        return label;
    };
    if target.os != platform.os {
        label.push_str("->");
        label.push_str(&target.to_string());
    } else if target.architecture != platform.architecture {
        label.push_str("->");
        label.push_str(&target.architecture);
        if let Some(v) = &target.variant {
            label.push('/');
            label.push_str(v);
        }
    }
    label
}

/// The platform the `TARGET*` variables of `env` describe, missing parts
/// taken from `base`; `None` when none is set.
fn target_from_env(env: &EnvList, base: &Platform) -> Option<Platform> {
    let (mut os, mut arch, mut variant) = (None, None, None);
    for (key, value) in env.iter() {
        match key {
            "TARGETPLATFORM" => {
                if let Ok(p) = Platform::parse(value) {
                    return Some(p);
                }
            }
            "TARGETOS" => os = Some(value),
            "TARGETARCH" => arch = Some(value),
            "TARGETVARIANT" => variant = Some(value),
            _ => {}
        }
    }
    if os.is_none() && arch.is_none() && variant.is_none() {
        return None;
    }
    let os = os.filter(|v| !v.is_empty()).unwrap_or(&base.os);
    let arch = arch.filter(|v| !v.is_empty()).unwrap_or(&base.architecture);
    let variant = variant.filter(|v| !v.is_empty());
    let spec = match variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    Some(Platform::parse(&spec).unwrap_or_else(|_| Platform {
        os: os.to_string(),
        architecture: arch.to_string(),
        variant: variant.map(str::to_string),
        os_version: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_set_vars_keeps_unset_and_quotes() {
        let mut env = EnvList::new();
        env.set("A", "x");
        let lexer = Lexer::new('\\');
        assert_eq!(
            expand_for_name(lexer, "run echo \"$A\" $B", &env),
            "run echo \"x\" $B"
        );
        assert_eq!(uppercase_keyword("run echo"), "RUN echo");
    }

    #[test]
    fn plain_expansion_drops_quotes_and_unset_vars() {
        let mut env = EnvList::new();
        env.set("A", "x");
        let lexer = Lexer::new('\\');
        assert_eq!(
            expand_plain_for_name(lexer, "workdir \"/q $A\"$HOME/c", &env),
            "workdir /q x/c"
        );
    }

    #[test]
    fn platform_label_shows_the_cross_compile_target() {
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(platform_label(&amd, None), "linux/amd64");
        let mut env = EnvList::new();
        env.set("PATH", "/bin");
        assert_eq!(platform_label(&amd, Some(&env)), "linux/amd64");
        env.set("TARGETARCH", "amd64");
        assert_eq!(platform_label(&amd, Some(&env)), "linux/amd64");
        env.set("TARGETARCH", "arm");
        assert_eq!(platform_label(&amd, Some(&env)), "linux/amd64->arm/v7");
        env.set("TARGETOS", "windows");
        assert_eq!(
            platform_label(&amd, Some(&env)),
            "linux/amd64->windows/arm/v7"
        );
        let mut full = EnvList::new();
        full.set("TARGETPLATFORM", "linux/aarch64");
        assert_eq!(platform_label(&amd, Some(&full)), "linux/amd64->arm64");
    }
}
