//! SBOM attestations (`attest:sbom`, buildx `--sbom`). Left to itself the
//! daemon scans only the finished image; running the scanner here, as
//! BuildKit's Dockerfile frontend does, lets it also see the build context
//! (`BUILDKIT_SBOM_SCAN_CONTEXT`) and the stages the image was built from
//! (`BUILDKIT_SBOM_SCAN_STAGE`).
//!
//! The scanner is an image whose entrypoint and cmd read what is mounted
//! under `/run/src/` and write SPDX documents to `/run/out/`; that output
//! directory is the attestation, returned next to the image's ref.

use stagecraft_llb::{
    BindMode, ExecSpec, ImageSource, Mount, OpMeta, ResolveMode, State, pb as llb_pb,
};
use stagecraft_lower::{ImageResolver, Platform, SbomRequest, SbomTargets};
use stagecraft_proto::RefId;
use stagecraft_proto::moby::buildkit::v1::frontend as gw;

/// Where the scanner finds what it scans and puts what it finds.
const SOURCE_DIR: &str = "/run/src/";
const OUT_DIR: &str = "/run/out/";
/// The image itself is `core/sbom`; extras are `extras/sbom-<name>`.
const CORE_NAME: &str = "sbom";

/// Attestation metadata keys and values the exporters read.
const REASON_KEY: &str = "reason";
const REASON_SBOM: &str = "sbom";
const SBOM_CORE_KEY: &str = "sbom-core";
const PREDICATE_SPDX: &str = "https://spdx.dev/Document";

/// A scanner image, resolved once per build.
#[derive(Clone, Debug)]
pub struct Scanner {
    /// Pinned by digest when the daemon gave one.
    reference: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    workdir: String,
    platform: Platform,
    resolve_mode: ResolveMode,
    params: Vec<(String, String)>,
}

/// One platform's SBOM, solved: what `Return` attaches to that platform.
#[derive(Clone, Debug, PartialEq)]
pub struct SbomAttestation {
    pub reference: RefId,
}

impl Scanner {
    /// Looks the scanner image up for the build platform (it runs there,
    /// whatever the target) and reads how to run it from its config.
    pub async fn resolve(
        resolver: &impl ImageResolver,
        request: &SbomRequest,
        build_platform: &Platform,
        resolve_mode: ResolveMode,
    ) -> Result<Scanner, String> {
        let log_name = format!("[internal] load metadata for {}", request.generator);
        let found = resolver
            .resolve(&request.generator, build_platform, resolve_mode, &log_name)
            .await
            .map_err(|e| format!("sbom scanner {}: {e}", request.generator))?;
        let config: serde_json::Value = match &found.config {
            Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
                format!("sbom scanner {}: bad image config: {e}", request.generator)
            })?,
            None => serde_json::Value::Null,
        };
        let strings = |key: &str| -> Vec<String> {
            config["config"][key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let reference = match &found.digest {
            Some(d) => format!("{}@{d}", request.generator),
            None => request.generator.clone(),
        };
        let mut args = strings("Entrypoint");
        args.extend(strings("Cmd"));
        if args.is_empty() {
            return Err(format!("scanner {reference} does not have cmd"));
        }
        let env = strings("Env")
            .into_iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv, String::new()),
            })
            .collect();
        let workdir = config["config"]["WorkingDir"]
            .as_str()
            .filter(|w| w.starts_with('/'))
            .unwrap_or("/")
            .to_string();
        Ok(Scanner {
            reference,
            args,
            env,
            workdir,
            platform: build_platform.clone(),
            resolve_mode,
            params: request
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// The scan of one platform's image (`core`) and its extras: the
    /// state of the scanner's output directory. `daemon_default_path`: the
    /// daemon supplies PATH when the image sets none.
    pub fn scan(
        &self,
        platform_id: &str,
        core: &State,
        targets: &SbomTargets,
        daemon_default_path: bool,
    ) -> Result<State, String> {
        let mut env = self.env.clone();
        let mut set = |key: String, value: String| match env.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => env.push((key, value)),
        };
        set("BUILDKIT_SCAN_DESTINATION".into(), OUT_DIR.into());
        set(
            "BUILDKIT_SCAN_SOURCE".into(),
            format!("{SOURCE_DIR}core/{CORE_NAME}"),
        );
        if !targets.extras.is_empty() {
            set(
                "BUILDKIT_SCAN_SOURCE_EXTRAS".into(),
                format!("{SOURCE_DIR}extras/"),
            );
        }
        // Sorted (the options are a sorted map): same request, same ops.
        for (k, v) in &self.params {
            set(format!("BUILDKIT_SCAN_{k}"), v.clone());
        }

        let platform: llb_pb::Platform = self.platform.to_pb();
        let image = ImageSource::new(self.reference.clone())
            .with_resolve_mode(self.resolve_mode)
            .with_platform(platform.clone());
        let root = State::image(image).map_err(|e| e.to_string())?;
        let meta = OpMeta::named(format!(
            "[{platform_id}] generating sbom using {}",
            self.reference
        ))
        .with_ignore_cache(targets.ignore_cache);
        let mut spec = ExecSpec::new(self.args.clone())
            .with_cwd(self.workdir.clone())
            .with_platform(platform)
            .with_meta(meta)
            .with_mount(Mount::tmpfs("/tmp", None))
            .with_mount(Mount::bind(
                format!("{SOURCE_DIR}core/{CORE_NAME}"),
                core.clone(),
                BindMode::ReadOnly,
            ));
        spec.env = env;
        spec.daemon_default_path = daemon_default_path;
        for (name, extra) in &targets.extras {
            spec = spec.with_mount(Mount::bind(
                format!("{SOURCE_DIR}extras/{CORE_NAME}-{name}"),
                extra.clone(),
                BindMode::ReadOnly,
            ));
        }
        spec = spec.with_mount(Mount::bind(OUT_DIR, State::scratch(), BindMode::ReadWrite));
        let run = root.exec(spec).map_err(|e| e.to_string())?;
        run.mount(OUT_DIR)
            .cloned()
            .ok_or_else(|| "the scanner's output mount is missing".to_string())
    }
}

/// The `Return` form of one platform's SBOM.
pub fn to_pb(attestation: &SbomAttestation) -> gw::Attestation {
    gw::Attestation {
        kind: gw::AttestationKind::Bundle as i32,
        metadata: [
            (REASON_KEY.to_string(), REASON_SBOM.as_bytes().to_vec()),
            (SBOM_CORE_KEY.to_string(), CORE_NAME.as_bytes().to_vec()),
        ]
        .into_iter()
        .collect(),
        r#ref: Some(gw::Ref {
            id: attestation.reference.0.clone(),
            def: None,
        }),
        path: String::new(),
        in_toto_predicate_type: PREDICATE_SPDX.to_string(),
        in_toto_subjects: Vec::new(),
    }
}
