//! FROM, which opens a stage.

use stagecraft_syntax::Node;

use crate::arg::doc_comment;
use crate::error::ErrorKind;
use crate::flags::{FlagKind, parse_flags};
use crate::origin::Origin;

/// A stage name from `FROM … AS name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StageName {
    /// As written.
    pub original: String,
    /// Lower-cased: stage references are case-insensitive.
    pub lookup: String,
}

impl StageName {
    /// Checks `name` against the stage-name rule: after lower-casing, a
    /// letter then letters, digits, `-`, `_` or `.`.
    pub fn parse(name: &str) -> Result<StageName, ErrorKind> {
        let lookup = name.to_lowercase();
        let mut chars = lookup.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if !valid {
            return Err(ErrorKind::InvalidStageName {
                name: name.to_string(),
            });
        }
        Ok(StageName {
            original: name.to_string(),
            lookup,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromInstruction {
    pub origin: Origin,
    /// Image reference, earlier stage name, or `scratch`; raw (expanded
    /// with the meta ARGs at dispatch).
    pub base: String,
    pub name: Option<StageName>,
    /// The `AS` word as written (`AS`, `as` …), for the casing lint.
    pub as_keyword: Option<String>,
    /// `--platform`, raw (expanded with meta ARGs and platform args).
    pub platform: Option<String>,
    /// Text after `# <name> ` in the comment above.
    pub description: Option<String>,
}

pub(crate) fn parse_from(node: &Node, origin: Origin) -> Result<FromInstruction, ErrorKind> {
    let (base, as_keyword, name) = match node.args.as_slice() {
        [base] => (base.clone(), None, None),
        [base, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => (
            base.clone(),
            Some(as_kw.clone()),
            Some(StageName::parse(name)?),
        ),
        _ => return Err(ErrorKind::FromArguments),
    };
    let flags = parse_flags(
        &origin.keyword,
        &node.flags,
        &[("platform", FlagKind::String)],
    )?;
    let description = name
        .as_ref()
        .and_then(|n| doc_comment(&origin.comments, &n.lookup));
    Ok(FromInstruction {
        base,
        name,
        as_keyword,
        platform: flags.string("platform"),
        description,
        origin,
    })
}
