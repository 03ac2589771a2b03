//! One build, from `Ping` to the answer for `Return`.

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_proto::env::FrontendEnv;
use stagecraft_proto::{Bridge, CacheImport, Cap, SolveOptions};

use super::caps_check;
use stagecraft_lint::Finding;

use super::checks::{self, Checking};
use super::failure::{Failure, SourceText};
use super::load;
use super::lowering::{self, LowerInput};
use super::request::{Request, Subrequest};
use super::resolver::{BridgeResolver, Prefetching};
use super::result::{self, ImageResult, PlatformImage};
use super::sbom::{SbomAttestation, Scanner};
use super::{subrequest, warnings};

/// What to hand to `Return` when all went well.
#[derive(Debug)]
pub enum Answer {
    /// The built image (one per platform).
    Image(ImageResult),
    /// A subrequest's answer: metadata only.
    Metadata(BTreeMap<String, Vec<u8>>),
}

/// The LLB cap without which nothing a Dockerfile does can be built (its
/// release is in the caps table).
const MIN_LLB_CAP: Cap = Cap::FileBase;

pub async fn build(bridge: &Bridge, env: &FrontendEnv) -> Result<Answer, Failure> {
    // The inputs are asked for with Ping rather than after it, and the
    // Dockerfile and `.dockerignore` reads go out as soon as the inputs are
    // known, without waiting for Ping either (dockerd 20.10 takes several
    // ms to answer it): they depend on the options and inputs only. What
    // they assumed is checked once Ping has answered (`EarlySources`).
    //
    // As soon as the Dockerfile is read, the base images are looked up, as
    // its lowering will ask for them, without waiting for the `.dockerignore`
    // (which often comes last) or Ping: the reference too looks them up
    // before it reads the `.dockerignore`.
    let resolver = BridgeResolver::new(bridge.clone());
    let early_request = Request::new(env, &[]).ok().filter(load::reads_before_ping);
    let (dockerfile_read, dockerfile_known) = futures::channel::oneshot::channel();
    let prefetch = async {
        match (&early_request, dockerfile_known.await) {
            (Some(request), Ok(dockerfile)) => {
                prefetch_bases(bridge, env, request, dockerfile, &resolver).await
            }
            _ => None,
        }
    };
    let (pong, (inputs, early), prepared) = futures::join!(
        bridge.ping(),
        async {
            match &early_request {
                Some(request) => load::read_early(bridge, request, dockerfile_read).await,
                None => (bridge.request_inputs().await, None),
            }
        },
        prefetch
    );
    let pong = pong.map_err(|error| Failure::Bridge {
        doing: "failed to query BuildKit's capabilities",
        error,
    })?;
    // A daemon without cap `frontend.inputs` has none to give (an older one
    // answers the call with an error).
    let inputs = if pong.caps.supports_gateway(Cap::FrontendInputs.id()) {
        inputs
    } else {
        Ok(load::Inputs::new())
    };
    for problem in &env.problems {
        eprintln!("stagecraft: ignoring environment entry: {problem}");
    }
    let request = Request::new(env, &pong.workers)?;
    pong.caps
        .llb
        .check([MIN_LLB_CAP.id()])
        .map_err(|missing| Failure::Unsupported(missing.to_string()))?;

    match &request.subrequest {
        Some(Subrequest::Describe) => return Ok(Answer::Metadata(subrequest::describe())),
        Some(Subrequest::Other(id)) => return Err(Failure::UnsupportedSubrequest(id.clone())),
        _ => {}
    }
    let linting = request.subrequest == Some(Subrequest::Lint);
    let inputs = inputs.map_err(|error| Failure::Bridge {
        doing: "failed to get frontend inputs",
        error,
    })?;

    let settled = early.and_then(|early| early.settle(&request, &inputs, &pong.caps));
    let load::Sources {
        dockerfile,
        exclude_patterns,
        remote,
    } = match settled {
        Some(sources) => sources?,
        None => load::sources(bridge, &request, &inputs).await?,
    };
    let source = SourceText {
        filename: &dockerfile.filename,
        data: &dockerfile.data,
    };
    // The file the base images were looked up for is the one read: its
    // syntax tree and instructions serve again.
    let prepared = prepared.filter(|p| p.data == dockerfile.data);
    // A lint request answers a file that cannot be checked with its error
    // as data, beside what was found before it; a build fails.
    let cannot_check = |message: &str, span: Option<stagecraft_syntax::Span>, found: &[Finding]| {
        if linting {
            Ok(Answer::Metadata(subrequest::lint::lint(
                &dockerfile.filename,
                &dockerfile.data,
                found,
                Some((message, span)),
            )))
        } else {
            Err(source.error_at(span, message))
        }
    };
    let (parsed, typed) = match prepared {
        Some(Prepared {
            parsed,
            instructions,
            ..
        }) => (parsed, Some(instructions)),
        None => {
            match stagecraft_syntax::parse_decoded(&stagecraft_syntax::decode(&dockerfile.data)) {
                Ok(p) => (p, None),
                Err(e) => return cannot_check(&e.to_string(), Some(e.span), &[]),
            }
        }
    };
    // Listing the targets reads only the instructions.
    if request.subrequest == Some(Subrequest::Targets) {
        let instructions = stagecraft_instructions::parse_dockerfile(&parsed)
            .map_err(|e| source.error_at(Some(e.span), &e.kind.to_string()))?;
        return Ok(Answer::Metadata(subrequest::targets::targets(
            &instructions,
            &dockerfile.data,
        )));
    }
    // Anything else reads the check config first, as the reference does.
    let check_config = match checks::config(&parsed, &request.options, source) {
        Ok(c) => c,
        Err(e) if linting => return cannot_check(&e.to_string(), None, &[]),
        Err(e) => return Err(e),
    };
    let typed = match typed {
        Some(instructions) => Ok(instructions),
        None => stagecraft_instructions::parse_dockerfile(&parsed),
    };
    let instructions = match typed {
        Ok(d) => d,
        Err(e) => {
            // The checks made while reading the instructions before the
            // failing one have spoken by then: a build shows them too.
            let found = stagecraft_lint::lint_unparsed(&parsed, &check_config);
            if matches!(request.subrequest, None | Some(Subrequest::Outline)) {
                warnings::send(bridge, &dockerfile, checks::warnings(&found)).await;
            }
            // The lint request's error reads as the reference's does (with
            // its line); a build's error is shown at its line anyway.
            let message = if linting {
                e.to_string()
            } else {
                e.kind.to_string()
            };
            return cannot_check(&message, Some(e.span), &found);
        }
    };
    let checking = |options| Checking {
        parsed: &parsed,
        dockerfile: &instructions,
        config: &check_config,
        options,
        resolver: &resolver,
        dockerignore: &exclude_patterns,
    };
    if request.subrequest == Some(Subrequest::Outline) {
        let findings = checking(&request.options).outline_request().await;
        warnings::send(bridge, &dockerfile, checks::warnings(&findings)).await;
        checks::violation(&check_config, &findings)?;
        return subrequest::outline::outline(
            &instructions,
            &dockerfile.data,
            &request.options,
            parsed.escape,
        )
        .map(Answer::Metadata)
        .map_err(|m| source.error_at(None, &m));
    }
    let named_locals = load::named_locals(bridge, &request).await?;
    let llb_caps = pong
        .caps
        .llb
        .enabled()
        .map(str::to_string)
        .collect::<BTreeSet<_>>();
    let solve_options = SolveOptions {
        cache_imports: request
            .options
            .cache_imports
            .iter()
            .map(|c| CacheImport {
                kind: c.kind.clone(),
                attrs: c.attrs.clone(),
            })
            .collect(),
        ..SolveOptions::default()
    };
    let lower_input = |options| LowerInput {
        dockerfile: &instructions,
        escape: parsed.escape,
        source: &dockerfile,
        options,
        session_id: request.session_for(super::request::CONTEXT_LOCAL),
        exclude_patterns: exclude_patterns.clone(),
        named_locals: named_locals.clone(),
        inputs: &inputs,
        remote: remote.clone(),
        llb_caps: llb_caps.clone(),
        limits: stagecraft_lower::Limits {
            message_bytes: bridge.request_limit(),
        },
    };
    if linting {
        let findings = checking(&request.options).lint_request().await;
        // The file is converted as a lint request converts it (every stage
        // when no target is asked), for its error.
        let mut options = request
            .options
            .for_each_platform()
            .into_iter()
            .next()
            .unwrap_or_else(|| request.options.clone());
        options.all_stages = options.target.is_none();
        let error = lowering::conversion_error(lower_input(&options), &resolver)
            .await
            .or_else(|| {
                // `error=true` makes the findings a build error too, which
                // buildx reports whatever `ignorestatus` says.
                stagecraft_lint::violation(&findings)
                    .filter(|_| check_config.error)
                    .map(|m| (m, None))
            });
        return Ok(Answer::Metadata(subrequest::lint::lint(
            &dockerfile.filename,
            &dockerfile.data,
            &findings,
            error.as_ref().map(|(m, span)| (m.as_str(), *span)),
        )));
    }
    let scanner = match &request.options.sbom {
        Some(sbom) => Some(sbom_scanner(&pong.caps, &resolver, &request.options, sbom).await?),
        None => None,
    };
    // One lowering and one Solve per platform, as the reference does: the
    // steps two platforms share (a `FROM --platform=$BUILDPLATFORM` stage)
    // marshal to the same op digests, which BuildKit runs once.
    let mut images = Vec::new();
    for (index, options) in request.options.for_each_platform().iter().enumerate() {
        let built = lowering::lower(lower_input(options), &resolver).await?;
        caps_check::check(&pong.caps, &built.definition, source)?;
        // Warnings are the same for every platform: the first one speaks.
        // They travel alongside the Solve, not before it: shown the same, a
        // round trip sooner. Under `error=true` findings stop the build
        // before anything is solved.
        let findings = if index == 0 {
            checking(options).after_build()
        } else {
            Vec::new()
        };
        let warned = async {
            if index == 0 {
                warnings::send(
                    bridge,
                    &dockerfile,
                    checks::warnings(&findings).chain(built.warnings.iter().cloned()),
                )
                .await;
            }
        };
        if let Err(e) = checks::violation(&check_config, &findings) {
            warned.await;
            return Err(e);
        }
        let ((), solved) = futures::join!(warned, bridge.solve(built.definition, &solve_options));
        let reference = solved.map_err(Failure::Solve)?;
        let sbom = match (&scanner, &built.sbom) {
            (Some(scanner), Some(targets)) => {
                let scan = scanner
                    .scan(
                        &built.platform.id(),
                        &built.state,
                        targets,
                        pong.caps.supports_llb(Cap::ExecMetaSetsDefaultPath.id()),
                    )
                    .map_err(|m| source.error_at(None, &m))?;
                let definition = stagecraft_llb::marshal(&scan);
                caps_check::check(&pong.caps, &definition, source)?;
                let scanned = bridge
                    .solve(definition, &SolveOptions::default())
                    .await
                    .map_err(Failure::Solve)?;
                Some(SbomAttestation { reference: scanned })
            }
            _ => None,
        };
        images.push(PlatformImage {
            reference,
            image_config: built.image_config,
            platform: built.platform,
            epoch: built.epoch,
            sbom,
        });
    }
    Ok(Answer::Image(result::image_result(
        images,
        request.options.multi_platform,
    )))
}

/// Starts the base image lookups a build of `dockerfile` makes first, as
/// its lowering would ask them (same references, platform, mode and
/// progress names): the lowering runs with a resolver that only starts each
/// lookup and ends it. Nothing but the file and the options decides which
/// those are (not the daemon's caps, nor the `.dockerignore`), so this needs
/// no Ping, as long as the environment names the workers (the build
/// platform otherwise comes from Ping). Builds only (a subrequest looks up
/// what it needs itself), and nothing when the file would fail before its
/// lowering. Hands back the file's syntax tree and instructions when it
/// got that far, for the build to use if it reads the same file.
async fn prefetch_bases(
    bridge: &Bridge,
    env: &FrontendEnv,
    request: &Request,
    dockerfile: load::DockerfileSource,
    resolver: &BridgeResolver,
) -> Option<Prepared> {
    if request.subrequest.is_some() || env.workers.is_empty() {
        return None;
    }
    let parsed =
        stagecraft_syntax::parse_decoded(&stagecraft_syntax::decode(&dockerfile.data)).ok()?;
    let source = SourceText {
        filename: &dockerfile.filename,
        data: &dockerfile.data,
    };
    checks::config(&parsed, &request.options, source).ok()?;
    let instructions = stagecraft_instructions::parse_dockerfile(&parsed).ok()?;
    let options = request.options.for_each_platform().into_iter().next()?;
    let inputs = load::Inputs::new();
    let input = LowerInput {
        dockerfile: &instructions,
        escape: parsed.escape,
        source: &dockerfile,
        options: &options,
        session_id: request.session_for(super::request::CONTEXT_LOCAL),
        exclude_patterns: Vec::new(),
        named_locals: BTreeMap::new(),
        inputs: &inputs,
        remote: None,
        llb_caps: BTreeSet::new(),
        limits: stagecraft_lower::Limits {
            message_bytes: bridge.request_limit(),
        },
    };
    let _ = lowering::conversion_error(input, &Prefetching(resolver)).await;
    Some(Prepared {
        data: dockerfile.data,
        parsed,
        instructions,
    })
}

/// A Dockerfile as far as the early base image lookups took it.
struct Prepared {
    /// The bytes it was read from: the build uses the rest only for these.
    data: Vec<u8>,
    parsed: stagecraft_syntax::Parsed,
    instructions: stagecraft_instructions::Dockerfile,
}

/// The SBOM scanner of `attest:sbom`, looked up for the build platform.
/// Attestations on a result need BuildKit v0.11: an older daemon would drop
/// the SBOM without a word.
async fn sbom_scanner(
    caps: &stagecraft_proto::Caps,
    resolver: &BridgeResolver,
    options: &stagecraft_lower::BuildOptions,
    sbom: &stagecraft_lower::SbomRequest,
) -> Result<Scanner, Failure> {
    let cap = Cap::ReferenceAttestations;
    if !caps.supports_gateway(cap.id()) {
        return Err(Failure::Unsupported(format!(
            "SBOM attestations (attest:sbom, buildx --sbom) need BuildKit {} or newer: this daemon lacks the gateway capability {}",
            cap.since(),
            cap.id()
        )));
    }
    Scanner::resolve(
        resolver,
        sbom,
        &options.build_platform,
        options.image_resolve_mode,
    )
    .await
    .map_err(Failure::Option)
}
