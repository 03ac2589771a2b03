//! Prints a hostile Dockerfile: `stress CLASS [SIZE]` (SIZE defaults to the
//! class's large size), or `stress --list` for the classes and their sizes.

use std::io::Write;
use std::process::ExitCode;

use stagecraft_tests::hostile::{Class, generate};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--list" => {
            for class in Class::ALL {
                println!("{} {}", class.name(), class.large_size());
            }
            ExitCode::SUCCESS
        }
        [name, rest @ ..] if rest.len() <= 1 => {
            let Some(class) = Class::from_name(name) else {
                eprintln!("stress: unknown class {name:?} (see --list)");
                return ExitCode::FAILURE;
            };
            let size = match rest.first().map(|s| s.parse::<usize>()) {
                None => class.large_size(),
                Some(Ok(n)) => n,
                Some(Err(e)) => {
                    eprintln!("stress: bad size: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match std::io::stdout().lock().write_all(&generate(class, size)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("stress: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: stress CLASS [SIZE] | stress --list");
            ExitCode::FAILURE
        }
    }
}
