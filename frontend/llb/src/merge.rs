//! Merge ops (layer several states) and diff ops (what changed between two).

use crate::caps::Cap;
use crate::metadata::OpMeta;
use crate::pb;
use crate::state::{Built, EMPTY_INPUT, InputTable, OpKind, Output, State};

#[derive(Debug)]
pub(crate) struct MergeNode {
    inputs: Vec<Output>,
}

impl MergeNode {
    pub(crate) fn build(&self) -> Built {
        let mut inputs = InputTable::default();
        // Every layer is its own input, even when two are equal: order and
        // repetition are meaningful for a merge.
        let merge_inputs = self
            .inputs
            .iter()
            .map(|o| pb::MergeInput {
                input: inputs.push(o),
            })
            .collect();
        Built {
            op: pb::Op {
                inputs: inputs.wire.clone(),
                platform: None,
                constraints: Some(pb::WorkerConstraints::default()),
                op: Some(pb::op::Op::Merge(pb::MergeOp {
                    inputs: merge_inputs,
                })),
            },
            caps: vec![Cap::MergeOp],
            inputs,
        }
    }
}

#[derive(Debug)]
pub(crate) struct DiffNode {
    lower: State,
    upper: State,
}

impl DiffNode {
    pub(crate) fn build(&self) -> Built {
        let mut inputs = InputTable::default();
        let mut index = |s: &State| s.out.as_ref().map_or(EMPTY_INPUT, |o| inputs.push(o));
        let lower = index(&self.lower);
        let upper = index(&self.upper);
        Built {
            op: pb::Op {
                inputs: inputs.wire.clone(),
                platform: None,
                constraints: Some(pb::WorkerConstraints::default()),
                op: Some(pb::op::Op::Diff(pb::DiffOp {
                    lower: Some(pb::LowerDiffInput { input: lower }),
                    upper: Some(pb::UpperDiffInput { input: upper }),
                })),
            },
            caps: vec![Cap::DiffOp],
            inputs,
        }
    }
}

impl State {
    /// Layers `states` in order (later wins). Scratch inputs are dropped;
    /// with none left the result is scratch, with one it is that state, so a
    /// merge op is only emitted for two or more real layers.
    pub fn merge(states: &[State]) -> State {
        let inputs: Vec<Output> = states.iter().filter_map(|s| s.out.clone()).collect();
        match inputs.as_slice() {
            [] => State::scratch(),
            [only] => State {
                out: Some(only.clone()),
            },
            _ => State::from_op(OpKind::Merge(MergeNode { inputs }), OpMeta::default()),
        }
    }

    /// The changes that turn `lower` into `upper`. Against scratch that is
    /// `upper` itself, so no op is emitted.
    pub fn diff(lower: &State, upper: &State) -> State {
        if lower.is_scratch() {
            return upper.clone();
        }
        State::from_op(
            OpKind::Diff(DiffNode {
                lower: lower.clone(),
                upper: upper.clone(),
            }),
            OpMeta::default(),
        )
    }
}
