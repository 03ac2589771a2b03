//! Glob patterns of `${NAME#p}`, `${NAME%p}` and `${NAME/p/r}`.
//!
//! Patterns know `*`, `?` and backslash escapes only; brackets are literal. They are matched through
//! a regex so that the leftmost-first choice between overlapping matches is the reference's (which
//! also uses a regex): `*` never crosses a newline, and `?` never matches one.

use regex::Regex;

use crate::error::PatternError;

/// How much a `*` takes when two matches start at the same place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Star {
    Shortest,
    Longest,
}

/// The reference reads patterns with a scanner that drops a byte-order mark at the start.
fn skip_bom(pattern: &str) -> &str {
    pattern.strip_prefix('\u{FEFF}').unwrap_or(pattern)
}

fn compile(pattern: &str, star: Star, anchored: bool) -> Result<Regex, PatternError> {
    let mut re = String::with_capacity(pattern.len() + 4);
    if anchored {
        re.push('^');
    }
    let mut chars = skip_bom(pattern).chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => re.push_str(match star {
                Star::Shortest => ".*?",
                Star::Longest => ".*",
            }),
            '?' => re.push('.'),
            // `\}` and `\/` only kept the delimiter out of the `${…}` syntax; the char is literal.
            '\\' if matches!(chars.peek(), Some('}' | '/')) => {}
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '?' | '\\')) => {
                    re.push('\\');
                    re.push(escaped);
                }
                Some(other) => return Err(PatternError::InvalidEscape(other)),
                None => return Err(PatternError::TrailingEscape),
            },
            literal => re.push_str(&regex::escape(literal.encode_utf8(&mut [0; 4]))),
        }
    }
    Regex::new(&re).map_err(|err| PatternError::Regex(err.to_string()))
}

/// `${NAME#p}` / `${NAME##p}`: drop the shortest / longest prefix matching `pattern`.
pub(crate) fn trim_prefix(pattern: &str, value: &str, star: Star) -> Result<String, PatternError> {
    let re = compile(pattern, star, true)?;
    Ok(match re.find(value) {
        Some(m) => value.get(m.end()..).unwrap_or_default().to_string(),
        None => value.to_string(),
    })
}

/// `${NAME%p}` / `${NAME%%p}`: a regex finds leftmost matches only, so the value and the pattern are
/// both reversed and the suffix is trimmed as a prefix.
pub(crate) fn trim_suffix(pattern: &str, value: &str, star: Star) -> Result<String, PatternError> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, star)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern while keeping each `\x` pair in order, so escapes still escape the same char.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut units: Vec<&[char]> = Vec::with_capacity(chars.len());
    let mut rest = chars.as_slice();
    while !rest.is_empty() {
        let take = if rest.len() > 1 && rest.first() == Some(&'\\') {
            2
        } else {
            1
        };
        let (unit, tail) = rest.split_at(take);
        units.push(unit);
        rest = tail;
    }
    units.iter().rev().flat_map(|unit| unit.iter()).collect()
}

/// `${NAME/p/r}`: the first match is replaced by `replacement` taken literally.
pub(crate) fn replace_first(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, PatternError> {
    let re = compile(pattern, Star::Longest, false)?;
    Ok(match re.find(value) {
        Some(m) => {
            let mut out = String::with_capacity(value.len() + replacement.len());
            out.push_str(value.get(..m.start()).unwrap_or_default());
            out.push_str(replacement);
            out.push_str(value.get(m.end()..).unwrap_or_default());
            out
        }
        None => value.to_string(),
    })
}

/// `${NAME//p/r}`: every match is replaced. Unlike the first-match form, the reference treats the
/// replacement as a regex template here (`$0` and `${0}` stand for the match, `$$` for `$`), and
/// skips an empty match right after a previous match; both are reproduced. Stops early once the
/// result is longer than `limit` (a replacement per character can multiply the size): the caller
/// then rejects it.
pub(crate) fn replace_all(
    pattern: &str,
    value: &str,
    replacement: &str,
    limit: usize,
) -> Result<String, PatternError> {
    let re = compile(pattern, Star::Longest, false)?;
    let mut out = String::with_capacity(value.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= value.len() {
        let Some(m) = re.find_at(value, search) else {
            break;
        };
        out.push_str(value.get(last_end..m.start()).unwrap_or_default());
        if m.end() > last_end || m.start() == 0 {
            expand_template(replacement, m.as_str(), &mut out);
        }
        last_end = m.end();
        if out.len() > limit {
            return Ok(out);
        }
        let width = value
            .get(search..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8);
        search = if search + width > m.end() {
            search + width
        } else {
            m.end()
        };
    }
    out.push_str(value.get(last_end..).unwrap_or_default());
    Ok(out)
}

/// Expands a replacement template for a regex with no capture groups: only group 0 (the match) can
/// resolve; every other reference expands to nothing, a malformed one stays literal.
fn expand_template(template: &str, matched: &str, out: &mut String) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        match template_reference(rest) {
            Some((name, after)) => {
                if name == "0" {
                    out.push_str(matched);
                }
                rest = after;
            }
            None => out.push('$'),
        }
    }
    out.push_str(rest);
}

/// Splits `name` or `{name}` off the text after a `$`; names are letters, digits and `_`.
fn template_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let len = body
        .char_indices()
        .find(|&(_, ch)| !crate::name::is_name_char(ch))
        .map_or(body.len(), |(at, _)| at);
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at(len);
    if braced {
        let after = after.strip_prefix('}')?;
        Some((name, after))
    } else {
        Some((name, after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_of(pattern: &str) -> Result<String, PatternError> {
        compile(pattern, Star::Longest, true).map(|re| re.as_str().to_string())
    }

    #[test]
    fn converts_wildcards_and_escapes_specials() {
        assert_eq!(regex_of("*").unwrap(), "^.*");
        assert_eq!(regex_of("?").unwrap(), "^.");
        assert_eq!(regex_of("\\*").unwrap(), "^\\*");
        assert_eq!(regex_of("[a]").unwrap(), "^\\[a\\]");
        assert_eq!(regex_of("\\}\\/").unwrap(), "^\\}/");
        assert_eq!(
            compile("a*", Star::Shortest, false).unwrap().as_str(),
            "a.*?"
        );
    }

    #[test]
    fn rejects_bad_escapes() {
        assert_eq!(regex_of("\\"), Err(PatternError::TrailingEscape));
        assert_eq!(regex_of("\\x"), Err(PatternError::InvalidEscape('x')));
        assert_eq!(regex_of("\\\\\\"), Err(PatternError::TrailingEscape));
    }

    #[test]
    fn reverses_patterns_keeping_escape_pairs() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("👽\\🚀🖖"), "🖖\\🚀👽");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
        assert_eq!(reverse_pattern(""), "");
    }

    #[test]
    fn trims_shortest_and_longest() {
        assert_eq!(trim_prefix("*x", "axbxc", Star::Shortest).unwrap(), "bxc");
        assert_eq!(trim_prefix("*x", "axbxc", Star::Longest).unwrap(), "c");
        assert_eq!(trim_suffix("x*", "axbxc", Star::Shortest).unwrap(), "axb");
        assert_eq!(trim_suffix("x*", "axbxc", Star::Longest).unwrap(), "a");
        assert_eq!(
            trim_suffix("한*", "가한나한다", Star::Shortest).unwrap(),
            "가한나"
        );
        // `*` stops at a newline, as the reference's regex `.` does.
        assert_eq!(trim_prefix("*", "ab\ncd", Star::Longest).unwrap(), "\ncd");
    }

    #[test]
    fn replaces_first_literally_and_all_as_template() {
        assert_eq!(replace_first("o", "foo", "$0").unwrap(), "f$0o");
        assert_eq!(
            replace_all("o", "foo", "[$0]", usize::MAX).unwrap(),
            "f[o][o]"
        );
        assert_eq!(
            replace_all("o", "foo", "${0}$$$x$", usize::MAX).unwrap(),
            "fo$$o$$"
        );
        assert_eq!(replace_all("", "ab", "-", usize::MAX).unwrap(), "-a-b-");
        assert_eq!(replace_all("x*", "axxb", "-", usize::MAX).unwrap(), "a-");
        // The empty match at the end, right after the first match, is not replaced.
        assert_eq!(replace_all("*", "ab", "-", usize::MAX).unwrap(), "-");
        assert_eq!(replace_all("", "", "-", usize::MAX).unwrap(), "-");
        assert_eq!(replace_all("?", "한국", ".", usize::MAX).unwrap(), "..");
    }
}
