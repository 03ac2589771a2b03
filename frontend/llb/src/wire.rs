//! Protobuf encoding of a Definition's metadata and source map written
//! straight from the graph's [`OpMeta`]s, with the bytes prost gives for the
//! same `pb` messages but without building them: a `pb::OpMetadata` is two
//! maps of owned strings per op (descriptions and caps), which for thousands
//! of ops cost more allocation than everything else the marshal does.

use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint};

use crate::caps::Cap;
use crate::metadata::{CUSTOM_NAME_KEY, OpMeta};
use crate::pb;

/// Appends a length-delimited field.
pub(crate) fn bytes_field(tag: u32, bytes: &[u8], buf: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(bytes.len() as u64, buf);
    buf.extend_from_slice(bytes);
}

/// The encoded length of a length-delimited field (tag below 16).
pub(crate) fn bytes_field_len(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// A string field as prost writes it: left out when empty.
pub(crate) fn string_field(tag: u32, s: &str, buf: &mut Vec<u8>) {
    if !s.is_empty() {
        bytes_field(tag, s.as_bytes(), buf);
    }
}

pub(crate) fn string_field_len(s: &str) -> usize {
    if s.is_empty() {
        0
    } else {
        bytes_field_len(s.len())
    }
}

/// One `map<string, string>` entry (key 1, value 2; empty ones left out).
fn string_entry(tag: u32, key: &str, value: &str, buf: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(
        (string_field_len(key) + string_field_len(value)) as u64,
        buf,
    );
    string_field(1, key, buf);
    string_field(2, value, buf);
}

/// Appends the encoding of `meta.to_pb(caps)` (an `OpMetadata`) to `buf`.
pub(crate) fn encode_op_metadata(meta: &OpMeta, caps: &[Cap], buf: &mut Vec<u8>) {
    if meta.ignore_cache {
        encode_key(1, WireType::Varint, buf);
        encode_varint(1, buf);
    }
    // The description map in key order, with the progress name under its
    // key (it wins over a description of that key, as in `wire_description`).
    let custom = meta.custom_name.as_deref();
    let mut custom_pending = custom.is_some();
    for (key, value) in &meta.description {
        if custom_pending && key.as_str() >= CUSTOM_NAME_KEY {
            string_entry(2, CUSTOM_NAME_KEY, custom.unwrap_or_default(), buf);
            custom_pending = false;
            if key == CUSTOM_NAME_KEY {
                continue;
            }
        }
        string_entry(2, key, value, buf);
    }
    if custom_pending {
        string_entry(2, CUSTOM_NAME_KEY, custom.unwrap_or_default(), buf);
    }
    if let Some(value) = meta.export_cache {
        prost::encoding::message::encode(4, &pb::ExportCache { value }, buf);
    }
    // A map is written in key order, each key once. An op's caps already
    // are (`State::from_op`), so only other lists need sorting.
    let cap_entry = |id: &str, buf: &mut Vec<u8>| {
        encode_key(5, WireType::LengthDelimited, buf);
        encode_varint((string_field_len(id) + 2) as u64, buf);
        string_field(1, id, buf);
        encode_key(2, WireType::Varint, buf);
        encode_varint(1, buf);
    };
    if caps
        .windows(2)
        .all(|pair| matches!(pair, [a, b] if a.id() < b.id()))
    {
        for cap in caps {
            cap_entry(cap.id(), buf);
        }
    } else {
        let mut ids: Vec<&'static str> = caps.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            cap_entry(id, buf);
        }
    }
    if let Some(g) = &meta.progress_group {
        let len = string_field_len(&g.id) + string_field_len(&g.name) + if g.weak { 2 } else { 0 };
        encode_key(6, WireType::LengthDelimited, buf);
        encode_varint(len as u64, buf);
        string_field(1, &g.id, buf);
        string_field(2, &g.name, buf);
        if g.weak {
            encode_key(3, WireType::Varint, buf);
            encode_varint(1, buf);
        }
    }
    if let Some(resources) = &meta.linux_resources {
        prost::encoding::message::encode(7, resources, buf);
    }
}

/// One entry of a `map<string, message>` field whose value is already
/// encoded: an empty value (the message's default) is left out, as prost
/// does.
pub(crate) fn message_entry(tag: u32, key: &str, value: &[u8], buf: &mut Vec<u8>) {
    let value_len = if value.is_empty() {
        0
    } else {
        bytes_field_len(value.len())
    };
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint((string_field_len(key) + value_len) as u64, buf);
    string_field(1, key, buf);
    if !value.is_empty() {
        bytes_field(2, value, buf);
    }
}

/// Appends one `Location` (field `tag`) of `ranges` in the map at
/// `source_index`.
pub(crate) fn encode_location(
    tag: u32,
    source_index: i32,
    ranges: &[crate::TextRange],
    buf: &mut Vec<u8>,
) {
    let mut len = ranges
        .iter()
        .map(|r| prost::encoding::message::encoded_len(2, &r.to_pb()))
        .sum::<usize>();
    if source_index != 0 {
        len += prost::encoding::int32::encoded_len(1, &source_index);
    }
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(len as u64, buf);
    if source_index != 0 {
        prost::encoding::int32::encode(1, &source_index, buf);
    }
    for r in ranges {
        prost::encoding::message::encode(2, &r.to_pb(), buf);
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::metadata::ProgressGroup;
    use crate::{SourceMap, TextPos, TextRange};

    fn check(meta: &OpMeta, caps: &[Cap]) {
        let mut ours = Vec::new();
        encode_op_metadata(meta, caps, &mut ours);
        assert_eq!(ours, meta.to_pb(caps).encode_to_vec(), "{meta:?}");
        for key in ["", "sha256:ab"] {
            let mut entry = Vec::new();
            message_entry(2, key, &ours, &mut entry);
            let def = pb::Definition {
                metadata: [(key.to_string(), meta.to_pb(caps))].into_iter().collect(),
                ..pb::Definition::default()
            };
            assert_eq!(entry, def.encode_to_vec(), "{meta:?}");
        }
    }

    #[test]
    fn op_metadata_is_what_prost_writes() {
        let base = OpMeta::new();
        check(&base, &[]);
        check(
            &base,
            &[Cap::ExecMetaBase, Cap::Constraints, Cap::ExecMountBind],
        );
        // Already in ID order, as `State::from_op` leaves an op's caps.
        check(
            &base,
            &[Cap::Constraints, Cap::ExecMetaBase, Cap::ExecMountBind],
        );
        let named = OpMeta::named("[1/2] RUN x")
            .with_description("com.docker.dockerfile.v1.command", "RUN x")
            .with_description("a", "")
            .with_description("", "v")
            .with_description("zz", "after");
        check(&named, &[Cap::FileBase]);
        check(
            &named.clone().with_description(CUSTOM_NAME_KEY, "shadowed"),
            &[],
        );
        check(
            &OpMeta::new().with_description(CUSTOM_NAME_KEY, "only"),
            &[],
        );
        let mut full = named
            .with_ignore_cache(true)
            .with_export_cache(false)
            .with_progress_group(ProgressGroup {
                id: "link:1:sha256:00".into(),
                name: "".into(),
                weak: true,
            });
        full.linux_resources = Some(pb::LinuxResources {
            memory: 1 << 20,
            cpuset_cpus: "0-1".into(),
            ..pb::LinuxResources::default()
        });
        check(&full, &[Cap::MetaIgnoreCache, Cap::MetaIgnoreCache]);
        let mut group_only = OpMeta::new().with_export_cache(true);
        group_only.progress_group = Some(ProgressGroup {
            id: String::new(),
            name: "n".into(),
            weak: false,
        });
        check(&group_only, &[]);
    }

    #[test]
    fn locations_are_what_prost_writes() {
        let map = SourceMap::new("Dockerfile", "Dockerfile", Vec::new());
        let pos = |line, character| TextPos { line, character };
        for (index, ranges) in [
            (0, Vec::new()),
            (3, map.lines(0, 2).ranges),
            (
                1,
                vec![TextRange {
                    start: pos(-1, 4),
                    end: pos(7, 0),
                }],
            ),
        ] {
            let mut ours = Vec::new();
            encode_location(1, index, &ranges, &mut ours);
            let theirs = pb::Locations {
                locations: vec![pb::Location {
                    source_index: index,
                    ranges: ranges.iter().map(|r| r.to_pb()).collect(),
                }],
            };
            assert_eq!(ours, theirs.encode_to_vec());
        }
    }
}
