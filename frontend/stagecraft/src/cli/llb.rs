//! `stagecraft llb`: the marshalled `Definition` of the same lowering the
//! gateway runs, for `stagecraft llb | buildctl build --local context=. …`.
//!
//! No BuildKit is asked anything: base images stay unpinned and their
//! configs come from `--image-config` files when given.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, LowerRequest, Platform, ResolveError, ResolveMode,
    ResolvedImage, SourceFile, reference,
};

use super::source::load;
use crate::checks::CHECK_BUILD_ARG;

/// buildctl sends the context through its own session; without one, a
/// local source needs a unique id, and a fixed one keeps digests stable.
const LOCAL_UNIQUE: &str = "stagecraft-cli-context";

#[derive(Args, Debug)]
pub struct LlbArgs {
    /// The Dockerfile (`-` for stdin).
    #[arg(short = 'f', long = "file", default_value = "Dockerfile")]
    file: String,
    /// The build context directory (for `.dockerignore`).
    #[arg(long, default_value = ".")]
    context: PathBuf,
    /// The stage to build (default: the last one).
    #[arg(long)]
    target: Option<String>,
    /// A build argument (repeatable).
    #[arg(long = "build-arg", value_name = "K=V")]
    build_args: Vec<String>,
    /// The target platform, e.g. linux/arm64; several (comma-separated) only
    /// with --json, since a Definition is one platform's build.
    #[arg(long)]
    platform: Option<String>,
    /// Name steps as a multi-platform build does (`[linux/arm64 build 2/4]`);
    /// implied by several platforms.
    #[arg(long)]
    multi_platform: bool,
    /// A base image's config JSON (`docker inspect`-style image config or
    /// a registry config blob), as REF=FILE.json (repeatable).
    #[arg(long = "image-config", value_name = "REF=FILE.json")]
    image_configs: Vec<String>,
    /// A raw frontend option as BuildKit passes it, e.g. `no-cache=` or
    /// `label:k=v` (repeatable; wins over the flags above).
    #[arg(long = "opt", value_name = "K=V")]
    opts: Vec<String>,
    /// Also write the image config the build would produce to this file.
    #[arg(long = "image-out", value_name = "FILE")]
    image_out: Option<PathBuf>,
    /// Print the Definition readably, one op per line with its digest.
    #[arg(long)]
    json: bool,
}

pub fn run(args: LlbArgs) -> Result<(), String> {
    let mut loaded = load(&args.file)?;
    let resolver = FileResolver::from_args(&args.image_configs)?;

    let mut opts = BTreeMap::new();
    if args.file != "-" {
        let name = Path::new(&args.file)
            .file_name()
            .map_or("Dockerfile".into(), |n| n.to_string_lossy().into_owned());
        opts.insert("filename".to_string(), name);
    }
    if let Some(t) = &args.target {
        opts.insert("target".to_string(), t.clone());
    }
    if let Some(p) = &args.platform {
        opts.insert("platform".to_string(), p.clone());
    }
    if args.multi_platform {
        opts.insert("multi-platform".to_string(), "true".to_string());
    }
    for kv in &args.build_args {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("error: --build-arg {kv:?} is not of the form K=V"))?;
        opts.insert(format!("build-arg:{k}"), v.to_string());
    }
    for kv in &args.opts {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("error: --opt {kv:?} is not of the form K=V"))?;
        opts.insert(k.to_string(), v.to_string());
    }
    let options = BuildOptions::from_frontend_opts(&opts, Platform::default())
        .map_err(|e| format!("error: {e}"))?;
    check_config(&loaded, &options)?;
    // The syntax tree has served (typing, the check config): giving its
    // pages back before the lowering lowers the peak by its size.
    drop(std::mem::take(&mut loaded.parsed));

    let context = ContextConfig {
        local_name: "context".to_string(),
        session_id: None,
        local_unique: Some(LOCAL_UNIQUE.to_string()),
        exclude_patterns: read_dockerignore(&args.file, &args.context)?,
        named_locals: Default::default(),
        inputs: Default::default(),
        remote: None,
    };
    let source = SourceFile {
        filename: options.filename.clone(),
        data: loaded.text.clone().into_bytes(),
        definition: None,
    };
    let per_platform = options.for_each_platform();
    if per_platform.len() > 1 && !args.json {
        return Err(
            "error: a Definition is one platform's build: give one --platform per run \
             (add --multi-platform to name steps as a multi-platform build does), \
             or add --json to print every platform's ops"
                .to_string(),
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("error: starting the runtime: {e}"))?;
    let mut states = Vec::new();
    let mut unresolved = std::collections::BTreeSet::new();
    let mut images = Vec::new();
    for options in &per_platform {
        let request = LowerRequest {
            dockerfile: &loaded.dockerfile,
            escape: loaded.escape,
            source: &source,
            options,
            context: &context,
            llb_caps: None,
            limits: stagecraft_lower::Limits::default(),
        };
        let lowered = runtime
            .block_on(stagecraft_lower::lower(request, &resolver))
            .map_err(|e| loaded.error(e.span, &e.kind.to_string()))?;
        unresolved.extend(lowered.unresolved_images.iter().cloned());
        images.push((options.platform().id(), lowered.image.to_json()));
        states.push((options.platform().id(), lowered.state.clone()));
        // The process ends soon: handing a graph of thousands of ops back to
        // the allocator piece by piece would cost a tenth of building it.
        std::mem::forget(lowered);
    }
    if !unresolved.is_empty() {
        eprintln!(
            "note: no --image-config for {}: their ENV, WORKDIR, USER and ONBUILD are not applied",
            unresolved.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    if let Some(path) = &args.image_out {
        std::fs::write(path, images_json(&images))
            .map_err(|e| format!("error: {}: {e}", path.display()))?;
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match states.as_slice() {
        [(_, state)] if args.json => writeln!(
            stdout,
            "{}",
            stagecraft_llb::dump_json(&stagecraft_llb::marshal(state))
        ),
        // Straight from the graph: no Definition of copied ops, no encoded
        // copy of that.
        [(_, state)] => stagecraft_llb::write_definition(state, &mut stdout),
        several => {
            let definitions: Vec<_> = several
                .iter()
                .map(|(platform, state)| (platform.clone(), stagecraft_llb::marshal(state)))
                .collect();
            write_platforms_json(&mut stdout, &definitions)
        }
    };
    let flushed = written
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("error: writing stdout: {e}"));
    // Likewise for the graphs and the parsed file.
    std::mem::forget((states, loaded));
    flushed
}

/// One platform's image config as is; several as `{"linux/amd64": {…}, …}`.
fn images_json(images: &[(String, Vec<u8>)]) -> Vec<u8> {
    match images {
        [(_, config)] => config.clone(),
        several => {
            let map: serde_json::Map<String, serde_json::Value> = several
                .iter()
                .map(|(platform, config)| {
                    let value = serde_json::from_slice(config).unwrap_or(serde_json::Value::Null);
                    (platform.clone(), value)
                })
                .collect();
            serde_json::Value::Object(map).to_string().into_bytes()
        }
    }
}

/// `{"linux/amd64": [ops…], "linux/arm64": [ops…]}` in the order asked: ops
/// two platforms share show the same digest in both.
fn write_platforms_json(
    out: &mut impl Write,
    definitions: &[(String, stagecraft_llb::pb::Definition)],
) -> std::io::Result<()> {
    writeln!(out, "{{")?;
    for (i, (platform, definition)) in definitions.iter().enumerate() {
        let comma = if i + 1 < definitions.len() { "," } else { "" };
        let key = serde_json::Value::from(platform.as_str());
        let ops = stagecraft_llb::dump_json(definition);
        writeln!(out, "{key}: {}{comma}", ops.trim_end())?;
    }
    writeln!(out, "}}")
}

/// A check config that does not parse fails the conversion, as it fails a
/// build (the gateway says the same).
fn check_config(loaded: &super::source::Loaded, options: &BuildOptions) -> Result<(), String> {
    let arg = options.build_args.get(CHECK_BUILD_ARG).map(String::as_str);
    match stagecraft_lint::file_config(&loaded.parsed, arg) {
        Ok(_) => Ok(()),
        Err(e) if arg.is_some() => Err(format!(
            "error: failed to parse build-arg:{CHECK_BUILD_ARG}: {e}"
        )),
        Err(e) => Err(loaded.error(
            loaded.parsed.directives.check.as_ref().map(|d| d.span),
            &format!("failed to parse check options: {e}"),
        )),
    }
}

/// `<Dockerfile>.dockerignore` next to the Dockerfile wins over the
/// context's `.dockerignore`, as in Docker.
pub(super) fn read_dockerignore(file: &str, context: &Path) -> Result<Vec<String>, String> {
    let candidates = [
        (file != "-").then(|| PathBuf::from(format!("{file}.dockerignore"))),
        Some(context.join(".dockerignore")),
    ];
    for path in candidates.into_iter().flatten() {
        match std::fs::read(&path) {
            Ok(bytes) => return Ok(crate::dockerignore::parse(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("error: {}: {e}", path.display())),
        }
    }
    Ok(Vec::new())
}

/// Image configs given on the command line, keyed by normalised reference.
pub(super) struct FileResolver {
    configs: BTreeMap<String, Vec<u8>>,
}

impl FileResolver {
    /// The config given for a normalised reference.
    pub(super) fn config(&self, normalized: &str) -> Option<&[u8]> {
        self.configs.get(normalized).map(Vec::as_slice)
    }

    pub(super) fn from_args(pairs: &[String]) -> Result<Self, String> {
        let mut configs = BTreeMap::new();
        for pair in pairs {
            let (name, file) = pair.split_once('=').ok_or_else(|| {
                format!("error: --image-config {pair:?} is not of the form REF=FILE.json")
            })?;
            let normalized = reference::normalize(name)
                .map_err(|e| format!("error: --image-config {name:?}: {e}"))?;
            let bytes = std::fs::read(file).map_err(|e| format!("error: {file}: {e}"))?;
            configs.insert(normalized, config_of(&bytes, file)?);
        }
        Ok(FileResolver { configs })
    }
}

/// Accepts an image config blob, or `docker inspect` output (an array of
/// objects whose `Config` is the container config), so either can be saved
/// straight to a file.
pub(super) fn config_of(bytes: &[u8], file: &str) -> Result<Vec<u8>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("error: {file}: not JSON: {e}"))?;
    let inspected = match &value {
        serde_json::Value::Array(items) => items.first(),
        _ => None,
    };
    let Some(inspect) = inspected else {
        return Ok(bytes.to_vec());
    };
    let mut image = serde_json::Map::new();
    for (from, to) in [
        ("Architecture", "architecture"),
        ("Os", "os"),
        ("Variant", "variant"),
        ("Config", "config"),
        ("RootFS", "rootfs"),
    ] {
        if let Some(v) = inspect.get(from) {
            image.insert(to.to_string(), v.clone());
        }
    }
    if let Some(rootfs) = image.get_mut("rootfs").and_then(|r| r.as_object_mut()) {
        if let Some(kind) = rootfs.remove("Type") {
            rootfs.insert("type".to_string(), kind);
        }
        if let Some(layers) = rootfs.remove("Layers") {
            rootfs.insert("diff_ids".to_string(), layers);
        }
    }
    serde_json::to_vec(&image).map_err(|e| format!("error: {file}: {e}"))
}

impl ImageResolver for FileResolver {
    fn resolve(
        &self,
        reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let config = self.configs.get(reference).cloned();
        std::future::ready(Ok(ResolvedImage {
            digest: None,
            config,
        }))
    }

    /// An OCI layout image is named like any other (`--image-config
    /// docker.io/library/<context>@sha256:…=FILE`); no store is read.
    fn resolve_oci(
        &self,
        reference: &str,
        platform: &Platform,
        _store: &stagecraft_lower::OciStore,
        log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        self.resolve(reference, platform, ResolveMode::Default, log_name)
    }
}
