//! The front half every CLI command shares: read the Dockerfile, parse it,
//! type it, with errors rendered against the file.

use stagecraft_instructions::Dockerfile;
use stagecraft_syntax::Parsed;

use crate::diagnostic::Diagnostic;
use crate::parse_type::{ParsedTyped, parse_and_type};

pub struct Loaded {
    pub filename: String,
    pub text: String,
    pub escape: char,
    pub dockerfile: Dockerfile,
    pub parsed: Parsed,
}

impl Loaded {
    pub fn error(&self, span: Option<stagecraft_syntax::Span>, message: &str) -> String {
        Diagnostic::new(&self.filename, span, message).render(&self.text)
    }
}

pub fn load(path: &str) -> Result<Loaded, String> {
    let (filename, decoded) = super::read_input(path)?;
    let read = parse_and_type(&decoded);
    let text = decoded.text;
    let ParsedTyped { parsed, typed } =
        read.map_err(|e| Diagnostic::new(&filename, Some(e.span), e.to_string()).render(&text))?;
    // The diagnostic names the line; the error's own text would say it again.
    let dockerfile = typed
        .map_err(|e| Diagnostic::new(&filename, Some(e.span), e.kind.to_string()).render(&text))?;
    Ok(Loaded {
        filename,
        text,
        escape: parsed.escape,
        dockerfile,
        parsed,
    })
}
