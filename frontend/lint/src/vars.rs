//! The variables in scope while a stage is checked: names in the order of
//! their last assignment (as the Go client keeps an env), with values.

use imbl::OrdMap;

/// Ordered `name → value` pairs. Setting and reading take log time, so an
/// ENV of 100,000 names is checked in linear time, not quadratic; the maps
/// are persistent, so the stages built on one base share its variables
/// instead of copying them each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vars {
    /// Name → (when it was last set, value).
    values: OrdMap<String, (u64, String)>,
    /// When it was last set → name: the order of [`Vars::keys`].
    order: OrdMap<u64, String>,
    next: u64,
}

impl Vars {
    pub(crate) fn set(&mut self, key: &str, value: &str) {
        let when = self.next;
        self.next += 1;
        if let Some((before, _)) = self
            .values
            .insert(key.to_string(), (when, value.to_string()))
        {
            self.order.remove(&before);
        }
        self.order.insert(when, key.to_string());
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(_, v)| v.as_str())
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.order.values().map(String::as_str)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_last_assignment_and_values_the_latest() {
        let mut vars = Vars::default();
        vars.set("A", "1");
        vars.set("B", "2");
        vars.set("A", "3");
        assert_eq!(vars.keys().collect::<Vec<_>>(), ["B", "A"]);
        assert_eq!(vars.get("A"), Some("3"));
        assert_eq!(vars.get("C"), None);
        let from = Vars::from_entries(&["PATH=/bin".into(), "X".into(), "PATH=/usr".into()]);
        assert_eq!(from.keys().collect::<Vec<_>>(), ["X", "PATH"]);
        assert_eq!(from.get("PATH"), Some("/usr"));
    }
}
