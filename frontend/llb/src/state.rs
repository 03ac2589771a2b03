//! The graph itself: immutable, reference-counted op nodes and the states
//! that point at their outputs.

use std::sync::Arc;

use crate::caps::Cap;
use crate::exec::ExecNode;
use crate::file::FileNode;
use crate::marshal::{digest_of, encode_op};
use crate::merge::{DiffNode, MergeNode};
use crate::metadata::OpMeta;
use crate::pb;
use crate::source::SourceNode;
use crate::sourcemap::SourceLocation;

/// What an op does; its bytes (hence digest) depend only on this. It only
/// lives until the op is encoded.
#[derive(Debug)]
pub(crate) enum OpKind {
    Source(SourceNode),
    Exec(Box<ExecNode>),
    File(FileNode),
    Merge(MergeNode),
    Diff(DiffNode),
}

impl OpKind {
    fn build(&self) -> Built {
        match self {
            OpKind::Source(s) => s.build(),
            OpKind::Exec(e) => e.build(),
            OpKind::File(f) => f.build(),
            OpKind::Merge(m) => m.build(),
            OpKind::Diff(d) => d.build(),
        }
    }
}

/// An encoded op: the wire bytes, their digest, the caps the op needs and
/// every output it reads (the graph edges, kept for the marshal walk).
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) bytes: Vec<u8>,
    pub(crate) digest: String,
    pub(crate) caps: Vec<Cap>,
    pub(crate) inputs: Vec<Output>,
}

impl Drop for Body {
    /// Dropping a long chain of ops through nested `Arc` drops would recurse
    /// once per op and overflow the stack on very deep graphs; unlinking the
    /// ones we hold the last reference to in a loop does not.
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.inputs);
        while let Some(out) = pending.pop() {
            if let Ok(node) = Arc::try_unwrap(out.node)
                && let Ok(mut body) = Arc::try_unwrap(node.body)
            {
                pending.append(&mut body.inputs);
            }
        }
    }
}

/// One op of the graph: what it does plus its metadata. Two nodes may share
/// a body (same digest) and differ only in metadata.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) body: Arc<Body>,
    pub(crate) meta: OpMeta,
}

/// What an op kind hands back when it is built.
pub(crate) struct Built {
    pub(crate) op: pb::Op,
    pub(crate) caps: Vec<Cap>,
    pub(crate) inputs: InputTable,
}

/// The op's input list while it is being built.
#[derive(Default)]
pub(crate) struct InputTable {
    pub(crate) wire: Vec<pb::Input>,
    pub(crate) outputs: Vec<Output>,
}

impl InputTable {
    /// Room for `n` inputs (an op knows about how many it reads).
    pub(crate) fn with_capacity(n: usize) -> Self {
        InputTable {
            wire: Vec::with_capacity(n),
            outputs: Vec::with_capacity(n),
        }
    }

    /// Adds `out` as a new input, even if an equal one exists.
    pub(crate) fn push(&mut self, out: &Output) -> i64 {
        self.wire.push(out.to_pb_input());
        self.outputs.push(out.clone());
        (self.wire.len() - 1) as i64
    }

    /// Index of an equal input if there is one, else adds it.
    pub(crate) fn dedup(&mut self, out: &Output) -> i64 {
        let (digest, index) = (out.digest(), i64::from(out.index));
        match self
            .wire
            .iter()
            .position(|w| w.index == index && w.digest == digest)
        {
            Some(i) => {
                // Same op, maybe another node with its own metadata: keep the
                // edge so the walk still sees that metadata.
                self.outputs.push(out.clone());
                i as i64
            }
            None => self.push(out),
        }
    }

    /// Index of `state` as an input, or -1 for scratch.
    pub(crate) fn dedup_state(&mut self, state: &State) -> i64 {
        match &state.out {
            Some(out) => self.dedup(out),
            None => EMPTY_INPUT,
        }
    }
}

/// The input index meaning "nothing" (scratch).
pub(crate) const EMPTY_INPUT: i64 = -1;
/// The output index meaning "no output".
pub(crate) const SKIP_OUTPUT: i64 = -1;

/// One output of one op.
#[derive(Clone, Debug)]
pub struct Output {
    pub(crate) node: Arc<Node>,
    pub(crate) index: u32,
}

impl Output {
    /// The digest of the op producing this output.
    pub fn digest(&self) -> &str {
        &self.node.body.digest
    }

    /// Which output of that op.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// About how many bytes this op adds to a marshalled Definition: its
    /// encoding plus its metadata. Lets a caller keep a running total while
    /// it builds a graph, instead of finding out after marshalling.
    pub fn approx_wire_bytes(&self) -> usize {
        self.node.body.bytes.len() + self.node.meta.approx_wire_bytes()
    }

    /// Whether both are the same node (not merely equal ops).
    pub fn same_node(&self, other: &Output) -> bool {
        Arc::ptr_eq(&self.node, &other.node)
    }

    pub(crate) fn to_pb_input(&self) -> pb::Input {
        pb::Input {
            digest: self.digest().to_string(),
            index: i64::from(self.index),
        }
    }
}

/// A filesystem state: scratch (empty) or one output of an op. Cloning is a
/// reference-count increment.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub(crate) out: Option<Output>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> State {
        State { out: None }
    }

    pub fn is_scratch(&self) -> bool {
        self.out.is_none()
    }

    pub fn output(&self) -> Option<&Output> {
        self.out.as_ref()
    }

    pub(crate) fn from_op(kind: OpKind, meta: OpMeta) -> State {
        let built = kind.build();
        let bytes = encode_op(&built.op);
        let digest = digest_of(&bytes);
        let mut caps = built.caps;
        // In wire order (by ID), each once: the marshal writes them as is.
        caps.sort_unstable_by_key(|c| c.id());
        caps.dedup();
        let body = Body {
            bytes,
            digest,
            caps,
            inputs: built.inputs.outputs,
        };
        State {
            out: Some(Output {
                node: Arc::new(Node {
                    body: Arc::new(body),
                    meta,
                }),
                index: 0,
            }),
        }
    }

    /// The same state with the metadata of the op that produces it replaced.
    /// Scratch has no op and is returned unchanged.
    pub fn with_meta(&self, meta: OpMeta) -> State {
        self.map_meta(|_| meta)
    }

    /// Sets the progress name of the producing op.
    pub fn with_custom_name(&self, name: impl Into<String>) -> State {
        let name = name.into();
        self.map_meta(|m| m.clone().with_custom_name(name))
    }

    /// Adds a source location to the producing op.
    pub fn with_location(&self, location: SourceLocation) -> State {
        self.map_meta(|m| m.clone().with_location(location))
    }

    /// Adds a description key to the producing op.
    pub fn with_description(&self, key: impl Into<String>, value: impl Into<String>) -> State {
        let (key, value) = (key.into(), value.into());
        self.map_meta(|m| m.clone().with_description(key, value))
    }

    /// The metadata of the producing op (`None` for scratch).
    pub fn meta(&self) -> Option<&OpMeta> {
        self.out.as_ref().map(|o| &o.node.meta)
    }

    /// A new node for the same op, with metadata made from the old one's
    /// (only cloned by the callers that keep some of it).
    fn map_meta(&self, f: impl FnOnce(&OpMeta) -> OpMeta) -> State {
        match &self.out {
            None => self.clone(),
            Some(out) => State {
                out: Some(Output {
                    node: Arc::new(Node {
                        body: Arc::clone(&out.node.body),
                        meta: f(&out.node.meta),
                    }),
                    index: out.index,
                }),
            },
        }
    }

    /// Marshals the graph ending at this state; see [`crate::marshal`].
    pub fn marshal(&self) -> pb::Definition {
        crate::marshal::marshal(self)
    }

    /// Every cap the graph ending at this state needs, sorted.
    pub fn required_caps(&self) -> std::collections::BTreeSet<String> {
        crate::caps::required_caps(&self.marshal())
    }
}

#[cfg(test)]
mod tests {
    use crate::{ImageSource, Mkfile, State};

    fn chain(n: usize) -> State {
        let mut s = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
        for i in 0..n {
            s = s.file_action(Mkfile::new(format!("/f{i}"), 0o644, Vec::new()));
        }
        s
    }

    #[test]
    fn deep_graphs_marshal_and_drop_without_recursion() {
        // Test threads have small stacks; recursive walks or drops of this
        // many ops would overflow them.
        let s = chain(50_000);
        let def = s.marshal();
        assert_eq!(def.def.len(), 50_002);
        drop(def);
        drop(s);
    }

    #[test]
    fn metadata_variants_share_one_encoding() {
        let a = chain(1);
        let b = a.with_custom_name("x");
        let (oa, ob) = (a.output().unwrap(), b.output().unwrap());
        assert!(std::sync::Arc::ptr_eq(&oa.node.body, &ob.node.body));
        assert_eq!(b.meta().unwrap().custom_name.as_deref(), Some("x"));
        assert!(State::scratch().with_custom_name("x").is_scratch());
    }
}
