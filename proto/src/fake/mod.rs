//! A scriptable fake BuildKit for tests (feature `fake`).
//!
//! It serves `LLBBridge` either to a child process over its stdin/stdout
//! (exactly as BuildKit starts a frontend) or in-process over a duplex
//! stream, answers from a [`FakeConfig`] and records what it was asked.

mod child;
mod config;
mod server;

pub use child::{ChildOutcome, FakeChild, FakeError};
pub use config::{FailWhen, FakeConfig, FakeImage, SolveFailure};
pub use server::{FakeBuildkit, Recorded, SolvedContent};
