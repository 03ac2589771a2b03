//! The environment of an LLB state, as BuildKit's Go client keeps it.

/// Ordered `KEY=VALUE` pairs. Setting a key again moves it to the end: the
/// Go client lists keys in the order of their *last* assignment, and exec
/// ops carry the env in that order, so matching it keeps digests equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvList {
    pairs: Vec<(String, String)>,
}

impl EnvList {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.pairs.retain(|(k, _)| k != key);
        self.pairs.push((key.to_string(), value.to_string()));
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    pub fn to_pairs(&self) -> Vec<(String, String)> {
        self.pairs.clone()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl stagecraft_shell::Env for EnvList {
    fn get(&self, name: &str) -> Option<&str> {
        EnvList::get(self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resetting_a_key_moves_it_last() {
        let mut env = EnvList::new();
        env.set("A", "1");
        env.set("B", "2");
        env.set("A", "3");
        assert_eq!(
            env.to_pairs(),
            vec![("B".into(), "2".into()), ("A".into(), "3".into())]
        );
        assert_eq!(env.get("A"), Some("3"));
        assert_eq!(env.get("C"), None);
    }
}
