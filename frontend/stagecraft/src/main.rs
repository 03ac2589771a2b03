//! `stagecraft`: with no subcommand inside BuildKit, the Dockerfile frontend;
//! otherwise a CLI over the same phases.

mod allocator;
mod checks;
mod cli;
mod diagnostic;
mod dockerignore;
mod gateway;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // BuildKit starts the frontend with no arguments and its options in the
    // environment; anything else is a person (or a script) using the CLI.
    if args.len() <= 1 && gateway::started_by_buildkit() {
        return gateway::run();
    }
    let code = cli::run(args);
    if code == ExitCode::SUCCESS {
        allocator::exit_now(0);
    }
    code
}
