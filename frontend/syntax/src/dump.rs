//! The reference parser's textual dump: one `(keyword ["--flag"] "arg" ...)`
//! per instruction, strings quoted as Go's `%q` does.

use crate::args::{Shape, shape_of};
use crate::quote::go_quote;
use crate::{Node, Parsed};

impl Node {
    /// This instruction in the reference's dump format.
    pub fn dump(&self) -> String {
        let mut out = self.keyword.to_lowercase();
        if !self.flags.is_empty() {
            let flags: Vec<String> = self.flags.iter().map(|f| go_quote(f)).collect();
            out.push_str(" [");
            out.push_str(&flags.join(" "));
            out.push(']');
        }
        if let Some(nested) = &self.nested {
            out.push_str(" (");
            out.push_str(&nested.dump());
            out.push(')');
        }
        // The reference keeps an empty argument slot for unknown keywords.
        if shape_of(&self.keyword) == Shape::Ignore {
            out.push_str(" \"\"");
        }
        for arg in &self.args {
            out.push(' ');
            out.push_str(&go_quote(arg));
        }
        out.trim().to_owned()
    }
}

impl Parsed {
    /// Every instruction in the reference's dump format, one per line, with
    /// no trailing newline.
    pub fn dump(&self) -> String {
        let lines: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("({})", n.dump()))
            .collect();
        lines.join("\n").trim().to_owned()
    }
}
