//! Putting a COPY/ADD's copy actions on the stage: one file op, or with
//! `--link` a copy onto scratch merged over the stage.

use stagecraft_llb::{Cap, FileAction, ProgressGroup, State};

use super::CopyRequest;
use crate::dispatch::{DispatchContext, DispatchState};
use crate::steps::Step;

pub(crate) fn apply(
    d: &mut DispatchState,
    cx: &DispatchContext<'_>,
    req: &CopyRequest<'_>,
    actions: Vec<FileAction>,
    step: &Step,
    text: &str,
) {
    let name = step.name(text);
    let meta = d.op_meta(cx, name.clone(), req.span);
    // --link puts the files in a layer of their own, merged over the stage,
    // when the daemon can merge; the reference does it only without --chmod.
    if !(req.link && req.chmod.is_empty() && cx.caps.supports(Cap::MergeOp)) {
        d.state = d.state.file(actions).with_meta(meta);
        return;
    }
    let copied = State::scratch().file(actions);
    let group = ProgressGroup {
        id: format!(
            "link:{}:{}",
            d.node,
            copied.output().map(|o| o.digest()).unwrap_or_default()
        ),
        name: name.clone(),
        weak: true,
    };
    let copied = copied.with_meta(
        d.op_meta(cx, name, req.span)
            .with_progress_group(group.clone()),
    );
    let below = d.state.clone();
    d.state = if below.is_scratch() {
        // A merge over scratch is the copy itself: no merge op.
        copied
    } else {
        State::merge(&[below, copied]).with_meta(
            meta.with_custom_name(step.name(&format!("LINK {text}")))
                .with_progress_group(ProgressGroup {
                    weak: false,
                    ..group
                }),
        )
    };
}
