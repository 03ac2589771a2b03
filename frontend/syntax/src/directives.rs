use crate::Span;

/// Parser directives from the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Directives {
    pub syntax: Option<Directive>,
    pub escape: Option<Directive>,
    pub check: Option<Directive>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub value: String,
    pub span: Span,
}
