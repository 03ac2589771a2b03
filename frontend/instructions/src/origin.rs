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

/// `str::trim`, skipping the work when both ends are ASCII and no space
/// (nearly every instruction): then there is nothing to trim.
fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace());
    if solid(s.as_bytes().first()) && solid(s.as_bytes().last()) {
        return s;
    }
    s.trim()
}

impl Origin {
    pub fn from_node(node: &Node) -> Self {
        let original = trim(&node.original);
        Origin {
            span: node.span,
            keyword: Self::keyword_of(node, original),
            original: original.to_string(),
            comments: node.prev_comment.clone(),
        }
    }

    /// The keyword as written in `original` (the node's trimmed text), or
    /// the node's keyword upper-cased when the text does not start with it.
    pub(crate) fn keyword_of(node: &Node, original: &str) -> String {
        // The text's first whitespace-separated word, when it is the keyword:
        // a word of the keyword's length, matching it, then a space or the end.
        let len = node.keyword.len();
        match (original.get(..len), original.get(len..)) {
            (Some(word), Some(after))
                if word.eq_ignore_ascii_case(&node.keyword)
                    && !word.contains(char::is_whitespace)
                    && after.chars().next().is_none_or(char::is_whitespace) =>
            {
                word.to_string()
            }
            _ => node.keyword.to_uppercase(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{dockerfile, one};

    #[test]
    fn keyword_as_written() {
        assert_eq!(one("rUn   echo hi").origin().keyword, "rUn");
        assert_eq!(one("  RUN\techo hi  ").origin().original, "RUN\techo hi");
        assert_eq!(one("USER root \u{3000}").origin().original, "USER root");
        // A Unicode space is no word break for the parser, so the keyword is
        // `run\u{a0}x` (unknown); the error names it upper-cased.
        let e = dockerfile("FROM scratch\nrun\u{a0}x y\n").unwrap_err();
        assert!(e.to_string().contains("RUN\u{a0}X"), "{e}");
    }
}
