//! The environment of an LLB state, as BuildKit's Go client keeps it.

use std::sync::Arc;

use imbl::OrdMap;

use crate::config_env::ConfigEnv;

/// Ordered `KEY=VALUE` pairs. Setting a key again moves it to the end: the
/// Go client lists keys in the order of their *last* assignment, and exec
/// ops carry the env in that order, so matching it keeps digests equal.
///
/// Persistent maps rather than a `Vec`: a stage starts from a copy of its
/// base stage's env, and `ENV` may set thousands of keys, so both a copy
/// and a set must cost no more than a logarithm of the size.
///
/// A stage start sets every entry of the image config's `Env` again, in
/// order, which moves the config's names last. Done name by name, that is
/// a cost per stage of the whole env (25 million sets for 5,000 stages on
/// a base with 5,000 ENV names, and a copy of the env each). Positions
/// make it a cost of the names set since the last start instead
/// ([`EnvList::settle`]): names outside the config sit below [`BLOCK`],
/// the config's at `BLOCK` + the index of their last entry, and names set
/// since the stage started from [`LOOSE`] up.
#[derive(Clone, Debug)]
pub struct EnvList {
    /// Name → (position, value).
    by_name: OrdMap<Arc<str>, (u64, Arc<str>)>,
    /// Position → name, i.e. the order of last assignment.
    order: OrdMap<u64, Arc<str>>,
    /// The next position of a set (from `LOOSE` up).
    next: u64,
    /// The next position of a name outside the config (below `BLOCK`).
    below: u64,
    /// Sum of the lengths of names and values, for the build's budgets.
    bytes: usize,
}

/// The first position of the image config's names.
const BLOCK: u64 = 1 << 62;
/// The first position of names set since the last [`EnvList::settle`].
const LOOSE: u64 = 1 << 63;

impl Default for EnvList {
    fn default() -> Self {
        EnvList {
            by_name: OrdMap::new(),
            order: OrdMap::new(),
            next: LOOSE,
            below: 0,
            bytes: 0,
        }
    }
}

impl EnvList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Orders the env as setting every entry of `config` again, in order,
    /// would: each name set since the last call moves to its config entry
    /// (the last of that name), taking its value, or, if the config lacks
    /// it, after the other names outside the config. That equals the
    /// sets when the names not set since the last call are where this
    /// puts them and the config's hold its values, as they do when every
    /// change to the config also sets the name here.
    pub(crate) fn settle(&mut self, config: &ConfigEnv) {
        let loose: Vec<(u64, Arc<str>)> = self
            .order
            .range(LOOSE..)
            .map(|(at, key)| (*at, Arc::clone(key)))
            .collect();
        for (at, key) in loose {
            self.order.remove(&at);
            let Some((_, old)) = self.by_name.remove(&key) else {
                continue;
            };
            let (at, value) = match config.last_entry(&key) {
                Some((index, value)) => (BLOCK + index as u64, Arc::from(value)),
                None => {
                    self.below += 1;
                    (self.below - 1, old.clone())
                }
            };
            self.bytes = self.bytes - old.len() + value.len();
            self.order.insert(at, Arc::clone(&key));
            self.by_name.insert(key, (at, value));
        }
        self.next = LOOSE;
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

    /// `env` set from `config` as a stage start does it, name by name.
    fn set_all(mut env: EnvList, config: &ConfigEnv) -> EnvList {
        for entry in config.iter() {
            let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
            env.set(k, v);
        }
        env
    }

    #[test]
    fn settling_orders_as_setting_every_config_entry_again() {
        // A base image listing A twice and a bare name.
        let mut config = ConfigEnv::from(["A=1", "B=2", "bare", "A=9"]);
        let mut env = set_all(EnvList::new(), &config);
        env.settle(&config);
        assert_eq!(env, set_all(EnvList::new(), &config));
        // A stage's changes: an ARG (env only), ENV of a listed name and of
        // new ones (both lists).
        let start = env.clone();
        env.set("X", "arg");
        for (k, v) in [("B", "3"), ("A", "4"), ("C", "5"), ("bare", "b")] {
            env.set(k, v);
            config.set(k, v);
        }
        env.set("Y", "arg");
        let mut expected = start.clone();
        expected.set("X", "arg");
        for (k, v) in [("B", "3"), ("A", "4"), ("C", "5"), ("bare", "b")] {
            expected.set(k, v);
        }
        expected.set("Y", "arg");
        let expected = set_all(expected, &config);
        let before = env.clone();
        env.settle(&config);
        assert_eq!(env, expected);
        assert_eq!(
            env.keys().collect::<Vec<_>>(),
            ["X", "Y", "B", "bare", "A", "C"]
        );
        // The last entry of A wins, as it does when set again.
        assert_eq!(env.get("A"), Some("9"));
        assert_eq!(env.bytes(), expected.bytes());
        // The stage's own view kept its order.
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            ["X", "B", "A", "C", "bare", "Y"]
        );
        // Settled, it stays as it is until something is set.
        let again = env.clone();
        env.settle(&config);
        assert_eq!(env, again);
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
