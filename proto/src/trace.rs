//! A record of one gateway session: every RPC with when it started and how
//! long the daemon took to answer, so a slow build can be told apart into
//! our own work, the daemon's, and waiting on round trips.
//!
//! Recording is always on (a clock read and a push per RPC); printing is the
//! caller's choice.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One RPC as seen from our side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The RPC's name (`Ping`, `Solve`, `ReadFile`, …).
    pub name: &'static str,
    /// What it was about (a file name, an image reference), if anything.
    pub detail: String,
    /// Since the trace began.
    pub started: Duration,
    /// Until the answer (or the error) arrived.
    pub took: Duration,
    pub ok: bool,
}

/// The calls of one session; cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Trace {
    origin: Instant,
    /// Our CPU time when the trace began: what the process spent before
    /// (for a frontend, the container runtime's setup in the same process
    /// before it became us).
    cpu_at_origin: Option<Duration>,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::starting_at(Instant::now())
    }
}

impl Trace {
    /// A trace whose times count from `origin` (e.g. the start of `main`).
    pub fn starting_at(origin: Instant) -> Trace {
        Trace {
            origin,
            cpu_at_origin: own_cpu_time(),
            calls: Arc::default(),
        }
    }

    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Times `call` and records it under `name`.
    pub async fn time<T, E>(
        &self,
        name: &'static str,
        detail: impl Into<String>,
        call: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let begin = Instant::now();
        let result = call.await;
        self.record(Call {
            name,
            detail: detail.into(),
            started: begin.saturating_duration_since(self.origin),
            took: begin.elapsed(),
            ok: result.is_ok(),
        });
        result
    }

    fn record(&self, call: Call) {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(call);
    }

    /// The calls so far, in the order they finished.
    pub fn calls(&self) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A summary as of now, with our own CPU time so far.
    pub fn summary(&self) -> Summary {
        let mut calls = self.calls();
        calls.sort_by_key(|c| c.started);
        Summary {
            rounds: rounds(&calls),
            waited: waited(&calls),
            calls,
            wall: self.origin.elapsed(),
            cpu: own_cpu_time(),
            cpu_before: self.cpu_at_origin,
        }
    }
}

/// How many times we waited on the daemon one after the other: a call that
/// starts while an earlier one is still out shares that one's round.
fn rounds(sorted: &[Call]) -> usize {
    let mut rounds = 0;
    let mut busy_until: Option<Duration> = None;
    for call in sorted {
        match busy_until {
            Some(end) if call.started < end => busy_until = Some(end.max(call.started + call.took)),
            _ => {
                rounds += 1;
                busy_until = Some(call.started + call.took);
            }
        }
    }
    rounds
}

/// Wall time with at least one call out (overlapping calls counted once).
fn waited(sorted: &[Call]) -> Duration {
    let mut total = Duration::ZERO;
    let mut span: Option<(Duration, Duration)> = None;
    for call in sorted {
        let (start, end) = (call.started, call.started + call.took);
        span = match span {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = span {
        total += e - s;
    }
    total
}

/// User plus system CPU time of this process so far (`None` if the system
/// does not say).
pub fn own_cpu_time() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one rusage into the pointer we pass, which
    // points at enough zeroed memory for it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage succeeded, so the struct is initialised (it was
    // zeroed before anyway, and every field is plain integers).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

/// A session's figures at one point (usually just before `Return`).
#[derive(Clone, Debug)]
pub struct Summary {
    /// Every call, by start time.
    pub calls: Vec<Call>,
    /// Sequential waits on the daemon (see [`Trace::summary`]).
    pub rounds: usize,
    /// Wall time with a call out.
    pub waited: Duration,
    /// Wall time since the trace's origin.
    pub wall: Duration,
    /// Our own CPU time (user + system) since the process started.
    pub cpu: Option<Duration>,
    /// The part of `cpu` spent before the trace's origin.
    pub cpu_before: Option<Duration>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl fmt::Display for Summary {
    /// One line per call, then a totals line; every line starts with
    /// `trace:` so it can be picked out of a daemon log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.calls {
            write!(
                f,
                "trace: {:>8.3} ms +{:>8.3} ms  {:<18}",
                ms(c.started),
                ms(c.took),
                c.name
            )?;
            if !c.detail.is_empty() {
                write!(f, " {}", c.detail)?;
            }
            if !c.ok {
                f.write_str(" (error)")?;
            }
            writeln!(f)?;
        }
        let cpu = match (self.cpu, self.cpu_before) {
            (Some(all), Some(before)) => {
                format!("{:.3} ms ({:.3} ms of it before main)", ms(all), ms(before))
            }
            (Some(all), None) => format!("{:.3} ms", ms(all)),
            (None, _) => "unknown".to_string(),
        };
        write!(
            f,
            "trace: {} calls in {} rounds; {:.3} ms waiting on BuildKit, {:.3} ms wall since main, own CPU {cpu}",
            self.calls.len(),
            self.rounds,
            ms(self.waited),
            ms(self.wall),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(started_ms: u64, took_ms: u64) -> Call {
        Call {
            name: "Solve",
            detail: String::new(),
            started: Duration::from_millis(started_ms),
            took: Duration::from_millis(took_ms),
            ok: true,
        }
    }

    #[test]
    fn overlapping_calls_share_a_round_and_wait_once() {
        // 0-10 alone; 20-30 and 25-40 overlap; 50-55 alone.
        let calls = [call(0, 10), call(20, 10), call(25, 15), call(50, 5)];
        assert_eq!(rounds(&calls), 3);
        assert_eq!(waited(&calls), Duration::from_millis(10 + 20 + 5));
        assert_eq!(rounds(&[]), 0);
        assert_eq!(waited(&[]), Duration::ZERO);
    }

    #[tokio::test]
    async fn records_each_call_with_its_outcome() {
        let trace = Trace::default();
        let ok: Result<u8, ()> = trace.time("Ping", "", async { Ok(1) }).await;
        let err: Result<u8, ()> = trace
            .time("ReadFile", "Dockerfile", async { Err(()) })
            .await;
        assert_eq!((ok, err), (Ok(1), Err(())));
        let summary = trace.summary();
        let names: Vec<_> = summary.calls.iter().map(|c| (c.name, c.ok)).collect();
        assert_eq!(names, [("Ping", true), ("ReadFile", false)]);
        assert_eq!(summary.rounds, 2);
        assert!(summary.cpu.is_some_and(|c| c > Duration::ZERO));
        let text = summary.to_string();
        assert!(text.lines().all(|l| l.starts_with("trace: ")), "{text}");
        assert!(
            text.contains("ReadFile           Dockerfile (error)"),
            "{text}"
        );
        assert!(text.contains("own CPU "), "{text}");
        assert!(text.contains("of it before main)"), "{text}");
    }
}
