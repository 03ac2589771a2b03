//! Turning a graph into a `pb::Definition`, the same bytes every time.

use std::collections::{BTreeMap, HashMap, HashSet, hash_map};
use std::hash::BuildHasherDefault;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// The same, encoded.
    terminal_meta_bytes: Vec<u8>,
    /// Where the terminal op's metadata goes in the digest order: before
    /// the op at this index of `sorted`, or last.
    terminal_slot: usize,
}

impl<'a> Collected<'a> {
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

/// Ops from which writing a Definition takes a second thread, when there
/// is a second core. Below it the thread saves under a millisecond, and on
/// a busy machine waiting for it to be scheduled (the join waits even when
/// it has found nothing left to do) cost more than that: at 5,000 ops
/// (500 generated stages) the write was faster at best but slower in the
/// median with other processes running.
const THREADED_MIN_OPS: usize = 8192;

/// Ops per run of the graph encoded at once: the threads take runs in
/// turn, so small enough for the two to finish about together, large
/// enough that taking one is rare.
const RUN_OPS: usize = 1024;

/// Writes the encoded `marshal(state)` to `out`, the same bytes, without
/// holding a copy of every op (let alone two: the Definition and its
/// encoding) next to the graph, nor building the wire metadata of each op:
/// it is encoded from the graph's (`wire`). `out` should be buffered.
///
/// The metadata and source maps are written in digest order, which is no
/// order at all in memory: reading each op's metadata in that order waits
/// on memory at almost every node. So each op's map entries are encoded in
/// walk order, which is about the order the nodes were made in, and then
/// copied out in digest order from those encodings. A graph of thousands
/// of ops is encoded on two threads: this one writes the ops first, then
/// both take runs of ops to encode.
pub fn write_definition(state: &State, out: &mut impl Write) -> io::Result<()> {
    let Some(c) = collect(state) else {
        return Ok(()); // an empty Definition encodes to no bytes
    };
    let threads = if c.entries.len() >= THREADED_MIN_OPS {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
    } else {
        1
    };
    write_collected(&c, threads, out)
}

fn write_collected(c: &Collected<'_>, threads: usize, out: &mut impl Write) -> io::Result<()> {
    // A message's encoding is its fields' in turn: every `def` entry (field
    // 1), the metadata map (2) in key order, then the source (3).
    let next = AtomicUsize::new(0);
    let mut runs = if threads < 2 {
        c.write_ops(out)?;
        c.encode_runs(&next)
    } else {
        let (written, mut mine, theirs) = std::thread::scope(|scope| {
            let helper = scope.spawn(|| c.encode_runs(&next));
            let written = c.write_ops(out);
            let mine = c.encode_runs(&next);
            match helper.join() {
                Ok(theirs) => (written, mine, theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        written?;
        mine.extend(theirs);
        mine
    };
    runs.sort_unstable_by_key(|run| run.start);
    c.write_maps(&runs, out)
}

/// The metadata and source-location map entries of a run of ops in walk
/// order, one after another.
struct EncodedRun {
    /// Index in the walk order of the run's first op.
    start: usize,
    metadata: Vec<u8>,
    /// Where each op's metadata entry ends in `metadata`.
    metadata_ends: Vec<usize>,
    locations: Vec<u8>,
    /// Where each op's locations entry ends in `locations` (none when it
    /// has no location).
    locations_ends: Vec<usize>,
}

impl EncodedRun {
    fn piece<'b>(bytes: &'b [u8], ends: &[usize], i: usize) -> &'b [u8] {
        let start = match i.checked_sub(1) {
            Some(before) => ends.get(before).copied().unwrap_or_default(),
            None => 0,
        };
        let end = ends.get(i).copied().unwrap_or_default();
        bytes.get(start..end).unwrap_or_default()
    }

    /// The metadata entry of the run's `i`th op.
    fn metadata(&self, i: usize) -> &[u8] {
        Self::piece(&self.metadata, &self.metadata_ends, i)
    }

    /// The locations entry of the run's `i`th op, empty if it has none.
    fn locations(&self, i: usize) -> &[u8] {
        Self::piece(&self.locations, &self.locations_ends, i)
    }
}

impl<'a> Collected<'a> {
    /// The `def` entries: every op in walk order, then the terminal op.
    fn write_ops(&self, out: &mut impl Write) -> io::Result<()> {
        let mut head = Vec::with_capacity(16);
        let ops = self.entries.iter().map(|e| e.body().bytes.as_slice());
        for bytes in ops.chain(std::iter::once(self.terminal.as_slice())) {
            head.clear();
            encode_key(1, WireType::LengthDelimited, &mut head);
            encode_varint(bytes.len() as u64, &mut head);
            out.write_all(&head)?;
            out.write_all(bytes)?;
        }
        Ok(())
    }

    /// Encodes runs of ops, as many as this thread takes before `next`
    /// runs past the last op.
    fn encode_runs(&self, next: &AtomicUsize) -> Vec<EncodedRun> {
        let mut runs = Vec::new();
        let mut value = Vec::new();
        loop {
            let start = next.fetch_add(RUN_OPS, Ordering::Relaxed);
            let Some(entries) = self.entries.get(start..) else {
                return runs;
            };
            if entries.is_empty() {
                return runs;
            }
            let entries = entries.get(..RUN_OPS).unwrap_or(entries);
            runs.push(self.encode_run(start, entries, &mut value));
        }
    }

    /// `value` is scratch space.
    fn encode_run(&self, start: usize, entries: &[Entry<'_>], value: &mut Vec<u8>) -> EncodedRun {
        // Sized for ops like a Dockerfile's: a name, a command, a location.
        let mut run = EncodedRun {
            start,
            metadata: Vec::with_capacity(entries.len() * 192),
            metadata_ends: Vec::with_capacity(entries.len()),
            locations: Vec::with_capacity(entries.len() * 96),
            locations_ends: Vec::with_capacity(entries.len()),
        };
        for entry in entries {
            value.clear();
            entry.encode_metadata(value);
            wire::message_entry(2, entry.digest(), value, &mut run.metadata);
            run.metadata_ends.push(run.metadata.len());
            // Only ops with a location get an entry (`Collected::locations`).
            if entry.has_locations() {
                value.clear();
                for loc in entry.nodes().flat_map(|n| &n.meta.locations) {
                    wire::encode_location(1, self.map_index(&loc.map), &loc.ranges, value);
                }
                wire::message_entry(1, entry.digest(), value, &mut run.locations);
            }
            run.locations_ends.push(run.locations.len());
        }
        run
    }

    /// Writes the metadata map and the source section, the ops' entries
    /// taken from `runs` (in walk order, each `RUN_OPS` ops but the last).
    fn write_maps(&self, runs: &[EncodedRun], out: &mut impl Write) -> io::Result<()> {
        let run_of = |e: usize| runs.get(e / RUN_OPS).map(|run| (run, e % RUN_OPS));
        let mut terminal = Vec::new();
        wire::message_entry(
            2,
            &self.terminal_digest,
            &self.terminal_meta_bytes,
            &mut terminal,
        );
        for (i, &e) in self.sorted.iter().enumerate() {
            if i == self.terminal_slot {
                out.write_all(&terminal)?;
                // The terminal's metadata replaces an op's of its digest.
                let same = self.entries.get(e).map(Entry::digest) == Some(&self.terminal_digest);
                if same {
                    continue;
                }
            }
            if let Some((run, k)) = run_of(e) {
                out.write_all(run.metadata(k))?;
            }
        }
        if self.terminal_slot >= self.sorted.len() {
            out.write_all(&terminal)?;
        }

        // The source: every op's locations in digest order, then the
        // source files, whose bytes are written from the maps themselves.
        let mut infos = Vec::new();
        let mut splices = Vec::with_capacity(self.maps.len());
        for map in &self.maps {
            let (at, data) = map.encode_info_but_data(2, &mut infos);
            if !data.is_empty() {
                splices.push((at, data));
            }
        }
        let len = runs.iter().map(|r| r.locations.len()).sum::<usize>()
            + infos.len()
            + splices.iter().map(|(_, d)| d.len()).sum::<usize>();
        let mut head = Vec::with_capacity(16);
        encode_key(3, WireType::LengthDelimited, &mut head);
        encode_varint(len as u64, &mut head);
        out.write_all(&head)?;
        for &e in &self.sorted {
            if let Some((run, k)) = run_of(e) {
                out.write_all(run.locations(k))?;
            }
        }
        let mut at = 0;
        for &(offset, data) in &splices {
            out.write_all(infos.get(at..offset).unwrap_or_default())?;
            out.write_all(data)?;
            at = offset;
        }
        out.write_all(infos.get(at..).unwrap_or_default())
    }
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
    let terminal_meta = pb::OpMetadata {
        caps: caps.iter().map(|c| (c.id().to_string(), true)).collect(),
        ..pb::OpMetadata::default()
    };
    let terminal_slot = sorted.partition_point(|&i| {
        c.entries
            .get(i)
            .is_some_and(|e| e.digest() < digest.as_str())
    });
    Some(Collected {
        entries: c.entries,
        sorted,
        maps: c.maps,
        terminal: bytes,
        terminal_digest: digest,
        terminal_meta_bytes: terminal_meta.encode_to_vec(),
        terminal_meta,
        terminal_slot,
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
            let encoded = marshal(&state).encode_to_vec();
            let mut written = Vec::new();
            write_definition(&state, &mut written).unwrap();
            assert_eq!(written, encoded);
            // The same bytes on two threads, whatever the graph's size.
            if let Some(c) = collect(&state) {
                let mut threaded = Vec::new();
                write_collected(&c, 2, &mut threaded).unwrap();
                assert_eq!(threaded, encoded);
            }
        }
    }

    /// A graph of several runs of ops, shaped like a Dockerfile's: chains
    /// of located, named ops, some sharing a digest (merged metadata), read
    /// by one last op, with two source maps; written on one thread and on
    /// two, as graphs of more than [`THREADED_MIN_OPS`] are.
    #[test]
    fn large_definitions_are_the_encoded_marshal_on_two_threads() {
        use crate::{ImageSource, Mkfile};
        let maps = [
            SourceMap::new("Dockerfile", "Dockerfile", vec![b'x'; 70_000]),
            SourceMap::new("other", "Dockerfile", Vec::new()),
        ];
        let base = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
        let mut tips = Vec::new();
        for stage in 0..500 {
            let mut s = base.with_custom_name(format!("stage {stage}"));
            for step in 0..3 {
                let map = &maps[(stage + step) % 2];
                let line = i32::try_from(stage * 4 + step).unwrap();
                // Stages 2k and 2k+1 share their first op.
                let path = match step {
                    0 => format!("/{}/f", stage / 2),
                    _ => format!("/{stage}/f{step}"),
                };
                s = s
                    .file_action(Mkfile::new(path, 0o644, vec![b'y'; 40]))
                    .with_custom_name(format!("[{stage} {step}/3] RUN x"))
                    .with_location(map.lines(line, line + 1));
            }
            tips.push(s);
        }
        let last = State::merge(&tips);
        let c = collect(&last).unwrap();
        assert!(c.entries.len() > RUN_OPS, "{}", c.entries.len());
        assert!(c.entries.iter().any(|e| !e.more.is_empty()));
        let encoded = marshal(&last).encode_to_vec();
        for threads in [1, 2] {
            let mut written = Vec::new();
            write_collected(&c, threads, &mut written).unwrap();
            assert_eq!(written, encoded, "{threads} threads");
        }
        let mut written = Vec::new();
        write_definition(&last, &mut written).unwrap();
        assert_eq!(written, encoded);
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
