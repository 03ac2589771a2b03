//! The switches of one expansion, shared by the lexer and the processor.

/// What the reference lexer's switches are set to (see [`crate::Lexer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) escape: char,
    pub(crate) raw_quotes: bool,
    pub(crate) raw_escapes: bool,
    pub(crate) skip_unset_env: bool,
    pub(crate) skip_process_quotes: bool,
}
