//! The build-check rules: names, descriptions and documentation links as
//! `docker/dockerfile:1` publishes them (users grep for these, and buildx
//! prints them), and which rules are off unless asked for.

/// One build check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    StageNameCasing,
    FromAsCasing,
    NoEmptyContinuation,
    ConsistentInstructionCasing,
    DuplicateStageName,
    ReservedStageName,
    JsonArgsRecommended,
    MaintainerDeprecated,
    UndefinedArgInFrom,
    WorkdirRelativePath,
    UndefinedVar,
    MultipleInstructionsDisallowed,
    LegacyKeyValueFormat,
    InvalidBaseImagePlatform,
    RedundantTargetPlatform,
    SecretsUsedInArgOrEnv,
    InvalidDefaultArgInFrom,
    FromPlatformFlagConstDisallowed,
    CopyIgnoredFile,
    InvalidDefinitionDescription,
    ExposeProtoCasing,
    ExposeInvalidFormat,
}

const DOCS: &str = "https://docs.docker.com/go/dockerfile/rule/";

impl Rule {
    pub const ALL: [Rule; 22] = [
        Rule::StageNameCasing,
        Rule::FromAsCasing,
        Rule::NoEmptyContinuation,
        Rule::ConsistentInstructionCasing,
        Rule::DuplicateStageName,
        Rule::ReservedStageName,
        Rule::JsonArgsRecommended,
        Rule::MaintainerDeprecated,
        Rule::UndefinedArgInFrom,
        Rule::WorkdirRelativePath,
        Rule::UndefinedVar,
        Rule::MultipleInstructionsDisallowed,
        Rule::LegacyKeyValueFormat,
        Rule::InvalidBaseImagePlatform,
        Rule::RedundantTargetPlatform,
        Rule::SecretsUsedInArgOrEnv,
        Rule::InvalidDefaultArgInFrom,
        Rule::FromPlatformFlagConstDisallowed,
        Rule::CopyIgnoredFile,
        Rule::InvalidDefinitionDescription,
        Rule::ExposeProtoCasing,
        Rule::ExposeInvalidFormat,
    ];

    /// The name used in `# check=skip=…`, in messages and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Rule::StageNameCasing => "StageNameCasing",
            Rule::FromAsCasing => "FromAsCasing",
            Rule::NoEmptyContinuation => "NoEmptyContinuation",
            Rule::ConsistentInstructionCasing => "ConsistentInstructionCasing",
            Rule::DuplicateStageName => "DuplicateStageName",
            Rule::ReservedStageName => "ReservedStageName",
            Rule::JsonArgsRecommended => "JSONArgsRecommended",
            Rule::MaintainerDeprecated => "MaintainerDeprecated",
            Rule::UndefinedArgInFrom => "UndefinedArgInFrom",
            Rule::WorkdirRelativePath => "WorkdirRelativePath",
            Rule::UndefinedVar => "UndefinedVar",
            Rule::MultipleInstructionsDisallowed => "MultipleInstructionsDisallowed",
            Rule::LegacyKeyValueFormat => "LegacyKeyValueFormat",
            Rule::InvalidBaseImagePlatform => "InvalidBaseImagePlatform",
            Rule::RedundantTargetPlatform => "RedundantTargetPlatform",
            Rule::SecretsUsedInArgOrEnv => "SecretsUsedInArgOrEnv",
            Rule::InvalidDefaultArgInFrom => "InvalidDefaultArgInFrom",
            Rule::FromPlatformFlagConstDisallowed => "FromPlatformFlagConstDisallowed",
            Rule::CopyIgnoredFile => "CopyIgnoredFile",
            Rule::InvalidDefinitionDescription => "InvalidDefinitionDescription",
            Rule::ExposeProtoCasing => "ExposeProtoCasing",
            Rule::ExposeInvalidFormat => "ExposeInvalidFormat",
        }
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Rule::StageNameCasing => "Stage names should be lowercase",
            Rule::FromAsCasing => "The 'as' keyword should match the case of the 'from' keyword",
            Rule::NoEmptyContinuation => {
                "Empty continuation lines will become errors in a future release"
            }
            Rule::ConsistentInstructionCasing => {
                "All commands within the Dockerfile should use the same casing (either upper or lower)"
            }
            Rule::DuplicateStageName => "Stage names should be unique",
            Rule::ReservedStageName => "Reserved words should not be used as stage names",
            Rule::JsonArgsRecommended => {
                "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals"
            }
            Rule::MaintainerDeprecated => {
                "The MAINTAINER instruction is deprecated, use a label instead to define an image author"
            }
            Rule::UndefinedArgInFrom => "FROM command must use declared ARGs",
            Rule::WorkdirRelativePath => {
                "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes"
            }
            Rule::UndefinedVar => "Variables should be defined before their use",
            Rule::MultipleInstructionsDisallowed => {
                "Multiple instructions of the same type should not be used in the same stage"
            }
            Rule::LegacyKeyValueFormat => {
                "Legacy key/value format with whitespace separator should not be used"
            }
            Rule::InvalidBaseImagePlatform => {
                "Base image platform does not match expected target platform"
            }
            Rule::RedundantTargetPlatform => {
                "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"
            }
            Rule::SecretsUsedInArgOrEnv => {
                "Sensitive data should not be used in the ARG or ENV commands"
            }
            Rule::InvalidDefaultArgInFrom => {
                "Default value for global ARG results in an empty or invalid base image name"
            }
            Rule::FromPlatformFlagConstDisallowed => {
                "FROM --platform flag should not use a constant value"
            }
            Rule::CopyIgnoredFile => "Attempting to Copy file that is excluded by .dockerignore",
            Rule::InvalidDefinitionDescription => {
                "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment."
            }
            Rule::ExposeProtoCasing => "Protocol in EXPOSE instruction should be lowercase",
            Rule::ExposeInvalidFormat => {
                "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release"
            }
        }
    }

    /// The documentation page; InvalidBaseImagePlatform has none.
    pub fn url(self) -> Option<String> {
        let slug = match self {
            Rule::InvalidBaseImagePlatform => return None,
            Rule::JsonArgsRecommended => "json-args-recommended".to_string(),
            other => kebab(other.name()),
        };
        Some(format!("{DOCS}{slug}/"))
    }

    /// Experimental rules run only when `experimental=` names them.
    pub fn experimental(self) -> bool {
        matches!(self, Rule::InvalidDefinitionDescription)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `StageNameCasing` → `stage-name-casing`.
fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_urls_follow_the_docs() {
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(
            Rule::FromPlatformFlagConstDisallowed.url().as_deref(),
            Some("https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/")
        );
        assert_eq!(
            Rule::JsonArgsRecommended.url().as_deref(),
            Some("https://docs.docker.com/go/dockerfile/rule/json-args-recommended/")
        );
        assert_eq!(Rule::InvalidBaseImagePlatform.url(), None);
        assert_eq!(
            Rule::ALL.iter().filter(|r| r.experimental()).count(),
            1,
            "only InvalidDefinitionDescription is experimental in 1.26"
        );
    }
}
