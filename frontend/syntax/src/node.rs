use crate::Span;

/// One instruction as the parser sees it: a keyword, its flags and its
/// arguments, before any meaning is given to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The instruction keyword, lower-cased (`run`, `copy`, …). Unknown
    /// keywords are kept: rejecting them is the instruction layer's job.
    pub keyword: String,
    /// `--name[=value]` words that followed the keyword, as written.
    pub flags: Vec<String>,
    /// The argument words, in the shape the reference parser gives them for
    /// this keyword (e.g. ENV/LABEL as `key, value, separator` triples;
    /// HEALTHCHECK as the type word then the command). Empty for unknown
    /// keywords and for ONBUILD (see `nested`).
    pub args: Vec<String>,
    /// True when the arguments were written as a JSON array (exec form).
    pub json: bool,
    /// ONBUILD's nested instruction (its `original` is the text after
    /// `ONBUILD`, its span the ONBUILD's).
    pub nested: Option<Box<Node>>,
    /// Heredoc bodies attached to this instruction, in order of appearance.
    /// For `ONBUILD RUN <<EOF` they sit on the ONBUILD node, not the nested one.
    pub heredocs: Vec<Heredoc>,
    /// The instruction's text with continuations joined, as the reference
    /// keeps it (used in progress names, history and error messages).
    pub original: String,
    /// Comment lines directly above the instruction.
    pub prev_comment: Vec<String>,
    /// First and last source line of the instruction, heredoc bodies included.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// The fd prefix of `3<<EOF`; 0 when absent.
    pub fd: u32,
    /// False when the delimiter word was quoted: the body is taken literally.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from each body line.
    pub chomp: bool,
    /// The body as written, up to (not including) the terminator line. For
    /// `<<-` the tabs are still there: see [`Heredoc::body`].
    pub content: String,
}

impl Heredoc {
    /// The body as the instruction sees it: with `<<-`, leading tabs are
    /// removed from every line.
    pub fn body(&self) -> String {
        if !self.chomp {
            return self.content.clone();
        }
        self.content
            .split_inclusive('\n')
            .map(|line| line.trim_start_matches('\t'))
            .collect()
    }
}

/// Something the parser accepted but a user should hear about
/// (e.g. an empty continuation line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub short: String,
    pub detail: String,
    pub url: Option<String>,
    pub span: Option<Span>,
}

/// The whole Dockerfile: the boundary type of the syntax layer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub directives: crate::Directives,
    pub escape: char,
    pub warnings: Vec<Warning>,
}
