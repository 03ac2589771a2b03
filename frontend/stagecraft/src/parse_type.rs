//! Reading a decoded Dockerfile into its syntax tree and its instructions,
//! for the CLI commands and the gateway alike.
//!
//! A big file is parsed and typed in two halves, the second on another
//! thread (`stagecraft_syntax::split` says when the halves are exactly the
//! file's parse). The result, and the error when there is one, are those of
//! one pass: a syntax error anywhere comes before any typing error, and
//! among typing errors the first node's wins.

use stagecraft_instructions::{Dockerfile, InstructionError, Part, parse_dockerfile, type_part};
use stagecraft_syntax::split::{Cut, Head, parse_tail};
use stagecraft_syntax::{Decoded, Parsed, SyntaxError, parse_decoded};

/// Smallest text split in two. Parsing and typing take about 1 µs a line
/// (the 22,000 lines of 2,000 generated stages ~20 ms), starting and
/// joining a thread tens of µs: a half of 8 KiB (~300 lines) saves several
/// times that.
const MIN_SPLIT_BYTES: usize = 16 << 10;

/// Stack of the tail's thread: as the lowering's second thread has (the
/// parse of an instruction is not deep, but the main thread has as much).
const TAIL_STACK: usize = 8 << 20;

/// A Dockerfile that parsed, with its instructions or the error that
/// typing them met.
pub struct ParsedTyped {
    pub parsed: Parsed,
    pub typed: Result<Dockerfile, InstructionError>,
}

/// How many threads read the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// Two when the file is big enough and the machine has two cores.
    Auto,
    /// Always one (for tests to compare against).
    #[cfg_attr(not(test), allow(dead_code))]
    One,
    /// Two whenever the file has a cut, whatever its size.
    #[cfg_attr(not(test), allow(dead_code))]
    Two,
}

/// Parses and types `decoded`; the error is the syntax error, as
/// `parse_decoded` gives it.
pub fn parse_and_type(decoded: &Decoded) -> Result<ParsedTyped, SyntaxError> {
    parse_and_type_with(decoded, Threads::Auto)
}

pub fn parse_and_type_with(
    decoded: &Decoded,
    threads: Threads,
) -> Result<ParsedTyped, SyntaxError> {
    let cut = match threads {
        Threads::One => None,
        Threads::Two => Cut::find(&decoded.text),
        Threads::Auto => (decoded.text.len() >= MIN_SPLIT_BYTES && two_cores())
            .then(|| Cut::find(&decoded.text))
            .flatten(),
    };
    match cut {
        Some(cut) => in_two(decoded, &cut),
        None => {
            let parsed = parse_decoded(decoded)?;
            let typed = parse_dockerfile(&parsed);
            Ok(ParsedTyped { parsed, typed })
        }
    }
}

fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// The head on this thread, the tail on another; see the module comment.
fn in_two(decoded: &Decoded, cut: &Cut) -> Result<ParsedTyped, SyntaxError> {
    in_two_reporting(decoded, cut).map(|(read, _)| read)
}

/// `in_two`, and whether the tail's work was taken (for tests: otherwise
/// the head read the file alone).
fn in_two_reporting(decoded: &Decoded, cut: &Cut) -> Result<(ParsedTyped, bool), SyntaxError> {
    let mut head = Head::start(decoded, cut)?;
    let escape = head.escape();
    std::thread::scope(|scope| {
        let tail = std::thread::Builder::new()
            .name("parse-tail".to_owned())
            .stack_size(TAIL_STACK)
            .spawn_scoped(scope, move || {
                let tail = parse_tail(decoded, cut, escape)?;
                let typed = type_part(tail.nodes());
                Some((tail, typed))
            });
        // A thread that cannot start leaves the head to read everything.
        let tail = tail.ok();
        let head_read = head.run();
        let head_typed = head_read
            .is_ok()
            .then(|| head.nodes().map(type_part))
            .flatten();
        // A tail thread that panicked gives no tail: the head reads the
        // tail again (and meets the panic there, as one thread would).
        let (tail, tail_typed) = tail.and_then(|t| t.join().ok()).flatten().unzip();
        // An error before the cut is the file's, whatever the tail holds.
        head_read?;
        let (parsed, joined) = head.finish(tail)?;
        let typed = match (joined, head_typed, tail_typed) {
            (true, Some(head), Some(tail)) => joined_typing(head, tail, &parsed),
            _ => parse_dockerfile(&parsed),
        };
        Ok((ParsedTyped { parsed, typed }, joined))
    })
}

/// The typing of the whole file from its two halves': the head's error
/// first, as one pass meets it first.
fn joined_typing(
    head: Result<Part, InstructionError>,
    tail: Result<Part, InstructionError>,
    parsed: &Parsed,
) -> Result<Dockerfile, InstructionError> {
    let mut part = head?;
    part.append(tail?);
    part.finish(parsed.nodes.last().map(|n| n.span))
}

#[cfg(test)]
mod tests;
