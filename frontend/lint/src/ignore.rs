//! `.dockerignore` matching for the CopyIgnoredFile check, as BuildKit's
//! pattern matcher reads patterns: `*` and `?` stop at `/`, `**` spans
//! directories, and a path counts as ignored when it or a parent matches.

use regex::Regex;

/// The ignore patterns of a build context. `None` when the check cannot
/// judge statically: no patterns, or `!` exceptions (an excluded directory
/// may have a re-included file in it).
pub(crate) struct Ignored {
    patterns: Vec<Regex>,
    /// A pattern excludes every root entry (`*`, `**`, `**/*`).
    everything: bool,
}

impl Ignored {
    pub(crate) fn new(patterns: &[String]) -> Option<Ignored> {
        if patterns.is_empty() || patterns.iter().any(|p| p.starts_with('!')) {
            return None;
        }
        Some(Ignored {
            patterns: patterns.iter().filter_map(|p| compile(p)).collect(),
            everything: patterns
                .iter()
                .any(|p| matches!(p.as_str(), "*" | "**" | "**/*")),
        })
    }

    /// Whether the COPY/ADD source `src` (expanded) is excluded.
    pub(crate) fn excludes(&self, src: &str) -> bool {
        let src = clean(src);
        if (src == "." || src == "/") && !self.everything {
            return false;
        }
        let parents: Vec<&str> = match src.rsplit_once('/') {
            Some((dir, _)) if !dir.is_empty() => dir.split('/').collect(),
            _ => Vec::new(),
        };
        self.patterns.iter().any(|re| {
            re.is_match(&src)
                || (1..=parents.len())
                    .any(|n| parents.get(..n).is_some_and(|p| re.is_match(&p.join("/"))))
        })
    }
}

/// The pattern as an anchored regex; `None` if it cannot be one.
fn compile(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                re.push_str(if chars.peek().is_none() {
                    ".*"
                } else {
                    "(.*/)?"
                });
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => {
                if let Some(next) = chars.next() {
                    re.push_str(&regex::escape(&next.to_string()));
                }
            }
            '[' | ']' | '-' | '^' => re.push(c),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).ok()
}

/// Go's `path.Clean`: no `.` or empty segments, `..` resolved, no trailing
/// `/`; `""` becomes `.`.
pub(crate) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(patterns: &[&str]) -> Ignored {
        Ignored::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn paths_and_parents() {
        let m = ignored(&["node_modules", "*.log", "build/**/tmp"]);
        assert!(m.excludes("node_modules"));
        assert!(m.excludes("./node_modules/x/y"));
        assert!(m.excludes("app.log"));
        assert!(!m.excludes("logs/app.log"));
        assert!(m.excludes("build/a/b/tmp"));
        assert!(m.excludes("build/tmp/file"));
        assert!(!m.excludes("src"));
        assert!(!m.excludes("."));
        assert!(ignored(&["*"]).excludes("."));
        assert!(Ignored::new(&["a".into(), "!a/b".into()]).is_none());
    }
}
