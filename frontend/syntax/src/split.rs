//! One file parsed in two halves, on two threads, with the result of one
//! parse.
//!
//! The text is cut before a line that starts with `FROM`, past its middle.
//! The caller parses the head up to the cut while another thread parses the
//! tail from there. When the head's parse reaches the cut between two
//! instructions (not inside a continuation or a heredoc body), what a parse
//! of the whole file carries over the cut is only the escape character
//! (fixed by the directives at the top, read before the tail starts), the
//! line number (known from the cut) and the comment lines read since the
//! last instruction (they go to the next one). The tail reads those comments
//! back from the lines above the cut; the head checks it read the same.
//! Then the tail parsed alone is the whole file's parse from the cut. In
//! every other case (the cut fell inside an instruction, the comments
//! differ, or the tail failed: its error, or the instruction limit, depends
//! on what came before) the head's parse goes on through the tail itself
//! and the tail's work is dropped, so every result and every error is the
//! one-thread parse's.

use crate::decode::{Decoded, reject_invalid_run};
use crate::lines::{comment_text, is_comment, trim_newline, trim_start};
use crate::parser::{MAX_INSTRUCTIONS, Parser, too_large};
use crate::{Node, Parsed, SyntaxError, Warning};

/// Where a file is cut in two: the start of a line that starts with `FROM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// Byte offset of the line in the text.
    offset: usize,
    /// Its 1-based line number.
    line: usize,
}

impl Cut {
    /// The first `FROM` line past the middle of `text`, if at least a
    /// quarter of the text follows it (so that both halves are worth a
    /// thread).
    pub fn find(text: &str) -> Option<Cut> {
        let bytes = text.as_bytes();
        let middle = bytes.len() / 2;
        let latest = bytes.len() - bytes.len() / 4;
        for newline in memchr::memchr_iter(b'\n', bytes.get(middle..)?) {
            let offset = middle + newline + 1;
            if offset > latest {
                return None;
            }
            if starts_with_from(bytes.get(offset..)?) {
                let head = bytes.get(..offset)?;
                let line = 1 + memchr::memchr_iter(b'\n', head).count();
                return Some(Cut { offset, line });
            }
        }
        None
    }

    /// The 1-based line the tail starts on.
    pub fn line(&self) -> usize {
        self.line
    }
}

/// `FROM` (any case) and a space or tab: the line is a FROM instruction
/// unless a continuation or heredoc of the line before takes it in.
fn starts_with_from(line: &[u8]) -> bool {
    matches!(line.get(..5), Some([f, r, o, m, b' ' | b'\t'])
        if [*f, *r, *o, *m].eq_ignore_ascii_case(b"from"))
}

/// The instructions from the cut to the end, parsed apart.
#[derive(Debug)]
pub struct Tail {
    nodes: Vec<Node>,
    warnings: Vec<Warning>,
    /// The comments the tail took as read above the cut.
    comments_above: Vec<String>,
}

impl Tail {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
}

/// Parses the text of `decoded` from `cut` on, with the escape character
/// the head's directives gave ([`Head::escape`]). Its error need not be the
/// file's: [`Head::finish`] parses the tail again in that case.
pub fn parse_tail(decoded: &Decoded, cut: &Cut, escape: char) -> Option<Tail> {
    let (above, text) = decoded.text.split_at_checked(cut.offset)?;
    let comments_above = comments_above(above);
    let mut parser = Parser::from_line(text, cut.line, escape, comments_above.clone());
    parser.parse_lines(None).ok()?;
    Some(Tail {
        nodes: std::mem::take(&mut parser.nodes),
        warnings: std::mem::take(&mut parser.warnings),
        comments_above,
    })
}

/// The comments a parse reading `text` (up to a line start) has not given
/// to an instruction yet, if the last line that is neither blank nor a
/// comment ends one: the comment lines after it, up to the last empty `#`
/// line (which drops those before it). Read backwards, as the parse would
/// read them forwards.
fn comments_above(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut end = text.len();
    while end > 0 {
        let before = text.as_bytes().get(..end - 1).unwrap_or_default();
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let Some(raw) = text.get(start..end) else {
            break;
        };
        if is_comment(raw) {
            let comment = comment_text(raw);
            if comment.is_empty() {
                break;
            }
            found.push(comment);
        } else if !trim_start(trim_newline(raw)).is_empty() {
            break;
        }
        end = start;
    }
    found.reverse();
    found
}

/// The parse of the text before the cut, on the calling thread.
pub struct Head<'a> {
    decoded: &'a Decoded,
    parser: Parser<'a>,
    /// Bytes from the cut to the end.
    tail_len: usize,
    /// The parse stopped at the cut, between two instructions (otherwise it
    /// read the whole file).
    at_cut: bool,
}

impl<'a> Head<'a> {
    /// Starts the parse of `decoded` to be cut at `cut`: checks the size
    /// limit and reads the directives at the top, which fix the escape
    /// character of both halves. An error here is the file's error.
    pub fn start(decoded: &'a Decoded, cut: &Cut) -> Result<Head<'a>, SyntaxError> {
        if let Some(error) = too_large(decoded.text.as_bytes(), decoded.bytes) {
            return Err(error);
        }
        let mut parser = Parser::new(&decoded.text);
        parser.read_directives()?;
        Ok(Head {
            decoded,
            parser,
            tail_len: decoded.text.len().saturating_sub(cut.offset),
            at_cut: false,
        })
    }

    /// The escape character the tail is read with.
    pub fn escape(&self) -> char {
        self.parser.escape()
    }

    /// Parses up to the cut, or to the end when an instruction spans the
    /// cut. An error is the file's error.
    pub fn run(&mut self) -> Result<(), SyntaxError> {
        // Directives may have read past the cut (a file of directive lines).
        if self.parser.unread() < self.tail_len {
            return self.parser.parse_lines(None).map(drop);
        }
        self.at_cut = self.parser.parse_lines(Some(self.tail_len))?;
        Ok(())
    }

    /// The nodes before the cut, once [`Head::run`] stopped there; `None`
    /// when it read the whole file.
    pub fn nodes(&self) -> Option<&[Node]> {
        self.at_cut.then_some(self.parser.nodes.as_slice())
    }

    /// The whole file's parse: the head's nodes and then the tail's when the
    /// head stopped at the cut and the tail parsed; otherwise the head's
    /// parse reads on to the end. The flag says whether the tail was taken:
    /// then the nodes up to the cut are the head's, as [`Head::nodes`]
    /// gave them, and the rest the tail's.
    pub fn finish(mut self, tail: Option<Tail>) -> Result<(Parsed, bool), SyntaxError> {
        let taken = match tail {
            Some(tail) if self.at_cut && self.fits(&tail) => {
                self.append(tail);
                true
            }
            _ => {
                if self.at_cut {
                    self.parser.parse_lines(None)?;
                }
                false
            }
        };
        let parsed = reject_invalid_run(self.decoded, self.parser.finish()?)?;
        Ok((parsed, taken))
    }

    /// Whether the file's parse goes on as the tail's: the tail opens with
    /// its FROM (so it began at the cut line), read the comments above the
    /// cut the head left for it, and the two together stay within the
    /// instruction limit (the tail counted only its own).
    fn fits(&self, tail: &Tail) -> bool {
        tail.nodes.first().is_some_and(|n| n.keyword == "from")
            && self.parser.comments == tail.comments_above
            && self.parser.nodes.len() + tail.nodes.len() <= MAX_INSTRUCTIONS
    }

    fn append(&mut self, mut tail: Tail) {
        self.parser.nodes.append(&mut tail.nodes);
        self.parser.warnings.append(&mut tail.warnings);
    }
}
