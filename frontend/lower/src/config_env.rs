//! The `Env` list of an image config.

use std::sync::Arc;

use imbl::{OrdMap, Vector};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `KEY=VALUE` entries in the order of first definition, as the config
/// lists them. A base image may list a name twice (or a bare name with no
/// `=`); setting replaces the first entry of that name, reading finds the
/// last, as the reference's config helpers do.
///
/// Persistent and indexed by name: every stage starts from a copy of its
/// base's list, and one `ENV` may set thousands of names.
#[derive(Clone, Debug, Default)]
pub struct ConfigEnv {
    entries: Vector<Arc<str>>,
    /// Name → positions of its first and last entries.
    index: OrdMap<Arc<str>, (usize, usize)>,
}

fn name_of(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

impl ConfigEnv {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, entry: String) {
        let at = self.entries.len();
        let entry: Arc<str> = Arc::from(entry);
        let name: Arc<str> = Arc::from(name_of(&entry));
        let first = self.index.get(&name).map_or(at, |(first, _)| *first);
        self.index.insert(name, (first, at));
        self.entries.push_back(entry);
    }

    /// Sets `key=value`, replacing the first entry of `key` in place so the
    /// order of first definition is kept.
    pub fn set(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self.index.get(key) {
            Some((first, _)) => {
                self.entries.set(*first, Arc::from(entry));
            }
            None => self.push(entry),
        }
    }

    /// The value of the last entry named `key`; a bare name has none.
    pub fn value(&self, key: &str) -> Option<&str> {
        let (_, last) = self.index.get(key)?;
        self.entries.get(*last)?.split_once('=').map(|(_, v)| v)
    }

    /// The index of the last entry named `key` and its value (empty for a
    /// bare name): where and what a stage's env takes from the config.
    pub fn last_entry(&self, key: &str) -> Option<(usize, &str)> {
        let (_, last) = self.index.get(key)?;
        let entry = self.entries.get(*last)?;
        Some((*last, entry.split_once('=').map_or("", |(_, v)| v)))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| &**e)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl From<Vec<String>> for ConfigEnv {
    fn from(entries: Vec<String>) -> Self {
        let mut env = ConfigEnv::new();
        for entry in entries {
            env.push(entry);
        }
        env
    }
}

impl<const N: usize> From<[&str; N]> for ConfigEnv {
    fn from(entries: [&str; N]) -> Self {
        entries
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .into()
    }
}

impl PartialEq for ConfigEnv {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl PartialEq<Vec<String>> for ConfigEnv {
    fn eq(&self, other: &Vec<String>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(String::as_str))
    }
}

impl std::ops::Index<usize> for ConfigEnv {
    type Output = str;
    fn index(&self, at: usize) -> &str {
        &self.entries[at]
    }
}

impl Serialize for ConfigEnv {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for ConfigEnv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into())
    }
}

impl stagecraft_shell::Env for ConfigEnv {
    fn get(&self, name: &str) -> Option<&str> {
        // The shell's view of an entry with no `=` is a set, empty value.
        let (_, last) = self.index.get(name)?;
        let entry = self.entries.get(*last)?;
        Some(entry.split_once('=').map_or("", |(_, v)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_the_first_in_place_and_reading_finds_the_last() {
        let mut env = ConfigEnv::from(["A=1", "B=2", "bare", "A=9"]);
        env.set("A", "3");
        env.set("C", "4");
        env.set("bare", "x");
        assert_eq!(env.to_vec(), ["A=3", "B=2", "bare=x", "A=9", "C=4"]);
        assert_eq!(env.value("A"), Some("9"));
        assert_eq!(env.value("B"), Some("2"));
        assert_eq!(env.value("Z"), None);
        assert_eq!(&env[2], "bare=x");
        assert_eq!(env.last_entry("A"), Some((3, "9")));
        assert_eq!(env.last_entry("bare"), Some((2, "x")));
        assert_eq!(env.last_entry("Z"), None);
    }

    #[test]
    fn serialises_as_a_plain_list_and_null_is_empty_elsewhere() {
        let env = ConfigEnv::from(["A=1", "B"]);
        let json = serde_json::to_string(&env).unwrap();
        assert_eq!(json, r#"["A=1","B"]"#);
        let back: ConfigEnv = serde_json::from_str(&json).unwrap();
        assert_eq!(back, env);
    }
}
