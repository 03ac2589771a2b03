//! Variable lookup used during expansion.
//!
//! Names are compared exactly (case-sensitive), as on Linux.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Where expansion looks variables up. `None` means unset; `Some("")` is set but empty, which the
/// `:`-forms of the operators treat like unset.
pub trait Env {
    fn get(&self, name: &str) -> Option<&str>;
}

/// An environment with no variables at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoEnv;

impl Env for NoEnv {
    fn get(&self, _name: &str) -> Option<&str> {
        None
    }
}

impl Env for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

impl<S: BuildHasher> Env for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(String::as_str)
    }
}

/// Ordered pairs; a later pair for the same name wins, like repeated `ENV` or `ARG` lines.
impl Env for [(String, String)] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl Env for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }
}

/// `KEY=VALUE` entries as found in an image config's `Env`; a later entry wins, and an entry with no
/// `=` defines its whole text as a name with an empty value.
impl Env for [String] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter().rev().find_map(|entry| {
            let (key, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            (key == name).then_some(value)
        })
    }
}

impl Env for Vec<String> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }
}

impl<E: Env + ?Sized> Env for &E {
    fn get(&self, name: &str) -> Option<&str> {
        (**self).get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_entries_last_wins_and_bare_name_is_empty() {
        let env: Vec<String> = ["foo=bar", "car=hat", "car=bike", "bare", "eq=a=b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(Env::get(&env, "foo"), Some("bar"));
        assert_eq!(Env::get(&env, "car"), Some("bike"));
        assert_eq!(Env::get(&env, "bare"), Some(""));
        assert_eq!(Env::get(&env, "eq"), Some("a=b"));
        assert_eq!(Env::get(&env, "FOO"), None);
        assert_eq!(Env::get(&env, "missing"), None);
    }

    #[test]
    fn pairs_last_wins() {
        let env = vec![
            ("A".to_string(), "1".to_string()),
            ("A".to_string(), "2".to_string()),
        ];
        assert_eq!(Env::get(&env, "A"), Some("2"));
        assert_eq!(Env::get(&env, "a"), None);
    }

    #[test]
    fn maps_are_case_sensitive() {
        let map = HashMap::from([("Path".to_string(), "x".to_string())]);
        assert_eq!(Env::get(&map, "Path"), Some("x"));
        assert_eq!(Env::get(&map, "PATH"), None);
        assert_eq!(NoEnv.get("Path"), None);
    }
}
