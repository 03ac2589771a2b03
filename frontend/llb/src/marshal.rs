//! Turning a graph into a `pb::Definition`, the same bytes every time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use prost::Message;
use sha2::{Digest as _, Sha256};

use crate::caps::Cap;
use crate::metadata::merge_pb;
use crate::pb;
use crate::sourcemap::{SourceLocation, SourceMap};
use crate::state::{Body, Node, State};

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
        Ok(()) => String::from_utf8_lossy(&text).into_owned(),
        // The buffer is sized for a SHA-256: this arm cannot run.
        Err(_) => format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
    }
}

#[derive(Default)]
struct Collector {
    /// Node identities already walked. Only used for membership, never
    /// iterated, so the order of addresses cannot leak into the output.
    walked: BTreeSet<usize>,
    emitted: BTreeSet<String>,
    /// The ops in Definition order; their bytes are copied (or written out)
    /// only once the walk is done.
    def: Vec<Arc<Body>>,
    metadata: BTreeMap<String, pb::OpMetadata>,
    maps: Vec<SourceMap>,
    locations: BTreeMap<String, Vec<pb::Location>>,
}

impl Collector {
    /// Post-order walk: inputs in wire order, then the op. An explicit stack
    /// keeps very deep graphs from exhausting the thread's stack.
    fn walk(&mut self, root: &Arc<Node>) {
        let mut stack: Vec<(Arc<Node>, bool)> = vec![(Arc::clone(root), false)];
        while let Some((node, inputs_done)) = stack.pop() {
            let key = Arc::as_ptr(&node) as usize;
            if inputs_done {
                self.emit(&node);
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

    fn emit(&mut self, node: &Node) {
        let enc = &node.body;
        if self.emitted.insert(enc.digest.clone()) {
            self.def.push(Arc::clone(enc));
        }
        let md = node.meta.to_pb(&enc.caps);
        match self.metadata.get_mut(&enc.digest) {
            Some(acc) => merge_pb(acc, md),
            None => {
                self.metadata.insert(enc.digest.clone(), md);
            }
        }
        // Only ops with a location get an entry. The reference writes an
        // empty one for the others, but protobuf encoders leave a default
        // map value out, and Go then decodes the entry as a nil pointer:
        // BuildKit's own Definition reader (its SBOM processor) dereferences
        // it and the daemon crashes.
        let wires: Vec<pb::Location> = node
            .meta
            .locations
            .iter()
            .map(|loc| self.location(loc))
            .collect();
        if !wires.is_empty() {
            self.locations
                .entry(enc.digest.clone())
                .or_default()
                .extend(wires);
        }
    }

    fn location(&mut self, loc: &SourceLocation) -> pb::Location {
        let index = match self.maps.iter().position(|m| m.same_as(&loc.map)) {
            Some(i) => i,
            None => {
                self.maps.push(loc.map.clone());
                self.maps.len() - 1
            }
        };
        pb::Location {
            source_index: i32::try_from(index).unwrap_or(i32::MAX),
            ranges: loc.ranges.iter().map(|r| r.to_pb()).collect(),
        }
    }
}

/// A walked graph: its ops in order, the terminal op, and everything else a
/// Definition holds.
struct Collected {
    ops: Vec<Arc<Body>>,
    terminal: Vec<u8>,
    metadata: BTreeMap<String, pb::OpMetadata>,
    source: pb::Source,
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
    def.push(c.terminal);
    pb::Definition {
        def,
        metadata: c.metadata,
        source: Some(c.source),
    }
}

/// Writes the encoded `marshal(state)` to `out`, the same bytes, without
/// holding a copy of every op (let alone two: the Definition and its
/// encoding) next to the graph. `out` should be buffered.
pub fn write_definition(state: &State, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use prost::encoding::{WireType, encode_key, encode_varint};
    let Some(c) = collect(state) else {
        return Ok(()); // an empty Definition encodes to no bytes
    };
    // A message's encoding is its fields' in turn: every `def` entry (field
    // 1) as it is written below, then metadata and source from prost.
    let ops = c.ops.iter().map(|body| body.bytes.as_slice());
    let mut head = Vec::with_capacity(16);
    for bytes in ops.chain(std::iter::once(c.terminal.as_slice())) {
        head.clear();
        encode_key(1, WireType::LengthDelimited, &mut head);
        encode_varint(bytes.len() as u64, &mut head);
        out.write_all(&head)?;
        out.write_all(bytes)?;
    }
    let rest = pb::Definition {
        def: Vec::new(),
        metadata: c.metadata,
        source: Some(c.source),
    };
    out.write_all(&rest.encode_to_vec())
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
    let ops = c.metadata.values();
    let (mut ignore, mut describe, mut export) = (false, false, false);
    for md in ops {
        ignore |= md.ignore_cache;
        describe |= !md.description.is_empty();
        export |= md.export_cache.is_some();
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
    c.metadata.insert(
        digest,
        pb::OpMetadata {
            caps: caps.iter().map(|c| (c.id().to_string(), true)).collect(),
            ..pb::OpMetadata::default()
        },
    );

    let source = pb::Source {
        locations: c
            .locations
            .into_iter()
            .map(|(d, locations)| (d, pb::Locations { locations }))
            .collect(),
        infos: c.maps.iter().map(SourceMap::to_pb_info).collect(),
    };
    Some(Collected {
        ops: c.def,
        terminal: bytes,
        metadata: c.metadata,
        source,
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
        use crate::{ImageSource, Mkfile};
        let base = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
        let mut s = base.with_custom_name("base");
        for i in 0..3 {
            s = s.file_action(Mkfile::new(format!("/f{i}"), 0o644, vec![b'x'; 200]));
        }
        for state in [State::scratch(), base, s] {
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
