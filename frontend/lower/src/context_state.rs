//! The LLB state of a named context that needs no image lookup: scratch,
//! a client directory, a Git repository, an HTTP download.

use stagecraft_llb::{HttpSource, LocalSession, LocalSource, OpMeta, State};

use crate::ContextConfig;
use crate::dispatch::add::{GitSourceSpec, git_state};
use crate::dispatch::remote::parse_git_ref;
use crate::error::{LowerError, LowerErrorKind};
use crate::named_context::ContextSource;
use crate::options::BuildOptions;

/// The state of a context that needs no lookup (every kind but an image).
pub(crate) fn state(
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
            let name = format!("[internal] load git source {url}");
            git_state(
                git,
                GitSourceSpec {
                    keep_git_dir: None,
                    checksum: "",
                    name: &name,
                },
            )
            .map_err(|e| err(format!("git context {url}: {e}")))
        }
        ContextSource::Input(name) => Err(err(format!(
            "named context {key}: input:{name} contexts (bake target: contexts) are not supported by Stagecraft yet"
        ))),
        ContextSource::OciLayout(reference) => Err(err(format!(
            "named context {key}: oci-layout://{reference} contexts are not supported by Stagecraft yet"
        ))),
        ContextSource::Image(_) => Err(err(format!(
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
