//! The front half every CLI command shares: read the Dockerfile, parse it,
//! type it, with errors rendered against the file.

use stagecraft_instructions::Dockerfile;
use stagecraft_syntax::Parsed;

use crate::diagnostic::Diagnostic;

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
    let parsed = stagecraft_syntax::parse_decoded(&decoded);
    let text = decoded.text;
    let parsed = parsed
        .map_err(|e| Diagnostic::new(&filename, Some(e.span), e.to_string()).render(&text))?;
    // The diagnostic names the line; the error's own text would say it again.
    let dockerfile = stagecraft_instructions::parse_dockerfile(&parsed)
        .map_err(|e| Diagnostic::new(&filename, Some(e.span), e.kind.to_string()).render(&text))?;
    Ok(Loaded {
        filename,
        text,
        escape: parsed.escape,
        dockerfile,
        parsed,
    })
}
