//! The frontend as BuildKit runs it: a gRPC client of BuildKit's LLBBridge
//! over stdin/stdout, ending every run with exactly one `Return`.
//!
//! Flow (see `build`): Ping, with Inputs and the Dockerfile and
//! `.dockerignore` reads alongside → options → subrequest? → parse → lower →
//! cap check → Solve → Return.

mod build;
mod caps_check;
mod checks;
mod failure;
mod load;
mod lowering;
mod remote;
mod request;
mod resolver;
mod result;
mod sbom;
mod subrequest;
mod trace;
mod warnings;

use std::panic::AssertUnwindSafe;
use std::process::ExitCode;

use futures::FutureExt;
use stagecraft_proto::env::{is_frontend, process_vars, read_env};
use stagecraft_proto::moby::buildkit::v1::frontend as gw;
use stagecraft_proto::{Bridge, Cap};

use build::Answer;
use failure::Failure;
use result::{ImageResult, Refs};

/// True when BuildKit's variables are in the environment.
pub fn started_by_buildkit() -> bool {
    is_frontend(process_vars())
}

/// Runs one build as BuildKit's frontend; the exit code only matters when
/// `Return` could not be delivered.
pub fn run() -> ExitCode {
    // Before anything else, so the trace's CPU split falls at `main`.
    let trace = stagecraft_proto::Trace::starting_at(std::time::Instant::now());
    let main_at = std::time::SystemTime::now();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("stagecraft: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(trace, main_at));
    // BuildKit waits for the process to end: don't linger on background
    // tasks (the HTTP/2 connection) once Return has been answered.
    runtime.shutdown_background();
    code
}

async fn serve(trace: stagecraft_proto::Trace, main_at: std::time::SystemTime) -> ExitCode {
    // The HTTP/2 handshake is a round trip of its own: traced like the RPCs.
    let connected = trace.time("Connect", "", Bridge::connect_stdio()).await;
    let bridge = match connected {
        Ok(bridge) => bridge.with_trace(trace),
        Err(e) => {
            eprintln!("stagecraft: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut env = read_env(process_vars());
    let print_trace = trace::take_option(&mut env);
    let outcome = guarded(build::build(&bridge, &env)).await;
    // Printed before `Return` goes out: BuildKit may end the container as
    // soon as it has the result.
    if print_trace {
        trace::print(
            bridge.trace(),
            main_at,
            trace::AtReturn::now(bridge.trace()),
        );
    }
    deliver(&bridge, outcome).await
}

/// A panic must still end in a Return, or the user sees only an exit code.
async fn guarded(
    build: impl std::future::Future<Output = Result<Answer, Failure>>,
) -> Result<Answer, Failure> {
    AssertUnwindSafe(build)
        .catch_unwind()
        .await
        .unwrap_or_else(|payload| Err(Failure::Panic(failure::panic_message(payload.as_ref()))))
}

/// The one `Return` of the run.
async fn deliver(bridge: &Bridge, outcome: Result<Answer, Failure>) -> ExitCode {
    let (returned, ok) = match outcome {
        Ok(Answer::Image(ImageResult {
            refs: Refs::Single(reference),
            metadata,
            sbom,
        })) if sbom.is_empty() => (bridge.return_result(&reference, metadata).await, true),
        Ok(Answer::Image(ImageResult {
            refs: Refs::ByPlatform(refs),
            metadata,
            sbom,
        })) if sbom.is_empty() => (bridge.return_refs(&refs, metadata).await, true),
        Ok(Answer::Image(image)) => (
            bridge.return_full_result(with_attestations(image)).await,
            true,
        ),
        Ok(Answer::Metadata(metadata)) => (
            bridge
                .return_full_result(gw::Result {
                    metadata: metadata.into_iter().collect(),
                    ..Default::default()
                })
                .await,
            true,
        ),
        Err(failure) => {
            eprintln!("stagecraft: {failure}");
            // BuildKit v0.10 (Docker 23) and newer clients print the snippet
            // from the source detail; older ones show only the message.
            let client_draws_source = bridge
                .caps()
                .is_some_and(|caps| caps.has(Cap::GatewayWarnings));
            (
                bridge
                    .return_error(failure.to_status(client_draws_source))
                    .await,
                false,
            )
        }
    };
    match returned {
        Ok(()) if ok => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("stagecraft: could not deliver the result to BuildKit: {e}");
            ExitCode::FAILURE
        }
    }
}

/// An image result with attestations (SBOMs keyed by platform ID, whether
/// the result is one ref or a map), as `Return` carries it.
fn with_attestations(image: ImageResult) -> gw::Result {
    let as_ref = |id: &stagecraft_proto::RefId| gw::Ref {
        id: id.0.clone(),
        def: None,
    };
    let result = match &image.refs {
        Refs::Single(reference) => gw::result::Result::Ref(as_ref(reference)),
        Refs::ByPlatform(refs) => gw::result::Result::Refs(gw::RefMap {
            refs: refs.iter().map(|(k, r)| (k.clone(), as_ref(r))).collect(),
        }),
    };
    gw::Result {
        metadata: image.metadata.into_iter().collect(),
        attestations: image
            .sbom
            .iter()
            .map(|(platform, attestation)| {
                (
                    platform.clone(),
                    gw::Attestations {
                        attestation: vec![sbom::to_pb(attestation)],
                    },
                )
            })
            .collect(),
        result: Some(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_proto::fake::{FakeBuildkit, FakeConfig};

    #[tokio::test]
    async fn a_panic_still_ends_in_a_return_error() {
        let fake = FakeBuildkit::new(FakeConfig::docker_20_10());
        let bridge = fake.connect_in_process().await.unwrap();
        let outcome = guarded(async {
            let stages: Vec<u32> = Vec::new();
            // An out-of-bounds index: the kind of bug the guard is for.
            let index = stages.len() + 1;
            #[allow(clippy::indexing_slicing)]
            let _ = stages[index];
            Ok(Answer::Metadata(Default::default()))
        })
        .await;
        assert!(matches!(outcome, Err(Failure::Panic(_))));
        assert_eq!(deliver(&bridge, outcome).await, ExitCode::FAILURE);
        let recorded = fake.recorded();
        assert_eq!(recorded.returns.len(), 1);
        let status = recorded.returns[0].error.clone().unwrap();
        assert_eq!(
            status.code,
            i32::from(stagecraft_proto::tonic::Code::Internal)
        );
        assert!(
            status
                .message
                .starts_with("internal error in the Stagecraft frontend")
                && status.message.contains("index out of bounds"),
            "{}",
            status.message
        );
    }
}
