//! Making an error status small enough to reach the user.
//!
//! The daemon refuses a `Return` request larger than its message limit, and
//! then the user sees no error at all. An error's value is in its first line
//! (`Dockerfile:7: unknown instruction: RUNX`): file, line and what is wrong.
//! What follows it (a snippet) and the typed details (the whole Dockerfile,
//! for clients that draw the snippet themselves) only help, so they go first.

use prost::Message;

use crate::google::rpc::Status;

/// Room left in a request for what is not the status (the request's own
/// fields and gRPC framing).
const FRAMING_BYTES: usize = 1024;

/// Longest message kept when it must be cut: enough for any first line a
/// person reads, far below every limit.
const MAX_CUT_MESSAGE_BYTES: usize = 64 << 10;

/// `status` shrunk until it encodes in `limit` bytes (less framing): first
/// the details are dropped, largest first; then the message keeps its first
/// line; then that line is cut. A status that fits is returned unchanged.
pub fn fit_status(mut status: Status, limit: usize) -> Status {
    let budget = limit.saturating_sub(FRAMING_BYTES);
    while status.encoded_len() > budget && !status.details.is_empty() {
        let largest = status
            .details
            .iter()
            .enumerate()
            .max_by_key(|(_, d)| d.encoded_len())
            .map_or(0, |(i, _)| i);
        status.details.remove(largest);
    }
    if status.encoded_len() <= budget {
        return status;
    }
    let total = status.message.len();
    let first = status.message.lines().next().unwrap_or_default();
    let keep = first.len().min(MAX_CUT_MESSAGE_BYTES).min(budget / 2);
    let mut cut = keep;
    while !first.is_char_boundary(cut) {
        cut -= 1;
    }
    let shown = first.get(..cut).unwrap_or_default();
    status.message = format!("{shown} … ({} more bytes of this error cut)", total - cut);
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::google::protobuf::Any;

    fn status(message: String, detail_bytes: usize) -> Status {
        Status {
            code: 2,
            message,
            details: vec![
                Any {
                    type_url: "small".into(),
                    value: vec![1; 10],
                },
                Any {
                    type_url: "big".into(),
                    value: vec![0; detail_bytes],
                },
            ],
        }
    }

    #[test]
    fn a_status_that_fits_is_unchanged() {
        let s = status("Dockerfile:2: bad".into(), 100);
        assert_eq!(fit_status(s.clone(), 4 << 20), s);
    }

    #[test]
    fn details_go_first_largest_first() {
        let s = status("Dockerfile:2: bad".into(), 5 << 20);
        let fitted = fit_status(s, 4 << 20);
        assert_eq!(fitted.message, "Dockerfile:2: bad");
        assert_eq!(fitted.details.len(), 1);
        assert_eq!(fitted.details[0].type_url, "small");
    }

    #[test]
    fn then_the_snippet_then_the_first_line_is_cut() {
        let snippet = "x".repeat(5 << 20);
        let s = status(
            format!("Dockerfile:2: unknown instruction: RUNX\n 2 | {snippet}"),
            0,
        );
        let fitted = fit_status(s, 4 << 20);
        assert!(fitted.details.is_empty());
        assert!(
            fitted
                .message
                .starts_with("Dockerfile:2: unknown instruction: RUNX … (")
        );
        assert!(fitted.encoded_len() < 1024);

        let line = format!("Dockerfile:9: {}", "é".repeat(3 << 20));
        let fitted = fit_status(status(line, 0), 4 << 20);
        assert!(fitted.message.starts_with("Dockerfile:9: éé"));
        assert!(fitted.encoded_len() <= 4 << 20);
        assert!(fitted.message.len() < 70 << 10);
    }
}
