//! The LLB state of a named context that needs no image lookup: scratch,
//! a client directory, a Git repository, an HTTP download, a frontend input
//! (with the image config its metadata may carry).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use stagecraft_llb::{HttpSource, LocalSession, LocalSource, OpMeta, State};

use crate::ContextConfig;
use crate::dispatch::remote::parse_git_ref;
use crate::error::{LowerError, LowerErrorKind};
use crate::image::Image;
use crate::named_context::ContextSource;
use crate::options::BuildOptions;
use crate::remote_context::git_context_state;

/// The input metadata key holding the image config.
const IMAGE_CONFIG_KEY: &str = "containerimage.config";

/// The state of a context that needs no lookup (every kind but an image).
pub(crate) fn state(
    source: &ContextSource,
    key: &str,
    config: &ContextConfig,
    options: &BuildOptions,
) -> Result<(State, Option<Image>), LowerError> {
    if let ContextSource::Input(name) = source {
        return input(name, key, config, options);
    }
    plain(source, key, config, options).map(|state| (state, None))
}

/// An `input:<name>` context: the client's Definition, and the image config
/// of `input-metadata:<name>` when it has one.
fn input(
    name: &str,
    key: &str,
    config: &ContextConfig,
    options: &BuildOptions,
) -> Result<(State, Option<Image>), LowerError> {
    let err = |message: String| LowerError::new(LowerErrorKind::NamedContext { message }, None);
    let definition = config
        .inputs
        .get(name)
        .ok_or_else(|| err(format!("invalid input {name} for {key}")))?;
    let state = State::from_definition(definition)
        .map_err(|e| LowerError::new(LowerErrorKind::Llb(e), None))?;
    let Some(metadata) = options.input_metadata.get(name) else {
        return Ok((state, None));
    };
    // Go's JSON of map[string][]byte: byte values are base64 strings.
    let entries: BTreeMap<String, String> = serde_json::from_str(metadata)
        .map_err(|e| err(format!("failed to parse input metadata {metadata}: {e}")))?;
    let Some(encoded) = entries.get(IMAGE_CONFIG_KEY) else {
        return Ok((state, None));
    };
    let bytes = BASE64
        .decode(encoded)
        .map_err(|e| err(format!("failed to parse image config for {key}: {e}")))?;
    let mut image = Image::from_json(&bytes)
        .map_err(|e| err(format!("failed to parse image config for {key}: {e}")))?;
    image.created = None;
    Ok((state, Some(image)))
}

fn plain(
    source: &ContextSource,
    key: &str,
    config: &ContextConfig,
    options: &BuildOptions,
) -> Result<State, LowerError> {
    let err = |message: String| LowerError::new(LowerErrorKind::NamedContext { message }, None);
    let llb = |e: stagecraft_llb::LlbError| LowerError::new(LowerErrorKind::Llb(e), None);
    match source {
        ContextSource::Scratch => Ok(State::scratch()),
        ContextSource::Local(name) => {
            let local = config.named_locals.get(name).cloned().unwrap_or_default();
            let session = match local.session_id {
                Some(id) => LocalSession::Session(id),
                None => LocalSession::Unique(format!("context:{key}")),
            };
            let shared = options
                .context_shared_keys
                .get(key)
                .map(String::as_str)
                .unwrap_or_default();
            let src = LocalSource::new(name.clone(), session)
                .with_exclude_patterns(local.exclude_patterns)
                .with_shared_key_hint(format!("context:{key}-{shared}"));
            Ok(State::local(src)
                .map_err(llb)?
                .with_meta(OpMeta::named(format!("[context {key}] load from client"))))
        }
        ContextSource::Git(url) | ContextSource::Url(url) => {
            let git =
                parse_git_ref(url).map_err(|e| err(format!("invalid git context {url}: {e}")))?;
            let git = match (git, source) {
                (Some(git), _) => git,
                (None, ContextSource::Url(_)) => return http_context(url, key),
                (None, _) => return Err(err(format!("invalid git context {url}"))),
            };
            git_context_state(git, url).map_err(|e| err(format!("git context {url}: {e}")))
        }
        ContextSource::Input(name) => Err(err(format!(
            "named context {key}: input:{name} is read with its metadata"
        ))),
        ContextSource::OciLayout(_) | ContextSource::Image(_) => Err(err(format!(
            "named context {key}: an image context is resolved, not built here"
        ))),
    }
}

/// An HTTP(S) download (a tarball), saved as `context`.
fn http_context(url: &str, key: &str) -> Result<State, LowerError> {
    let src = HttpSource {
        filename: Some("context".to_string()),
        ..HttpSource::new(url)
    };
    Ok(State::http(src)
        .map_err(|e| LowerError::new(LowerErrorKind::Llb(e), None))?
        .with_meta(OpMeta::named(format!("[context {key}] {url}"))))
}
