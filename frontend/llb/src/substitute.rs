//! Swapping one op of a built graph for another.
//!
//! Ops are encoded (and digested) when they are built, so an op that turns
//! out to need other attributes once the whole graph exists — the main build
//! context, whose followpaths are only known after every stage — cannot be
//! changed in place. Building the graph again would redo all the work above
//! the encoding; substituting re-encodes only the ops downstream of the
//! swapped one, each with its inputs' new digests, and gives them the same
//! bytes a fresh build with the final op would have.

use std::collections::HashMap;
use std::sync::Arc;

use prost::Message;

use crate::marshal::{digest_of, encode_op};
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Body, Node, Output, State};

impl State {
    /// This graph with every read of the op producing `from` turned into a
    /// read of the op producing `to` (same output index). Ops that depend on
    /// it are re-encoded and keep their own metadata; a progress group id
    /// naming an op by digest follows that op's new digest. Scratch on
    /// either side, or a graph that never reads `from`, comes back as is.
    pub fn substitute(&self, from: &State, to: &State) -> State {
        let (Some(root), Some(from), Some(to)) = (&self.out, &from.out, &to.out) else {
            return self.clone();
        };
        let mut swap = Swap {
            from: from.node.body.digest.clone(),
            to: Arc::clone(&to.node.body),
            nodes: HashMap::new(),
            bodies: HashMap::new(),
            digests: HashMap::new(),
        };
        swap.walk(&root.node);
        State {
            out: Some(swap.output(root)),
        }
    }
}

struct Swap {
    from: String,
    to: Arc<Body>,
    /// Node address → its replacement; absent or `None` = unchanged.
    nodes: HashMap<usize, Option<Arc<Node>>>,
    /// Body address → its re-encoding, so metadata variants of one op share
    /// one new body as they shared the old.
    bodies: HashMap<usize, Arc<Body>>,
    /// Old digest → new digest of every re-encoded op.
    digests: HashMap<String, String>,
}

fn address<T>(arc: &Arc<T>) -> usize {
    Arc::as_ptr(arc) as usize
}

impl Swap {
    /// The replacement of an output, or the output itself.
    fn output(&self, out: &Output) -> Output {
        match self.nodes.get(&address(&out.node)) {
            Some(Some(node)) => Output {
                node: Arc::clone(node),
                index: out.index,
            },
            _ => out.clone(),
        }
    }

    /// Post-order over the graph, as in `marshal`: inputs first, each node
    /// once, with an explicit stack for deep graphs.
    fn walk(&mut self, root: &Arc<Node>) {
        let mut stack: Vec<(Arc<Node>, bool)> = vec![(Arc::clone(root), false)];
        while let Some((node, inputs_done)) = stack.pop() {
            let key = address(&node);
            if inputs_done {
                let replaced = self.replace(&node);
                self.nodes.insert(key, replaced);
                continue;
            }
            if self.nodes.contains_key(&key) {
                continue;
            }
            // Reserve the slot so a node reached twice is walked once.
            self.nodes.insert(key, None);
            stack.push((Arc::clone(&node), true));
            for input in node.body.inputs.iter().rev() {
                stack.push((Arc::clone(&input.node), false));
            }
        }
    }

    /// The new node for `node`, once its inputs are done; `None` if nothing
    /// it reads changed.
    fn replace(&mut self, node: &Node) -> Option<Arc<Node>> {
        let body = if node.body.digest == self.from {
            Arc::clone(&self.to)
        } else {
            let changed = node
                .body
                .inputs
                .iter()
                .any(|i| matches!(self.nodes.get(&address(&i.node)), Some(Some(_))));
            if !changed {
                return None;
            }
            self.reencode(&node.body)
        };
        Some(Arc::new(Node {
            body,
            meta: self.follow_digests(&node.meta),
        }))
    }

    fn reencode(&mut self, body: &Arc<Body>) -> Arc<Body> {
        if let Some(done) = self.bodies.get(&address(body)) {
            return Arc::clone(done);
        }
        let inputs: Vec<Output> = body.inputs.iter().map(|i| self.output(i)).collect();
        let bytes = match split_inputs(&body.bytes) {
            // Only the inputs name other ops by digest: write them anew and
            // keep the rest of the encoding as it is.
            Some((wire, rest)) => {
                let mut bytes = Vec::with_capacity(body.bytes.len() + 16);
                for mut input in wire {
                    if let Some(new) = self.new_digest(&input.digest) {
                        input.digest = new;
                    }
                    prost::encoding::message::encode(1, &input, &mut bytes);
                }
                bytes.extend_from_slice(rest);
                bytes
            }
            None => match pb::Op::decode(body.bytes.as_slice()) {
                Ok(mut op) => {
                    for input in &mut op.inputs {
                        if let Some(new) = self.new_digest(&input.digest) {
                            input.digest = new;
                        }
                    }
                    encode_op(&op)
                }
                // Our own encoding always decodes; were it not to, keeping
                // the old bytes leaves a graph that still builds what it did.
                Err(_) => body.bytes.clone(),
            },
        };
        let digest = digest_of(&bytes);
        self.digests.insert(body.digest.clone(), digest.clone());
        let new = Arc::new(Body {
            bytes,
            digest,
            caps: body.caps.clone(),
            inputs,
        });
        self.bodies.insert(address(body), Arc::clone(&new));
        new
    }

    fn new_digest(&self, old: &str) -> Option<String> {
        if old == self.from {
            return Some(self.to.digest.clone());
        }
        self.digests.get(old).cloned()
    }

    /// `meta` with a progress group id that ends in an old digest moved to
    /// the new one (COPY --link names its group after the copied op).
    fn follow_digests(&self, meta: &OpMeta) -> OpMeta {
        let mut meta = meta.clone();
        if let Some(group) = &mut meta.progress_group
            && let Some(at) = group.id.find("sha256:")
            && let Some(new) = self.new_digest(&group.id[at..])
        {
            group.id.replace_range(at.., &new);
        }
        meta
    }
}

/// An encoded op's inputs and the bytes after them, when the inputs come
/// first as `encode_op` writes them and nothing after them is an input;
/// `None` for any other layout (the caller then decodes the whole op).
fn split_inputs(bytes: &[u8]) -> Option<(Vec<pb::Input>, &[u8])> {
    use prost::encoding::decode_varint;
    const INPUT_KEY: u8 = (1 << 3) | 2; // field 1, length-delimited
    let mut wire = Vec::new();
    let mut rest = bytes;
    while rest.first() == Some(&INPUT_KEY) {
        let mut cursor = &rest[1..];
        let len = usize::try_from(decode_varint(&mut cursor).ok()?).ok()?;
        let message = cursor.get(..len)?;
        wire.push(pb::Input::decode(message).ok()?);
        rest = cursor.get(len..)?;
    }
    // The remaining fields, skipped over to be sure none is an input.
    let mut cursor = rest;
    while !cursor.is_empty() {
        let key = decode_varint(&mut cursor).ok()?;
        if key >> 3 == 1 {
            return None;
        }
        let skip = match key & 7 {
            0 => {
                decode_varint(&mut cursor).ok()?;
                0
            }
            1 => 8,
            2 => usize::try_from(decode_varint(&mut cursor).ok()?).ok()?,
            5 => 4,
            _ => return None,
        };
        cursor = cursor.get(skip..)?;
    }
    Some((wire, rest))
}

#[cfg(test)]
mod tests {
    use crate::{
        ExecSpec, FileAction, FileCopy, ImageSource, LocalSession, LocalSource, Mkfile, OpMeta,
        ProgressGroup, State,
    };

    fn local(follow: &[&str]) -> State {
        let src = LocalSource::new("context", LocalSession::Unique("u".into()))
            .with_follow_paths(follow.iter().map(|s| s.to_string()).collect());
        State::local(src)
            .unwrap()
            .with_meta(OpMeta::named("[internal] load build context"))
    }

    /// A graph reading `ctx` twice, through a copy and a run, with a named
    /// group on the copy and a metadata variant of the base.
    fn graph(ctx: &State) -> State {
        let base = State::image(ImageSource::new("docker.io/library/busybox:latest")).unwrap();
        let copied = base.file(vec![FileAction::from(FileCopy::new(
            ctx.clone(),
            "/a",
            "/a",
        ))]);
        let digest = copied.output().unwrap().digest().to_string();
        let copied = copied.with_meta(OpMeta::named("copy").with_progress_group(ProgressGroup {
            id: format!("link:1:{digest}"),
            name: "copy".into(),
            weak: true,
        }));
        let ran = copied.exec(ExecSpec::new(vec!["true".into()])).unwrap();
        let named_base = base.with_custom_name("other name");
        ran.root
            .file(vec![FileAction::from(FileCopy::new(
                named_base, "/b", "/b",
            ))])
            .file_action(Mkfile::new("/c", 0o644, Vec::new()))
    }

    #[test]
    fn gives_the_bytes_of_a_graph_built_with_the_new_op() {
        let (placeholder, real) = (local(&[]), local(&["a"]));
        let swapped = graph(&placeholder).substitute(&placeholder, &real);
        assert_eq!(swapped.marshal(), graph(&real).marshal());
        assert_ne!(graph(&placeholder).marshal(), graph(&real).marshal());
    }

    #[test]
    fn inputs_split_off_our_encoding_and_not_off_another_layout() {
        use prost::Message;

        use super::split_inputs;
        use crate::marshal::encode_op;
        use crate::pb;
        let input = |d: &str| pb::Input {
            digest: d.into(),
            index: 1,
        };
        let op = pb::Op {
            inputs: vec![input("sha256:aa"), input("sha256:bb")],
            op: Some(pb::op::Op::Merge(pb::MergeOp {
                inputs: vec![pb::MergeInput { input: 1 }],
            })),
            ..pb::Op::default()
        };
        let bytes = encode_op(&op);
        let (wire, rest) = split_inputs(&bytes).unwrap();
        assert_eq!(wire, op.inputs);
        let body_only = pb::Op {
            inputs: Vec::new(),
            ..op.clone()
        };
        assert_eq!(rest, encode_op(&body_only).as_slice());
        // An input after the body is left to the decoder.
        let mut late = encode_op(&body_only);
        prost::encoding::message::encode(1, &input("sha256:cc"), &mut late);
        assert!(pb::Op::decode(late.as_slice()).is_ok());
        assert!(split_inputs(&late).is_none());
        assert!(split_inputs(&[0x0a, 0x05, 0x0a]).is_none());
    }

    #[test]
    fn a_graph_without_the_op_is_unchanged() {
        let (placeholder, real) = (local(&[]), local(&["a"]));
        let other = local(&["x"]);
        let g = graph(&other);
        let swapped = g.substitute(&placeholder, &real);
        assert!(std::sync::Arc::ptr_eq(
            &swapped.output().unwrap().node,
            &g.output().unwrap().node
        ));
        assert!(
            State::scratch()
                .substitute(&placeholder, &real)
                .is_scratch()
        );
    }
}
