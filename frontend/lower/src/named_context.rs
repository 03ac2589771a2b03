//! Named contexts (`context:<name>` and `context:<name>::<platform>`
//! options, `buildx --build-context`): a stage or an image of the
//! Dockerfile replaced by something the client names.
//!
//! A stage `AS <name>` is replaced whole (its instructions are not run); an
//! image in `FROM`, `COPY --from` or `RUN --mount from=` is replaced where
//! it is named. Images are looked up by their short form (`alpine`,
//! `alpine:3.19`, `ghcr.io/o/app`); the platform-specific key wins.

use crate::error::{LowerError, LowerErrorKind};
use crate::options::BuildOptions;
use crate::platform::Platform;
use crate::reference;

/// Where a named context's files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ContextSource {
    /// `docker-image://scratch`: nothing.
    Scratch,
    /// `docker-image://<ref>`, the reference as given.
    Image(String),
    /// `local:<name>`: a directory the client sends.
    Local(String),
    /// `input:<name>`: a result the client passes as a frontend input.
    Input(String),
    /// `oci-layout://<store>@<digest>`.
    OciLayout(String),
    /// A Git repository URL (`git://`, `git@host:…`).
    Git(String),
    /// An HTTP(S) URL: a Git repository when it looks like one (decided
    /// when its state is made), else a download.
    Url(String),
}

/// A context found for a stage or image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NamedContext {
    /// The option key it came from: `name` or `name::platform` (progress
    /// names show it as `[context <key>]`).
    pub(crate) key: String,
    pub(crate) source: ContextSource,
}

/// The context replacing `name` (a stage name or an image reference as
/// written) for `platform`, if the client named one. `scratch` and
/// `context` are never replaced.
pub(crate) fn find(
    options: &BuildOptions,
    name: &str,
    platform: &Platform,
) -> Result<Option<NamedContext>, LowerError> {
    if options.named_contexts.is_empty()
        || name.eq_ignore_ascii_case("scratch")
        || name.eq_ignore_ascii_case("context")
    {
        return Ok(None);
    }
    let normalized = reference::normalize(name).map_err(|why| {
        LowerError::new(
            LowerErrorKind::NamedContext {
                message: format!("invalid context name {name}: {why}"),
            },
            None,
        )
    })?;
    let short = reference::familiar(&normalized);
    let with_platform = format!("{short}::{platform}");
    for key in [with_platform, short] {
        if let Some(value) = options.named_contexts.get(&key) {
            let source = parse_source(value, &key)?;
            return Ok(Some(NamedContext { key, source }));
        }
    }
    Ok(None)
}

/// Reads a context's value as the reference does: `<kind>:<rest>`, with
/// `git@host:…` taken as Git and http(s) URLs as Git when they look like a
/// repository.
fn parse_source(value: &str, key: &str) -> Result<ContextSource, LowerError> {
    let err = |message: String| LowerError::new(LowerErrorKind::NamedContext { message }, None);
    let Some((kind, rest)) = value.split_once(':') else {
        return Err(err(format!("invalid context specifier {value} for {key}")));
    };
    let kind = if kind.starts_with("git@") {
        "git"
    } else {
        kind
    };
    Ok(match kind {
        "docker-image" => match rest.trim_start_matches("//") {
            "scratch" => ContextSource::Scratch,
            image => ContextSource::Image(image.to_string()),
        },
        "git" => ContextSource::Git(value.to_string()),
        "http" | "https" => ContextSource::Url(value.to_string()),
        "oci-layout" => ContextSource::OciLayout(rest.trim_start_matches("//").to_string()),
        "local" => ContextSource::Local(rest.to_string()),
        "input" => ContextSource::Input(rest.to_string()),
        other => {
            return Err(err(format!("unsupported context source {other} for {key}")));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> BuildOptions {
        BuildOptions {
            named_contexts: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..BuildOptions::default()
        }
    }

    fn found(o: &BuildOptions, name: &str, platform: &str) -> Option<NamedContext> {
        find(o, name, &Platform::parse(platform).unwrap()).unwrap()
    }

    #[test]
    fn images_match_by_short_name_and_the_platform_key_wins() {
        let o = options(&[
            ("alpine", "docker-image://busybox"),
            ("alpine::linux/arm64", "docker-image://scratch"),
            ("base", "local:basedir"),
            ("ghcr.io/o/app:1", "input:app"),
        ]);
        let amd = found(&o, "docker.io/library/alpine:latest", "linux/amd64").unwrap();
        assert_eq!(amd.key, "alpine");
        assert_eq!(amd.source, ContextSource::Image("busybox".into()));
        let arm = found(&o, "alpine", "linux/arm64").unwrap();
        assert_eq!(arm.key, "alpine::linux/arm64");
        assert_eq!(arm.source, ContextSource::Scratch);
        assert_eq!(found(&o, "alpine:3.19", "linux/amd64"), None);
        assert_eq!(
            found(&o, "base", "linux/amd64").unwrap().source,
            ContextSource::Local("basedir".into())
        );
        assert_eq!(
            found(&o, "ghcr.io/o/app:1", "linux/amd64").unwrap().source,
            ContextSource::Input("app".into())
        );
        let scratch = options(&[("scratch", "local:x"), ("context", "local:y")]);
        assert_eq!(found(&scratch, "scratch", "linux/amd64"), None);
        assert_eq!(found(&scratch, "context", "linux/amd64"), None);
    }

    #[test]
    fn sources_are_read_as_the_reference_reads_them() {
        let parse = |v: &str| parse_source(v, "k");
        assert_eq!(
            parse("https://example.com/r.git#main:sub").unwrap(),
            ContextSource::Url("https://example.com/r.git#main:sub".into())
        );
        assert_eq!(
            parse("git@example.com:o/r.git").unwrap(),
            ContextSource::Git("git@example.com:o/r.git".into())
        );
        assert_eq!(
            parse("https://example.com/ctx.tar.gz").unwrap(),
            ContextSource::Url("https://example.com/ctx.tar.gz".into())
        );
        assert_eq!(
            parse("oci-layout://store@sha256:abc").unwrap(),
            ContextSource::OciLayout("store@sha256:abc".into())
        );
        let bad = parse("nocolon").unwrap_err().kind.to_string();
        assert_eq!(bad, "invalid context specifier nocolon for k");
        let unknown = parse("ftp://x").unwrap_err().kind.to_string();
        assert_eq!(unknown, "unsupported context source ftp for k");
    }
}
