//! Base image resolution: every reachable image base is looked up at once,
//! then turned into a state and an image config.

use std::collections::BTreeMap;

use futures::future::join_all;
use stagecraft_llb::{ImageSource, ResolveMode, State};

use crate::error::{LowerError, LowerErrorKind};
use crate::graph::{Base, Plan, Target};
use crate::image::Image;
use crate::options::BuildOptions;
use crate::platform::Platform;
use crate::reference;
use crate::{ImageResolver, ResolveError, ResolvedImage};

/// A node's starting point once its base is known.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedBase {
    /// The image source (unnamed: the stage names it), or scratch.
    pub(crate) state: State,
    /// The base config, `created` cleared.
    pub(crate) image: Image,
    pub(crate) platform: Platform,
    /// `FROM <ref>` text for the progress name (pinned ref); `None` when
    /// there is no FROM op (scratch, or an image with no layers).
    pub(crate) from_ref: Option<String>,
    /// The normalised reference when the resolver knew no config.
    pub(crate) unresolved: Option<String>,
}

/// Resolves the image bases of `targets` that are not in `done` yet, all
/// requests in flight together; results are applied in node order.
pub(crate) async fn resolve_bases(
    plan: &Plan,
    targets: impl Iterator<Item = Target>,
    done: &mut BTreeMap<Target, ResolvedBase>,
    options: &BuildOptions,
    resolver: &impl ImageResolver,
) -> Result<(), LowerError> {
    struct Job {
        target: Target,
        original: String,
        normalized: String,
        platform: Platform,
    }
    let mut jobs = Vec::new();
    for t in targets {
        if done.contains_key(&t) {
            continue;
        }
        let Some(node) = plan.node(t) else { continue };
        let platform = node
            .platform
            .clone()
            .unwrap_or_else(|| options.platform().clone());
        match &node.base {
            Base::Stage(_) => {}
            Base::Scratch => {
                // The reference gives a scratch stage the target platform,
                // whatever its `--platform` says.
                let platform = options.platform().clone();
                done.insert(
                    t,
                    ResolvedBase {
                        state: State::scratch(),
                        image: Image::empty(&platform),
                        platform,
                        from_ref: None,
                        unresolved: None,
                    },
                );
            }
            Base::Image(name) => {
                let normalized = reference::normalize(name).map_err(|why| {
                    LowerError::at(
                        LowerErrorKind::Reference {
                            name: name.clone(),
                            why,
                        },
                        node.span,
                    )
                })?;
                jobs.push(Job {
                    target: t,
                    original: name.clone(),
                    normalized,
                    platform,
                });
            }
        }
    }
    let mode = options.image_resolve_mode;
    let log_names: Vec<String> = jobs
        .iter()
        .map(|j| {
            if options.multi_platform {
                format!(
                    "[{} internal] load metadata for {}",
                    j.platform, j.normalized
                )
            } else {
                format!("[internal] load metadata for {}", j.normalized)
            }
        })
        .collect();
    let replies: Vec<Result<ResolvedImage, ResolveError>> = join_all(
        jobs.iter()
            .zip(&log_names)
            .map(|(j, log)| resolver.resolve(&j.normalized, &j.platform, mode, log)),
    )
    .await;
    for (job, reply) in jobs.into_iter().zip(replies) {
        let span = plan.node(job.target).map(|n| n.span);
        let reply = reply.map_err(|e| {
            LowerError::new(
                LowerErrorKind::Resolve {
                    reference: job.original.clone(),
                    message: e.message,
                },
                span,
            )
        })?;
        let base = to_base(job.normalized, job.platform, reply, mode, span)?;
        done.insert(job.target, base);
    }
    Ok(())
}

fn to_base(
    normalized: String,
    platform: Platform,
    reply: ResolvedImage,
    mode: ResolveMode,
    span: Option<stagecraft_syntax::Span>,
) -> Result<ResolvedBase, LowerError> {
    let pinned = match reply.digest.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => reference::with_digest(&normalized, d),
        None => normalized.clone(),
    };
    let (image, unresolved) = match &reply.config {
        Some(bytes) => {
            let mut img = Image::from_json(bytes).map_err(|e| {
                LowerError::new(
                    LowerErrorKind::ImageConfig {
                        reference: normalized.clone(),
                        why: e.to_string(),
                    },
                    span,
                )
            })?;
            img.created = None;
            (img, None)
        }
        None => (Image::empty(&platform), Some(normalized.clone())),
    };
    // A config with no layers (and no history entry adding one) is an
    // empty filesystem: no image op at all.
    let no_layers = reply.config.is_some()
        && image.rootfs.diff_ids.is_empty()
        && image.history.iter().all(|h| h.empty_layer);
    if no_layers {
        return Ok(ResolvedBase {
            state: State::scratch(),
            image,
            platform,
            from_ref: None,
            unresolved,
        });
    }
    let mut src = ImageSource::new(pinned.clone())
        .with_resolve_mode(mode)
        .with_platform(platform.to_pb());
    if pinned != normalized {
        // The reference itself now carries the digest.
        src.digest = None;
    }
    let state = State::image(src).map_err(|e| LowerError::new(LowerErrorKind::Llb(e), span))?;
    Ok(ResolvedBase {
        state,
        image,
        platform,
        from_ref: Some(pinned),
        unresolved,
    })
}
