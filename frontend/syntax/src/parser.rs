//! The parse loop: physical lines → logical instructions → [`Node`]s.

use std::borrow::Cow;

use crate::args::{Shape, parse_args, shape_of};
use crate::directives::{DirectiveName, DirectiveScanner, escape_char};
use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::flags::split_command;
use crate::heredoc::heredocs_in_line;
use crate::lines::{BOM, comment_text, is_comment, trim_continuation, trim_newline, trim_start};
use crate::{Node, Parsed, Span, Warning};

/// How deep `ONBUILD ONBUILD ...` may nest before the line is rejected.
const MAX_NESTING: usize = 8;

const EMPTY_CONTINUATION_URL: &str =
    "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/";

/// Parses a whole Dockerfile.
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    if let Some(error) = too_large(text.as_bytes(), text.len()) {
        return Err(error);
    }
    parse_any_size(text)
}

/// `parse` without the size check, for text whose size was checked as bytes.
pub(crate) fn parse_any_size(text: &str) -> Result<Parsed, SyntaxError> {
    Parser::new(text).run()
}

/// The error for a file of `size` bytes past the limit, at the line of
/// `text` the limit falls on (the file is fine up to there).
pub(crate) fn too_large(text: &[u8], size: usize) -> Option<SyntaxError> {
    if size <= MAX_DOCKERFILE_BYTES {
        return None;
    }
    let head = text.get(..MAX_DOCKERFILE_BYTES).unwrap_or(text);
    let line = 1 + head.iter().filter(|b| **b == b'\n').count();
    Some(SyntaxError::new(
        SyntaxErrorKind::TooLarge {
            size,
            limit: MAX_DOCKERFILE_BYTES,
        },
        Span::line(line),
    ))
}

/// Largest Dockerfile accepted, in bytes. Not a limit of the reference;
/// README.md ("Limits") gives the measurements behind it.
pub const MAX_DOCKERFILE_BYTES: usize = 2 << 20;

/// Most instructions (ONBUILD triggers count once) in one Dockerfile.
pub const MAX_INSTRUCTIONS: usize = 100_000;

struct Parser<'a> {
    /// The text not yet read, from the start of the next line.
    rest: &'a str,
    /// 1-based number of the last line taken from `lines`.
    line_no: usize,
    escape: char,
    directives: DirectiveScanner,
    nodes: Vec<Node>,
    warnings: Vec<Warning>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix(BOM).unwrap_or(text);
        Parser {
            rest: text,
            line_no: 0,
            escape: '\\',
            directives: DirectiveScanner::new("#"),
            nodes: Vec::with_capacity(node_estimate(text)),
            warnings: Vec::new(),
        }
    }

    /// The next line, its newline included (as `split_inclusive` gives it).
    fn next_line(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.rest.as_bytes()).map_or(self.rest.len(), |i| i + 1);
        // `end` follows a newline or is the end: a character boundary.
        let (line, rest) = self.rest.split_at_checked(end)?;
        self.rest = rest;
        self.line_no += 1;
        Some(line)
    }

    fn run(mut self) -> Result<Parsed, SyntaxError> {
        let mut comments: Vec<String> = Vec::new();
        while let Some(raw) = self.next_line() {
            let start = self.line_no;
            let is_comment_line = is_comment(raw);
            let token = trim_start(trim_newline(raw));
            if let Some(name) = self.directives.scan(token, start)? {
                if name == DirectiveName::Escape
                    && let Some(d) = &self.directives.directives().escape
                {
                    self.escape = escape_char(d)?;
                }
                continue;
            }
            if is_comment_line {
                let text = comment_text(raw);
                if text.is_empty() {
                    comments.clear();
                } else {
                    comments.push(text);
                }
                continue;
            }
            let (first, mut ended) = trim_continuation(token, self.escape);
            if ended && first.is_empty() {
                continue;
            }
            // Borrowed from the text unless continuation lines are joined.
            let mut line = Cow::Borrowed(first);
            let mut empty_continuation = false;
            while !ended {
                let Some(raw) = self.next_line() else { break };
                if is_comment(raw) {
                    continue;
                }
                let token = trim_newline(raw);
                if trim_start(token).is_empty() {
                    empty_continuation = true;
                    continue;
                }
                let (part, end) = trim_continuation(token, self.escape);
                line.to_mut().push_str(part);
                ended = end;
            }
            if empty_continuation {
                self.warnings.push(Warning {
                    short: format!("Empty continuation line found in: {line}"),
                    detail: "Empty continuation lines will become errors in a future release"
                        .to_owned(),
                    url: Some(EMPTY_CONTINUATION_URL.to_owned()),
                    span: Some(Span::line(self.line_no)),
                });
            }
            let span = Span::new(start, self.line_no);
            let mut node = node_from_line(&line, self.escape, 0)
                .map_err(|kind| SyntaxError::new(kind, span))?;
            node.prev_comment = std::mem::take(&mut comments);
            if can_hold_heredocs(&node) && line.contains("<<") {
                self.read_heredocs(&mut node, &line, start)?;
            }
            node.original = line.into_owned();
            node.span = Span::new(start, self.line_no);
            if let Some(nested) = node.nested.as_deref_mut() {
                nested.span = node.span;
            }
            self.nodes.push(node);
            if self.nodes.len() > MAX_INSTRUCTIONS {
                return Err(SyntaxError::new(
                    SyntaxErrorKind::TooManyInstructions {
                        limit: MAX_INSTRUCTIONS,
                    },
                    span,
                ));
            }
        }
        if self.nodes.is_empty() {
            return Err(SyntaxError::new(
                SyntaxErrorKind::Empty,
                Span::line(self.line_no.max(1)),
            ));
        }
        Ok(Parsed {
            nodes: self.nodes,
            directives: self.directives.into_directives(),
            escape: self.escape,
            warnings: self.warnings,
        })
    }

    /// Reads the bodies of the heredocs opened on `line`, one after another.
    fn read_heredocs(
        &mut self,
        node: &mut Node,
        line: &str,
        start: usize,
    ) -> Result<(), SyntaxError> {
        let docs = heredocs_in_line(line).map_err(|bad| {
            SyntaxError::new(
                SyntaxErrorKind::HeredocWord {
                    word: bad.word,
                    reason: bad.reason,
                },
                Span::new(start, self.line_no),
            )
        })?;
        let mut read = Vec::with_capacity(docs.len());
        for mut doc in docs {
            let mut terminated = false;
            while let Some(raw) = self.next_line() {
                let mut candidate = trim_newline(raw);
                if doc.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == doc.name {
                    terminated = true;
                    break;
                }
                doc.content.push_str(raw);
            }
            if !terminated {
                return Err(SyntaxError::new(
                    SyntaxErrorKind::UnterminatedHeredoc {
                        name: doc.name,
                        start_line: start,
                    },
                    Span::new(start, self.line_no),
                ));
            }
            read.push(doc);
        }
        // As in the reference, `ONBUILD RUN <<EOF` keeps the bodies on the
        // ONBUILD node: its trigger text is rebuilt from them.
        node.heredocs = read;
        Ok(())
    }
}

/// Room for the nodes of `text`: one per line at most, and never more than
/// the instruction limit allows (a hostile file of blank lines must not
/// reserve memory for nodes it cannot hold).
fn node_estimate(text: &str) -> usize {
    let lines = 1 + memchr::memchr_iter(b'\n', text.as_bytes()).count();
    lines.min(MAX_INSTRUCTIONS + 1)
}

/// RUN, COPY and ADD in shell form (also inside ONBUILD) may open heredocs.
fn can_hold_heredocs(node: &Node) -> bool {
    let target = match (&node.nested, node.keyword.as_str()) {
        (Some(nested), "onbuild") => nested,
        _ => node,
    };
    matches!(target.keyword.as_str(), "run" | "copy" | "add") && !target.json
}

/// The node of one logical line; its `original` is left for the caller to
/// fill (the top-level line is moved in rather than copied).
fn node_from_line(line: &str, escape: char, depth: usize) -> Result<Node, SyntaxErrorKind> {
    let cmd = split_command(line, escape);
    let keyword = if cmd.keyword.is_ascii() {
        cmd.keyword.to_ascii_lowercase()
    } else {
        cmd.keyword.to_lowercase()
    };
    let shape = shape_of(&keyword);
    let mut node = Node {
        keyword,
        flags: cmd.flags,
        args: Vec::new(),
        json: false,
        nested: None,
        heredocs: Vec::new(),
        original: String::new(),
        prev_comment: Vec::new(),
        span: Span::default(),
    };
    if shape == Shape::SubCommand {
        if !cmd.rest.is_empty() {
            if depth >= MAX_NESTING {
                return Err(SyntaxErrorKind::NestingTooDeep { max: MAX_NESTING });
            }
            let mut nested = node_from_line(&cmd.rest, escape, depth + 1)?;
            nested.original = cmd.rest.into_owned();
            node.nested = Some(Box::new(nested));
        }
        return Ok(node);
    }
    let args = parse_args(shape, cmd.keyword, &cmd.rest, escape)?;
    node.args = args.args;
    node.json = args.json;
    Ok(node)
}
