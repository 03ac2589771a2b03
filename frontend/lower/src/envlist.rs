//! The environment of an LLB state, as BuildKit's Go client keeps it.

use std::sync::Arc;

use imbl::OrdMap;

/// Ordered `KEY=VALUE` pairs. Setting a key again moves it to the end: the
/// Go client lists keys in the order of their *last* assignment, and exec
/// ops carry the env in that order, so matching it keeps digests equal.
///
/// Persistent maps rather than a `Vec`: a stage starts from a copy of its
/// base stage's env, and `ENV` may set thousands of keys, so both a copy
/// and a set must cost no more than a logarithm of the size.
#[derive(Clone, Debug, Default)]
pub struct EnvList {
    /// Name → (position, value); positions grow with each assignment.
    by_name: OrdMap<Arc<str>, (u64, Arc<str>)>,
    /// Position → name, i.e. the order of last assignment.
    order: OrdMap<u64, Arc<str>>,
    next: u64,
    /// Sum of the lengths of names and values, for the build's budgets.
    bytes: usize,
}

impl EnvList {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some((position, old)) = self.by_name.remove(key) {
            self.order.remove(&position);
            self.bytes -= key.len() + old.len();
        }
        let key: Arc<str> = Arc::from(key);
        self.order.insert(self.next, Arc::clone(&key));
        self.bytes += key.len() + value.len();
        self.by_name.insert(key, (self.next, Arc::from(value)));
        self.next += 1;
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.by_name.get(key).map(|(_, v)| &**v)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.by_name.contains_key(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.order
            .values()
            .filter_map(|k| self.by_name.get(k).map(|(_, v)| (&**k, &**v)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.order.values().map(|k| &**k)
    }

    pub fn to_pairs(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Total length of the names and values.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// Equal when the same pairs come in the same order, however they got there.
impl PartialEq for EnvList {
    fn eq(&self, other: &Self) -> bool {
        self.by_name.len() == other.by_name.len() && self.iter().eq(other.iter())
    }
}

impl Eq for EnvList {}

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
        assert_eq!(env.bytes(), 4);
        assert_eq!(env.keys().collect::<Vec<_>>(), ["B", "A"]);
    }

    #[test]
    fn a_copy_is_independent_and_equality_ignores_history() {
        let mut base = EnvList::new();
        base.set("A", "1");
        let mut child = base.clone();
        child.set("B", "2");
        assert!(!base.contains("B"));
        let mut fresh = EnvList::new();
        fresh.set("X", "0");
        fresh.set("A", "1");
        fresh.set("B", "2");
        assert_ne!(fresh, child);
        fresh = EnvList::new();
        fresh.set("A", "1");
        fresh.set("B", "2");
        assert_eq!(fresh, child);
    }
}
