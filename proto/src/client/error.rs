//! Errors of the gateway client.

use std::time::Duration;

use crate::caps::MissingCaps;
use crate::google::rpc;
use crate::status::status_from_tonic;
use crate::transport::TransportError;

/// A call to BuildKit failed.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// BuildKit answered with an error. The status is kept whole so that it
    /// can be forwarded in `Return` (see [`BridgeError::to_rpc_status`]).
    #[error("{call} failed: {}", .status.message())]
    Call {
        call: &'static str,
        status: tonic::Status,
    },
    #[error("{call} got no answer within {} s", .after.as_secs())]
    Timeout { call: &'static str, after: Duration },
    /// A request BuildKit before v0.14 would reject (`received message larger
    /// than max`); checked before sending so the error names the cause.
    #[error(
        "the {call} request is {size} bytes; BuildKit before v0.14 (Docker before 27.0) \
         accepts at most {limit} bytes"
    )]
    RequestTooLarge {
        call: &'static str,
        size: usize,
        limit: usize,
    },
    /// The Definition uses LLB caps the daemon lacks (checked once `ping`
    /// has run); BuildKit itself would only fail after `Return`.
    #[error(transparent)]
    MissingCaps(#[from] MissingCaps),
    /// Solve answered with a result map where one reference was expected.
    #[error("Solve returned {0} instead of a single reference")]
    UnexpectedResult(&'static str),
}

impl BridgeError {
    /// The status BuildKit returned, if this is a failed call.
    pub fn status(&self) -> Option<&tonic::Status> {
        match self {
            BridgeError::Call { status, .. } => Some(status),
            _ => None,
        }
    }

    /// What to send in `Return.error`: BuildKit's own status unchanged (code,
    /// message, typed details) for a failed call; code Unknown and our message
    /// otherwise.
    pub fn to_rpc_status(&self) -> rpc::Status {
        match self {
            BridgeError::Call { status, .. } => status_from_tonic(status),
            other => rpc::Status {
                code: tonic::Code::Unknown.into(),
                message: other.to_string(),
                details: Vec::new(),
            },
        }
    }
}

pub(crate) fn call_error(call: &'static str) -> impl FnOnce(tonic::Status) -> BridgeError {
    move |status| BridgeError::Call { call, status }
}
