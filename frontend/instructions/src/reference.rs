//! Image reference normalisation, as `docker/distribution`'s
//! `ParseNormalizedNamed` + `TagNameOnly`: `busybox` →
//! `docker.io/library/busybox:latest`.

const DEFAULT_DOMAIN: &str = "docker.io";

/// Normalises `name`; the error says why it is not a valid reference.
pub fn normalize(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("repository name must have at least one component".to_string());
    }
    if name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(
            "invalid repository name (cannot specify 64-byte hexadecimal strings)".to_string(),
        );
    }
    let (rest, digest) = match name.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (name, None),
    };
    if let Some(d) = digest {
        check_digest(d)?;
    }
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        check_tag(t)?;
    }
    let (domain, remainder) = split_domain(path);
    if remainder.is_empty() {
        return Err("repository name must have at least one component".to_string());
    }
    if remainder.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("repository name must be lowercase".to_string());
    }
    for component in remainder.split('/') {
        if !valid_component(component) {
            return Err(format!("invalid reference format: {name:?}"));
        }
    }
    let mut out = format!("{domain}/{remainder}");
    match (tag, digest) {
        (Some(t), _) => {
            out.push(':');
            out.push_str(t);
        }
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(d) = digest {
        out.push('@');
        out.push_str(d);
    }
    Ok(out)
}

/// The short form people write (`docker/distribution`'s `FamiliarString`)
/// of a normalised reference, without a `:latest` tag: what named contexts
/// are keyed by (`docker.io/library/alpine:latest` → `alpine`).
pub fn familiar(normalized: &str) -> String {
    let short = match normalized.strip_prefix("docker.io/") {
        Some(rest) => match rest.strip_prefix("library/") {
            Some(name) if !name.split(['@', ':']).next().unwrap_or(name).contains('/') => name,
            _ => rest,
        },
        None => normalized,
    };
    short.strip_suffix(":latest").unwrap_or(short).to_string()
}

/// `normalized` pinned to `digest` (replacing any digest it had).
pub fn with_digest(normalized: &str, digest: &str) -> String {
    let base = normalized.split_once('@').map_or(normalized, |(b, _)| b);
    format!("{base}@{digest}")
}

fn split_domain(path: &str) -> (String, String) {
    match path.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            let domain = if first == "index.docker.io" {
                DEFAULT_DOMAIN
            } else {
                first
            };
            if domain == DEFAULT_DOMAIN && !rest.contains('/') {
                (domain.to_string(), format!("library/{rest}"))
            } else {
                (domain.to_string(), rest.to_string())
            }
        }
        Some(_) => (DEFAULT_DOMAIN.to_string(), path.to_string()),
        None => (DEFAULT_DOMAIN.to_string(), format!("library/{path}")),
    }
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    let mut need_alnum = true;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            need_alnum = false;
            i += 1;
            continue;
        }
        if need_alnum {
            return false;
        }
        let sep_len = match b {
            b'.' => 1,
            b'_' if bytes.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => bytes[i..].iter().take_while(|x| **x == b'-').count(),
            _ => return false,
        };
        i += sep_len;
        need_alnum = true;
    }
    !need_alnum
}

fn check_tag(tag: &str) -> Result<(), String> {
    let mut chars = tag.chars();
    let ok = tag.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!("invalid tag format: {tag:?}"))
    }
}

fn check_digest(digest: &str) -> Result<(), String> {
    let ok = digest.split_once(':').is_some_and(|(alg, hex)| {
        alg.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && alg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'))
            && hex.len() >= 32
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(format!("invalid digest format: {digest:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_distribution() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        let cases = [
            ("busybox", "docker.io/library/busybox:latest".to_string()),
            ("alpine:3.19", "docker.io/library/alpine:3.19".to_string()),
            (
                "docker.io/busybox",
                "docker.io/library/busybox:latest".to_string(),
            ),
            ("index.docker.io/x/y:1", "docker.io/x/y:1".to_string()),
            ("user/app", "docker.io/user/app:latest".to_string()),
            ("localhost:5000/x", "localhost:5000/x:latest".to_string()),
            ("localhost/x:t", "localhost/x:t".to_string()),
            ("ghcr.io/a/b/c:v1", "ghcr.io/a/b/c:v1".to_string()),
            (
                &*format!("alpine@{d}"),
                format!("docker.io/library/alpine@{d}"),
            ),
            (
                &*format!("alpine:3@{d}"),
                format!("docker.io/library/alpine:3@{d}"),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "Busybox",
            "a:b:c",
            "foo/-bar",
            "a@sha256:zz",
            &"a".repeat(64),
        ] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pins_a_digest() {
        assert_eq!(
            with_digest("docker.io/library/a:1", "sha256:bb"),
            "docker.io/library/a:1@sha256:bb"
        );
    }

    #[test]
    fn familiar_names_drop_the_default_registry_and_latest() {
        for (given, want) in [
            ("alpine", "alpine"),
            ("docker.io/library/alpine:latest", "alpine"),
            ("alpine:3.19", "alpine:3.19"),
            ("user/app", "user/app"),
            ("docker.io/library/a/b", "library/a/b"),
            ("ghcr.io/o/app:latest", "ghcr.io/o/app"),
            ("localhost:5000/app:1", "localhost:5000/app:1"),
        ] {
            assert_eq!(familiar(&normalize(given).unwrap()), want, "{given}");
        }
    }
}
