//! Errors from expanding a word.

use thiserror::Error;

/// Expansion of `input` failed; `kind` says why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("failed to process {input:?}: {kind}")]
pub struct ShellError {
    pub input: String,
    pub kind: ShellErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShellErrorKind {
    #[error("unexpected end of statement while looking for matching single-quote")]
    UnterminatedSingleQuote,
    #[error("unexpected end of statement while looking for matching double-quote")]
    UnterminatedDoubleQuote,
    #[error("unexpected end of statement while looking for matching {0}")]
    UnexpectedEnd(char),
    #[error("syntax error: missing '}}'")]
    MissingCloseBrace,
    #[error("syntax error: missing '/' in ${{}}")]
    MissingSlash,
    #[error("syntax error: bad substitution")]
    BadSubstitution,
    /// The text between the name and the operand, e.g. `:=` or `:#`.
    #[error("unsupported modifier ({0}) in substitution")]
    UnsupportedModifier(String),
    /// `${NAME?message}` / `${NAME:?message}` on an unset (or empty) variable.
    #[error("{name}: {}", message.as_deref().unwrap_or(reason.default_message()))]
    Required {
        name: String,
        message: Option<String>,
        reason: RequiredReason,
    },
    /// Not a limit of the reference; see the crate's `MAX_NESTING`.
    #[error("substitutions nested more than {limit} deep")]
    TooDeeplyNested { limit: usize },
    /// Not a limit of the reference; see [`crate::MAX_EXPANDED_BYTES`].
    #[error("the expanded text is longer than {limit} bytes")]
    TooLong { limit: usize },
    #[error("invalid pattern ({pattern}) in substitution: {source}")]
    InvalidPattern {
        pattern: String,
        source: PatternError,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequiredReason {
    Unset,
    Empty,
}

impl RequiredReason {
    fn default_message(self) -> &'static str {
        match self {
            RequiredReason::Unset => "is not allowed to be unset",
            RequiredReason::Empty => "is not allowed to be empty",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatternError {
    /// Only `*`, `?` and `\` may follow a backslash in a pattern (plus `}` and `/`, which need one).
    #[error("invalid escape '\\{0}'")]
    InvalidEscape(char),
    #[error("invalid escape at end of pattern")]
    TrailingEscape,
    #[error("{0}")]
    Regex(String),
}
