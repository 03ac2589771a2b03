//! COPY and ADD.

use stagecraft_syntax::Node;

use crate::error::ErrorKind;
use crate::flags::{FlagKind, parse_flags};
use crate::origin::Origin;

/// One source of a COPY/ADD, in the order written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopySource {
    /// A path, wildcard pattern or (ADD) URL; expanded with build args/env
    /// at dispatch.
    Path(String),
    /// `COPY <<EOF /dest`: an inline file.
    Inline(InlineFile),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineFile {
    /// The heredoc name, used as the file name.
    pub name: String,
    /// The body, leading tabs already removed for `<<-`.
    pub content: String,
    /// False when the delimiter was quoted: the body is not expanded.
    pub expand: bool,
}

/// `--chown`, `--chmod`, sources and destination are raw: the dispatcher
/// expands them with build args/env. `--from` is never expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyInstruction {
    pub origin: Origin,
    pub sources: Vec<CopySource>,
    pub dest: String,
    /// `--from`: stage name or index, image, or named context. Not
    /// expanded: the dispatcher rejects variables in it.
    pub from: Option<String>,
    /// `--chown=user[:group]`.
    pub chown: Option<String>,
    /// `--chmod`, octal or symbolic; see [`crate::FileMode::parse`].
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub excludes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddInstruction {
    pub origin: Origin,
    pub sources: Vec<CopySource>,
    pub dest: String,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    /// `--keep-git-dir`; `None` when not given.
    pub keep_git_dir: Option<bool>,
    /// `--checksum=<digest>` of an HTTP or Git source; raw (expanded).
    pub checksum: Option<String>,
    /// `--unpack`; `None` when not given (local archives unpack, URLs don't).
    pub unpack: Option<bool>,
    pub excludes: Vec<String>,
}

impl CopySource {
    pub fn path(&self) -> Option<&str> {
        match self {
            CopySource::Path(p) => Some(p),
            CopySource::Inline(_) => None,
        }
    }
}

/// A heredoc marker word (`<<EOF`, `<<-"EOF"`, `3<<EOF`) → its name.
pub(crate) fn heredoc_marker(word: &str) -> Option<(String, bool)> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start();
    if rest.is_empty() || rest.contains('<') || rest.contains(char::is_whitespace) {
        return None;
    }
    let name: String = rest.chars().filter(|c| *c != '"' && *c != '\'').collect();
    if name.is_empty() {
        return None;
    }
    Some((name, chomp))
}

pub(crate) fn chomp_tabs(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

fn sources_and_dest(
    node: &Node,
    instruction: &'static str,
) -> Result<(Vec<CopySource>, String), ErrorKind> {
    let Some((dest, sources)) = node.args.split_last() else {
        return Err(ErrorKind::NoDestination { instruction });
    };
    if sources.is_empty() {
        return Err(ErrorKind::NoDestination { instruction });
    }
    if heredoc_marker(dest).is_some() {
        return Err(ErrorKind::HeredocDestination { instruction });
    }
    let sources = sources
        .iter()
        .map(|src| match heredoc_marker(src) {
            Some((name, chomp)) => {
                let body = node.heredocs.iter().find(|h| h.name == name);
                let content = match body {
                    Some(h) if chomp && !h.chomp => chomp_tabs(&h.content),
                    Some(h) => h.body(),
                    None => String::new(),
                };
                let expand = body.is_none_or(|h| h.expand);
                CopySource::Inline(InlineFile {
                    name,
                    content,
                    expand,
                })
            }
            None => CopySource::Path(src.clone()),
        })
        .collect();
    Ok((sources, dest.clone()))
}

pub(crate) fn parse_copy(node: &Node, origin: Origin) -> Result<CopyInstruction, ErrorKind> {
    if node.args.len() < 2 {
        return Err(ErrorKind::NoDestination {
            instruction: "COPY",
        });
    }
    let flags = parse_flags(
        &origin.keyword,
        &node.flags,
        &[
            ("chown", FlagKind::String),
            ("from", FlagKind::String),
            ("chmod", FlagKind::String),
            ("link", FlagKind::Bool),
            ("exclude", FlagKind::Strings),
            ("parents", FlagKind::Bool),
        ],
    )?;
    let (sources, dest) = sources_and_dest(node, "COPY")?;
    Ok(CopyInstruction {
        sources,
        dest,
        from: flags.string("from"),
        chown: flags.string("chown"),
        chmod: flags.string("chmod"),
        link: flags.bool("link").unwrap_or(false),
        parents: flags.bool("parents").unwrap_or(false),
        excludes: flags.strings("exclude"),
        origin,
    })
}

pub(crate) fn parse_add(node: &Node, origin: Origin) -> Result<AddInstruction, ErrorKind> {
    if node.args.len() < 2 {
        return Err(ErrorKind::NoDestination { instruction: "ADD" });
    }
    let flags = parse_flags(
        &origin.keyword,
        &node.flags,
        &[
            ("chown", FlagKind::String),
            ("chmod", FlagKind::String),
            ("link", FlagKind::Bool),
            ("keep-git-dir", FlagKind::Bool),
            ("checksum", FlagKind::String),
            ("unpack", FlagKind::Bool),
            ("exclude", FlagKind::Strings),
        ],
    )?;
    let (sources, dest) = sources_and_dest(node, "ADD")?;
    Ok(AddInstruction {
        sources,
        dest,
        chown: flags.string("chown"),
        chmod: flags.string("chmod"),
        link: flags.bool("link").unwrap_or(false),
        keep_git_dir: flags.bool("keep-git-dir"),
        checksum: flags.string("checksum"),
        unpack: flags.bool("unpack"),
        excludes: flags.strings("exclude"),
        origin,
    })
}
