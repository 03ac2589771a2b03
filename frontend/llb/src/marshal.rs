//! Turning a graph into a `pb::Definition`, the same bytes every time.

use std::collections::{BTreeMap, HashMap, HashSet, hash_map};
use std::hash::BuildHasherDefault;

use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint};
use sha2::{Digest as _, Sha256};

use crate::caps::Cap;
use crate::metadata::merge_pb;
use crate::pb;
use crate::sourcemap::SourceMap;
use crate::state::{Body, Node, State};
use crate::wire;

/// Encodes an op the way today's Go client does (protobuf-go, deterministic):
/// plain fields in number order, then the oneof — `inputs` (1), `platform`
/// (10), `constraints` (11), then the op body (2–7). Same content in another
/// field order would give every op a digest different from the reference
/// frontend's. (Clients built on gogo/protobuf, before BuildKit 0.15, wrote
/// strict number order; any daemon decodes both.)
pub(crate) fn encode_op(op: &pb::Op) -> Vec<u8> {
    let mut buf = Vec::with_capacity(op.encoded_len());
    for input in &op.inputs {
        prost::encoding::message::encode(1, input, &mut buf);
    }
    if let Some(platform) = &op.platform {
        prost::encoding::message::encode(10, platform, &mut buf);
    }
    if let Some(constraints) = &op.constraints {
        prost::encoding::message::encode(11, constraints, &mut buf);
    }
    if let Some(body) = &op.op {
        body.encode(&mut buf);
    }
    buf
}

/// `sha256:<hex>` of `bytes`, the digest BuildKit names ops by.
pub fn digest_of(bytes: &[u8]) -> String {
    const PREFIX: &[u8] = b"sha256:";
    // Every op gets one: written into a stack buffer, then one exact
    // allocation (no intermediate hex string, no formatting machinery).
    let mut text = [0u8; PREFIX.len() + 64];
    let (prefix, hex_part) = text.split_at_mut(PREFIX.len());
    prefix.copy_from_slice(PREFIX);
    match hex::encode_to_slice(Sha256::digest(bytes), hex_part) {
        Ok(()) => match std::str::from_utf8(&text) {
            Ok(text) => text.to_owned(),
            Err(_) => format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
        },
        // The buffer is sized for a SHA-256: this arm cannot run.
        Err(_) => format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
    }
}

/// Hashes a digest by eight of its hex characters (already uniformly
/// random) and a node by its address: the marshal's maps hold one key per
/// op, and hashing 71-byte strings with SipHash cost more than the lookups.
/// Equality still compares whole keys, so any input stays correct.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        match bytes.get(7..15) {
            Some(&[a, b, c, d, e, f, g, h]) => {
                self.0 = (self.0 ^ u64::from_le_bytes([a, b, c, d, e, f, g, h]))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
            _ => {
                for &byte in bytes {
                    self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
    }

    fn write_usize(&mut self, n: usize) {
        // Addresses: the low bits are alignment, the multiply spreads the rest.
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyHash = BuildHasherDefault<KeyHasher>;

/// The graph nodes sharing one digest, in walk order: their metadata is
/// merged, their locations concatenated.
struct Entry<'a> {
    first: &'a Node,
    more: Vec<&'a Node>,
}

impl<'a> Entry<'a> {
    fn body(&self) -> &'a Body {
        &self.first.body
    }

    fn digest(&self) -> &'a str {
        &self.first.body.digest
    }

    fn nodes(&self) -> impl Iterator<Item = &'a Node> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }

    /// The merged wire metadata.
    fn metadata(&self) -> pb::OpMetadata {
        let mut acc = self.first.meta.to_pb(&self.first.body.caps);
        for node in &self.more {
            merge_pb(&mut acc, node.meta.to_pb(&node.body.caps));
        }
        acc
    }

    /// Appends the encoding of [`Entry::metadata`]; one node's straight
    /// from its `OpMeta`.
    fn encode_metadata(&self, buf: &mut Vec<u8>) {
        if self.more.is_empty() {
            wire::encode_op_metadata(&self.first.meta, &self.first.body.caps, buf);
        } else {
            self.metadata().encode_raw(buf);
        }
    }

    fn has_locations(&self) -> bool {
        self.nodes().any(|n| !n.meta.locations.is_empty())
    }
}

/// Walks the graph by reference: it outlives the marshal, so no node is
/// reference-counted (an atomic write per visit) on the way.
#[derive(Default)]
struct Collector<'a> {
    /// Node identities already walked. Only used for membership, never
    /// iterated, so the order of addresses cannot leak into the output.
    walked: HashSet<usize, KeyHash>,
    /// One entry per distinct op, in Definition order.
    entries: Vec<Entry<'a>>,
    /// Index in `entries` of each digest; never iterated either.
    by_digest: HashMap<&'a str, usize, KeyHash>,
    /// Source maps in the order the walk first meets them.
    maps: Vec<&'a SourceMap>,
}

impl<'a> Collector<'a> {
    /// Post-order walk: inputs in wire order, then the op. An explicit stack
    /// keeps very deep graphs from exhausting the thread's stack.
    fn walk(&mut self, root: &'a Node) {
        let mut stack: Vec<(&'a Node, bool)> = vec![(root, false)];
        while let Some((node, inputs_done)) = stack.pop() {
            if inputs_done {
                self.emit(node);
                continue;
            }
            if !self.walked.insert(node as *const Node as usize) {
                continue;
            }
            stack.push((node, true));
            for input in node.body.inputs.iter().rev() {
                stack.push((&input.node, false));
            }
        }
    }

    fn emit(&mut self, node: &'a Node) {
        for loc in &node.meta.locations {
            if !self.maps.iter().any(|m| m.same_as(&loc.map)) {
                self.maps.push(&loc.map);
            }
        }
        match self.by_digest.entry(node.body.digest.as_str()) {
            hash_map::Entry::Vacant(slot) => {
                slot.insert(self.entries.len());
                self.entries.push(Entry {
                    first: node,
                    more: Vec::new(),
                });
            }
            hash_map::Entry::Occupied(slot) => {
                if let Some(entry) = self.entries.get_mut(*slot.get()) {
                    entry.more.push(node);
                }
            }
        }
    }
}

/// `entries` in digest order, the order of the Definition's maps. Digests
/// are compared by eight characters after `sha256:` first, from a key kept
/// next to the index, so the sort touches no op memory for all but equal
/// keys.
fn digest_order(entries: &[Entry<'_>]) -> Vec<usize> {
    const PREFIX: &str = "sha256:";
    let uniform = entries.iter().all(|e| e.digest().starts_with(PREFIX));
    let mut keyed: Vec<(u64, usize)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let bytes = e.digest().as_bytes();
            let mut key = [0u8; 8];
            if uniform {
                for (k, b) in key.iter_mut().zip(bytes.iter().skip(PREFIX.len())) {
                    *k = *b;
                }
            }
            (u64::from_be_bytes(key), i)
        })
        .collect();
    let digest = |i: usize| entries.get(i).map_or("", Entry::digest);
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| digest(a.1).cmp(digest(b.1))));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A walked graph: its ops in Definition order, the same in digest order,
/// the terminal op, and what the Definition's metadata and source map are
/// made from.
struct Collected<'a> {
    entries: Vec<Entry<'a>>,
    sorted: Vec<usize>,
    maps: Vec<&'a SourceMap>,
    terminal: Vec<u8>,
    terminal_digest: String,
    terminal_meta: pb::OpMetadata,
}

impl<'a> Collected<'a> {
    /// The entries in digest order.
    fn by_digest(&self) -> impl Iterator<Item = &Entry<'a>> + '_ {
        self.sorted.iter().filter_map(|&i| self.entries.get(i))
    }

    /// Index of `map` in the Definition's source infos.
    fn map_index(&self, map: &SourceMap) -> i32 {
        let index = self
            .maps
            .iter()
            .position(|m| m.same_as(map))
            .unwrap_or_default();
        i32::try_from(index).unwrap_or(i32::MAX)
    }

    /// Only ops with a location get an entry. The reference writes an
    /// empty one for the others, but protobuf encoders leave a default map
    /// value out, and Go then decodes the entry as a nil pointer: BuildKit's
    /// own Definition reader (its SBOM processor) dereferences it and the
    /// daemon crashes.
    fn locations(&self, entry: &Entry<'_>) -> Vec<pb::Location> {
        entry
            .nodes()
            .flat_map(|n| &n.meta.locations)
            .map(|loc| pb::Location {
                source_index: self.map_index(&loc.map),
                ranges: loc.ranges.iter().map(|r| r.to_pb()).collect(),
            })
            .collect()
    }
}

/// Marshals the graph ending at `state`.
///
/// Ops come dependencies first, each once (ops with equal bytes are one op),
/// followed by a terminal op whose only field is the input naming `state`.
/// Metadata is keyed by op digest; nodes sharing a digest have their metadata
/// merged. Scratch marshals to an empty Definition.
pub fn marshal(state: &State) -> pb::Definition {
    let Some(c) = collect(state) else {
        return pb::Definition::default();
    };
    let mut def: Vec<Vec<u8>> = c.entries.iter().map(|e| e.body().bytes.clone()).collect();
    def.push(c.terminal.clone());
    let mut metadata: BTreeMap<String, pb::OpMetadata> = c
        .entries
        .iter()
        .map(|entry| (entry.digest().to_string(), entry.metadata()))
        .collect();
    metadata.insert(c.terminal_digest.clone(), c.terminal_meta.clone());
    let locations = c
        .entries
        .iter()
        .filter(|entry| entry.has_locations())
        .map(|entry| {
            let locations = c.locations(entry);
            (entry.digest().to_string(), pb::Locations { locations })
        })
        .collect();
    pb::Definition {
        def,
        metadata,
        source: Some(pb::Source {
            locations,
            infos: c.maps.iter().map(|m| m.to_pb_info()).collect(),
        }),
    }
}

/// Writes the encoded `marshal(state)` to `out`, the same bytes, without
/// holding a copy of every op (let alone two: the Definition and its
/// encoding) next to the graph, nor building the wire metadata of each op:
/// it is encoded from the graph's (`wire`). `out` should be buffered.
pub fn write_definition(state: &State, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let Some(c) = collect(state) else {
        return Ok(()); // an empty Definition encodes to no bytes
    };
    // A message's encoding is its fields' in turn: every `def` entry (field
    // 1), the metadata map (2) in key order, then the source (3).
    let mut buf = Vec::with_capacity(1 << 16);
    let ops = c.entries.iter().map(|e| e.body().bytes.as_slice());
    for bytes in ops.chain(std::iter::once(c.terminal.as_slice())) {
        buf.clear();
        encode_key(1, WireType::LengthDelimited, &mut buf);
        encode_varint(bytes.len() as u64, &mut buf);
        out.write_all(&buf)?;
        out.write_all(bytes)?;
    }
    buf.clear();
    let mut value = Vec::new();
    let terminal = c.terminal_meta.encode_to_vec();
    let mut terminal_done = false;
    for entry in c.by_digest() {
        let digest = entry.digest();
        if !terminal_done && c.terminal_digest.as_str() <= digest {
            terminal_done = true;
            wire::message_entry(2, &c.terminal_digest, &terminal, &mut buf);
            if c.terminal_digest == digest {
                continue; // the terminal's metadata replaces the op's
            }
        }
        value.clear();
        entry.encode_metadata(&mut value);
        wire::message_entry(2, digest, &value, &mut buf);
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    if !terminal_done {
        wire::message_entry(2, &c.terminal_digest, &terminal, &mut buf);
    }
    out.write_all(&buf)?;

    let mut source = Vec::new();
    for entry in c.by_digest() {
        if !entry.has_locations() {
            continue;
        }
        value.clear();
        for loc in entry.nodes().flat_map(|n| &n.meta.locations) {
            wire::encode_location(1, c.map_index(&loc.map), &loc.ranges, &mut value);
        }
        wire::message_entry(1, entry.digest(), &value, &mut source);
    }
    for map in &c.maps {
        prost::encoding::message::encode(2, &map.to_pb_info(), &mut source);
    }
    buf.clear();
    wire::bytes_field(3, &source, &mut buf);
    out.write_all(&buf)
}

fn collect(state: &State) -> Option<Collected<'_>> {
    let out = state.out.as_ref()?;
    let mut c = Collector::default();
    c.walk(&out.node);
    let sorted = digest_order(&c.entries);

    let terminal = pb::Op {
        inputs: vec![out.to_pb_input()],
        ..pb::Op::default()
    };
    let bytes = encode_op(&terminal);
    let digest = digest_of(&bytes);
    let mut caps = vec![Cap::Constraints, Cap::Platform];
    let (mut ignore, mut describe, mut export) = (false, false, false);
    for node in c.entries.iter().flat_map(Entry::nodes) {
        let meta = &node.meta;
        ignore |= meta.ignore_cache;
        describe |= meta.custom_name.is_some() || !meta.description.is_empty();
        export |= meta.export_cache.is_some();
    }
    if ignore {
        caps.push(Cap::MetaIgnoreCache);
    }
    if describe {
        caps.push(Cap::MetaDescription);
    }
    if export {
        caps.push(Cap::MetaExportCache);
    }
    Some(Collected {
        entries: c.entries,
        sorted,
        maps: c.maps,
        terminal: bytes,
        terminal_digest: digest,
        terminal_meta: pb::OpMetadata {
            caps: caps.iter().map(|c| (c.id().to_string(), true)).collect(),
            ..pb::OpMetadata::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_in_lower_case_hex() {
        assert_eq!(
            digest_of(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn written_definition_is_the_encoded_marshal() {
        use crate::{ImageSource, Mkfile, OpMeta};
        let base = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
        let mut s = base.with_custom_name("base");
        for i in 0..3 {
            s = s.file_action(Mkfile::new(format!("/f{i}"), 0o644, vec![b'x'; 200]));
        }
        // Two nodes of one op with their own metadata and locations, two
        // source maps, a terminal op reading a merge of them.
        let (one, two) = (
            SourceMap::new("Dockerfile", "Dockerfile", b"FROM a".to_vec()),
            SourceMap::new("other", "Dockerfile", b"FROM b".to_vec()),
        );
        let named = base
            .with_custom_name("a")
            .with_location(one.lines(1, 2))
            .with_description("k", "");
        let again = base
            .with_custom_name("b")
            .with_location(two.lines(3, 3))
            .with_meta(
                OpMeta::new()
                    .with_ignore_cache(true)
                    .with_location(one.lines(0, 0)),
            );
        let merged = State::merge(&[named, s.clone(), again]);
        for state in [State::scratch(), base, s, merged] {
            let mut written = Vec::new();
            write_definition(&state, &mut written).unwrap();
            assert_eq!(written, marshal(&state).encode_to_vec());
        }
    }

    #[test]
    fn ops_without_a_location_have_no_locations_entry() {
        use crate::source::{LocalSession, LocalSource};
        let local =
            State::local(LocalSource::new("ctx", LocalSession::Unique("u".into()))).unwrap();
        let def = marshal(&local);
        let source = def.source.unwrap();
        // An empty entry would reach Go as a nil `*Locations`.
        assert!(source.locations.is_empty());
    }

    #[test]
    fn op_encoding_is_prost_compatible_with_the_body_last() {
        let op = pb::Op {
            inputs: vec![pb::Input {
                digest: "sha256:00".into(),
                index: 1,
            }],
            platform: Some(pb::Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                ..pb::Platform::default()
            }),
            constraints: Some(pb::WorkerConstraints::default()),
            op: Some(pb::op::Op::Merge(pb::MergeOp {
                inputs: vec![pb::MergeInput { input: 0 }],
            })),
        };
        let bytes = encode_op(&op);
        assert_eq!(bytes.len(), op.encoded_len());
        assert_eq!(pb::Op::decode(bytes.as_slice()).unwrap(), op);
        // Field keys in order: inputs (1), platform (10), constraints (11), merge (6).
        let keys: Vec<u8> = [0x0a, 0x52, 0x5a, 0x32].to_vec();
        let mut found = Vec::new();
        let mut rest = bytes.as_slice();
        while let [key, len, tail @ ..] = rest {
            found.push(*key);
            rest = tail.get(usize::from(*len)..).unwrap_or(&[]);
        }
        assert_eq!(found, keys);
    }
}
