//! `stagecraft targets` and `stagecraft graph`: what a Dockerfile offers and
//! what a target needs, without building anything.

use std::fmt::Write;

use clap::Args;
use stagecraft_lower::{GraphNodeKind, StageGraph};

use super::source::load;

#[derive(Args, Debug)]
pub struct TargetsArgs {
    /// The Dockerfile (`-` for stdin).
    #[arg(short = 'f', long = "file", default_value = "Dockerfile")]
    file: String,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// The Dockerfile (`-` for stdin).
    #[arg(short = 'f', long = "file", default_value = "Dockerfile")]
    file: String,
    /// The stage to build (default: the last one).
    #[arg(long)]
    target: Option<String>,
    /// Print Graphviz `dot` instead of text.
    #[arg(long)]
    dot: bool,
}

pub fn targets(args: TargetsArgs) -> Result<(), String> {
    let loaded = load(&args.file)?;
    let mut out = String::new();
    for t in stagecraft_lower::list_targets(&loaded.dockerfile) {
        let _ = write!(
            out,
            "{:<20} line {:<4} FROM {}",
            t.name, t.span.start, t.base
        );
        if let Some(p) = &t.platform {
            let _ = write!(out, " (--platform={p})");
        }
        if t.is_default {
            out.push_str("  [default]");
        }
        if !t.named {
            out.push_str("  [unnamed: not usable as --target]");
        }
        if let Some(d) = &t.description {
            let _ = write!(out, "\n{:<20} {d}", "");
        }
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

pub fn graph(args: GraphArgs) -> Result<(), String> {
    let loaded = load(&args.file)?;
    let graph =
        stagecraft_lower::stage_graph(&loaded.dockerfile, loaded.escape, args.target.as_deref())
            .map_err(|e| loaded.error(e.span, &e.kind.to_string()))?;
    let text = if args.dot { dot(&graph) } else { text(&graph) };
    print!("{text}");
    Ok(())
}

fn label(graph: &StageGraph, i: usize) -> String {
    graph.nodes.get(i).map_or_else(
        || format!("#{i}"),
        |n| match &n.kind {
            GraphNodeKind::Stage { base, .. } => format!("{} (FROM {base})", n.name),
            GraphNodeKind::Image { reference } => format!("image {reference}"),
        },
    )
}

fn text(graph: &StageGraph) -> String {
    let mut out = String::new();
    // Grouped once: a search of every edge per node is quadratic.
    let mut edges_from: Vec<Vec<&stagecraft_lower::GraphEdge>> =
        vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        if let Some(list) = edges_from.get_mut(e.from) {
            list.push(e);
        }
    }
    for (i, node) in graph.nodes.iter().enumerate() {
        let mark = if i == graph.target {
            "target"
        } else if graph.reachable.contains(&i) {
            "needed"
        } else {
            "skipped"
        };
        let _ = writeln!(
            out,
            "{:<8} {} [line {}]",
            mark,
            label(graph, i),
            node.span.start
        );
        for e in edges_from.get(i).into_iter().flatten() {
            let to = graph.nodes.get(e.to).map_or("?", |n| n.name.as_str());
            let _ = writeln!(
                out,
                "           {} {} (line {})",
                e.kind.as_str(),
                to,
                e.span.start
            );
        }
    }
    out
}

fn dot(graph: &StageGraph) -> String {
    let mut out = String::from("digraph stages {\n  rankdir=BT;\n");
    for (i, _) in graph.nodes.iter().enumerate() {
        let style = if i == graph.target {
            ", style=bold"
        } else if graph.reachable.contains(&i) {
            ""
        } else {
            ", style=dashed, color=gray"
        };
        let _ = writeln!(out, "  n{i} [label={:?}{style}];", label(graph, i));
    }
    for e in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={:?}];",
            e.from,
            e.to,
            e.kind.as_str()
        );
    }
    out.push_str("}\n");
    out
}
