//! The one place the gateway calls the lowering phase.

use std::collections::{BTreeMap, BTreeSet};

use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, Limits, LowerRequest, NamedLocal, Platform,
    SourceFile,
};
use stagecraft_proto::pb;
use stagecraft_syntax::Span;

use super::failure::{Failure, SourceText};
use super::load::DockerfileSource;
use super::request::CONTEXT_LOCAL;
use super::resolver::BridgeResolver;

/// Everything the lowering needs from the gateway.
pub struct LowerInput<'a> {
    pub dockerfile: &'a stagecraft_instructions::Dockerfile,
    pub escape: char,
    pub source: &'a DockerfileSource,
    pub options: &'a BuildOptions,
    pub session_id: Option<String>,
    pub exclude_patterns: Vec<String>,
    pub named_locals: BTreeMap<String, NamedLocal>,
    /// The client's frontend inputs (`input:` named contexts).
    pub inputs: &'a BTreeMap<String, pb::Definition>,
    /// The main context when it is remote (Git, HTTP).
    pub remote: Option<stagecraft_llb::State>,
    pub llb_caps: BTreeSet<String>,
    pub limits: Limits,
}

/// The build graph and what goes with the image.
#[derive(Debug)]
pub struct Built {
    /// Marshalled, with the Dockerfile as source map.
    pub definition: pb::Definition,
    /// The same graph unmarshalled, for an SBOM scan to mount.
    pub state: stagecraft_llb::State,
    /// What an SBOM scanner sees besides the image, when one was asked for.
    pub sbom: Option<stagecraft_lower::SbomTargets>,
    pub image_config: Vec<u8>,
    pub platform: Platform,
    /// SOURCE_DATE_EPOCH, when the build sets one.
    pub epoch: Option<i64>,
    pub warnings: Vec<BuildWarning>,
}

#[derive(Clone, Debug)]
pub struct BuildWarning {
    pub short: String,
    pub detail: String,
    pub url: Option<String>,
    pub span: Option<Span>,
}

pub async fn lower(input: LowerInput<'_>, resolver: &BridgeResolver) -> Result<Built, Failure> {
    let source = SourceText {
        filename: &input.source.filename,
        data: &input.source.data,
    };
    let lowered = lower_raw(input, resolver)
        .await
        .map_err(|e| source.error_at(e.span, &e.kind.to_string()))?;
    Ok(Built {
        definition: stagecraft_llb::marshal(&lowered.state),
        state: lowered.state,
        sbom: lowered.sbom,
        image_config: lowered.image.to_json(),
        platform: lowered.platform,
        epoch: lowered.epoch,
        warnings: lowered
            .warnings
            .into_iter()
            .map(|w| BuildWarning {
                short: w.short,
                detail: w.detail,
                url: None,
                span: w.span,
            })
            .collect(),
    })
}

/// Whether the file converts, as a lint request asks: the conversion's
/// error as the request reports it, its message and lines.
pub async fn conversion_error(
    input: LowerInput<'_>,
    resolver: &impl ImageResolver,
) -> Option<(String, Option<Span>)> {
    lower_raw(input, resolver)
        .await
        .err()
        .map(|e| (e.kind.to_string(), e.span))
}

async fn lower_raw(
    input: LowerInput<'_>,
    resolver: &impl ImageResolver,
) -> Result<stagecraft_lower::Lowered, stagecraft_lower::LowerError> {
    let file = SourceFile {
        filename: input.source.filename.clone(),
        data: input.source.data.clone(),
        definition: Some(input.source.definition.clone()),
    };
    let context = ContextConfig {
        local_name: CONTEXT_LOCAL.to_string(),
        session_id: input.session_id,
        local_unique: None,
        exclude_patterns: input.exclude_patterns,
        named_locals: input.named_locals,
        inputs: input.inputs.clone(),
        remote: input.remote,
    };
    let request = LowerRequest {
        dockerfile: input.dockerfile,
        escape: input.escape,
        source: &file,
        options: input.options,
        context: &context,
        llb_caps: Some(&input.llb_caps),
        limits: input.limits,
    };
    stagecraft_lower::lower(request, resolver).await
}
