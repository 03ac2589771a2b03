//! Why lowering failed, with the Dockerfile lines concerned.

use stagecraft_syntax::Span;

use crate::options::OptionError;

/// A lowering failure. `span` is the instruction it concerns; `None` for
/// errors about options or the whole file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LowerError {
    pub kind: LowerErrorKind,
    pub span: Option<Span>,
}

impl LowerError {
    pub fn new(kind: LowerErrorKind, span: Option<Span>) -> Self {
        LowerError { kind, span }
    }

    pub fn at(kind: LowerErrorKind, span: Span) -> Self {
        LowerError {
            kind,
            span: Some(span),
        }
    }

    /// Attaches `span` unless the error already names a line.
    pub fn or_span(mut self, span: Span) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// A feature not implemented yet, reported at `span`.
    pub fn unsupported(what: impl Into<String>, span: Span) -> Self {
        LowerError::at(LowerErrorKind::Unsupported(what.into()), span)
    }
}

impl std::fmt::Display for LowerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            Some(span) if span.start > 0 && span.end > span.start => {
                write!(f, "Dockerfile:{}-{}: {}", span.start, span.end, self.kind)
            }
            Some(span) if span.start > 0 => write!(f, "Dockerfile:{}: {}", span.start, self.kind),
            _ => write!(f, "{}", self.kind),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LowerErrorKind {
    #[error(transparent)]
    Option(#[from] OptionError),
    /// Boxed: the instruction error is the largest variant by far.
    #[error(transparent)]
    Instruction(Box<stagecraft_instructions::InstructionError>),
    #[error(transparent)]
    Syntax(#[from] stagecraft_syntax::SyntaxError),
    #[error(transparent)]
    Expand(#[from] stagecraft_shell::ShellError),
    #[error(transparent)]
    Llb(#[from] stagecraft_llb::LlbError),

    #[error(
        "target stage {target:?} could not be found{}{}",
        suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default(),
        if known.is_empty() {
            ": the Dockerfile has no named stages (name one with `FROM … AS <name>`)".to_string()
        } else {
            format!(" (stages: {})", known.join(", "))
        }
    )]
    UnknownTarget {
        target: String,
        known: Vec<String>,
        suggestion: Option<String>,
    },
    #[error(
        "cannot {action} from stage {from:?}: it is defined at or after the current stage {current:?} (line {from_line}); stages can only use earlier stages"
    )]
    LaterStage {
        action: &'static str,
        from: String,
        current: String,
        from_line: usize,
    },
    #[error("invalid stage index {index} (the Dockerfile has {count} stages)")]
    StageIndex { index: usize, count: usize },
    #[error("circular dependency detected on stage: {stage}")]
    Cycle { stage: String },
    #[error(
        "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround"
    )]
    FromExpansion,
    #[error("base name ({0}) should not be blank")]
    BlankBaseName(String),
    #[error("failed to parse platform {given}: {why}")]
    Platform { given: String, why: String },
    #[error("failed to parse stage name {name:?}: {why}")]
    Reference { name: String, why: String },
    #[error("{reference}: {message}")]
    Resolve { reference: String, message: String },
    #[error("failed to parse image config of {reference}: {why}")]
    ImageConfig { reference: String, why: String },
    #[error("onbuild trigger should be a single expression")]
    OnbuildTrigger,
    #[error("{instruction}: {message}")]
    Invalid {
        instruction: &'static str,
        message: String,
    },
    /// Not a limit of the reference; see `Limits`.
    #[error(
        "the build's LLB and image config grow past {limit} bytes here, more than the daemon accepts in one message"
    )]
    OutputTooLarge { limit: usize },
    /// Not a limit of the reference; see `Limits`.
    #[error("the global ARG values take more than {limit} bytes")]
    ArgsTooLarge { limit: usize },
    #[error("not yet supported: {0}")]
    Unsupported(String),
    /// A `context:<name>` option that cannot be used.
    #[error("{message}")]
    NamedContext { message: String },
    /// A flag this daemon cannot honour. Failing is the point: building
    /// without it would give a different image than the Dockerfile asks for.
    #[error(
        "{instruction} {flag} needs BuildKit {} or newer: this daemon lacks the LLB capability {cap}",
        cap.since()
    )]
    MissingCap {
        instruction: &'static str,
        flag: String,
        cap: stagecraft_llb::Cap,
    },
}

impl From<stagecraft_instructions::InstructionError> for LowerErrorKind {
    fn from(e: stagecraft_instructions::InstructionError) -> Self {
        LowerErrorKind::Instruction(Box::new(e))
    }
}
