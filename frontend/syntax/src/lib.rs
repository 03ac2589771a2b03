//! The syntax layer: Dockerfile text → a tree of [`Node`]s with line spans.
//!
//! This layer knows the Dockerfile's *shape* (directives, continuations, flags,
//! JSON vs shell form, heredocs) but nothing of what instructions mean, and
//! nothing of LLB. Its boundary type is [`Parsed`].

mod node;
mod span;

pub use node::{Heredoc, Node, Parsed, Warning};
pub use span::Span;

mod directives;
mod error;

pub use directives::{Directive, Directives};
pub use error::{SyntaxError, SyntaxErrorKind};
