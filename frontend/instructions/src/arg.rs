//! ARG.

use stagecraft_syntax::Node;

use crate::error::ErrorKind;
use crate::origin::Origin;

/// One `name` or `name=default` of an ARG line. Name and default are raw
/// words (quotes included): the dispatcher expands them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgPair {
    pub name: String,
    pub default: Option<String>,
    /// Text after `# name ` in the comment above, if any.
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgInstruction {
    pub origin: Origin,
    pub args: Vec<ArgPair>,
}

pub(crate) fn doc_comment(comments: &[String], name: &str) -> Option<String> {
    if name.is_empty() || comments.is_empty() {
        return None;
    }
    let prefix = format!("{name} ");
    comments
        .iter()
        .find_map(|line| line.strip_prefix(&prefix).map(str::to_string))
}

pub(crate) fn parse_arg(node: &Node, origin: Origin) -> Result<ArgInstruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument { instruction: "ARG" });
    }
    // The reference never reads ARG's flags: `ARG --x A` builds there, so it
    // must build here too.
    let args = node
        .args
        .iter()
        .map(|word| {
            let (name, default) = match word.split_once('=') {
                Some(("", _)) => return Err(ErrorKind::BlankName { instruction: "ARG" }),
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (word.clone(), None),
            };
            let description = doc_comment(&origin.comments, &name);
            Ok(ArgPair {
                name,
                default,
                description,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(ArgInstruction { origin, args })
}
