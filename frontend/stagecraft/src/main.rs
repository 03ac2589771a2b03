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
        // BuildKit waits for the process to end before it uses the result:
        // no exit-time destructors between `Return` and the exit.
        let code = gateway::run();
        allocator::exit_now(if code == ExitCode::SUCCESS { 0 } else { 1 });
    }
    let code = cli::run(args);
    if code == ExitCode::SUCCESS {
        allocator::exit_now(0);
    }
    code
}
