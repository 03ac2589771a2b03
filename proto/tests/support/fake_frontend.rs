//! A tiny frontend for the transport tests: it talks to whoever started it
//! over stdin/stdout, like a real frontend talks to BuildKit. The first
//! argument selects what it does; diagnostics go to stderr only.

use std::collections::BTreeMap;
use std::process::ExitCode;

use prost::Message;
use stagecraft_proto::env::{process_vars, read_env};
use stagecraft_proto::{
    Bridge, FrontendEnv, ResolveMode, SolveOptions, SourceLocation, SourceRange, error_status, pb,
    tonic,
};

fn dockerfile_definition() -> pb::Definition {
    let source = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: "local://dockerfile".into(),
            ..Default::default()
        })),
        ..Default::default()
    };
    pb::Definition {
        def: vec![source.encode_to_vec(), pb::Op::default().encode_to_vec()],
        ..Default::default()
    }
}

async fn return_error(bridge: &Bridge, env: &FrontendEnv) -> Result<(), String> {
    bridge.ping().await.map_err(|e| e.to_string())?;
    let reference = bridge
        .solve(dockerfile_definition(), &SolveOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let filename = env
        .opts
        .get("filename")
        .map_or("Dockerfile", String::as_str);
    let data = bridge
        .read_file(&reference, filename, None)
        .await
        .map_err(|e| e.to_string())?;
    let message = format!(
        "session={} product={} workers={} target={}",
        env.session_id.as_deref().unwrap_or("-"),
        env.exported_product.as_deref().unwrap_or("-"),
        env.workers.len(),
        env.opts.get("target").map_or("-", String::as_str),
    );
    let location = SourceLocation {
        filename: filename.to_string(),
        data,
        language: "Dockerfile".into(),
        ranges: vec![SourceRange::lines(1, 1)],
    };
    let status = error_status(tonic::Code::InvalidArgument, message, &[location]);
    bridge.return_error(status).await.map_err(|e| e.to_string())
}

async fn return_result(bridge: &Bridge) -> Result<(), String> {
    // Must not reach the protocol pipe (the transport diverts fd 1).
    println!("stray output on stdout");
    bridge.ping().await.map_err(|e| e.to_string())?;
    let image = bridge
        .resolve_image_config(
            "docker.io/library/alpine:latest",
            None,
            ResolveMode::Default,
            "load",
        )
        .await
        .map_err(|e| e.to_string())?;
    let metadata = BTreeMap::from([("containerimage.config".to_string(), image.config)]);
    bridge
        .return_result(&Default::default(), metadata)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let env = read_env(process_vars());
    let bridge = match Bridge::connect_stdio().await {
        Ok(bridge) => bridge,
        Err(err) => {
            eprintln!("fake-frontend: {err}");
            return ExitCode::from(3);
        }
    };
    // Opening stdio twice must be refused.
    if Bridge::connect_stdio().await.is_ok() {
        eprintln!("fake-frontend: second stdio connection was allowed");
        return ExitCode::from(4);
    }
    let outcome = match mode.as_str() {
        "return-error" => return_error(&bridge, &env).await,
        "return-result" => return_result(&bridge).await,
        other => Err(format!("unknown mode {other:?}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fake-frontend: {err}");
            ExitCode::FAILURE
        }
    }
}
