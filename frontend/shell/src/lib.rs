//! Shell-word expansion for Dockerfile arguments.
//!
//! Dockerfiles use a small subset of POSIX shell syntax: `$VAR` / `${VAR}` expansion with a handful of
//! operators, single and double quotes, an escape character chosen by the `# escape=` directive, and
//! splitting into words on whitespace. This crate reproduces the BuildKit reference lexer's behaviour
//! exactly, quirks included, because a Dockerfile must expand the same way whichever frontend builds it.
//!
//! ```
//! use std::collections::BTreeMap;
//! use stagecraft_shell::Lexer;
//!
//! let env = BTreeMap::from([("NAME".to_string(), "world".to_string())]);
//! let out = Lexer::new('\\').expand_word("hello ${NAME:-nobody} $OTHER", &env).unwrap();
//! assert_eq!(out.value, "hello world ");
//! assert!(out.used.contains("NAME"));
//! assert!(out.unset.contains("OTHER"));
//! ```

mod env;
mod error;
mod lexer;
mod name;
mod options;
mod pattern;
mod process;
mod words;

pub use env::{Env, NoEnv};
pub use error::{PatternError, RequiredReason, ShellError, ShellErrorKind};
pub use lexer::{Expansion, Lexer};
pub use process::MAX_EXPANDED_BYTES;
