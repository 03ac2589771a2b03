use stagecraft_syntax::{Node, Span};

/// Where an instruction came from: needed for progress names, image history
/// and error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    /// The instruction text with continuations joined, trimmed.
    pub original: String,
    /// The keyword as written (`run`, `Run`, `RUN` …).
    pub keyword: String,
    /// Comment lines directly above the instruction.
    pub comments: Vec<String>,
}

impl Origin {
    pub fn from_node(node: &Node) -> Self {
        let original = node.original.trim().to_string();
        let keyword = original
            .split_whitespace()
            .next()
            .filter(|w| w.eq_ignore_ascii_case(&node.keyword))
            .map(str::to_string)
            .unwrap_or_else(|| node.keyword.to_uppercase());
        Origin {
            span: node.span,
            original,
            keyword,
            comments: node.prev_comment.clone(),
        }
    }
}
