use std::time::Duration;

use super::{assert_errors, one, strings};
use crate::{CommandLine, HealthConfig, Healthcheck, Instruction};

fn check(body: &str) -> Healthcheck {
    match one(body) {
        Instruction::Healthcheck(h) => h.check,
        other => panic!("{body}: not HEALTHCHECK: {other:?}"),
    }
}

fn config(body: &str) -> HealthConfig {
    match check(body) {
        Healthcheck::Check(c) => c,
        Healthcheck::None => panic!("{body}: NONE"),
    }
}

#[test]
fn none() {
    assert_eq!(check("HEALTHCHECK NONE"), Healthcheck::None);
    // The reference ignores flags on NONE.
    assert_eq!(check("HEALTHCHECK --interval=1s NONE"), Healthcheck::None);
    assert_eq!(check("healthcheck none"), Healthcheck::None);
}

#[test]
fn commands() {
    let c = config("HEALTHCHECK CMD curl -f http://localhost/ || exit 1");
    assert_eq!(
        c.test,
        CommandLine::Shell("curl -f http://localhost/ || exit 1".into())
    );
    assert_eq!(
        c.test_array(),
        strings(&["CMD-SHELL", "curl -f http://localhost/ || exit 1"])
    );
    let c = config("HEALTHCHECK cmd [\"/bin/check\", \"--fast\"]");
    assert_eq!(
        c.test,
        CommandLine::Exec(strings(&["/bin/check", "--fast"]))
    );
    assert_eq!(c.test_array(), strings(&["CMD", "/bin/check", "--fast"]));
    assert_eq!(
        (
            c.interval,
            c.timeout,
            c.start_period,
            c.start_interval,
            c.retries
        ),
        (None, None, None, None, 0)
    );
}

/// (flags, interval, timeout, start period, start interval, retries)
type HealthCase = (
    &'static str,
    Option<Duration>,
    Option<Duration>,
    Option<Duration>,
    Option<Duration>,
    u32,
);

#[test]
fn durations_and_retries() {
    let ms = Duration::from_millis;
    let cases: &[HealthCase] = &[
        ("--interval=30s", Some(ms(30_000)), None, None, None, 0),
        (
            "--timeout=1m30s --retries=3",
            None,
            Some(ms(90_000)),
            None,
            None,
            3,
        ),
        (
            "--start-period=1.5s --start-interval=5ms",
            None,
            None,
            Some(ms(1500)),
            Some(ms(5)),
            0,
        ),
        ("--interval=1ms", Some(ms(1)), None, None, None, 0),
        (
            "--interval=0 --timeout=0s --retries=0",
            None,
            None,
            None,
            None,
            0,
        ),
        (
            "--interval=2h --retries=2147483647",
            Some(ms(7_200_000)),
            None,
            None,
            None,
            i32::MAX as u32,
        ),
        ("--interval=", None, None, None, None, 0),
    ];
    for (flags, interval, timeout, start_period, start_interval, retries) in cases {
        let body = format!("HEALTHCHECK {flags} CMD true");
        let c = config(&body);
        assert_eq!(c.interval, *interval, "{body}");
        assert_eq!(c.timeout, *timeout, "{body}");
        assert_eq!(c.start_period, *start_period, "{body}");
        assert_eq!(c.start_interval, *start_interval, "{body}");
        assert_eq!(c.retries, *retries, "{body}");
    }
}

#[test]
fn healthcheck_errors() {
    assert_errors(&[
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument"),
        (
            "HEALTHCHECK NONE now",
            "HEALTHCHECK NONE takes no arguments",
        ),
        ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
        (
            "HEALTHCHECK CMD []",
            "Missing command after HEALTHCHECK CMD",
        ),
        (
            "HEALTHCHECK RUN true",
            "Unknown type \"RUN\" in HEALTHCHECK (try CMD)",
        ),
        (
            "HEALTHCHECK --interval=500us CMD true",
            "Interval \"interval\" cannot be less than 1ms (got 500us)",
        ),
        (
            "HEALTHCHECK --timeout=-1s CMD true",
            "Interval \"timeout\" cannot be less than 1ms",
        ),
        (
            "HEALTHCHECK --interval=5 CMD true",
            "invalid value for --interval: time: missing unit in duration \"5\"",
        ),
        (
            "HEALTHCHECK --start-period=1d CMD true",
            "invalid value for --start-period: time: unknown unit \"d\" in duration \"1d\"",
        ),
        (
            "HEALTHCHECK --start-interval=soon CMD true",
            "time: invalid duration \"soon\"",
        ),
        (
            "HEALTHCHECK --retries=-1 CMD true",
            "--retries cannot be negative (-1)",
        ),
        (
            "HEALTHCHECK --retries=three CMD true",
            "invalid value for --retries: \"three\" is not a whole number",
        ),
        (
            "HEALTHCHECK --retries=2147483648 CMD true",
            "invalid value for --retries",
        ),
        (
            "HEALTHCHECK --intervl=1s CMD true",
            "unknown flag: --intervl (did you mean --interval?)",
        ),
        (
            "HEALTHCHECK --interval=1s --interval=2s CMD true",
            "duplicate flag specified: --interval",
        ),
    ]);
}
