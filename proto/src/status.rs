//! The `google.rpc.Status` a frontend hands to `Return` when it fails.
//!
//! BuildKit's typed error details are `Any` messages whose value is JSON (Go's
//! `encoding/json` of the generated struct), not protobuf. The one a frontend
//! produces is `errdefs.Source`: it makes clients print the offending lines of
//! the Dockerfile.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use prost::Message;
use serde::{Deserialize, Serialize};
use tonic::codegen::Bytes;

use crate::google::protobuf::Any;
use crate::google::rpc::Status;

/// Type URL of the `errdefs.Source` detail.
pub const SOURCE_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Source+json";

/// A position in a source file; lines count from 1, `character` 0 = unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SourcePosition {
    pub line: u32,
    pub character: u32,
}

/// An inclusive span of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SourceRange {
    pub start: SourcePosition,
    pub end: SourcePosition,
}

impl SourceRange {
    /// Whole lines `start..=end` (1-based).
    pub fn lines(start: u32, end: u32) -> Self {
        SourceRange {
            start: SourcePosition {
                line: start,
                character: 0,
            },
            end: SourcePosition {
                line: end,
                character: 0,
            },
        }
    }
}

/// A file and the parts of it an error points at.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SourceLocation {
    pub filename: String,
    /// The whole file: clients cut the snippet out of it themselves.
    pub data: Vec<u8>,
    /// e.g. `Dockerfile`; selects highlighting in clients.
    pub language: String,
    pub ranges: Vec<SourceRange>,
}

/// A detail could not be read as an `errdefs.Source`.
#[derive(Debug, thiserror::Error)]
pub enum DetailError {
    #[error("detail has type {0}, not {SOURCE_TYPE_URL}")]
    WrongType(String),
    #[error("errdefs.Source detail is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("errdefs.Source detail has invalid base64 data: {0}")]
    Base64(#[from] base64::DecodeError),
}

/// The `errdefs.Source+json` detail for `location`.
pub fn source_detail(location: &SourceLocation) -> Any {
    let json = SourceJson {
        info: Some(InfoJson {
            filename: location.filename.clone(),
            data: BASE64.encode(&location.data),
            language: location.language.clone(),
        }),
        ranges: location.ranges.iter().map(RangeJson::from).collect(),
    };
    Any {
        type_url: SOURCE_TYPE_URL.to_string(),
        // Serialising plain strings and integers cannot fail.
        value: serde_json::to_vec(&json).unwrap_or_default(),
    }
}

/// Reads an `errdefs.Source+json` detail back (tests, diagnostics).
pub fn decode_source_detail(detail: &Any) -> Result<SourceLocation, DetailError> {
    if detail.type_url != SOURCE_TYPE_URL {
        return Err(DetailError::WrongType(detail.type_url.clone()));
    }
    let json: SourceJson = serde_json::from_slice(&detail.value)?;
    let info = json.info.unwrap_or_default();
    Ok(SourceLocation {
        filename: info.filename,
        data: BASE64.decode(info.data.as_bytes())?,
        language: info.language,
        ranges: json.ranges.iter().map(SourceRange::from).collect(),
    })
}

/// An error of our own for `Return`: `code`, `message` and one Source detail
/// per location.
pub fn error_status(
    code: tonic::Code,
    message: impl Into<String>,
    sources: &[SourceLocation],
) -> Status {
    Status {
        code: code.into(),
        message: message.into(),
        details: sources.iter().map(source_detail).collect(),
    }
}

/// The status a failed call carried, as it came from BuildKit, for
/// forwarding in `Return`.
///
/// grpc-go sends the full `google.rpc.Status` (with BuildKit's typed details)
/// in `grpc-status-details-bin`; tonic keeps those bytes in `details()`.
/// Without them only code and message are known.
pub fn status_from_tonic(status: &tonic::Status) -> Status {
    if !status.details().is_empty()
        && let Ok(full) = Status::decode(status.details())
    {
        return full;
    }
    Status {
        code: status.code().into(),
        message: status.message().to_string(),
        details: Vec::new(),
    }
}

/// The tonic status a server sends for `status`, details included (used by
/// the fake BuildKit; grpc-go does the same).
pub fn tonic_from_status(status: &Status) -> tonic::Status {
    tonic::Status::with_details(
        tonic::Code::from(status.code),
        status.message.clone(),
        Bytes::from(status.encode_to_vec()),
    )
}

// JSON shape of Go's `encoding/json` for errdefs.Source / pb.SourceInfo /
// pb.Range / pb.Position: lower-case names, `omitempty` everywhere, []byte as
// standard base64. BuildKit v0.8 (gogo) spelled Position's fields `Line` and
// `Character`; Go matches names case-insensitively, so accept both.

#[derive(Serialize, Deserialize, Default)]
struct SourceJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<InfoJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<RangeJson>,
}

#[derive(Serialize, Deserialize, Default)]
struct InfoJson {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    filename: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    language: String,
}

#[derive(Serialize, Deserialize, Default)]
struct RangeJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<PositionJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<PositionJson>,
}

#[derive(Serialize, Deserialize, Default, Clone, Copy)]
struct PositionJson {
    #[serde(default, alias = "Line", skip_serializing_if = "is_zero")]
    line: i32,
    #[serde(default, alias = "Character", skip_serializing_if = "is_zero")]
    character: i32,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn to_u32(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl From<&SourceRange> for RangeJson {
    fn from(range: &SourceRange) -> Self {
        let position = |p: SourcePosition| PositionJson {
            line: to_i32(p.line),
            character: to_i32(p.character),
        };
        RangeJson {
            start: Some(position(range.start)),
            end: Some(position(range.end)),
        }
    }
}

impl From<&RangeJson> for SourceRange {
    fn from(range: &RangeJson) -> Self {
        let position = |p: Option<PositionJson>| {
            let p = p.unwrap_or_default();
            SourcePosition {
                line: to_u32(p.line),
                character: to_u32(p.character),
            }
        };
        SourceRange {
            start: position(range.start),
            end: position(range.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location() -> SourceLocation {
        SourceLocation {
            filename: "Dockerfile".into(),
            data: b"FROM alpine\nRUN false\n".to_vec(),
            language: "Dockerfile".into(),
            ranges: vec![SourceRange::lines(2, 2)],
        }
    }

    #[test]
    fn source_detail_has_buildkit_json_shape() {
        let any = source_detail(&location());
        assert_eq!(any.type_url, SOURCE_TYPE_URL);
        let json: serde_json::Value = serde_json::from_slice(&any.value).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "info": {
                    "filename": "Dockerfile",
                    "data": "RlJPTSBhbHBpbmUKUlVOIGZhbHNlCg==",
                    "language": "Dockerfile"
                },
                "ranges": [{"start": {"line": 2}, "end": {"line": 2}}]
            })
        );
        assert_eq!(decode_source_detail(&any).unwrap(), location());
    }

    #[test]
    fn decodes_gogo_spelling_and_ignores_definition() {
        let any = Any {
            type_url: SOURCE_TYPE_URL.into(),
            value: br#"{"info":{"filename":"f","data":"eA==","definition":{"def":[]}},"ranges":[{"start":{"Line":3,"Character":4},"end":{"Line":5}}]}"#.to_vec(),
        };
        let loc = decode_source_detail(&any).unwrap();
        assert_eq!(loc.data, b"x");
        assert_eq!(
            loc.ranges[0].start,
            SourcePosition {
                line: 3,
                character: 4
            }
        );
        assert_eq!(loc.ranges[0].end.line, 5);
        let other = Any {
            type_url: "x".into(),
            value: vec![],
        };
        assert!(matches!(
            decode_source_detail(&other),
            Err(DetailError::WrongType(_))
        ));
    }

    #[test]
    fn tonic_status_round_trips_unchanged() {
        let original = error_status(
            tonic::Code::Unknown,
            "process did not complete",
            &[location()],
        );
        let over_the_wire = tonic_from_status(&original);
        assert_eq!(status_from_tonic(&over_the_wire), original);
        let bare = tonic::Status::not_found("nope");
        let converted = status_from_tonic(&bare);
        assert_eq!(converted.code, 5);
        assert_eq!(converted.message, "nope");
        assert!(converted.details.is_empty());
    }
}
