//! Helpers shared by the cross-crate test binaries: BuildKit's conformance
//! data, read in place, and a one-call lowering of a Dockerfile text.

// Each test binary compiles this module and uses its own subset.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, LowerError, LowerRequest, Lowered, Platform,
    SourceFile,
};

/// `<workspace>/../shared/conformance/buildkit`. When it is missing the test
/// fails under `CI=true` and is skipped loudly otherwise.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/buildkit");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "conformance data not found at {} (required when CI=true)",
        dir.display()
    );
    eprintln!("SKIPPED: conformance data not found at {}", dir.display());
    None
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A linux/amd64 build of `Dockerfile` with nothing else set.
pub fn options() -> BuildOptions {
    BuildOptions {
        filename: "Dockerfile".into(),
        build_platform: Platform::linux_amd64(),
        ..BuildOptions::default()
    }
}

/// The main context named `context`, with a fixed session or unique id so
/// that digests stay the same between runs.
pub fn context(session_id: Option<&str>, local_unique: Option<&str>) -> ContextConfig {
    ContextConfig {
        local_name: "context".into(),
        session_id: session_id.map(str::to_string),
        local_unique: local_unique.map(str::to_string),
        exclude_patterns: Vec::new(),
        named_locals: Default::default(),
        inputs: Default::default(),
        remote: None,
    }
}

/// Parses, types and lowers `text` (which must parse) for a daemon with
/// `caps` (`None`: every cap).
pub fn lower(
    text: &str,
    options: &BuildOptions,
    context: &ContextConfig,
    resolver: &impl ImageResolver,
    caps: Option<&BTreeSet<String>>,
) -> Result<Lowered, Box<LowerError>> {
    let parsed = stagecraft_syntax::parse(text).expect("parses");
    let df = stagecraft_instructions::parse_dockerfile(&parsed).expect("typed");
    let source = SourceFile {
        filename: "Dockerfile".into(),
        data: text.as_bytes().to_vec(),
        definition: None,
    };
    let req = LowerRequest {
        dockerfile: &df,
        escape: parsed.escape,
        source: &source,
        options,
        context,
        llb_caps: caps,
        limits: stagecraft_lower::Limits::default(),
    };
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(stagecraft_lower::lower(req, resolver))
        .map_err(Box::new)
}

/// The marshalled ops as the llb crate dumps them.
pub fn ops(l: &Lowered) -> Vec<Value> {
    serde_json::from_str(&stagecraft_llb::dump_json(&l.state.marshal())).expect("json")
}

/// Progress names of the marshalled ops, in op order.
pub fn op_names(l: &Lowered) -> Vec<String> {
    let def = l.state.marshal();
    def.def
        .iter()
        .filter_map(|b| def.metadata.get(&stagecraft_llb::digest_of(b)))
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect()
}

#[track_caller]
pub fn assert_contains(list: &[String], want: &str) {
    assert!(
        list.iter().any(|s| s == want),
        "missing {want:?} in {list:?}"
    );
}
