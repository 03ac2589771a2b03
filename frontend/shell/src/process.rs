//! The expansion pass over one input word.
//!
//! A single left-to-right scan produces both results at once: the expanded text (for single-word
//! mode) and the whitespace-split words (for many-words mode). The structure follows the reference
//! closely because several of its observable quirks come from the structure itself.

use std::collections::BTreeSet;

use crate::env::Env;
use crate::error::{RequiredReason, ShellErrorKind};
use crate::name::{is_digit, is_name_char, is_special_param};
use crate::options::Options;
use crate::pattern::{self, Star};
use crate::words::Words;

type Result<T> = std::result::Result<T, ShellErrorKind>;

/// Operands nest by recursion; past this depth expansion fails instead of overflowing the stack.
/// Far beyond anything a real Dockerfile writes, well within a 2 MiB thread stack in debug builds.
pub(crate) const MAX_NESTING: usize = 200;

/// Longest expansion of one word, in bytes. Not a limit of the reference, which lets
/// `ENV A=$A$A` double until the machine runs out of memory; real words (certificates,
/// long `PATH`s, JSON in an ARG) are orders of magnitude below it.
pub const MAX_EXPANDED_BYTES: usize = 1 << 20;

pub(crate) struct Processed {
    pub(crate) text: String,
    pub(crate) words: Vec<String>,
}

pub(crate) struct Processor<'a> {
    options: Options,
    env: &'a dyn Env,
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    /// Keep escape characters in the output; switched on for pattern operands.
    raw_escapes: bool,
    /// Shared by nested operand scans on purpose; see `words.rs`.
    word_buf: String,
    /// Whether the caller wants the words; when it wants only the text,
    /// splitting it as it is scanned would be wasted work.
    want_words: bool,
    pub(crate) used: BTreeSet<String>,
    pub(crate) unset: BTreeSet<String>,
}

impl<'a> Processor<'a> {
    pub(crate) fn new(options: Options, env: &'a dyn Env, input: &str, want_words: bool) -> Self {
        // The reference's scanner drops a byte-order mark at the very start of the input.
        let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
        Processor {
            options,
            env,
            chars: input.chars().collect(),
            pos: 0,
            depth: 0,
            raw_escapes: options.raw_escapes,
            word_buf: String::new(),
            want_words,
            used: BTreeSet::new(),
            unset: BTreeSet::new(),
        }
    }

    pub(crate) fn run(&mut self) -> Result<Processed> {
        self.scan_until(None, self.options.raw_escapes)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    /// Fails once a result being built is longer than [`MAX_EXPANDED_BYTES`]; called after
    /// every piece that can grow faster than the input (a variable's value, an operand).
    fn check_len(len: usize) -> Result<()> {
        if len > MAX_EXPANDED_BYTES {
            return Err(ShellErrorKind::TooLong {
                limit: MAX_EXPANDED_BYTES,
            });
        }
        Ok(())
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(value) => {
                self.used.insert(name.to_string());
                Some(value.to_string())
            }
            None => {
                self.unset.insert(name.to_string());
                None
            }
        }
    }

    /// Scans up to `stop` (consumed) or the end of input when `stop` is `None`.
    fn scan_until(&mut self, stop: Option<char>, raw_escapes: bool) -> Result<Processed> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.scan_until_inner(stop);
        self.raw_escapes = saved;
        result
    }

    fn scan_until_inner(&mut self, stop: Option<char>) -> Result<Processed> {
        let mut text = String::new();
        if stop.is_none() {
            text.reserve(self.chars.len());
        }
        self.word_buf.clear();
        let mut words = Words::default();
        let track = self.want_words;
        let quotes = !self.options.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.bump();
                let words = words.finish(&mut self.word_buf);
                return Ok(Processed { text, words });
            }
            match ch {
                '$' => {
                    let value = self.dollar()?;
                    Self::check_len(text.len() + value.len())?;
                    text.push_str(&value);
                    if track {
                        words.push_str(&mut self.word_buf, &value);
                    }
                }
                '<' => {
                    let value = self.possible_heredoc();
                    text.push_str(&value);
                    if track {
                        words.push_raw_str(&mut self.word_buf, &value);
                    }
                }
                '\'' if quotes => {
                    let value = self.single_quoted()?;
                    text.push_str(&value);
                    if track {
                        words.push_raw_str(&mut self.word_buf, &value);
                    }
                }
                '"' if quotes => {
                    let value = self.double_quoted()?;
                    Self::check_len(text.len() + value.len())?;
                    text.push_str(&value);
                    if track {
                        words.push_raw_str(&mut self.word_buf, &value);
                    }
                }
                _ => {
                    self.bump();
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            if track {
                                words.push_raw_char(&mut self.word_buf, ch);
                            }
                            text.push(ch);
                        }
                        // A trailing escape character is dropped.
                        let Some(escaped) = self.bump() else { break };
                        if track {
                            words.push_raw_char(&mut self.word_buf, escaped);
                        }
                        text.push(escaped);
                    } else {
                        if track {
                            words.push_char(&mut self.word_buf, ch);
                        }
                        text.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(ShellErrorKind::UnexpectedEnd(stop));
        }
        let words = words.finish(&mut self.word_buf);
        Ok(Processed { text, words })
    }

    /// Single quotes keep everything literally; there is no way to escape a `'` inside them.
    fn single_quoted(&mut self) -> Result<String> {
        let raw = self.options.raw_quotes;
        let mut out = String::new();
        if let Some(open) = self.bump().filter(|_| raw) {
            out.push(open);
        }
        loop {
            match self.bump() {
                None => return Err(ShellErrorKind::UnterminatedSingleQuote),
                Some('\'') => {
                    if raw {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(ch) => out.push(ch),
            }
        }
    }

    /// Double quotes expand `$` and let the escape character protect only `"`, `$` and itself.
    fn double_quoted(&mut self) -> Result<String> {
        let raw = self.options.raw_quotes;
        let escape = self.options.escape;
        let mut out = String::new();
        if let Some(open) = self.bump().filter(|_| raw) {
            out.push(open);
        }
        loop {
            match self.peek() {
                None => return Err(ShellErrorKind::UnterminatedDoubleQuote),
                Some('"') => {
                    self.bump();
                    if raw {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let value = self.dollar()?;
                    Self::check_len(out.len() + value.len())?;
                    out.push_str(&value);
                }
                Some(first) => {
                    self.bump();
                    let mut ch = first;
                    if ch == escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            // Dropped here; the loop then reports the missing `"`.
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == escape => {
                                self.bump();
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    /// At a `$`: `$NAME`, `${NAME}` or `${NAME<op>operand}`.
    fn dollar(&mut self) -> Result<String> {
        self.bump();
        let skip_unset = self.options.skip_unset_env;

        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value,
                None if skip_unset => format!("${name}"),
                None => String::new(),
            });
        }

        self.bump();
        match self.peek() {
            None => return Err(ShellErrorKind::MissingCloseBrace),
            Some('{' | '}' | ':') => return Err(ShellErrorKind::BadSubstitution),
            Some(_) => {}
        }
        let name = self.name();
        match self.bump() {
            None => Err(ShellErrorKind::MissingCloseBrace),
            Some('}') => Ok(match self.lookup(&name) {
                Some(value) => value,
                None if skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':') => {
                let op = self.bump();
                self.modifier(name, true, op)
            }
            Some(op @ ('+' | '-' | '?' | '#' | '%')) => self.modifier(name, false, Some(op)),
            Some('/') => self.replace(name),
            Some(other) => Err(ShellErrorKind::UnsupportedModifier(other.to_string())),
        }
    }

    /// `${NAME<op>operand}` and `${NAME:<op>operand}` (`null_is_unset` for the colon forms).
    fn modifier(&mut self, name: String, null_is_unset: bool, op: Option<char>) -> Result<String> {
        let mut modifier = String::new();
        if null_is_unset {
            modifier.push(':');
        }
        // The reference shows a lone ':' at the end of input as the replacement character.
        modifier.push(op.unwrap_or(char::REPLACEMENT_CHARACTER));

        let is_pattern = matches!(op, Some('#' | '%'));
        if null_is_unset && is_pattern {
            return Err(ShellErrorKind::UnsupportedModifier(modifier));
        }
        let operand = self.operand('}', is_pattern, ShellErrorKind::MissingCloseBrace)?;

        let found = self.lookup(&name);
        if found.is_none() && self.options.skip_unset_env {
            return Ok(format!("${{{name}{modifier}{operand}}}"));
        }
        let set = found.is_some();
        let value = found.unwrap_or_default();
        let missing = !set || (null_is_unset && value.is_empty());

        match op {
            Some('-') => Ok(if missing { operand } else { value }),
            Some('+') => Ok(if missing { String::new() } else { operand }),
            Some('?') if missing => Err(ShellErrorKind::Required {
                name,
                message: Some(operand).filter(|m| !m.is_empty()),
                reason: if set {
                    RequiredReason::Empty
                } else {
                    RequiredReason::Unset
                },
            }),
            Some('?') => Ok(value),
            Some(op @ ('#' | '%')) => {
                // A doubled operator (`##`, `%%`) asks for the longest match.
                let (pattern, star) = match operand.strip_prefix(op) {
                    Some(rest) => (rest, Star::Longest),
                    None => (operand.as_str(), Star::Shortest),
                };
                let trimmed = if op == '#' {
                    pattern::trim_prefix(pattern, &value, star)
                } else {
                    pattern::trim_suffix(pattern, &value, star)
                };
                trimmed.map_err(|source| ShellErrorKind::InvalidPattern {
                    pattern: pattern.to_string(),
                    source,
                })
            }
            _ => Err(ShellErrorKind::UnsupportedModifier(modifier)),
        }
    }

    /// `${NAME/pattern/replacement}` and `${NAME//pattern/replacement}`.
    fn replace(&mut self, name: String) -> Result<String> {
        let all = self.peek() == Some('/');
        if all {
            self.bump();
        }
        let pattern = self.operand('/', true, ShellErrorKind::MissingSlash)?;
        let replacement = self.operand('}', true, ShellErrorKind::MissingCloseBrace)?;

        let found = self.lookup(&name);
        if found.is_none() && self.options.skip_unset_env {
            // The reference writes a single `/` back even for the replace-all form.
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        // An unset variable is replaced in as empty: a pattern matching "" still yields the
        // replacement.
        let value = found.unwrap_or_default();
        let replaced = if all {
            pattern::replace_all(&pattern, &value, &replacement, MAX_EXPANDED_BYTES)
        } else {
            pattern::replace_first(&pattern, &value, &replacement)
        };
        let replaced =
            replaced.map_err(|source| ShellErrorKind::InvalidPattern { pattern, source })?;
        Self::check_len(replaced.len())?;
        Ok(replaced)
    }

    /// Scans an operand up to `stop`; running out of input reports `missing` instead of the inner
    /// error, as the reference does.
    fn operand(
        &mut self,
        stop: char,
        raw_escapes: bool,
        missing: ShellErrorKind,
    ) -> Result<String> {
        if self.depth >= MAX_NESTING {
            return Err(ShellErrorKind::TooDeeplyNested { limit: MAX_NESTING });
        }
        self.depth += 1;
        let scanned = self.scan_until(Some(stop), raw_escapes);
        self.depth -= 1;
        match scanned {
            Err(err @ ShellErrorKind::TooDeeplyNested { .. }) => Err(err),
            Ok(processed) => Ok(processed.text),
            Err(_) if self.at_end() => Err(missing),
            Err(err) => Err(err),
        }
    }

    /// A name: a run of digits (positional parameter), one special parameter char, or letters,
    /// digits and `_`. May be empty.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(digit) = self.peek().filter(|&c| is_digit(c)) {
                    self.bump();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.bump();
                return ch.to_string();
            }
            if !is_name_char(ch) {
                break;
            }
            self.bump();
            name.push(ch);
        }
        name
    }

    /// `<<` and the blanks after it stay together as one piece of a word, so `<< EOF` is not split
    /// and heredoc markers can be found in the words.
    fn possible_heredoc(&mut self) -> String {
        self.bump();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.bump();
        let mut out = "<<".to_string();
        while let Some(blank) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            self.bump();
            out.push(blank);
        }
        out
    }
}
