//! Warnings for the user, attached to the step that loaded the Dockerfile.

use stagecraft_proto::{Bridge, Warning, pb};

use super::load::DockerfileSource;
use super::lowering::BuildWarning;

/// Shows warnings where the daemon can (cap `gateway.warnings`, BuildKit
/// v0.10+); older daemons have no way to, and a warning never fails a build.
/// One after the other: the daemon handles concurrent calls in any order,
/// and clients list warnings in the order they arrived, which must be the
/// file's (as the reference sends them). The whole batch still travels
/// alongside the Solve.
pub async fn send(
    bridge: &Bridge,
    dockerfile: &DockerfileSource,
    warnings: impl Iterator<Item = BuildWarning>,
) {
    let vertex = dockerfile.vertex_digest();
    for warning in warnings {
        send_one(bridge, dockerfile, &vertex, warning).await;
    }
}

async fn send_one(
    bridge: &Bridge,
    dockerfile: &DockerfileSource,
    vertex: &str,
    warning: BuildWarning,
) {
    // One range per line of the instruction, as the reference locates a
    // check's finding.
    let ranges = warning
        .span
        .map(|span| {
            let pos = |line: usize| pb::Position {
                line: i32::try_from(line).unwrap_or(i32::MAX),
                character: 0,
            };
            (span.start..=span.end.max(span.start))
                .map(|line| pb::Range {
                    start: Some(pos(line)),
                    end: Some(pos(line)),
                })
                .collect()
        })
        .unwrap_or_default();
    let short = match warning.span {
        Some(span) => format!("{} (line {})", warning.short, span.start),
        None => warning.short.clone(),
    };
    let sent = bridge
        .warn(Warning {
            vertex_digest: vertex.to_string(),
            level: 1,
            short,
            detail: vec![warning.detail],
            url: warning.url,
            source: Some(pb::SourceInfo {
                filename: dockerfile.filename.clone(),
                data: dockerfile.data.clone(),
                definition: Some(dockerfile.definition.clone()),
                language: super::failure::LANGUAGE.to_string(),
            }),
            ranges,
        })
        .await;
    match sent {
        Ok(true) => {}
        Ok(false) => eprintln!("stagecraft: warning: {}", warning.short),
        Err(e) => eprintln!("stagecraft: could not send a warning: {e}"),
    }
}
