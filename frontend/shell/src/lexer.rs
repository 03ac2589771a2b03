//! The public entry points: a configured lexer and what an expansion yields.

use std::collections::BTreeSet;

use crate::env::Env;
use crate::error::ShellError;
use crate::options::Options;
use crate::process::{Processed, Processor};

/// Expands shell words the way Dockerfile instructions do.
///
/// Options mirror the reference lexer's switches; each is used by one kind of caller:
/// - `raw_quotes`: keep quote characters in the output (heredoc detection, progress names).
/// - `raw_escapes`: keep escape characters in the output (heredoc detection in the parser).
/// - `skip_unset_env`: leave `$NAME` / `${NAME…}` text in place when `NAME` is unset (progress names,
///   the parser, which expands with no variables).
/// - `skip_process_quotes`: quotes are ordinary characters (heredoc bodies, where only `$` expands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    options: Options,
}

/// The result of an expansion plus the variables it looked up.
///
/// `used` holds the referenced names that were set (the reference's "matches", which tell which
/// build args a build consumed); `unset` the referenced names that were not (for the UndefinedVar
/// check). The two are disjoint. Names met in operands count whether or not the operand was needed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion<T> {
    pub value: T,
    pub used: BTreeSet<String>,
    pub unset: BTreeSet<String>,
}

impl Lexer {
    /// A lexer using `escape` (`\` by default, or `` ` `` after `# escape=``) with all options off.
    pub const fn new(escape: char) -> Self {
        Lexer {
            options: Options {
                escape,
                raw_quotes: false,
                raw_escapes: false,
                skip_unset_env: false,
                skip_process_quotes: false,
            },
        }
    }

    pub const fn escape(&self) -> char {
        self.options.escape
    }

    pub const fn raw_quotes(mut self, on: bool) -> Self {
        self.options.raw_quotes = on;
        self
    }

    pub const fn raw_escapes(mut self, on: bool) -> Self {
        self.options.raw_escapes = on;
        self
    }

    pub const fn skip_unset_env(mut self, on: bool) -> Self {
        self.options.skip_unset_env = on;
        self
    }

    pub const fn skip_process_quotes(mut self, on: bool) -> Self {
        self.options.skip_process_quotes = on;
        self
    }

    /// Expands `word` into one string; whitespace is kept as written (the reference's `ProcessWord`).
    pub fn expand_word(&self, word: &str, env: &dyn Env) -> Result<Expansion<String>, ShellError> {
        self.run(word, env, false)
            .map(|(processed, used, unset)| Expansion {
                value: processed.text,
                used,
                unset,
            })
    }

    /// Expands `word` and splits it into words on unquoted whitespace, including whitespace that came
    /// from a variable's value (the reference's `ProcessWords`). Empty words (`""`) are dropped.
    pub fn expand_words(
        &self,
        word: &str,
        env: &dyn Env,
    ) -> Result<Expansion<Vec<String>>, ShellError> {
        self.run(word, env, true)
            .map(|(processed, used, unset)| Expansion {
                value: processed.words,
                used,
                unset,
            })
    }

    fn run(
        &self,
        word: &str,
        env: &dyn Env,
        want_words: bool,
    ) -> Result<(Processed, BTreeSet<String>, BTreeSet<String>), ShellError> {
        // Most words are plain text: nothing to expand, quote or escape, so
        // the text is the word and the words are its whitespace-separated
        // parts, without a scan.
        let escape = self.options.escape;
        let special = |c: char| matches!(c, '$' | '<' | '\'' | '"' | '\u{FEFF}') || c == escape;
        if !word.contains(special) {
            let words = if want_words {
                word.split_whitespace().map(str::to_string).collect()
            } else {
                Vec::new()
            };
            let processed = Processed {
                text: word.to_string(),
                words,
            };
            return Ok((processed, BTreeSet::new(), BTreeSet::new()));
        }
        let mut processor = Processor::new(self.options, env, word, want_words);
        let processed = processor.run().map_err(|kind| ShellError {
            input: word.to_string(),
            kind,
        })?;
        Ok((processed, processor.used, processor.unset))
    }
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}
