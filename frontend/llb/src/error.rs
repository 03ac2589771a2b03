use thiserror::Error;

/// A graph that BuildKit would reject, caught while building it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LlbError {
    #[error("exec needs at least one argument")]
    EmptyArgs,
    #[error("exec mount destination {dest:?} is not an absolute path")]
    RelativeMountDest { dest: String },
    #[error("exec mounts two things at {dest:?}")]
    DuplicateMountDest { dest: String },
    #[error("source identifier part {field} must not be empty")]
    EmptySourceField { field: &'static str },
    #[error("a Definition from the client cannot be used: {why}")]
    ForeignDefinition { why: String },
}
