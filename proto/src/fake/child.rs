//! Running a frontend process against the fake, the way BuildKit does.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use super::server::{FakeBuildkit, Recorded};
use crate::transport::PipePair;

/// The child could not be run or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("cannot start the frontend process: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("waiting for the frontend process failed: {0}")]
    Wait(#[source] std::io::Error),
    /// Killed after the deadline; `recorded` shows how far it got.
    #[error("the frontend process did not exit within {after:?} (killed)")]
    TimedOut {
        after: Duration,
        recorded: Box<Recorded>,
    },
}

/// How a frontend process ended.
#[derive(Debug)]
pub struct ChildOutcome {
    pub status: ExitStatus,
    pub recorded: Recorded,
    /// Time from the first `Return` to the process exit.
    pub exit_delay_after_return: Option<Duration>,
}

/// A frontend process talking to the fake over its stdin/stdout.
pub struct FakeChild {
    child: Child,
    fake: FakeBuildkit,
    server: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

impl FakeBuildkit {
    /// Starts `command` with pipes as stdin/stdout served by this fake and
    /// the `BUILDKIT_*` environment of the config; stderr is inherited.
    /// Needs a tokio runtime.
    pub fn spawn(&self, command: std::process::Command) -> Result<FakeChild, FakeError> {
        let mut command = Command::from(command);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .envs(self.config().child_env());
        let mut child = command.spawn().map_err(FakeError::Spawn)?;
        let pipes = child.stdout.take().zip(child.stdin.take());
        let Some((from_child, to_child)) = pipes else {
            return Err(FakeError::Spawn(std::io::Error::other(
                "child has no stdin/stdout pipes",
            )));
        };
        let server = self.serve(PipePair::new(from_child, to_child));
        Ok(FakeChild {
            child,
            fake: self.clone(),
            server,
        })
    }
}

impl FakeChild {
    /// Serves until the process exits (killing it after `timeout`).
    pub async fn wait(mut self, timeout: Duration) -> Result<ChildOutcome, FakeError> {
        let waited = tokio::time::timeout(timeout, self.child.wait()).await;
        let exited_at = Instant::now();
        self.server.abort();
        let recorded = self.fake.recorded();
        match waited {
            Ok(Ok(status)) => Ok(ChildOutcome {
                status,
                exit_delay_after_return: recorded
                    .returned_at
                    .map(|at| exited_at.saturating_duration_since(at)),
                recorded,
            }),
            Ok(Err(err)) => Err(FakeError::Wait(err)),
            Err(_) => {
                let _ = self.child.kill().await;
                Err(FakeError::TimedOut {
                    after: timeout,
                    recorded: Box::new(recorded),
                })
            }
        }
    }
}
