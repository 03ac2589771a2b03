//! The session trace, printed on request: `--opt stagecraft-trace=1`
//! (buildctl) or `--build-arg STAGECRAFT_TRACE=1` (docker build).
//!
//! It goes to stderr, which BuildKit sends to the daemon's log, just before
//! `Return`: one line per RPC (start, duration, name, what it was about),
//! then the totals — calls, sequential rounds, time waiting on the daemon,
//! wall time since `main`, and our own CPU time since the process started,
//! with the part spent before `main` (the container runtime's setup, which
//! runs in our process before it executes us) — and the wall clock of
//! `main` and of `Return`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stagecraft_proto::Trace;
use stagecraft_proto::env::FrontendEnv;

const OPTION: &str = "stagecraft-trace";
const BUILD_ARG: &str = "build-arg:STAGECRAFT_TRACE";

/// Whether the trace was asked for, and the options without the build-arg
/// form (it is ours, not the Dockerfile's: it must not count as unused).
pub fn take_option(env: &mut FrontendEnv) -> bool {
    let wanted = |opts: &BTreeMap<String, String>, key| {
        opts.get(key)
            .is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
    };
    let asked = wanted(&env.opts, OPTION) || wanted(&env.opts, BUILD_ARG);
    env.opts.remove(BUILD_ARG);
    asked
}

/// Wall and CPU time at the moment `Return` is sent.
pub struct AtReturn {
    wall: Duration,
    cpu: Option<Duration>,
}

impl AtReturn {
    pub fn now(trace: &Trace) -> AtReturn {
        AtReturn {
            wall: trace.origin().elapsed(),
            cpu: stagecraft_proto::trace::own_cpu_time(),
        }
    }
}

/// Prints the trace as it stands just before `Return` (which is not in it),
/// and the wall-clock time of `main` (`main_at`, taken with the trace's
/// origin) and of `Return`: set beside the daemon's progress timestamps
/// they tell the container's start and end from the session. One write, so
/// that the lines reach the daemon's log whole.
pub fn print(trace: &Trace, main_at: SystemTime, at_return: AtReturn) {
    let mut summary = trace.summary();
    summary.wall = at_return.wall;
    summary.cpu = at_return.cpu;
    let unix = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    };
    let text = format!(
        "{summary}, to Return\ntrace: main at unix {:.6}, Return at unix {:.6}\n",
        unix(main_at),
        unix(main_at + at_return.wall)
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_or_build_arg_turns_it_on_and_the_build_arg_is_taken_out() {
        let env = |pairs: &[(&str, &str)]| FrontendEnv {
            opts: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..FrontendEnv::default()
        };
        let mut e = env(&[(OPTION, "1")]);
        assert!(take_option(&mut e));
        let mut e = env(&[(BUILD_ARG, "true"), ("build-arg:A", "1")]);
        assert!(take_option(&mut e));
        assert_eq!(e.opts.keys().collect::<Vec<_>>(), ["build-arg:A"]);
        let mut e = env(&[(BUILD_ARG, "0")]);
        assert!(!take_option(&mut e));
        assert!(e.opts.is_empty());
        assert!(!take_option(&mut env(&[])));
    }
}
