//! Source ops: images, the client's local files, git repositories, HTTP files.

use std::collections::BTreeMap;

mod git;
mod http;
mod image;
mod local;
mod oci;

pub use git::GitSource;
pub use http::HttpSource;
pub use image::{ImageSource, ResolveMode};
pub use local::{LocalDiffer, LocalSession, LocalSource};
pub use oci::OciLayoutSource;

use crate::caps::Cap;
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Built, InputTable, OpKind, State};

#[derive(Debug)]
pub(crate) struct SourceNode {
    pub(super) identifier: String,
    pub(super) attrs: BTreeMap<String, String>,
    pub(super) platform: Option<pb::Platform>,
    pub(super) caps: Vec<Cap>,
}

impl SourceNode {
    pub(crate) fn build(&self) -> Built {
        Built {
            op: pb::Op {
                inputs: Vec::new(),
                platform: self.platform.clone(),
                constraints: Some(pb::WorkerConstraints::default()),
                op: Some(pb::op::Op::Source(pb::SourceOp {
                    identifier: self.identifier.clone(),
                    attrs: self.attrs.clone(),
                })),
            },
            caps: self.caps.clone(),
            inputs: InputTable::default(),
        }
    }
}

pub(super) fn source_state(node: SourceNode) -> State {
    State::from_op(OpKind::Source(node), OpMeta::default())
}
