//! Checking the build graph against the daemon's caps before solving it.
//!
//! BuildKit only rejects an unknown cap when the result is used, after
//! `Return`, with a bare cap ID. Checking first lets the error name the
//! feature, the release that has it, and the Dockerfile lines that use it.

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_proto::{Caps, MissingCap, pb};
use stagecraft_syntax::Span;

use super::failure::{Failure, SourceText};
use crate::diagnostic::Diagnostic;

/// Fails when an op of `definition` needs an LLB cap the daemon lacks.
pub fn check(
    caps: &Caps,
    definition: &pb::Definition,
    source: SourceText<'_>,
) -> Result<(), Failure> {
    // Cap ID → what the daemon says about it and where it is used.
    let mut missing: BTreeMap<String, (MissingCap, BTreeSet<Span>)> = BTreeMap::new();
    for (digest, metadata) in &definition.metadata {
        for (id, required) in &metadata.caps {
            if !*required || caps.supports_llb(id) {
                continue;
            }
            let Err(mut err) = caps.llb.check([id.as_str()]) else {
                continue;
            };
            let Some(cap) = err.missing.pop() else {
                continue;
            };
            missing
                .entry(id.clone())
                .or_insert_with(|| (cap, BTreeSet::new()))
                .1
                .extend(spans_of(definition, digest));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut diagnostics = Vec::new();
    let mut all_spans = Vec::new();
    for (cap, spans) in missing.values() {
        let message = cap.to_string();
        if spans.is_empty() {
            diagnostics.push(Diagnostic::new(source.filename, None, message.clone()));
        }
        for span in spans {
            diagnostics.push(Diagnostic::new(
                source.filename,
                Some(*span),
                message.clone(),
            ));
            all_spans.push(*span);
        }
    }
    all_spans.sort();
    all_spans.dedup();
    Err(source.failure(diagnostics, &all_spans))
}

/// The Dockerfile lines an op was made from (one span per location).
fn spans_of(definition: &pb::Definition, digest: &str) -> Vec<Span> {
    let Some(source) = &definition.source else {
        return Vec::new();
    };
    let Some(locations) = source.locations.get(digest) else {
        return Vec::new();
    };
    locations
        .locations
        .iter()
        .filter_map(|location| {
            let lines = location.ranges.iter().flat_map(|r| {
                [r.start.as_ref(), r.end.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(|p| p.line)
            });
            let lines: Vec<usize> = lines
                .filter_map(|l| usize::try_from(l).ok())
                .filter(|l| *l > 0)
                .collect();
            let first = lines.iter().min()?;
            let last = lines.iter().max()?;
            Some(Span::new(*first, *last))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_llb::{FileAction, FileCopy, ImageSource, SourceMap, State};
    use stagecraft_proto::{CapKind, CapSet};

    fn caps(llb: &[&str]) -> Caps {
        Caps {
            gateway: CapSet::with_enabled(CapKind::Gateway, []),
            llb: CapSet::with_enabled(CapKind::Llb, llb.iter().copied()),
        }
    }

    const DOCKERFILE: &str = "FROM busybox\nCOPY --exclude=*.md \\\n  . /src\n";

    fn definition_with_exclude() -> pb::Definition {
        let map = SourceMap::new("Dockerfile", "Dockerfile", DOCKERFILE.as_bytes().to_vec());
        let base = State::image(ImageSource::new("docker.io/library/busybox:latest")).unwrap();
        let mut copy = FileCopy::new(base.clone(), "/", "/src");
        copy.exclude_patterns = vec!["*.md".into()];
        let state = base
            .file(vec![FileAction::Copy(copy)])
            .with_location(map.lines(2, 3));
        stagecraft_llb::marshal(&state)
    }

    #[test]
    fn missing_caps_name_feature_version_and_lines() {
        let def = definition_with_exclude();
        let source = SourceText {
            filename: "Dockerfile",
            data: DOCKERFILE.as_bytes(),
        };
        let all = caps(
            &stagecraft_llb::required_caps(&def)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert!(check(&all, &def, source).is_ok());

        let without: Vec<String> = stagecraft_llb::required_caps(&def)
            .into_iter()
            .filter(|c| c != "file.copy.includeexcludepatterns")
            .collect();
        let old = caps(&without.iter().map(String::as_str).collect::<Vec<_>>());
        let err = check(&old, &def, source).unwrap_err();
        let status = err.to_status(false);
        assert!(
            status
                .message
                .starts_with("Dockerfile:2-3: COPY --exclude needs BuildKit v0.9"),
            "{}",
            status.message
        );
        assert!(
            status.message.contains(" 2 | COPY --exclude=*.md \\"),
            "{}",
            status.message
        );
        let location = stagecraft_proto::status::decode_source_detail(&status.details[0]).unwrap();
        assert_eq!(
            location.ranges,
            vec![stagecraft_proto::SourceRange::lines(2, 3)]
        );
    }
}
