//! Limits on what one build may produce, so that no Dockerfile or option
//! can make lowering take memory or time out of proportion to its size.

use std::sync::atomic::{AtomicUsize, Ordering};

use stagecraft_syntax::Span;

use crate::error::{LowerError, LowerErrorKind};

/// Sizes one build may not exceed. README.md ("Limits") says why each
/// value is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest message the daemon accepts. The LLB Definition goes in
    /// one message (Solve) and the image config in another (Return); each
    /// is at most what lowering produces, so lowering stops at this size.
    pub message_bytes: usize,
}

impl Limits {
    /// BuildKit ≥ 0.14 accepts requests of up to 16 MiB.
    pub const CURRENT_MESSAGE_BYTES: usize = 16 << 20;
    /// BuildKit 0.8 (Docker 20.10) accepts 4 MiB, gRPC's default.
    pub const V0_8_MESSAGE_BYTES: usize = 4 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            message_bytes: Limits::CURRENT_MESSAGE_BYTES,
        }
    }
}

/// A running total of the bytes dispatch has produced: ops with their
/// metadata and image history entries. Charged after every instruction, so
/// a build that would not fit in a message ends at the line that overflows
/// it, having used about the limit's worth of memory. Shared by the
/// threads dispatching stages (see `schedule`).
pub(crate) struct Budget {
    limit: usize,
    used: AtomicUsize,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Budget {
            limit: limits.message_bytes,
            used: AtomicUsize::new(0),
        }
    }

    pub(crate) fn charge(&self, bytes: usize, span: Span) -> Result<(), LowerError> {
        // The total only grows until it passes the limit, far below
        // `usize::MAX`: adding cannot wrap.
        let used = self
            .used
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        if used > self.limit {
            return Err(LowerError::at(
                LowerErrorKind::OutputTooLarge { limit: self.limit },
                span,
            ));
        }
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_add_up_and_the_overflowing_line_is_named() {
        let budget = Budget::new(Limits { message_bytes: 10 });
        budget.charge(6, Span::new(1, 1)).unwrap();
        budget.charge(4, Span::new(2, 2)).unwrap();
        let err = budget.charge(1, Span::new(3, 3)).unwrap_err();
        assert_eq!(err.span, Some(Span::new(3, 3)));
        assert_eq!(err.kind, LowerErrorKind::OutputTooLarge { limit: 10 });
        assert_eq!(budget.used(), 11);
    }
}
