//! One build, from `Ping` to the answer for `Return`.

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_proto::env::FrontendEnv;
use stagecraft_proto::{Bridge, CacheImport, SolveOptions};

use super::caps_check;
use super::failure::{Failure, SourceText};
use super::load;
use super::lowering::{self, BuildWarning, LowerInput};
use super::request::{Request, Subrequest};
use super::resolver::BridgeResolver;
use super::result::{self, ImageResult, PlatformImage};
use super::{subrequest, warnings};

/// What to hand to `Return` when all went well.
#[derive(Debug)]
pub enum Answer {
    /// The built image (one per platform).
    Image(ImageResult),
    /// A subrequest's answer: metadata only.
    Metadata(BTreeMap<String, Vec<u8>>),
}

/// The LLB cap without which nothing a Dockerfile does can be built
/// (BuildKit 0.5, Docker 19.03).
const MIN_LLB_CAP: &str = "file.base";

pub async fn build(bridge: &Bridge, env: &FrontendEnv) -> Result<Answer, Failure> {
    // The inputs are asked for with Ping rather than after it: one round
    // trip fewer, and a subrequest that does not need them loses nothing.
    let (pong, inputs) = bridge.ping_with_inputs().await;
    let pong = pong.map_err(|error| Failure::Bridge {
        doing: "failed to query BuildKit's capabilities",
        error,
    })?;
    for problem in &env.problems {
        eprintln!("stagecraft: ignoring environment entry: {problem}");
    }
    let request = Request::new(env, &pong.workers)?;
    pong.caps
        .llb
        .check([MIN_LLB_CAP])
        .map_err(|missing| Failure::Unsupported(missing.to_string()))?;

    match &request.subrequest {
        Some(Subrequest::Describe) => return Ok(Answer::Metadata(subrequest::describe())),
        Some(Subrequest::Other(id)) => return Err(Failure::UnsupportedSubrequest(id.clone())),
        None => {}
    }
    let inputs = inputs.map_err(|error| Failure::Bridge {
        doing: "failed to get frontend inputs",
        error,
    })?;

    let load::Sources {
        dockerfile,
        exclude_patterns,
    } = load::sources(bridge, &request, &inputs).await?;
    let source = SourceText {
        filename: &dockerfile.filename,
        data: &dockerfile.data,
    };
    let text = dockerfile.text();
    let parsed = stagecraft_syntax::parse(&text)
        .map_err(|e| source.error_at(Some(e.span), &e.to_string()))?;
    let instructions = stagecraft_instructions::parse_dockerfile(&parsed)
        .map_err(|e| source.error_at(Some(e.span), &e.kind.to_string()))?;

    let resolver = BridgeResolver::new(bridge.clone());
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
    // One lowering and one Solve per platform, as the reference does: the
    // steps two platforms share (a `FROM --platform=$BUILDPLATFORM` stage)
    // marshal to the same op digests, which BuildKit runs once.
    let mut images = Vec::new();
    for (index, options) in request.options.for_each_platform().iter().enumerate() {
        let built = lowering::lower(
            LowerInput {
                dockerfile: &instructions,
                escape: parsed.escape,
                source: &dockerfile,
                options,
                session_id: request.session_for(super::request::CONTEXT_LOCAL),
                exclude_patterns: exclude_patterns.clone(),
                llb_caps: llb_caps.clone(),
            },
            &resolver,
        )
        .await?;
        caps_check::check(&pong.caps, &built.definition, source)?;
        // Warnings are the same for every platform: the first one speaks.
        // They travel alongside the Solve, not before it: shown the same, a
        // round trip sooner.
        let warned = async {
            if index == 0 {
                let parse_warnings = parsed.warnings.iter().map(|w| BuildWarning {
                    short: w.short.clone(),
                    detail: w.detail.clone(),
                    url: w.url.clone(),
                    span: w.span,
                });
                warnings::send(
                    bridge,
                    &dockerfile,
                    parse_warnings.chain(built.warnings.iter().cloned()),
                )
                .await;
            }
        };
        let ((), solved) = futures::join!(warned, bridge.solve(built.definition, &solve_options));
        let reference = solved.map_err(Failure::Solve)?;
        images.push(PlatformImage {
            reference,
            image_config: built.image_config,
            platform: built.platform,
            epoch: built.epoch,
        });
    }
    Ok(Answer::Image(result::image_result(
        images,
        request.options.multi_platform,
    )))
}
