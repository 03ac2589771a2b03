//! A Definition made elsewhere (a client's frontend input, e.g. another
//! bake target's result) used as a state: its ops are carried over byte for
//! byte, so their digests, and the cache they hit, stay the client's.

use std::collections::BTreeMap;
use std::sync::Arc;

use prost::Message;

use crate::Cap;
use crate::error::LlbError;
use crate::marshal::digest_of;
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Body, Node, Output, State};
use stagecraft_proto::CapKind;

/// The description key of the progress name.
const CUSTOM_NAME: &str = "llb.customname";

impl State {
    /// The result `definition` points at (the input of its last op), with
    /// every op it holds and their metadata (names, caps).
    pub fn from_definition(definition: &pb::Definition) -> Result<State, LlbError> {
        let bad = |why: String| LlbError::ForeignDefinition { why };
        let Some((last, ops)) = definition.def.split_last() else {
            return Err(bad("it holds no op".to_string()));
        };
        let mut nodes: BTreeMap<String, Arc<Node>> = BTreeMap::new();
        let output_of = |nodes: &BTreeMap<String, Arc<Node>>, input: &pb::Input| {
            let node = nodes
                .get(&input.digest)
                .ok_or_else(|| bad(format!("an op reads {} before it is defined", input.digest)))?;
            Ok(Output {
                node: Arc::clone(node),
                index: u32::try_from(input.index).map_err(|_| bad("negative output".into()))?,
            })
        };
        for bytes in ops {
            let op = pb::Op::decode(bytes.as_slice()).map_err(|e| bad(e.to_string()))?;
            let digest = digest_of(bytes);
            let inputs = op
                .inputs
                .iter()
                .map(|i| output_of(&nodes, i))
                .collect::<Result<Vec<_>, _>>()?;
            let wire = definition.metadata.get(&digest);
            let caps: Vec<Cap> = wire
                .map(|m| {
                    m.caps
                        .iter()
                        .filter(|(_, on)| **on)
                        .filter_map(|(id, _)| Cap::from_id(CapKind::Llb, id))
                        .collect()
                })
                .unwrap_or_default();
            let node = Node {
                body: Arc::new(Body {
                    bytes: bytes.clone(),
                    digest: digest.clone(),
                    caps,
                    inputs,
                }),
                meta: wire.map(meta_of).unwrap_or_default(),
            };
            nodes.insert(digest, Arc::new(node));
        }
        let terminal = pb::Op::decode(last.as_slice()).map_err(|e| bad(e.to_string()))?;
        match terminal.inputs.first() {
            Some(input) => Ok(State {
                out: Some(output_of(&nodes, input)?),
            }),
            None => Ok(State::scratch()),
        }
    }
}

fn meta_of(wire: &pb::OpMetadata) -> OpMeta {
    // The wire map is sorted by key, as `OpMeta` keeps its descriptions.
    let description = wire
        .description
        .iter()
        .filter(|(k, _)| k.as_str() != CUSTOM_NAME)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    OpMeta {
        custom_name: wire.description.get(CUSTOM_NAME).cloned(),
        description,
        ignore_cache: wire.ignore_cache,
        ..OpMeta::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ImageSource, marshal};

    #[test]
    fn a_definition_becomes_a_state_with_the_same_ops() {
        let base = State::image(ImageSource::new("docker.io/library/busybox:latest"))
            .unwrap()
            .with_custom_name("[base 1/1] FROM busybox");
        let def = marshal(&base);
        let imported = State::from_definition(&def).unwrap();
        let again = marshal(&imported);
        assert_eq!(again.def, def.def);
        let digest = digest_of(&def.def[0]);
        assert_eq!(
            again.metadata[&digest].description[CUSTOM_NAME],
            "[base 1/1] FROM busybox"
        );
        assert!(State::from_definition(&pb::Definition::default()).is_err());
    }
}
