//! Why a build ended without an image, and the `Return` status for it.
//!
//! Errors about the Dockerfile name the file and line in the message and
//! carry an `errdefs.Source` detail. Clients of BuildKit v0.10 and newer draw
//! the snippet from that detail; dockerd 20.10 shows the user nothing but the
//! message, so there the message carries the numbered lines too.

use stagecraft_proto::google::rpc;
use stagecraft_proto::tonic::Code;
use stagecraft_proto::{BridgeError, SourceLocation, SourceRange, error_status};
use stagecraft_syntax::Span;

use crate::diagnostic::Diagnostic;

/// The language clients highlight the snippet with.
pub const LANGUAGE: &str = "Dockerfile";

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A frontend option is malformed or unsupported.
    #[error("{0}")]
    Option(String),
    /// A call to BuildKit failed while doing `doing`; its status (code and
    /// typed details) is kept, the message gets `doing` in front.
    #[error("{doing}: {error}")]
    Bridge {
        doing: &'static str,
        error: BridgeError,
    },
    /// The build itself failed: BuildKit's status goes back unchanged, since
    /// it already points at the failing step.
    #[error("{0}")]
    Solve(BridgeError),
    /// Something is wrong at some lines of the Dockerfile.
    #[error("{}", render(diagnostics, location, true))]
    Dockerfile {
        /// One per message and span (`Dockerfile:7: msg`).
        diagnostics: Vec<Diagnostic>,
        location: Box<SourceLocation>,
    },
    /// `error=true` and the build checks found something: worded and coded
    /// as the reference does (`Unknown`), so clients print only the text.
    #[error("{0}")]
    Checks(String),
    #[error("unsupported request {0}")]
    UnsupportedSubrequest(String),
    /// A feature the gateway does not offer (yet).
    #[error("{0}")]
    Unsupported(String),
    /// A bug: the frontend panicked. Still reported through `Return`, so the
    /// user sees it instead of a bare exit code.
    #[error("internal error in the Stagecraft frontend (please report it): {0}")]
    Panic(String),
}

/// The Dockerfile a diagnostic is about.
#[derive(Clone, Copy, Debug)]
pub struct SourceText<'a> {
    pub filename: &'a str,
    pub data: &'a [u8],
}

impl SourceText<'_> {
    /// An error at `span` (if it names real lines).
    pub fn error_at(&self, span: Option<Span>, message: &str) -> Failure {
        // Line 0 means "the whole file": nothing to show.
        let span = span.filter(|s| s.start > 0);
        self.failure(
            vec![Diagnostic::new(self.filename, span, message)],
            span.as_slice(),
        )
    }

    /// One or more diagnostics and the spans they are about.
    pub fn failure(&self, diagnostics: Vec<Diagnostic>, spans: &[Span]) -> Failure {
        Failure::Dockerfile {
            diagnostics,
            location: Box::new(SourceLocation {
                filename: self.filename.to_string(),
                data: self.data.to_vec(),
                language: LANGUAGE.to_string(),
                ranges: spans.iter().map(|s| range_of(*s)).collect(),
            }),
        }
    }
}

/// The diagnostics one per line; `snippets` adds each one's numbered lines.
fn render(diagnostics: &[Diagnostic], location: &SourceLocation, snippets: bool) -> String {
    let text = String::from_utf8_lossy(&location.data);
    diagnostics
        .iter()
        .map(|d| {
            if snippets {
                d.render(&text)
            } else {
                d.headline()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One inclusive line range, as BuildKit's parser reports an instruction.
pub fn range_of(span: Span) -> SourceRange {
    SourceRange::lines(to_u32(span.start), to_u32(span.end))
}

impl Failure {
    /// What goes into `ReturnRequest.error`. `client_draws_source`: the
    /// client shows the snippet from the source detail itself, so the
    /// message carries only `file:line: message`.
    pub fn to_status(&self, client_draws_source: bool) -> rpc::Status {
        match self {
            Failure::Solve(error) => error.to_rpc_status(),
            Failure::Bridge { doing, error } => {
                let mut status = error.to_rpc_status();
                status.message = format!("{doing}: {}", status.message);
                status
            }
            Failure::Dockerfile {
                diagnostics,
                location,
            } => error_status(
                Code::Unknown,
                render(diagnostics, location, !client_draws_source),
                std::slice::from_ref(location),
            ),
            Failure::UnsupportedSubrequest(name) => {
                let mut status = error_status(Code::Unimplemented, self.to_string(), &[]);
                status.details.push(subrequest_detail(name));
                status
            }
            Failure::Option(_) => error_status(Code::InvalidArgument, self.to_string(), &[]),
            Failure::Checks(_) => error_status(Code::Unknown, self.to_string(), &[]),
            Failure::Unsupported(_) => error_status(Code::Unimplemented, self.to_string(), &[]),
            Failure::Panic(_) => error_status(Code::Internal, self.to_string(), &[]),
        }
    }
}

/// `errdefs.Subrequest`: lets buildx tell "this frontend cannot answer that
/// request" from a failed one.
fn subrequest_detail(name: &str) -> stagecraft_proto::google::protobuf::Any {
    stagecraft_proto::google::protobuf::Any {
        type_url: "github.com/moby/buildkit/errdefs.Subrequest+json".to_string(),
        value: serde_json::json!({ "name": name }).to_string().into_bytes(),
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_proto::status::decode_source_detail;

    #[test]
    fn dockerfile_errors_render_lines_and_attach_the_source() {
        let data = b"FROM busybox\nRUNN x\n";
        let src = SourceText {
            filename: "Dockerfile",
            data,
        };
        let failure = src.error_at(Some(Span::line(2)), "unknown instruction: RUNN");
        let status = failure.to_status(false);
        assert_eq!(
            status.message,
            "Dockerfile:2: unknown instruction: RUNN\n 2 | RUNN x"
        );
        let location = decode_source_detail(&status.details[0]).unwrap();
        assert_eq!(location.data, data);
        assert_eq!(location.ranges, vec![SourceRange::lines(2, 2)]);
        // A client that draws the snippet from the detail gets it once.
        let status = failure.to_status(true);
        assert_eq!(status.message, "Dockerfile:2: unknown instruction: RUNN");
        assert_eq!(decode_source_detail(&status.details[0]).unwrap(), location);
    }

    #[test]
    fn bridge_errors_keep_code_and_details() {
        let original = error_status(Code::NotFound, "open /Dockerfile: no such file", &[]);
        let error = BridgeError::Call {
            call: "ReadFile",
            status: stagecraft_proto::status::tonic_from_status(&original),
        };
        let status = Failure::Bridge {
            doing: "failed to read dockerfile",
            error,
        }
        .to_status(true);
        assert_eq!(status.code, i32::from(Code::NotFound));
        assert_eq!(
            status.message,
            "failed to read dockerfile: open /Dockerfile: no such file"
        );
    }

    #[test]
    fn unsupported_subrequests_are_typed() {
        let status = Failure::UnsupportedSubrequest("frontend.lint".into()).to_status(true);
        assert_eq!(status.message, "unsupported request frontend.lint");
        assert_eq!(
            status.details[0].type_url,
            "github.com/moby/buildkit/errdefs.Subrequest+json"
        );
    }
}
