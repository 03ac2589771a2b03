//! Source maps: the text an op came from, so BuildKit can point errors at
//! lines of it.

use std::sync::Arc;

use crate::{pb, wire};

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

    /// Appends the encoding of [`SourceMap::to_pb_info`] as field `tag`,
    /// all but the file's bytes, which belong at the returned offset of
    /// `buf`: the caller writes them from the map, so a file of megabytes
    /// is not copied into every Definition written.
    pub(crate) fn encode_info_but_data(&self, tag: u32, buf: &mut Vec<u8>) -> (usize, &[u8]) {
        use prost::encoding::{WireType, encode_key, encode_varint};
        let d = &*self.0;
        // Empty fields are left out, as prost does.
        let data_len = match d.data.len() {
            0 => 0,
            n => wire::bytes_field_len(n),
        };
        let definition_len = d
            .definition
            .as_ref()
            .map_or(0, |def| prost::encoding::message::encoded_len(3, def));
        let len = wire::string_field_len(&d.filename)
            + data_len
            + definition_len
            + wire::string_field_len(&d.language);
        encode_key(tag, WireType::LengthDelimited, buf);
        encode_varint(len as u64, buf);
        wire::string_field(1, &d.filename, buf);
        if !d.data.is_empty() {
            encode_key(2, WireType::LengthDelimited, buf);
            encode_varint(d.data.len() as u64, buf);
        }
        let at = buf.len();
        if let Some(def) = &d.definition {
            prost::encoding::message::encode(3, def, buf);
        }
        wire::string_field(4, &d.language, buf);
        (at, &d.data)
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
