//! `stagecraft debug …`: the parse tree in the reference's dump format, and
//! word expansion line by line, so conformance vectors can be checked from
//! a shell.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use clap::{Args, Subcommand};
use stagecraft_shell::Lexer;

use crate::diagnostic::Diagnostic;

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Print the parse tree, one instruction per line: `(copy ["--from=build"] "/out" "/app")`.
    Parse {
        /// The Dockerfile to read, or `-` for stdin.
        #[arg(default_value = "Dockerfile")]
        file: String,
    },
    /// Expand one word per stdin line; print the result, or `error`.
    Expand(ExpandArgs),
}

#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// A variable in scope, as K=V (repeatable; later wins).
    #[arg(long = "env", value_name = "K=V")]
    env: Vec<String>,
    /// Split into words (the many-words mode) and print them joined by `,`.
    #[arg(long)]
    words: bool,
    /// The escape character (`\` or a backtick).
    #[arg(long, default_value_t = '\\')]
    escape: char,
}

pub fn run(cmd: DebugCommand) -> Result<(), String> {
    match cmd {
        DebugCommand::Parse { file } => parse(&file),
        DebugCommand::Expand(args) => expand(args),
    }
}

fn parse(file: &str) -> Result<(), String> {
    let (name, decoded) = super::read_input(file)?;
    let text = &decoded.text;
    match stagecraft_syntax::parse_decoded(&decoded) {
        Ok(parsed) => {
            println!("{}", parsed.dump());
            Ok(())
        }
        Err(e) => Err(Diagnostic::new(&name, Some(e.span), e.to_string()).render(text)),
    }
}

fn expand(args: ExpandArgs) -> Result<(), String> {
    if args.escape != '\\' && args.escape != '`' {
        return Err(format!(
            "error: invalid escape character {:?}: use \\ or `",
            args.escape
        ));
    }
    let mut env = BTreeMap::new();
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("error: --env {kv:?} is not of the form K=V"))?;
        env.insert(k.to_string(), v.to_string());
    }
    let lexer = Lexer::new(args.escape);
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| format!("error: reading stdin: {e}"))?;
        let shown = if args.words {
            lexer
                .expand_words(&line, &env)
                .map(|e| e.value.join(","))
                .unwrap_or_else(|_| "error".to_string())
        } else {
            lexer
                .expand_word(&line, &env)
                .map(|e| e.value)
                .unwrap_or_else(|_| "error".to_string())
        };
        writeln!(out, "{shown}").map_err(|e| format!("error: writing stdout: {e}"))?;
    }
    Ok(())
}
