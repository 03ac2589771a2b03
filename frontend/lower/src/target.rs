//! Graph node ids.

/// A node of the stage graph (index into the plan's nodes and
/// [`crate::StageGraph::nodes`]): a stage of the file or an image named by
/// COPY --from / RUN --mount from=.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Target(pub(crate) usize);
