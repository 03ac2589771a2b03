//! The variables in scope while a stage is checked: names in the order of
//! their last assignment (as the Go client keeps an env), with values.

/// Ordered `name → value` pairs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vars {
    pairs: Vec<(String, String)>,
}

impl Vars {
    pub(crate) fn set(&mut self, key: &str, value: &str) {
        self.pairs.retain(|(k, _)| k != key);
        self.pairs.push((key.to_string(), value.to_string()));
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// From `KEY=VALUE` entries (an image config's `Env`).
    pub(crate) fn from_entries(entries: &[String]) -> Vars {
        let mut vars = Vars::default();
        for entry in entries {
            let (k, v) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            vars.set(k, v);
        }
        vars
    }
}

impl stagecraft_shell::Env for Vars {
    fn get(&self, name: &str) -> Option<&str> {
        Vars::get(self, name)
    }
}
