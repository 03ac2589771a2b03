//! SOURCE_DATE_EPOCH: the build's fixed time, from a build arg or a global
//! ARG default. It stamps history entries and the directories WORKDIR
//! creates, and goes to the exporter.

use crate::envlist::EnvList;
use crate::error::{LowerError, LowerErrorKind};
use crate::options::BuildOptions;

const NAME: &str = "SOURCE_DATE_EPOCH";

/// The epoch in seconds, if the build sets one. A build arg wins even when
/// empty (which means none); otherwise a non-empty global ARG default. The
/// reference also accepts `context` or a stage name, read from the content
/// of a source at build time; we report those instead of building without
/// the fixed time.
pub(crate) fn resolve(options: &BuildOptions, global: &EnvList) -> Result<Option<i64>, LowerError> {
    let value = match options.build_args.get(NAME) {
        Some(v) => v.as_str(),
        None => global.get(NAME).unwrap_or(""),
    };
    if value.is_empty() {
        return Ok(None);
    }
    value.parse::<i64>().map(Some).map_err(|_| {
        LowerError::new(
            LowerErrorKind::Unsupported(format!(
                "{NAME}={value:?}: only a number of seconds is supported"
            )),
            None,
        )
    })
}

/// `secs` as an RFC 3339 UTC time (`2023-11-14T22:13:20Z`), the way Go
/// writes a whole-second `time.Time` in JSON.
pub(crate) fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn build_arg_wins_then_global_default() {
        let mut o = BuildOptions::default();
        let mut global = EnvList::new();
        global.set(NAME, "5");
        assert_eq!(resolve(&o, &global).unwrap(), Some(5));
        o.build_args.insert(NAME.into(), "7".into());
        assert_eq!(resolve(&o, &global).unwrap(), Some(7));
        o.build_args.insert(NAME.into(), String::new());
        assert_eq!(resolve(&o, &global).unwrap(), None);
        o.build_args.insert(NAME.into(), "context".into());
        assert!(resolve(&o, &global).is_err());
    }
}
