//! Build args: the automatic platform args, global (meta) ARGs, proxy
//! args, and which build args nothing consumed.

use std::collections::BTreeSet;

use stagecraft_instructions::Dockerfile;
use stagecraft_llb::ProxyEnv;
use stagecraft_shell::Lexer;

use crate::budget::Limits;
use crate::envlist::EnvList;
use crate::error::{LowerError, LowerErrorKind};
use crate::options::BuildOptions;
use crate::platform::Platform;

/// `os/arch[/variant]` without the OS version (Go's `platforms.Format`).
fn format_platform(p: &Platform) -> String {
    match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    }
}

/// Names of the args every build defines.
pub(crate) const AUTOMATIC_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// The automatic args; a build arg of the same name overrides each.
/// `target` is the target stage's name (`None`: unnamed → "default").
pub(crate) fn default_args(options: &BuildOptions, target: Option<&str>) -> EnvList {
    let bp = &options.build_platform;
    let tp = options.platform();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let values = [
        format_platform(bp),
        bp.os.clone(),
        opt(&bp.os_version),
        bp.architecture.clone(),
        opt(&bp.variant),
        tp.to_string(),
        tp.os.clone(),
        opt(&tp.os_version),
        tp.architecture.clone(),
        opt(&tp.variant),
        target
            .filter(|t| !t.is_empty())
            .unwrap_or("default")
            .to_string(),
    ];
    let mut env = EnvList::new();
    for (key, value) in AUTOMATIC_ARGS.iter().zip(values) {
        let value = options.build_args.get(*key).cloned().unwrap_or(value);
        env.set(key, &value);
    }
    env
}

/// Adds the ARGs before the first FROM to `args`. A build arg overrides a
/// default, which is then not expanded at all. Returns the names declared.
pub(crate) fn add_meta_args(
    args: &mut EnvList,
    df: &Dockerfile,
    lexer: Lexer,
    options: &BuildOptions,
    limits: Limits,
) -> Result<BTreeSet<String>, LowerError> {
    let mut declared = BTreeSet::new();
    for arg in &df.meta_args {
        for pair in &arg.args {
            declared.insert(pair.name.clone());
            let value = match (options.build_args.get(&pair.name), &pair.default) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(default)) => Some(
                    lexer
                        .expand_word(default, &*args)
                        .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), arg.origin.span))?
                        .value,
                ),
                (None, None) => None,
            };
            if let Some(v) = value {
                args.set(&pair.name, &v);
            }
            // Each value is bounded by the shell's limit, but a few hundred
            // lines of `ARG A=$A` would still add up.
            if args.bytes() > limits.message_bytes {
                return Err(LowerError::at(
                    LowerErrorKind::ArgsTooLarge {
                        limit: limits.message_bytes,
                    },
                    arg.origin.span,
                ));
            }
        }
    }
    Ok(declared)
}

/// Proxy build args (any case) become the exec proxy env, which stays out
/// of the cache key and the image.
pub(crate) fn proxy_env(options: &BuildOptions) -> Option<ProxyEnv> {
    let mut pe = ProxyEnv::default();
    let mut any = false;
    for (k, v) in &options.build_args {
        let slot = match k.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut pe.http_proxy,
            "https_proxy" => &mut pe.https_proxy,
            "ftp_proxy" => &mut pe.ftp_proxy,
            "no_proxy" => &mut pe.no_proxy,
            "all_proxy" => &mut pe.all_proxy,
            _ => continue,
        };
        *slot = v.clone();
        any = true;
    }
    any.then_some(pe)
}

fn is_builtin(name: &str) -> bool {
    AUTOMATIC_ARGS.contains(&name)
        || name.starts_with("BUILDKIT_")
        || name == "SOURCE_DATE_EPOCH"
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "http_proxy" | "https_proxy" | "ftp_proxy" | "no_proxy" | "all_proxy"
        )
}

/// Build args no ARG declared (sorted).
pub(crate) fn unconsumed(options: &BuildOptions, declared: &BTreeSet<String>) -> Vec<String> {
    options
        .build_args
        .keys()
        .filter(|k| !declared.contains(*k) && !is_builtin(k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_args_follow_platforms_and_overrides() {
        let mut o = BuildOptions {
            build_platform: Platform::linux_amd64(),
            target_platform: Some(Platform::parse("linux/arm/v7").unwrap()),
            ..BuildOptions::default()
        };
        o.build_args.insert("TARGETOS".into(), "custom".into());
        let env = default_args(&o, None);
        assert_eq!(env.get("BUILDPLATFORM"), Some("linux/amd64"));
        assert_eq!(env.get("TARGETPLATFORM"), Some("linux/arm/v7"));
        assert_eq!(env.get("TARGETVARIANT"), Some("v7"));
        assert_eq!(env.get("TARGETOS"), Some("custom"));
        assert_eq!(env.get("TARGETSTAGE"), Some("default"));
        assert_eq!(
            default_args(&o, Some("build")).get("TARGETSTAGE"),
            Some("build")
        );
    }

    #[test]
    fn proxies_any_case() {
        let mut o = BuildOptions::default();
        o.build_args.insert("https_PROXY".into(), "http://p".into());
        o.build_args.insert("OTHER".into(), "x".into());
        let pe = proxy_env(&o).unwrap();
        assert_eq!(pe.https_proxy, "http://p");
        assert_eq!(unconsumed(&o, &BTreeSet::new()), vec!["OTHER".to_string()]);
        assert!(proxy_env(&BuildOptions::default()).is_none());
    }
}
