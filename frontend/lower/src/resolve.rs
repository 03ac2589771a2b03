//! Base image resolution: every reachable image base is looked up at once,
//! then turned into a state and an image config.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::future::join_all;
use stagecraft_llb::{ImageSource, OpMeta, ResolveMode, State};

use crate::ContextConfig;
use crate::error::{LowerError, LowerErrorKind};
use crate::graph::{Base, Plan, Target};
use crate::image::Image;
use crate::named_context::ContextSource;
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
    /// The state carries the platform (see `DispatchState::state_has_platform`).
    pub(crate) state_has_platform: bool,
}

/// The resolved base of each node built on an image, scratch or a named
/// context. Shared: thousands of stages on one image share one base (its
/// config is copied once per stage only when the stage starts).
pub(crate) type Resolved = BTreeMap<Target, Arc<ResolvedBase>>;

/// Resolves the image bases of `targets` that are not in `done` yet, all
/// requests in flight together; results are applied in node order.
pub(crate) async fn resolve_bases(
    plan: &Plan<'_>,
    targets: impl Iterator<Item = Target>,
    done: &mut Resolved,
    options: &BuildOptions,
    context: &ContextConfig,
    resolver: &impl ImageResolver,
) -> Result<(), LowerError> {
    struct Job<'p> {
        target: Target,
        original: &'p str,
        normalized: Arc<str>,
        platform: &'p Platform,
        /// The named context's key, for an image context.
        context: Option<&'p str>,
    }
    let mut jobs = Vec::new();
    // Stages usually name a handful of images between them: each name is
    // normalised once.
    let mut normalized_of: HashMap<&str, Arc<str>> = HashMap::new();
    for t in targets {
        if done.contains_key(&t) {
            continue;
        }
        let Some(node) = plan.node(t) else { continue };
        let platform = node.platform.as_ref().unwrap_or_else(|| options.platform());
        match &node.base {
            Base::Stage(_) => {}
            Base::Scratch => {
                // The reference gives a scratch stage the target platform,
                // whatever its `--platform` says.
                let platform = options.platform().clone();
                done.insert(
                    t,
                    Arc::new(ResolvedBase {
                        state: State::scratch(),
                        image: Image::empty(&platform),
                        platform,
                        from_ref: None,
                        unresolved: None,
                        state_has_platform: false,
                    }),
                );
            }
            Base::Context {
                context: nc,
                whole_stage,
            } => match &nc.source {
                ContextSource::OciLayout(spec) => {
                    let base = oci_context(
                        spec,
                        &nc.key,
                        platform.clone(),
                        context,
                        resolver,
                        Some(node.span),
                    )
                    .await?;
                    done.insert(t, Arc::new(base));
                }
                ContextSource::Image(given) => {
                    let normalized = reference::normalize(given).map_err(|why| {
                        LowerError::at(
                            LowerErrorKind::NamedContext {
                                message: format!("named context {}: {given}: {why}", nc.key),
                            },
                            node.span,
                        )
                    })?;
                    jobs.push(Job {
                        target: t,
                        original: given,
                        normalized: normalized.into(),
                        platform,
                        context: Some(&nc.key),
                    });
                }
                source => {
                    let (state, image) =
                        crate::context_state::state(source, &nc.key, context, options)
                            .map_err(|e| e.or_span(node.span))?;
                    done.insert(
                        t,
                        Arc::new(ResolvedBase {
                            state,
                            image: image.unwrap_or_else(|| Image::empty(platform)),
                            platform: platform.clone(),
                            from_ref: None,
                            unresolved: None,
                            // FROM <context> puts the platform on the state.
                            state_has_platform: !whole_stage,
                        }),
                    );
                }
            },
            Base::Image(name) => {
                let normalized = match normalized_of.get(name.as_str()) {
                    Some(n) => Arc::clone(n),
                    None => {
                        let n: Arc<str> = reference::normalize(name)
                            .map_err(|why| {
                                LowerError::at(
                                    LowerErrorKind::Reference {
                                        name: name.clone(),
                                        why,
                                    },
                                    node.span,
                                )
                            })?
                            .into();
                        normalized_of.insert(name, Arc::clone(&n));
                        n
                    }
                };
                jobs.push(Job {
                    target: t,
                    original: name,
                    normalized,
                    platform,
                    context: None,
                });
            }
        }
    }
    let mode = options.image_resolve_mode;
    // Stages built on the same image ask for it once: one lookup per
    // reference and platform, its answer shared by every stage naming it.
    let mut asks: Vec<&Job> = Vec::new();
    let mut first_ask: HashMap<(&str, &Platform), usize> = HashMap::new();
    let mut ask_of = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let index = *first_ask
            .entry((&job.normalized, job.platform))
            .or_insert_with(|| {
                asks.push(job);
                asks.len() - 1
            });
        ask_of.push(index);
    }
    let log_names: Vec<String> = asks
        .iter()
        .map(|j| {
            if let Some(key) = &j.context {
                format!("[context {key}] load metadata for {}", j.original)
            } else if options.multi_platform {
                format!(
                    "[{} internal] load metadata for {}",
                    j.platform, j.normalized
                )
            } else {
                format!("[internal] load metadata for {}", j.normalized)
            }
        })
        .collect();
    let answers: Vec<Result<ResolvedImage, ResolveError>> = join_all(
        asks.iter()
            .zip(&log_names)
            .map(|(j, log)| resolver.resolve(&j.normalized, j.platform, mode, log)),
    )
    .await;
    // The stages sharing an image share its base too: its config is read
    // and its source op built once, not once per stage.
    let mut bases: HashMap<usize, Arc<ResolvedBase>> = HashMap::new();
    for (job, &ask) in jobs.iter().zip(&ask_of) {
        if job.context.is_none()
            && let Some(base) = bases.get(&ask)
        {
            done.insert(job.target, Arc::clone(base));
            continue;
        }
        let reply = answers.get(ask).cloned().unwrap_or_else(|| {
            Err(ResolveError {
                message: "no answer for this image".to_string(),
            })
        });
        let span = plan.node(job.target).map(|n| n.span);
        let reply = reply.map_err(|e| {
            LowerError::new(
                LowerErrorKind::Resolve {
                    reference: job.original.to_string(),
                    message: e.message,
                },
                span,
            )
        })?;
        let normalized = job.normalized.to_string();
        let base = match job.context {
            Some(key) => Arc::new(context_image(
                normalized,
                job.original,
                key,
                job.platform.clone(),
                reply,
                span,
            )?),
            None => {
                let base = Arc::new(to_base(
                    normalized,
                    job.platform.clone(),
                    reply,
                    mode,
                    span,
                )?);
                bases.insert(ask, Arc::clone(&base));
                base
            }
        };
        done.insert(job.target, base);
    }
    Ok(())
}

/// The base config the resolver found (`created` cleared), or an empty one
/// and the reference it lacked.
fn base_config(
    reply: &ResolvedImage,
    normalized: &str,
    platform: &Platform,
    span: Option<stagecraft_syntax::Span>,
) -> Result<(Image, Option<String>), LowerError> {
    match &reply.config {
        Some(bytes) => {
            let mut img = Image::from_json(bytes).map_err(|e| {
                LowerError::new(
                    LowerErrorKind::ImageConfig {
                        reference: normalized.to_string(),
                        why: e.to_string(),
                    },
                    span,
                )
            })?;
            img.created = None;
            Ok((img, None))
        }
        None => Ok((Image::empty(platform), Some(normalized.to_string()))),
    }
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
    let (image, unresolved) = base_config(&reply, &normalized, &platform, span)?;
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
            state_has_platform: false,
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
        state_has_platform: true,
    })
}

/// An `oci-layout://<store>@<digest>` named context: the image is looked up
/// in the client's store and labelled with the context's name, pinned to the
/// digest; its config applies as for any base image.
async fn oci_context(
    spec: &str,
    key: &str,
    platform: Platform,
    context: &ContextConfig,
    resolver: &impl ImageResolver,
    span: Option<stagecraft_syntax::Span>,
) -> Result<ResolvedBase, LowerError> {
    let fail = |message: String| LowerError::new(LowerErrorKind::NamedContext { message }, span);
    let (name, digest) = spec
        .split_once('@')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| fail(format!("oci-layout reference {spec:?} has no digest")))?;
    // The store is the reference's name; a tag only labels it.
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let store_id = match name[last_slash..].rfind(':') {
        Some(i) => &name[..last_slash + i],
        None => name,
    };
    if store_id.is_empty() {
        return Err(fail(format!("oci-layout reference {spec:?} has no name")));
    }
    crate::dispatch::remote::validate_digest(digest).map_err(|why| {
        fail(format!(
            "could not parse oci-layout reference {spec:?}: {why}"
        ))
    })?;
    // What progress shows and the source is called: the context's own name
    // (the key without its platform), pinned.
    let context_name = key.split("::").next().unwrap_or(key);
    let labelled = reference::normalize(&format!("{context_name}@{digest}")).map_err(|why| {
        fail(format!(
            "could not parse oci-layout reference {context_name:?}: {why}"
        ))
    })?;
    let session_id = context.session_id.clone().unwrap_or_default();
    let store = crate::OciStore {
        session_id: session_id.clone(),
        store_id: store_id.to_string(),
    };
    let log_name = format!("[context {key}] load metadata for {labelled}");
    let reply = resolver
        .resolve_oci(&labelled, &platform, &store, &log_name)
        .await
        .map_err(|e| {
            LowerError::new(
                LowerErrorKind::Resolve {
                    reference: spec.to_string(),
                    message: e.message,
                },
                span,
            )
        })?;
    let (image, unresolved) = base_config(&reply, &labelled, &platform, span)?;
    let src = stagecraft_llb::OciLayoutSource {
        reference: labelled,
        session_id,
        store_id: store.store_id,
        platform: Some(platform.to_pb()),
    };
    let state = State::oci_layout(src)
        .map_err(|e| LowerError::new(LowerErrorKind::Llb(e), span))?
        .with_meta(OpMeta::named(format!(
            "[context {key}] OCI load from client"
        )));
    Ok(ResolvedBase {
        state,
        image,
        platform,
        from_ref: None,
        unresolved,
        state_has_platform: true,
    })
}

/// An image named context: the reference's config applies as for any base
/// image, but the source stays unpinned and is named after the context.
fn context_image(
    normalized: String,
    given: &str,
    key: &str,
    platform: Platform,
    reply: ResolvedImage,
    span: Option<stagecraft_syntax::Span>,
) -> Result<ResolvedBase, LowerError> {
    let (image, unresolved) = base_config(&reply, &normalized, &platform, span)?;
    let src = ImageSource::new(normalized).with_platform(platform.to_pb());
    let state = State::image(src)
        .map_err(|e| LowerError::new(LowerErrorKind::Llb(e), span))?
        .with_meta(OpMeta::named(format!("[context {key}] {given}")));
    Ok(ResolvedBase {
        state,
        image,
        platform,
        from_ref: None,
        unresolved,
        state_has_platform: true,
    })
}
