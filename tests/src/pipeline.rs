//! Every phase the CLI runs, in process: bytes → parse → type → lower →
//! marshal, with base images that have no config. For the fuzz targets
//! and the hostile-input tests, which need the outcome, not the output.

use prost::Message;
use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, Limits, LowerRequest, Platform, ResolveError,
    ResolveMode, ResolvedImage, SourceFile,
};

/// How one input ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Built {
        /// Size of the marshalled Definition.
        llb_bytes: usize,
        /// Ops in it (the terminal op included).
        ops: usize,
        /// Size of the image config JSON.
        config_bytes: usize,
    },
    /// `line` is 0 when the error names none.
    Failed { line: usize, message: String },
}

/// Every base image resolves, with no digest and no config.
struct NoConfig;

impl ImageResolver for NoConfig {
    async fn resolve(
        &self,
        _reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> Result<ResolvedImage, ResolveError> {
        Ok(ResolvedImage::default())
    }
}

fn failed(line: usize, message: impl ToString) -> Outcome {
    Outcome::Failed {
        line,
        message: message.to_string(),
    }
}

/// Runs `data` through every phase under `limits`.
pub fn run(data: &[u8], limits: Limits) -> Outcome {
    // As the CLI and the gateway read it (bytes that are not UTF-8 fail a
    // RUN at its line and read as U+FFFD elsewhere).
    let parsed = match stagecraft_syntax::parse_decoded(&stagecraft_syntax::decode(data)) {
        Ok(parsed) => parsed,
        Err(e) => return failed(e.span.start, e),
    };
    let dockerfile = match stagecraft_instructions::parse_dockerfile(&parsed) {
        Ok(df) => df,
        Err(e) => return failed(e.span.start, e.kind),
    };
    let options = BuildOptions::default();
    let source = SourceFile {
        filename: "Dockerfile".into(),
        data: data.to_vec(),
        definition: None,
    };
    let context = ContextConfig {
        local_name: "context".into(),
        local_unique: Some("stress".into()),
        ..ContextConfig::default()
    };
    let request = LowerRequest {
        dockerfile: &dockerfile,
        escape: parsed.escape,
        source: &source,
        options: &options,
        context: &context,
        llb_caps: None,
        limits,
    };
    match futures::executor::block_on(stagecraft_lower::lower(request, &NoConfig)) {
        Ok(lowered) => {
            let definition = stagecraft_llb::marshal(&lowered.state);
            Outcome::Built {
                llb_bytes: definition.encoded_len(),
                ops: definition.def.len(),
                config_bytes: lowered.image.to_json().len(),
            }
        }
        Err(e) => failed(e.span.map_or(0, |s| s.start), e.kind),
    }
}
