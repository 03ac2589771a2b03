//! The stage graph: which stage uses which (FROM <stage>, COPY --from,
//! RUN --mount from=), implicit image stages, the target and the stages it
//! needs.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use stagecraft_instructions::{Dockerfile, Instruction, Mount};
use stagecraft_shell::{Lexer, NoEnv};
use stagecraft_syntax::Span;

use crate::command::{Command, CopyFrom};
use crate::envlist::EnvList;
use crate::error::{LowerError, LowerErrorKind};
use crate::named_context::{self, NamedContext};
use crate::options::BuildOptions;
use crate::platform::Platform;
use crate::steps::StepTotal;

pub(crate) use crate::target::Target;

/// How a node's filesystem starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    Scratch,
    /// An image reference as written after expansion (not normalised).
    Image(String),
    /// An earlier stage.
    Stage(Target),
    /// A named context the client gave for the image (`FROM`, `--from`),
    /// or for the whole stage (`whole_stage`: its instructions are not run).
    Context {
        context: NamedContext,
        whole_stage: bool,
    },
}

/// Why one node needs another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// `FROM <stage>`.
    Base,
    /// `COPY --from=<stage|index|image>`.
    CopyFrom,
    /// `RUN --mount=from=<stage|image>`.
    MountFrom,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Base => "base",
            EdgeKind::CopyFrom => "copy",
            EdgeKind::MountFrom => "mount",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Dep {
    pub(crate) target: Target,
    pub(crate) kind: EdgeKind,
    pub(crate) span: Span,
}

/// One node while planning: a stage of the file or an image named by
/// COPY --from / RUN --mount from=.
#[derive(Clone, Debug)]
pub(crate) struct PlanNode<'a> {
    /// Stage index in the file; `None` for an implicit image stage.
    pub(crate) stage: Option<usize>,
    /// Lower-case stage name or `stage-N`; for images, the reference.
    pub(crate) display: String,
    /// `AS name`, lower-cased.
    pub(crate) name: Option<&'a str>,
    pub(crate) base: Base,
    /// `FROM --platform`, expanded.
    pub(crate) platform: Option<Platform>,
    pub(crate) commands: Vec<Command<'a>>,
    pub(crate) deps: Vec<Dep>,
    /// The FROM line (for images: the instruction naming them).
    pub(crate) span: Span,
    /// FROM's text as written (`com.docker.dockerfile.v1.command`).
    pub(crate) from_text: &'a str,
    /// ONBUILD triggers have been added.
    pub(crate) onbuild_done: bool,
    /// Steps counted for `[stage i/total]`.
    pub(crate) steps: StepTotal,
    /// The resolve pass (from 0) in which the stage was first reachable;
    /// later passes come from ONBUILD triggers that add dependencies.
    pub(crate) reached_in_pass: Option<usize>,
    /// For images: each instruction naming it, with the stage holding it.
    pub(crate) named_by: Vec<ImageRef>,
}

/// One `COPY --from=<image>` (`at` its line) or `RUN --mount from=<image>`
/// (`at` none: the reference gives those a location without lines).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ImageRef {
    pub(crate) owner: Target,
    pub(crate) at: Option<Span>,
}

/// Every node and the target. Borrows the stages' instructions from the
/// parsed file (see [`Command`]).
#[derive(Clone, Debug)]
pub(crate) struct Plan<'a> {
    pub(crate) nodes: Vec<PlanNode<'a>>,
    pub(crate) stage_count: usize,
    /// Stage names (lower-cased, as the file holds them).
    by_name: BTreeMap<&'a str, Target>,
    images: BTreeMap<String, Target>,
    pub(crate) target: Target,
    /// The file's escape character reads `--from` values.
    lexer: Lexer,
    /// Progress names carry the stage name. The reference decides this
    /// from its stage list before ONBUILD triggers are added, a list that
    /// also holds an entry for every image named by `--from`/`from=` and
    /// for every RUN mount without `from=`: so one stage with a RUN mount
    /// gets `[stage-0 …]` names too.
    pub(crate) named_steps: bool,
    /// Every stage counts as reachable (see `BuildOptions::all_stages`).
    pub(crate) all_stages: bool,
}

/// A stage reference as written in `--from` / `from=`.
enum FromRef {
    Index(usize),
    Name(String),
}

impl<'a> Plan<'a> {
    /// Builds the graph. FROM names and platforms are expanded with
    /// `global_args` only.
    pub(crate) fn build(
        df: &'a Dockerfile,
        global_args: &EnvList,
        lexer: Lexer,
        target: Option<&str>,
    ) -> Result<Self, LowerError> {
        let mut plan = Plan {
            nodes: Vec::with_capacity(df.stages.len()),
            stage_count: df.stages.len(),
            by_name: BTreeMap::new(),
            images: BTreeMap::new(),
            target: Target(0),
            lexer,
            named_steps: false,
            all_stages: false,
        };
        for (i, stage) in df.stages.iter().enumerate() {
            let span = stage.base.origin.span;
            let base_name = lexer
                .expand_word(&stage.base.base, global_args)
                .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), span))?
                .value;
            if base_name.is_empty() {
                return Err(LowerError::at(
                    LowerErrorKind::BlankBaseName(stage.base.base.clone()),
                    span,
                ));
            }
            let platform = match &stage.base.platform {
                None => None,
                Some(raw) => Some(expand_platform(lexer, raw, global_args, span)?),
            };
            // Only stages defined earlier can be a base.
            let base = match plan.by_name.get(base_name.to_lowercase().as_str()) {
                Some(t) => Base::Stage(*t),
                None if base_name == "scratch" => Base::Scratch,
                None => Base::Image(base_name),
            };
            let display = match &stage.name {
                Some(n) => n.lookup.clone(),
                None => format!("stage-{i}"),
            };
            let commands: Vec<Command<'a>> = stage.commands.iter().map(Command::own).collect();
            let steps = StepTotal::of_stage(matches!(base, Base::Image(_)), &commands);
            plan.nodes.push(PlanNode {
                stage: Some(i),
                display,
                name: stage.name.as_ref().map(|n| n.lookup.as_str()),
                base,
                platform,
                commands,
                deps: Vec::new(),
                span,
                from_text: &stage.base.origin.original,
                onbuild_done: false,
                named_by: Vec::new(),
                steps,
                reached_in_pass: None,
            });
            // A repeated name means the latest stage from here on, as in
            // the reference (which only lints duplicates).
            if let Some(n) = &stage.name {
                plan.by_name.insert(&n.lookup, Target(i));
            }
        }
        plan.target = match target {
            None => Target(plan.stage_count.saturating_sub(1)),
            Some(t) => plan
                .by_name
                .get(t.to_lowercase().as_str())
                .copied()
                .ok_or_else(|| {
                    LowerError::new(
                        LowerErrorKind::UnknownTarget {
                            target: t.to_string(),
                            known: plan.by_name.keys().map(|k| k.to_string()).collect(),
                            suggestion: stagecraft_instructions::suggest(
                                t,
                                plan.by_name.keys().copied(),
                                false,
                            ),
                        },
                        None,
                    )
                })?,
        };
        for i in 0..plan.stage_count {
            // Taken out while deps are added (which needs `&mut plan`).
            let mut commands = plan
                .nodes
                .get_mut(i)
                .map(|n| std::mem::take(&mut n.commands))
                .unwrap_or_default();
            let result = commands
                .iter_mut()
                .try_for_each(|cmd| plan.add_command_deps(Target(i), cmd).map(|_| ()));
            if let Some(n) = plan.nodes.get_mut(i) {
                n.commands = commands;
            }
            result?;
        }
        plan.check_cycles()?;
        let run_mounts = df
            .stages
            .iter()
            .flat_map(|s| &s.commands)
            .any(|c| matches!(c, Instruction::Run(r) if !r.mounts.is_empty()));
        plan.named_steps = plan.nodes.len() > 1 || run_mounts;
        Ok(plan)
    }

    /// Records the stages/images `cmd` of node `owner` reads, and resolves
    /// its `--from` on it. Returns whether it added any.
    pub(crate) fn add_command_deps(
        &mut self,
        owner: Target,
        cmd: &mut Command<'a>,
    ) -> Result<bool, LowerError> {
        let span = cmd.span();
        let refs: Vec<(FromRef, EdgeKind)> = match cmd.instruction() {
            Instruction::Copy(c) => match c.from.as_deref().filter(|f| !f.is_empty()) {
                None => Vec::new(),
                Some(from) => {
                    let literal = self
                        .lexer
                        .expand_word(from, &NoEnv)
                        .map(|e| e.value == *from)
                        .unwrap_or(false);
                    if !literal {
                        return Err(LowerError::at(LowerErrorKind::FromExpansion, span));
                    }
                    let r = match from.parse::<usize>() {
                        Ok(i) => FromRef::Index(i),
                        Err(_) => FromRef::Name(from.to_string()),
                    };
                    vec![(r, EdgeKind::CopyFrom)]
                }
            },
            Instruction::Run(r) => r
                .mounts
                .iter()
                .filter_map(mount_from)
                .map(|f| (FromRef::Name(f), EdgeKind::MountFrom))
                .collect(),
            _ => Vec::new(),
        };
        let added = !refs.is_empty();
        for (r, kind) in refs {
            let mount_name = match (&r, kind) {
                (FromRef::Name(name), EdgeKind::MountFrom) => Some(name.clone()),
                _ => None,
            };
            let target = match r {
                FromRef::Index(i) if i < self.stage_count => Target(i),
                FromRef::Index(index) => {
                    return Err(LowerError::at(
                        LowerErrorKind::StageIndex {
                            index,
                            count: self.stage_count,
                        },
                        span,
                    ));
                }
                FromRef::Name(name) => match self.by_name.get(name.to_lowercase().as_str()) {
                    Some(t) => *t,
                    None => {
                        let at = (kind == EdgeKind::CopyFrom).then_some(span);
                        self.image_node(&name, span, ImageRef { owner, at })
                    }
                },
            };
            if kind == EdgeKind::CopyFrom {
                cmd.copy_from = CopyFrom::Node(target);
            }
            if let Some(name) = mount_name {
                cmd.mount_from.insert(name, target);
            }
            if let Some(node) = self.nodes.get_mut(owner.0) {
                node.deps.push(Dep { target, kind, span });
            }
        }
        Ok(added)
    }

    /// The node of an image named by `--from`/`from=`; errors about it
    /// point at `span`, the first instruction naming it.
    fn image_node(&mut self, reference: &str, span: Span, by: ImageRef) -> Target {
        if let Some(t) = self.images.get(reference) {
            if let Some(node) = self.nodes.get_mut(t.0) {
                node.named_by.push(by);
            }
            return *t;
        }
        let t = Target(self.nodes.len());
        let base = if reference == "scratch" {
            Base::Scratch
        } else {
            Base::Image(reference.to_string())
        };
        self.nodes.push(PlanNode {
            stage: None,
            display: reference.to_string(),
            name: None,
            base,
            platform: None,
            commands: Vec::new(),
            deps: Vec::new(),
            span,
            from_text: "",
            onbuild_done: true,
            named_by: vec![by],
            steps: StepTotal::default(),
            reached_in_pass: None,
        });
        self.images.insert(reference.to_string(), t);
        t
    }

    /// Replaces the stages and images the client gave named contexts for:
    /// a stage `AS <name>` whole, an image where it is named. Looked up for
    /// the stage's `FROM --platform`, else the build's target platform.
    pub(crate) fn use_named_contexts(&mut self, options: &BuildOptions) -> Result<(), LowerError> {
        if options.named_contexts.is_empty() {
            return Ok(());
        }
        for node in &mut self.nodes {
            let platform = node
                .platform
                .clone()
                .unwrap_or_else(|| options.platform().clone());
            let span = node.span;
            let stage_context = match node.name {
                Some(name) => {
                    named_context::find(options, name, &platform).map_err(|e| e.or_span(span))?
                }
                None => None,
            };
            if let Some(context) = stage_context {
                node.base = Base::Context {
                    context,
                    whole_stage: true,
                };
                node.commands.clear();
                node.deps.clear();
                node.steps = StepTotal::default();
                node.onbuild_done = true;
                continue;
            }
            let Base::Image(image) = &node.base else {
                continue;
            };
            if let Some(context) =
                named_context::find(options, image, &platform).map_err(|e| e.or_span(span))?
            {
                node.base = Base::Context {
                    context,
                    whole_stage: false,
                };
            }
        }
        Ok(())
    }

    /// First line of the node's FROM (or of the instruction naming an image).
    pub(crate) fn node_line(&self, t: Target) -> usize {
        self.nodes.get(t.0).map_or(0, |n| n.span.start)
    }

    pub(crate) fn node(&self, t: Target) -> Option<&PlanNode<'a>> {
        self.nodes.get(t.0)
    }

    /// The target (or every stage, see `all_stages`) and everything it
    /// needs, through bases and deps.
    pub(crate) fn reachable(&self) -> BTreeSet<Target> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![self.target];
        if self.all_stages {
            stack.extend((0..self.stage_count).map(Target));
        }
        while let Some(t) = stack.pop() {
            if !seen.insert(t) {
                continue;
            }
            if let Some(node) = self.nodes.get(t.0) {
                if let Base::Stage(b) = node.base {
                    stack.push(b);
                }
                stack.extend(node.deps.iter().map(|d| d.target));
            }
        }
        seen
    }

    pub(crate) fn check_cycles(&self) -> Result<(), LowerError> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks = vec![Mark::New; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if marks.get(start) != Some(&Mark::New) {
                continue;
            }
            // Iterative DFS: (node, next child index).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            if let Some(m) = marks.get_mut(start) {
                *m = Mark::Active;
            }
            while let Some((n, child)) = stack.last().copied() {
                let next = self.child(n, child);
                match next {
                    None => {
                        if let Some(m) = marks.get_mut(n) {
                            *m = Mark::Done;
                        }
                        stack.pop();
                    }
                    Some(c) => {
                        if let Some(top) = stack.last_mut() {
                            top.1 += 1;
                        }
                        match marks.get(c) {
                            Some(Mark::Active) => {
                                let node = self.nodes.get(c);
                                return Err(LowerError::new(
                                    LowerErrorKind::Cycle {
                                        stage: node.map(|n| n.display.clone()).unwrap_or_default(),
                                    },
                                    node.map(|n| n.span),
                                ));
                            }
                            Some(Mark::New) => {
                                if let Some(m) = marks.get_mut(c) {
                                    *m = Mark::Active;
                                }
                                stack.push((c, 0));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The `i`th node `n` reads: its dependencies in order, then its base
    /// stage. Looked up, not listed: the walk asks once per edge, and a
    /// list per question made a stage copying from every other one cost
    /// the square of their number.
    fn child(&self, n: usize, i: usize) -> Option<usize> {
        let node = self.nodes.get(n)?;
        match node.deps.get(i) {
            Some(d) => Some(d.target.0),
            None => match node.base {
                Base::Stage(b) if i == node.deps.len() => Some(b.0),
                _ => None,
            },
        }
    }

    /// Fails when a reachable stage reads a stage defined at or after it.
    pub(crate) fn check_order(&self, reachable: &BTreeSet<Target>) -> Result<(), LowerError> {
        for t in reachable {
            let Some(node) = self.nodes.get(t.0) else {
                continue;
            };
            let Some(own) = node.stage else { continue };
            for dep in &node.deps {
                let Some(dep_node) = self.nodes.get(dep.target.0) else {
                    continue;
                };
                if dep_node.stage.is_some_and(|s| s >= own) {
                    return Err(LowerError::at(
                        LowerErrorKind::LaterStage {
                            action: if dep.kind == EdgeKind::MountFrom {
                                "mount"
                            } else {
                                "copy"
                            },
                            from: dep_node.display.clone(),
                            current: node.display.clone(),
                            from_line: dep_node.span.start,
                        },
                        dep.span,
                    ));
                }
            }
        }
        Ok(())
    }

    /// The public view of the graph.
    pub(crate) fn to_public(&self, reachable: &BTreeSet<Target>) -> StageGraph {
        let nodes = self
            .nodes
            .iter()
            .map(|n| GraphNode {
                name: n.display.clone(),
                kind: match (n.stage, &n.base) {
                    (Some(index), base) => GraphNodeKind::Stage {
                        index,
                        base: match base {
                            Base::Scratch => "scratch".to_string(),
                            Base::Image(r) => r.clone(),
                            Base::Stage(t) => {
                                self.node(*t).map(|b| b.display.clone()).unwrap_or_default()
                            }
                            Base::Context { context, .. } => format!("context:{}", context.key),
                        },
                    },
                    (None, _) => GraphNodeKind::Image {
                        reference: n.display.clone(),
                    },
                },
                span: n.span,
            })
            .collect();
        let mut edges = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if let Base::Stage(b) = n.base {
                edges.push(GraphEdge {
                    from: i,
                    to: b.0,
                    kind: EdgeKind::Base,
                    span: n.span,
                });
            }
            for d in &n.deps {
                edges.push(GraphEdge {
                    from: i,
                    to: d.target.0,
                    kind: d.kind,
                    span: d.span,
                });
            }
        }
        StageGraph {
            nodes,
            edges,
            target: self.target.0,
            reachable: reachable.iter().map(|t| t.0).collect(),
        }
    }
}

/// `from=` of a bind or cache mount, read without expansion (the
/// reference forbids variables there).
fn mount_from(spec: &stagecraft_instructions::MountSpec) -> Option<String> {
    // Most mounts have no `from` key (its letters appear unquoted in any
    // spelling of it): those need no parse.
    if !spec
        .raw
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"from"))
    {
        return None;
    }
    let mount = spec.resolve(|s| Ok::<_, Infallible>(s.to_string())).ok()?;
    match mount {
        Mount::Bind(b) => b.from,
        Mount::Cache(c) => c.from,
        _ => None,
    }
}

fn expand_platform(
    lexer: Lexer,
    raw: &str,
    args: &EnvList,
    span: Span,
) -> Result<Platform, LowerError> {
    let value = lexer
        .expand_word(raw, args)
        .map_err(|e| LowerError::at(LowerErrorKind::Expand(e), span))?
        .value;
    if value.is_empty() {
        return Err(LowerError::at(
            LowerErrorKind::Platform {
                given: raw.to_string(),
                why: format!("empty platform value from expression {raw}"),
            },
            span,
        ));
    }
    Platform::parse(&value).map_err(|e| {
        LowerError::at(
            LowerErrorKind::Platform {
                given: raw.to_string(),
                why: e.to_string(),
            },
            span,
        )
    })
}

/// The stage graph for `stagecraft graph`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Index into `nodes`.
    pub target: usize,
    /// Nodes the target needs (itself included).
    pub reachable: BTreeSet<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNode {
    /// Stage name (`stage-N` when unnamed) or image reference.
    pub name: String,
    pub kind: GraphNodeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphNodeKind {
    /// A stage of the file; `base` is its FROM after ARG expansion.
    Stage { index: usize, base: String },
    /// An image used by COPY --from / RUN --mount from= only.
    Image { reference: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    /// The node that needs `to`.
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub span: Span,
}

/// One stage, for `stagecraft targets`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// Lower-case stage name, or `stage-N`.
    pub name: String,
    /// False for `stage-N` (it cannot be used as `--target`).
    pub named: bool,
    /// FROM's image or stage, as written.
    pub base: String,
    pub platform: Option<String>,
    /// `# name description` comment above the FROM.
    pub description: Option<String>,
    pub span: Span,
    /// The last stage: built when no target is given.
    pub is_default: bool,
}
