//! ONBUILD: a trigger stored in the image config, run by child builds.

use stagecraft_syntax::Node;

use crate::error::ErrorKind;
use crate::flags::parse_flags;
use crate::origin::Origin;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnbuildInstruction {
    pub origin: Origin,
    /// The trigger keyword, upper-cased (`RUN`, `COPY` …).
    pub trigger: String,
    /// The trigger text as stored in the image config: the line without
    /// `ONBUILD`, heredoc bodies appended.
    pub expression: String,
    /// The trigger's syntax node. Like the reference, the trigger itself is
    /// only checked when a child build runs it; see `OnbuildInstruction::parse_trigger`.
    pub node: Box<Node>,
}

fn strip_keyword(original: &str) -> &str {
    let trimmed = original.trim_start();
    match (trimmed.get(..7), trimmed.get(7..)) {
        (Some(kw), Some(rest)) if kw.eq_ignore_ascii_case("onbuild") => rest.trim_start(),
        _ => trimmed,
    }
}

pub(crate) fn parse_onbuild(node: &Node, origin: Origin) -> Result<OnbuildInstruction, ErrorKind> {
    let Some(nested) = node.nested.as_ref() else {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "ONBUILD",
        });
    };
    parse_flags(&origin.keyword, &node.flags, &[])?;
    let trigger = nested.keyword.trim().to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => return Err(ErrorKind::OnbuildChained),
        "MAINTAINER" | "FROM" => return Err(ErrorKind::OnbuildForbidden { trigger }),
        _ => {}
    }
    let mut expression = strip_keyword(&node.original).to_string();
    for heredoc in &node.heredocs {
        expression.push('\n');
        expression.push_str(&heredoc.content);
        expression.push_str(&heredoc.name);
    }
    Ok(OnbuildInstruction {
        trigger,
        expression,
        node: nested.clone(),
        origin,
    })
}
