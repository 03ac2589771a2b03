use stagecraft_syntax::Span;

use crate::device::DeviceError;
use crate::duration::DurationError;
use crate::mount::MountError;
use crate::suggest::Hint;

/// Why a Dockerfile's instructions were rejected, with the lines concerned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InstructionError {
    pub kind: ErrorKind,
    pub span: Span,
    /// The instruction keyword as the user wrote it (e.g. `RUN`), when the
    /// error concerns one instruction.
    pub instruction: Option<String>,
}

impl InstructionError {
    pub fn new(kind: ErrorKind, span: Span, instruction: Option<String>) -> Self {
        InstructionError {
            kind,
            span,
            instruction,
        }
    }

    /// First source line of the offending instruction.
    pub fn line(&self) -> usize {
        self.span.start
    }
}

impl std::fmt::Display for InstructionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.instruction {
            Some(instruction) => write!(
                f,
                "dockerfile parse error on line {} ({instruction}): {}",
                self.span.start, self.kind
            ),
            None if self.span.start == 0 => write!(f, "dockerfile parse error: {}", self.kind),
            None => write!(
                f,
                "dockerfile parse error on line {}: {}",
                self.span.start, self.kind
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("unknown instruction: {name}{}", Hint(suggestion))]
    UnknownInstruction {
        name: String,
        suggestion: Option<String>,
    },
    #[error(
        "no build stage in current context: {instruction} comes before the first FROM (only ARG may precede FROM)"
    )]
    InstructionBeforeFrom { instruction: String },
    #[error("dockerfile contains no stages to build (no FROM instruction)")]
    NoStages,

    #[error("unknown flag: {flag}{}", Hint(suggestion))]
    UnknownFlag {
        flag: String,
        suggestion: Option<String>,
    },
    #[error("unknown flag: {flag} ({flag} is a flag of {owners}, not of {instruction})")]
    FlagOfOtherInstruction {
        flag: String,
        instruction: String,
        owners: String,
    },
    #[error("duplicate flag specified: {flag}")]
    DuplicateFlag { flag: String },
    #[error("missing a value on flag: {flag}")]
    MissingFlagValue { flag: String },
    #[error("expecting boolean value for flag {flag}, not: {value}")]
    NotABool { flag: String, value: String },
    #[error("arg should start with -- : {arg}")]
    NotAFlag { arg: String },

    #[error("{instruction} requires at least one argument")]
    AtLeastOneArgument { instruction: &'static str },
    #[error("{instruction} requires exactly one argument")]
    ExactlyOneArgument { instruction: &'static str },
    #[error(
        "{instruction} requires at least two arguments, but only one was provided. Destination could not be determined"
    )]
    NoDestination { instruction: &'static str },
    #[error("{instruction} cannot accept a heredoc as a destination")]
    HeredocDestination { instruction: &'static str },
    #[error("{instruction} names can not be blank")]
    BlankName { instruction: &'static str },
    #[error("Bad input to {instruction}, too many arguments")]
    TooManyArguments { instruction: &'static str },
    #[error("{instruction} requires the arguments to be in JSON form")]
    NotJson { instruction: &'static str },

    #[error("FROM requires either one or three arguments (FROM <image> [AS <name>])")]
    FromArguments,
    #[error(
        "invalid name for build stage: {name:?}, name can't start with a number or contain symbols"
    )]
    InvalidStageName { name: String },

    #[error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    OnbuildChained,
    #[error("{trigger} isn't allowed as an ONBUILD trigger")]
    OnbuildForbidden { trigger: String },

    #[error("HEALTHCHECK NONE takes no arguments")]
    HealthcheckNoneArguments,
    #[error("Missing command after HEALTHCHECK CMD")]
    HealthcheckMissingCommand,
    #[error("Unknown type {kind:?} in HEALTHCHECK (try CMD)")]
    HealthcheckUnknownType { kind: String },
    #[error("invalid value for --{flag}: {source}")]
    HealthcheckDuration {
        flag: &'static str,
        source: DurationError,
    },
    #[error("Interval {flag:?} cannot be less than 1ms (got {value})")]
    HealthcheckDurationTooShort { flag: &'static str, value: String },
    #[error("invalid value for --retries: {value:?} is not a whole number")]
    HealthcheckRetries { value: String },
    #[error("--retries cannot be negative ({value})")]
    HealthcheckNegativeRetries { value: i64 },

    #[error("VOLUME specified can not be an empty string")]
    EmptyVolume,

    #[error("invalid network mode {value:?} (expected default, none or host)")]
    InvalidNetwork { value: String },
    #[error("security {value:?} is not valid (expected sandbox or insecure)")]
    InvalidSecurity { value: String },
    #[error(transparent)]
    Mount(#[from] MountError),
    #[error(transparent)]
    Device(#[from] DeviceError),
}
