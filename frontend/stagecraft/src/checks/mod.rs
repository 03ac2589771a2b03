//! Build checks for both doors: running the lint phase with what a build
//! knows, and writing its findings as the lint subrequest's JSON and text,
//! or as SARIF.

pub mod report;
pub mod sarif;

use stagecraft_lint::{ImageFacts, PlatformSpec};

/// The build arg that overrides the file's `# check=` directive.
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// What the checks need from an image config blob; `None` if it is not one.
pub fn facts_from_config(config: &[u8]) -> Option<ImageFacts> {
    let image = stagecraft_lower::Image::from_json(config).ok()?;
    let platform = (!image.os.is_empty() && !image.architecture.is_empty())
        .then(|| PlatformSpec::new(&image.os, &image.architecture, image.variant.as_deref()));
    Some(ImageFacts {
        env: image.config.env.to_vec(),
        shell: image.config.shell.clone().unwrap_or_default(),
        platform,
        on_build: image.config.on_build.clone(),
    })
}
