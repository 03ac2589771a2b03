//! The syntax layer: Dockerfile text → a tree of [`Node`]s with line spans.
//!
//! This layer knows the Dockerfile's *shape* (directives, continuations, flags,
//! JSON vs shell form, heredocs) but nothing of what instructions mean, and
//! nothing of LLB. Its boundary type is [`Parsed`].

mod args;
mod decode;
mod directives;
mod dump;
mod error;
mod flags;
mod heredoc;
mod json;
mod lines;
mod node;
mod parser;
mod quote;
mod span;
mod words;

pub use decode::{Decoded, decode, parse_decoded};
pub use directives::{Directive, Directives, detect_syntax};
pub use error::{SyntaxError, SyntaxErrorKind};
pub use node::{Heredoc, Node, Parsed, Warning};
pub use parser::{MAX_DOCKERFILE_BYTES, MAX_INSTRUCTIONS, parse};
pub use quote::go_quote;
pub use span::Span;
