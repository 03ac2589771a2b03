use crate::Span;

/// Why the parser rejected a Dockerfile, with the lines it concerns.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, span: Span) -> Self {
        SyntaxError { kind, span }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    #[error("file with no instructions")]
    Empty,
    #[error("only one {name} parser directive can be used")]
    DuplicateDirective { name: String },
    #[error("invalid escape token '{value}' does not match ` or \\")]
    InvalidEscape { value: String },
    #[error("unterminated heredoc <<{name} (started on line {start_line})")]
    UnterminatedHeredoc { name: String, start_line: usize },
    /// The word after `<<` could not be read (e.g. an unclosed quote).
    #[error("invalid heredoc word {word:?}: {reason}")]
    HeredocWord { word: String, reason: String },
    #[error("when using JSON array syntax, arrays must be comprised of strings only")]
    NotStringArray,
    /// ENV/LABEL in the `KEY value` form with no value.
    #[error("{keyword} must have two arguments")]
    MissingValue { keyword: String },
    /// ENV/LABEL in the `KEY=value` form with a word lacking `=`.
    #[error("Syntax error - can't find = in {}. Must be of the form: name=value", crate::quote::go_quote(.word))]
    MissingEquals { word: String },
    /// `ONBUILD ONBUILD ...` beyond any sensible depth; bounded so that
    /// hostile input cannot exhaust the stack.
    #[error("ONBUILD instructions nested more than {max} deep")]
    NestingTooDeep { max: usize },
    /// Not a limit of the reference: see `MAX_DOCKERFILE_BYTES`. The span
    /// is the line the limit falls on.
    #[error(
        "the Dockerfile is {size} bytes, more than the {limit} accepted; it passes the limit on this line"
    )]
    TooLarge { size: usize, limit: usize },
    /// A RUN command with bytes that are not UTF-8: BuildKit cannot take it
    /// (see `decode`). The span is the first line holding such bytes.
    #[error("{keyword} holds bytes that are not UTF-8")]
    NotUtf8 { keyword: String },
    /// Not a limit of the reference: see `MAX_INSTRUCTIONS`.
    #[error("the Dockerfile has more than {limit} instructions")]
    TooManyInstructions { limit: usize },
}
