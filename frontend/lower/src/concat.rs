//! Strings joined with one exact allocation. Progress names, history
//! entries and paths are made for every instruction, and `format!` (its
//! formatting machinery plus a buffer that grows) costs several times the
//! copy.

/// `parts` one after the other.
pub(crate) fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::concat;

    #[test]
    fn joins_without_separators() {
        assert_eq!(concat(&[]), "");
        assert_eq!(concat(&["USER ", "", "root"]), "USER root");
        assert_eq!(concat(&["a"]).capacity(), 1);
    }
}
