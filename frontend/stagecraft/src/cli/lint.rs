//! `stagecraft lint`: the build checks, offline, over one or many files.
//!
//! Each file is also converted, every stage, as a lint request converts it:
//! a file a build would fail carries that error.
//!
//! Exit status: 0 when nothing fails, 1 when a file has findings and its
//! config says `error=true` (or `--strict`) or it does not convert, 2 when
//! a file cannot be read or checked at all.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use stagecraft_lint::{
    BaseImages, CheckConfig, Finding, ImageFacts, LintInput, PlatformSpec, Scope, file_config, lint,
};
use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, LowerRequest, Platform, ResolveError, ResolveMode,
    ResolvedImage, SourceFile, reference,
};

use super::llb::{FileResolver, config_of, read_dockerignore};
use crate::checks::facts_from_config;

use crate::checks::report::{self, BuildError, Located, Source};
use crate::checks::sarif;
use crate::diagnostic::Diagnostic;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// A Dockerfile to check (`-` for stdin); repeat for several.
    #[arg(short = 'f', long = "file")]
    files: Vec<String>,
    /// More Dockerfiles to check.
    #[arg(value_name = "FILE")]
    paths: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// A check config (`skip=…;error=true;experimental=…`) that replaces
    /// each file's `# check=` directive.
    #[arg(long = "check", value_name = "CONFIG")]
    check: Option<String>,
    /// Exit 1 on any finding, whatever the files' configs say.
    #[arg(long)]
    strict: bool,
    /// A build arg (`KEY=VALUE`), as `--build-arg` of a build.
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    build_args: Vec<String>,
    /// The target platform (default linux/amd64).
    #[arg(long)]
    platform: Option<String>,
    /// A base image's config (a config blob or `docker inspect` output):
    /// its ENV, SHELL and platform inform the checks. Other images count as
    /// having an empty config.
    #[arg(long = "image-config", value_name = "REF=FILE.json")]
    image_configs: Vec<String>,
    /// The build context, for its `.dockerignore` (default: each file's
    /// directory).
    #[arg(long)]
    context: Option<std::path::PathBuf>,
    /// The config every image without `--image-config` gets.
    #[arg(long = "default-image-config", value_name = "FILE.json")]
    default_image_config: Option<String>,
}

/// Base images known from files.
struct FileImages {
    files: FileResolver,
    default: Option<ImageFacts>,
    default_config: Option<Vec<u8>>,
}

impl FileImages {
    fn from_args(args: &LintArgs) -> Result<Self, String> {
        let (default, default_config) = match &args.default_image_config {
            None => (None, None),
            Some(file) => {
                let bytes = std::fs::read(file).map_err(|e| format!("error: {file}: {e}"))?;
                let config = config_of(&bytes, file)?;
                let facts = facts_from_config(&config)
                    .ok_or_else(|| format!("error: {file}: not an image config"))?;
                (Some(facts), Some(config))
            }
        };
        Ok(FileImages {
            files: FileResolver::from_args(&args.image_configs)?,
            default,
            default_config,
        })
    }
}

/// The conversion resolves images from the same files; an image without
/// one gets the default config (or none).
impl ImageResolver for FileImages {
    fn resolve(
        &self,
        reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let config = self
            .files
            .config(reference)
            .map(<[u8]>::to_vec)
            .or_else(|| self.default_config.clone());
        std::future::ready(Ok(ResolvedImage {
            digest: None,
            config,
        }))
    }
}

impl BaseImages for FileImages {
    fn facts(&self, reference: &str, _: &PlatformSpec) -> Option<ImageFacts> {
        let known = reference::normalize(reference)
            .ok()
            .and_then(|n| self.files.config(&n).and_then(facts_from_config));
        known.or_else(|| self.default.clone())
    }
}

/// What one file gave.
struct Checked {
    filename: String,
    data: Vec<u8>,
    findings: Vec<Finding>,
    /// The file's config says findings fail the build.
    error: bool,
    /// It could not be checked: message and line.
    failure: Option<(String, Option<stagecraft_syntax::Span>)>,
    /// It was checked, but a build of it fails: the conversion's error, or
    /// under `error=true` the findings as one.
    build_error: Option<(String, Option<stagecraft_syntax::Span>)>,
}

/// What every file is checked with.
struct Run<'a> {
    args: &'a LintArgs,
    build_args: &'a BTreeMap<String, String>,
    platform: &'a PlatformSpec,
    images: &'a FileImages,
    /// The conversion's options: the build args and platform, every stage.
    options: &'a BuildOptions,
    runtime: &'a tokio::runtime::Runtime,
}

fn check_file(path: &str, run: &Run<'_>) -> Result<Checked, String> {
    let Run {
        args,
        build_args,
        platform,
        images,
        ..
    } = *run;
    let (filename, decoded) = super::read_input(path)?;
    let mut checked = Checked {
        filename,
        data: decoded.text.as_bytes().to_vec(),
        findings: Vec::new(),
        error: false,
        failure: None,
        build_error: None,
    };
    let parsed = match stagecraft_syntax::parse_decoded(&decoded) {
        Ok(p) => p,
        Err(e) => {
            checked.failure = Some((e.to_string(), Some(e.span)));
            return Ok(checked);
        }
    };
    let config = match &args.check {
        Some(c) => CheckConfig::parse(c),
        None => file_config(
            &parsed,
            build_args
                .get(super::super::checks::CHECK_BUILD_ARG)
                .map(String::as_str),
        ),
    };
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            let span = parsed.directives.check.as_ref().map(|d| d.span);
            checked.failure = Some((format!("failed to parse check options: {e}"), span));
            return Ok(checked);
        }
    };
    let dockerfile = match stagecraft_instructions::parse_dockerfile(&parsed) {
        Ok(d) => d,
        Err(e) => {
            // What was found before the failing instruction still counts.
            checked.findings = stagecraft_lint::lint_unparsed(&parsed, &config);
            checked.failure = Some((e.to_string(), Some(e.span)));
            return Ok(checked);
        }
    };
    let context = match &args.context {
        Some(c) => c.clone(),
        None => std::path::Path::new(path)
            .parent()
            .filter(|p| path != "-" && !p.as_os_str().is_empty())
            .map_or_else(
                || std::path::PathBuf::from("."),
                std::path::Path::to_path_buf,
            ),
    };
    let ignore = read_dockerignore(path, &context)?;
    checked.error = config.error;
    let converted = convert(&checked, &parsed, &dockerfile, &ignore, run);
    checked.findings = lint(&LintInput {
        parsed: &parsed,
        dockerfile: &dockerfile,
        config: &config,
        build_args,
        target: None,
        build_platform: &PlatformSpec::default(),
        target_platform: platform,
        scope: &Scope::All,
        images,
        dockerignore: Some(&ignore),
    });
    // As a lint request answers: a file the conversion rejects carries that
    // error; one that converts, under `error=true`, its findings as one.
    checked.build_error = match converted {
        Err(e) => Some((e.kind.to_string(), e.span)),
        Ok(()) if config.error => {
            stagecraft_lint::violation(&checked.findings).map(|message| (message, None))
        }
        Ok(()) => None,
    };
    Ok(checked)
}

/// Converts every stage as a build would, for the errors only.
fn convert(
    checked: &Checked,
    parsed: &stagecraft_syntax::Parsed,
    dockerfile: &stagecraft_instructions::Dockerfile,
    ignore: &[String],
    run: &Run<'_>,
) -> Result<(), stagecraft_lower::LowerError> {
    let context = ContextConfig {
        local_name: "context".to_string(),
        session_id: None,
        local_unique: Some("stagecraft-lint".to_string()),
        exclude_patterns: ignore.to_vec(),
        named_locals: Default::default(),
        inputs: Default::default(),
        remote: None,
    };
    let source = SourceFile {
        filename: checked.filename.clone(),
        data: checked.data.clone(),
        definition: None,
    };
    let request = LowerRequest {
        dockerfile,
        escape: parsed.escape,
        source: &source,
        options: run.options,
        context: &context,
        llb_caps: None,
        limits: stagecraft_lower::Limits::default(),
    };
    let lowered = run
        .runtime
        .block_on(stagecraft_lower::lower(request, run.images))?;
    // Dropping a large graph op by op costs more than the check itself.
    std::mem::forget(lowered);
    Ok(())
}

/// The conversion's options: as a lint request of these build args and
/// platform, with no target, so every stage.
fn conversion_options(
    build_args: &BTreeMap<String, String>,
    platform: Option<&str>,
) -> Result<BuildOptions, String> {
    let mut opts: BTreeMap<String, String> = build_args
        .iter()
        .map(|(k, v)| (format!("build-arg:{k}"), v.clone()))
        .collect();
    if let Some(p) = platform {
        opts.insert("platform".to_string(), p.to_string());
    }
    let mut options = BuildOptions::from_frontend_opts(&opts, Platform::default())
        .map_err(|e| format!("error: {e}"))?;
    options.all_stages = true;
    Ok(options)
}

fn parse_build_args(raw: &[String]) -> Result<BTreeMap<String, String>, String> {
    raw.iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(format!("error: --build-arg {kv:?}: expected KEY=VALUE")),
        })
        .collect()
}

pub fn run(args: LintArgs) -> ExitCode {
    let mut files: Vec<String> = args.files.iter().chain(&args.paths).cloned().collect();
    if files.is_empty() {
        files.push("Dockerfile".to_string());
    }
    let build_args = match parse_build_args(&args.build_args) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let platform = match args.platform.as_deref().map(PlatformSpec::parse) {
        None => PlatformSpec::default(),
        Some(Some(p)) => p,
        Some(None) => {
            eprintln!(
                "error: --platform {:?}: not a platform",
                args.platform.unwrap_or_default()
            );
            return ExitCode::from(2);
        }
    };
    let images = match FileImages::from_args(&args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let options = match conversion_options(&build_args, args.platform.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let run = Run {
        args: &args,
        build_args: &build_args,
        platform: &platform,
        images: &images,
        options: &options,
        runtime: &runtime,
    };
    let mut unreadable = false;
    let mut checked = Vec::new();
    for f in &files {
        match check_file(f, &run) {
            Ok(c) => {
                unreadable |= c.failure.is_some();
                checked.push(c);
            }
            Err(e) => {
                eprintln!("{e}");
                unreadable = true;
            }
        }
    }
    let failing = checked
        .iter()
        .any(|c| c.build_error.is_some() || (!c.findings.is_empty() && (c.error || args.strict)));
    print(&checked, args.format, args.strict);
    if unreadable {
        ExitCode::from(2)
    } else if failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print(checked: &[Checked], format: Format, strict: bool) {
    let sources: Vec<Source<'_>> = checked
        .iter()
        .map(|c| Source {
            filename: &c.filename,
            data: &c.data,
        })
        .collect();
    let located: Vec<Located<'_>> = checked
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.findings.iter().map(move |f| Located {
                source: i,
                finding: f,
            })
        })
        .collect();
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = match format {
        Format::Json => {
            let error = checked.iter().enumerate().find_map(|(i, c)| {
                let failed = c.failure.as_ref().or(c.build_error.as_ref());
                failed.map(|(message, span)| BuildError {
                    source: i,
                    message,
                    span: *span,
                })
            });
            let mut out = report::json(&sources, &located, error.as_ref());
            out.push(b'\n');
            stdout.write_all(&out)
        }
        Format::Sarif => {
            let error = strict || checked.iter().any(|c| c.error);
            let mut out = sarif::sarif(&sources, &located, error);
            out.push(b'\n');
            stdout.write_all(&out)
        }
        Format::Text => {
            let mut out = String::new();
            for c in checked {
                let text = String::from_utf8_lossy(&c.data);
                if let Some((message, span)) = c.failure.as_ref().or(c.build_error.as_ref()) {
                    eprintln!(
                        "{}",
                        Diagnostic::new(&c.filename, *span, message.as_str()).render(&text)
                    );
                }
                for f in &c.findings {
                    let d = Diagnostic::new(
                        &c.filename,
                        Some(f.span),
                        format!("{}: {}", f.rule, f.message),
                    );
                    out.push_str(&d.render(&text));
                    if let Some(url) = f.rule.url() {
                        out.push_str(&format!("\n   = {url}"));
                    }
                    out.push('\n');
                }
            }
            let count: usize = checked.iter().map(|c| c.findings.len()).sum();
            if count == 0 {
                out.push_str("Check complete, no warnings found.\n");
            } else {
                out.push_str(&format!(
                    "Check complete, {count} warning{} found.\n",
                    if count == 1 { "" } else { "s" }
                ));
            }
            stdout.write_all(out.as_bytes())
        }
    };
}
