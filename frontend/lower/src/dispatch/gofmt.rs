//! Go `fmt` renderings that end up in image history texts.

use std::time::Duration;

use stagecraft_syntax::go_quote;

/// `%v` of a `[]string`: `[a b c]`.
pub(crate) fn list_v(items: &[String]) -> String {
    bracketed(items)
}

/// `%q` of a `[]string`: `["a" "b"]`.
pub(crate) fn list_q(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    bracketed(&quoted)
}

/// `[a b c]`, allocated once: history texts are made for every instruction.
fn bracketed(items: &[String]) -> String {
    let mut out = String::with_capacity(2 + items.iter().map(|s| s.len() + 1).sum::<usize>());
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", fraction(nanos, 1_000_000));
    }
    let total_secs = nanos / 1_000_000_000;
    let sub = nanos % 1_000_000_000;
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let secs = total_secs % 60;
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&fraction(secs * 1_000_000_000 + sub, 1_000_000_000));
    out.push('s');
    out
}

/// `value / unit` with the fractional part's trailing zeros removed.
fn fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let rest = value % unit;
    if rest == 0 {
        return whole.to_string();
    }
    let digits = unit.to_string().len() - 1;
    let frac = format!("{rest:0digits$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        let cases = [
            (0, "0s"),
            (1_500_000, "1.5ms"),
            (30_000_000_000, "30s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (2_500_000_000, "2.5s"),
            (999, "999ns"),
            (1_000, "1µs"),
        ];
        for (nanos, want) in cases {
            assert_eq!(duration(Duration::from_nanos(nanos)), want);
        }
    }

    #[test]
    fn lists_print_like_go() {
        let v = vec![
            "/bin/sh".to_string(),
            "-c".to_string(),
            "echo \"hi\"".to_string(),
        ];
        assert_eq!(list_v(&v), "[/bin/sh -c echo \"hi\"]");
        assert_eq!(list_q(&v), r#"["/bin/sh" "-c" "echo \"hi\""]"#);
    }
}
