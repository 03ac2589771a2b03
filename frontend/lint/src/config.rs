//! Which checks run and whether findings fail the build: the `# check=`
//! directive, the `BUILDKIT_DOCKERFILE_CHECK` build arg, and `# check=`
//! comments above single instructions.

use std::collections::BTreeSet;

use crate::rule::Rule;

/// A `skip=…;error=…;experimental=…` value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckConfig {
    pub skip_all: bool,
    /// Rule names as written; unknown names are kept and simply match nothing.
    pub skip: BTreeSet<String>,
    pub experimental_all: bool,
    pub experimental: BTreeSet<String>,
    /// `error=true`: any finding fails the build.
    pub error: bool,
}

/// A check value that cannot be read, worded as the reference words it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid check option {0:?}")]
    Invalid(String),
    #[error(
        "failed to parse check option {part:?}: strconv.ParseBool: parsing {value:?}: invalid syntax"
    )]
    NotBool { part: String, value: String },
}

fn names(value: &str) -> (bool, BTreeSet<String>) {
    let value = value.trim();
    if value == "all" {
        return (true, BTreeSet::new());
    }
    (
        false,
        value.split(',').map(|s| s.trim().to_string()).collect(),
    )
}

/// Go's `strconv.ParseBool`.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

impl CheckConfig {
    /// Parses a check value. Like the reference, only the first three
    /// `;`-separated parts are read as options (a fourth stays in the third).
    pub fn parse(value: &str) -> Result<CheckConfig, ConfigError> {
        let value = value.trim();
        let mut config = CheckConfig::default();
        if value.is_empty() {
            return Ok(config);
        }
        for part in value.splitn(3, ';') {
            let Some((key, v)) = part.split_once('=') else {
                return Err(ConfigError::Invalid(part.to_string()));
            };
            match key.trim() {
                "skip" => (config.skip_all, config.skip) = names(v),
                "experimental" => (config.experimental_all, config.experimental) = names(v),
                "error" => {
                    config.error = parse_bool(v.trim()).ok_or_else(|| ConfigError::NotBool {
                        part: part.to_string(),
                        value: v.trim().to_string(),
                    })?;
                }
                other => return Err(ConfigError::Invalid(other.to_string())),
            }
        }
        Ok(config)
    }

    /// `other` layered on top: skips and experimental opt-ins add up; the
    /// error flag stays the file's.
    pub fn merged(&self, other: &CheckConfig) -> CheckConfig {
        let mut out = self.clone();
        out.skip_all |= other.skip_all;
        out.experimental_all |= other.experimental_all;
        out.skip.extend(other.skip.iter().cloned());
        out.experimental.extend(other.experimental.iter().cloned());
        out
    }

    /// This config with the first `check=` comment above an instruction
    /// applied (comments are given without their `#`). A comment that does
    /// not parse changes nothing.
    pub fn with_comments(&self, comments: &[String]) -> CheckConfig {
        for comment in comments {
            let Some(value) = check_comment(comment) else {
                continue;
            };
            let first = value.split(' ').next().unwrap_or_default();
            return match CheckConfig::parse(first) {
                Ok(c) => self.merged(&c),
                Err(_) => self.clone(),
            };
        }
        self.clone()
    }

    /// Whether `rule` reports under this config.
    pub fn enabled(&self, rule: Rule) -> bool {
        let name = rule.name();
        if rule.experimental() {
            self.experimental_all || self.experimental.contains(name)
        } else {
            !(self.skip_all || self.skip.contains(name))
        }
    }
}

/// The value of a `check=…` comment, read as a parser directive would be:
/// a name, `=`, then the value without surrounding blanks.
fn check_comment(comment: &str) -> Option<&str> {
    let line = comment.trim_start();
    let name_end = line
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(name_end);
    if !name.eq_ignore_ascii_case("check") {
        return None;
    }
    let value = rest.trim_start().strip_prefix('=')?.trim();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_three_options() {
        let c =
            CheckConfig::parse("skip=StageNameCasing, FromAsCasing;error=true;experimental=all")
                .unwrap();
        assert!(c.error && c.experimental_all && !c.skip_all);
        assert_eq!(
            c.skip.iter().map(String::as_str).collect::<Vec<_>>(),
            ["FromAsCasing", "StageNameCasing"]
        );
        assert!(!c.enabled(Rule::StageNameCasing));
        assert!(c.enabled(Rule::InvalidDefinitionDescription));
        assert!(CheckConfig::parse("skip=all").unwrap().skip_all);
        assert_eq!(CheckConfig::parse("  ").unwrap(), CheckConfig::default());
    }

    #[test]
    fn errors_are_worded_as_the_reference() {
        assert_eq!(
            CheckConfig::parse("bogus").unwrap_err().to_string(),
            "invalid check option \"bogus\""
        );
        assert_eq!(
            CheckConfig::parse("level=1").unwrap_err().to_string(),
            "invalid check option \"level\""
        );
        assert_eq!(
            CheckConfig::parse("error=maybe").unwrap_err().to_string(),
            "failed to parse check option \"error=maybe\": strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
    }

    #[test]
    fn experimental_rules_ignore_skip_and_need_an_opt_in() {
        let c = CheckConfig::default();
        assert!(!c.enabled(Rule::InvalidDefinitionDescription));
        let c = CheckConfig::parse("experimental=InvalidDefinitionDescription").unwrap();
        assert!(c.enabled(Rule::InvalidDefinitionDescription));
    }

    #[test]
    fn instruction_comments_add_skips() {
        let base = CheckConfig::parse("error=true").unwrap();
        let c = base.with_comments(&[
            "some note".to_string(),
            "check=skip=JSONArgsRecommended trailing words".to_string(),
        ]);
        assert!(c.error);
        assert!(!c.enabled(Rule::JsonArgsRecommended));
        assert!(c.enabled(Rule::UndefinedVar));
        let bad = base.with_comments(&["check=nonsense".to_string()]);
        assert_eq!(bad, base);
    }
}
