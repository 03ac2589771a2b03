//! The command line: the same phases the gateway runs, printed for people
//! and for `buildctl` pipelines.

mod debug;
mod lint;
mod llb;
mod source;
mod targets;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "stagecraft",
    version,
    about = "A Dockerfile frontend for BuildKit",
    long_about = "A Dockerfile frontend for BuildKit.\n\nInside BuildKit (`# syntax=<image>`) it runs as the \
                  frontend with no arguments; from a terminal it prints what it would build."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the LLB Definition of a build (for `| buildctl build`).
    Llb(llb::LlbArgs),
    /// List the stages a Dockerfile offers as targets.
    Targets(targets::TargetsArgs),
    /// Show the stage graph and which stages a target needs.
    Graph(targets::GraphArgs),
    /// Run the build checks (lint rules) without building.
    Lint(lint::LintArgs),
    /// Look inside the phases: the parse tree, word expansion.
    #[command(subcommand)]
    Debug(debug::DebugCommand),
}

/// Parses the arguments and runs the command; errors go to stderr.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout and usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Lint(args) => return lint::run(args),
        Command::Llb(args) => llb::run(args),
        Command::Targets(args) => targets::targets(args),
        Command::Graph(args) => targets::graph(args),
        Command::Debug(cmd) => debug::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a file, or stdin for `-`, as the gateway reads the client's file:
/// bytes that are not UTF-8 read as U+FFFD, and a RUN holding some fails at
/// its line when parsed (`stagecraft_syntax::parse_decoded`).
fn read_input(path: &str) -> Result<(String, stagecraft_syntax::Decoded), String> {
    use std::io::Read;
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("error: reading stdin: {e}"))?;
        ("Dockerfile".to_string(), bytes)
    } else {
        let bytes = std::fs::read(path).map_err(|e| format!("error: {path}: {e}"))?;
        (path.to_string(), bytes)
    };
    Ok((name, stagecraft_syntax::decode(&bytes)))
}
