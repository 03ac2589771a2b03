//! Turning a graph into a `pb::Definition`, the same bytes every time.

use std::collections::{BTreeMap, HashSet, btree_map};
use std::sync::Arc;

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

/// An op's body as a map key, ordered by its digest: the Definition's maps
/// are keyed by digest, and ops with equal bytes are one op.
struct ByDigest(Arc<Body>);

impl PartialEq for ByDigest {
    fn eq(&self, other: &Self) -> bool {
        self.0.digest == other.0.digest
    }
}

impl Eq for ByDigest {}

impl PartialOrd for ByDigest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByDigest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.digest.cmp(&other.0.digest)
    }
}

/// The graph nodes sharing one digest, in walk order: their metadata is
/// merged, their locations concatenated.
struct Entry {
    first: Arc<Node>,
    more: Vec<Arc<Node>>,
}

impl Entry {
    fn nodes(&self) -> impl Iterator<Item = &Arc<Node>> {
        std::iter::once(&self.first).chain(&self.more)
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

#[derive(Default)]
struct Collector {
    /// Node identities already walked. Only used for membership, never
    /// iterated, so the order of addresses cannot leak into the output.
    walked: HashSet<usize>,
    /// The ops in Definition order; their bytes are copied (or written out)
    /// only once the walk is done.
    def: Vec<Arc<Body>>,
    entries: BTreeMap<ByDigest, Entry>,
    /// Source maps in the order the walk first meets them.
    maps: Vec<SourceMap>,
}

impl Collector {
    /// Post-order walk: inputs in wire order, then the op. An explicit stack
    /// keeps very deep graphs from exhausting the thread's stack.
    fn walk(&mut self, root: &Arc<Node>) {
        let mut stack: Vec<(Arc<Node>, bool)> = vec![(Arc::clone(root), false)];
        while let Some((node, inputs_done)) = stack.pop() {
            let key = Arc::as_ptr(&node) as usize;
            if inputs_done {
                self.emit(node);
                continue;
            }
            if !self.walked.insert(key) {
                continue;
            }
            stack.push((Arc::clone(&node), true));
            for input in node.body.inputs.iter().rev() {
                stack.push((Arc::clone(&input.node), false));
            }
        }
    }

    fn emit(&mut self, node: Arc<Node>) {
        for loc in &node.meta.locations {
            if !self.maps.iter().any(|m| m.same_as(&loc.map)) {
                self.maps.push(loc.map.clone());
            }
        }
        match self.entries.entry(ByDigest(Arc::clone(&node.body))) {
            btree_map::Entry::Vacant(slot) => {
                self.def.push(Arc::clone(&node.body));
                slot.insert(Entry {
                    first: node,
                    more: Vec::new(),
                });
            }
            btree_map::Entry::Occupied(mut slot) => slot.get_mut().more.push(node),
        }
    }
}

/// A walked graph: its ops in order, the terminal op, and what the
/// Definition's metadata and source map are made from.
struct Collected {
    ops: Vec<Arc<Body>>,
    entries: BTreeMap<ByDigest, Entry>,
    maps: Vec<SourceMap>,
    terminal: Vec<u8>,
    terminal_digest: String,
    terminal_meta: pb::OpMetadata,
}

impl Collected {
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
    fn locations(&self, entry: &Entry) -> Vec<pb::Location> {
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
    let mut def: Vec<Vec<u8>> = c.ops.iter().map(|body| body.bytes.clone()).collect();
    def.push(c.terminal.clone());
    let mut metadata: BTreeMap<String, pb::OpMetadata> = c
        .entries
        .iter()
        .map(|(key, entry)| (key.0.digest.clone(), entry.metadata()))
        .collect();
    metadata.insert(c.terminal_digest.clone(), c.terminal_meta.clone());
    let locations = c
        .entries
        .iter()
        .filter(|(_, entry)| entry.has_locations())
        .map(|(key, entry)| {
            let locations = c.locations(entry);
            (key.0.digest.clone(), pb::Locations { locations })
        })
        .collect();
    pb::Definition {
        def,
        metadata,
        source: Some(pb::Source {
            locations,
            infos: c.maps.iter().map(SourceMap::to_pb_info).collect(),
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
    let ops = c.ops.iter().map(|body| body.bytes.as_slice());
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
    for (key, entry) in &c.entries {
        let digest = key.0.digest.as_str();
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
    for (key, entry) in &c.entries {
        if !entry.has_locations() {
            continue;
        }
        value.clear();
        for loc in entry.nodes().flat_map(|n| &n.meta.locations) {
            wire::encode_location(1, c.map_index(&loc.map), &loc.ranges, &mut value);
        }
        wire::message_entry(1, &key.0.digest, &value, &mut source);
    }
    for map in &c.maps {
        prost::encoding::message::encode(2, &map.to_pb_info(), &mut source);
    }
    buf.clear();
    wire::bytes_field(3, &source, &mut buf);
    out.write_all(&buf)
}

fn collect(state: &State) -> Option<Collected> {
    let out = state.out.as_ref()?;
    let mut c = Collector::default();
    c.walk(&out.node);

    let terminal = pb::Op {
        inputs: vec![out.to_pb_input()],
        ..pb::Op::default()
    };
    let bytes = encode_op(&terminal);
    let digest = digest_of(&bytes);
    let mut caps = vec![Cap::Constraints, Cap::Platform];
    let (mut ignore, mut describe, mut export) = (false, false, false);
    for node in c.entries.values().flat_map(Entry::nodes) {
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
        ops: c.def,
        entries: c.entries,
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
