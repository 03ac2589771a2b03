//! Source maps: the text an op came from, so BuildKit can point errors at
//! lines of it.

use std::sync::Arc;

use crate::pb;

/// A position in a source file (1-based line, 0-based character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextPos {
    pub line: i32,
    pub character: i32,
}

/// A range of source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextRange {
    pub start: TextPos,
    pub end: TextPos,
}

impl TextRange {
    /// The whole of one line (character 0 to character 0), the form BuildKit
    /// expects for line-based sources.
    pub fn line(line: i32) -> Self {
        let pos = TextPos { line, character: 0 };
        TextRange {
            start: pos,
            end: pos,
        }
    }

    pub(crate) fn to_pb(self) -> pb::Range {
        let pos = |p: TextPos| pb::Position {
            line: p.line,
            character: p.character,
        };
        pb::Range {
            start: Some(pos(self.start)),
            end: Some(pos(self.end)),
        }
    }
}

#[derive(Debug, PartialEq)]
struct SourceMapData {
    filename: String,
    language: String,
    data: Vec<u8>,
    definition: Option<pb::Definition>,
}

/// One source file. Cheap to clone; maps with equal content are one entry in
/// the marshalled Definition.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMap(Arc<SourceMapData>);

impl SourceMap {
    pub fn new(filename: impl Into<String>, language: impl Into<String>, data: Vec<u8>) -> Self {
        SourceMap(Arc::new(SourceMapData {
            filename: filename.into(),
            language: language.into(),
            data,
            definition: None,
        }))
    }

    /// Attaches the Definition that loaded the file, so the daemon can show it.
    pub fn with_definition(self, definition: pb::Definition) -> Self {
        let d = &self.0;
        SourceMap(Arc::new(SourceMapData {
            filename: d.filename.clone(),
            language: d.language.clone(),
            data: d.data.clone(),
            definition: Some(definition),
        }))
    }

    pub fn filename(&self) -> &str {
        &self.0.filename
    }

    /// A location made of the given ranges.
    pub fn location(&self, ranges: Vec<TextRange>) -> SourceLocation {
        SourceLocation {
            map: self.clone(),
            ranges,
        }
    }

    /// A location covering lines `first..=last`, one range per line, the way
    /// BuildKit's Dockerfile frontend reports multi-line instructions.
    pub fn lines(&self, first: i32, last: i32) -> SourceLocation {
        self.location((first..=last).map(TextRange::line).collect())
    }

    pub(crate) fn to_pb_info(&self) -> pb::SourceInfo {
        pb::SourceInfo {
            filename: self.0.filename.clone(),
            data: self.0.data.clone(),
            definition: self.0.definition.clone(),
            language: self.0.language.clone(),
        }
    }

    pub(crate) fn same_as(&self, other: &SourceMap) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

/// Ranges in one source map.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceLocation {
    pub map: SourceMap,
    pub ranges: Vec<TextRange>,
}
