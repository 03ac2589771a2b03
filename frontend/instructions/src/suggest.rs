//! "Did you mean …?" hints for misspelt names.

/// The closest candidate within edit distance 2, or `None` when nothing is
/// close or `value` is itself a candidate. Without `case_sensitive` the match
/// is compared in lower case and returned in the case style of `value`.
pub fn suggest<'a>(
    value: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    case_sensitive: bool,
) -> Option<String> {
    let needle = if case_sensitive {
        value.to_string()
    } else {
        value.to_lowercase()
    };
    let mut best: Option<(usize, String)> = None;
    for candidate in candidates {
        let cand = if case_sensitive {
            candidate.to_string()
        } else {
            candidate.to_lowercase()
        };
        if cand == needle {
            return None;
        }
        let distance = strsim::levenshtein(&needle, &cand);
        if distance < 3 && best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((distance, cand));
        }
    }
    let (_, found) = best?;
    if case_sensitive {
        return Some(found);
    }
    Some(if value == value.to_lowercase() {
        found
    } else if value == value.to_uppercase() {
        found.to_uppercase()
    } else {
        found
    })
}

/// Renders ` (did you mean X?)` when a suggestion exists.
pub(crate) struct Hint<'a>(pub &'a Option<String>);

impl std::fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = ["RUN", "COPY", "FROM", "WORKDIR"];
        assert_eq!(suggest("RUNN", names, false).as_deref(), Some("RUN"));
        assert_eq!(suggest("cpy", names, false).as_deref(), Some("copy"));
        assert_eq!(suggest("RUN", names, false), None);
        assert_eq!(suggest("BANANA", names, false), None);
        assert_eq!(
            suggest("form", ["from", "chown"], true).as_deref(),
            Some("from")
        );
        assert_eq!(suggest("Form", ["from"], true), None);
    }
}
