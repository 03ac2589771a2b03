//! STOPSIGNAL values. The dispatcher checks the signal after expanding it,
//! then stores the text unchanged in the image config.

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid signal: {0}")]
pub struct SignalError(pub String);

/// Linux signal names (without `SIG`) and numbers.
const NAMES: &[(&str, i64)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

const RTMIN: i64 = 34;
const RTMAX: i64 = 64;

/// The signal number of `text`: a non-zero integer, or a name such as
/// `SIGTERM`, `term`, `RTMIN+3`, `SIGRTMAX-1`.
pub fn parse_signal(text: &str) -> Result<i64, SignalError> {
    let bad = || SignalError(text.to_string());
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(0) | Err(_) => Err(bad()),
            Ok(n) => Ok(n),
        };
    }
    let upper = text.to_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some(&(_, n)) = NAMES.iter().find(|(n, _)| *n == name) {
        return Ok(n);
    }
    // Only the canonical spellings exist: `RTMIN+1`..`RTMIN+15`, `RTMAX-14`..`RTMAX-1`.
    let offset = |off: &str, max: i64| -> Option<i64> {
        let n: i64 = off.parse().ok()?;
        ((1..=max).contains(&n) && n.to_string() == off).then_some(n)
    };
    let found = match name {
        "RTMIN" => Some(RTMIN),
        "RTMAX" => Some(RTMAX),
        _ => {
            if let Some(off) = name.strip_prefix("RTMIN+") {
                offset(off, 15).map(|n| RTMIN + n)
            } else if let Some(off) = name.strip_prefix("RTMAX-") {
                offset(off, 14).map(|n| RTMAX - n)
            } else {
                None
            }
        }
    };
    found.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        let cases: &[(&str, i64)] = &[
            ("SIGTERM", 15),
            ("term", 15),
            ("SigKill", 9),
            ("9", 9),
            ("+3", 3),
            ("-5", -5),
            ("RTMIN", 34),
            ("SIGRTMIN+15", 49),
            ("RTMAX-14", 50),
            ("rtmax", 64),
            ("SIGCLD", 17),
        ];
        for (text, want) in cases {
            assert_eq!(parse_signal(text), Ok(*want), "{text}");
        }
        for text in [
            "0", "", "SIG", "SIGFOO", "RTMIN+16", "RTMIN+0", "RTMAX-15", "RTMIN+", "1.5",
            "RTMIN+-1",
        ] {
            assert_eq!(
                parse_signal(text),
                Err(SignalError(text.to_string())),
                "{text:?}"
            );
        }
        assert_eq!(
            parse_signal("nope").unwrap_err().to_string(),
            "invalid signal: nope"
        );
    }
}
