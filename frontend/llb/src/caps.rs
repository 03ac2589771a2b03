//! The caps each op relies on, recorded in `OpMetadata.caps`.
//!
//! The daemon refuses a Definition naming a cap it lacks only when it loads
//! the graph (after the frontend returned), so callers check
//! [`required_caps`] against the caps from Ping first and name the missing
//! feature. What each cap is lives in the one table, [`Cap`].

use std::collections::BTreeSet;

use crate::pb;

pub use stagecraft_proto::Cap;

/// The union of the caps every op of `def` declares (including the terminal
/// op), as wire IDs, sorted. IDs unknown to this crate are kept as strings.
pub fn required_caps(def: &pb::Definition) -> BTreeSet<String> {
    def.metadata
        .values()
        .flat_map(|md| md.caps.iter())
        .filter(|(_, on)| **on)
        .map(|(id, _)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_caps_are_the_enabled_union() {
        let mut def = pb::Definition::default();
        let meta = |caps: &[(&str, bool)]| pb::OpMetadata {
            caps: caps.iter().map(|(id, on)| (id.to_string(), *on)).collect(),
            ..pb::OpMetadata::default()
        };
        def.metadata.insert(
            "sha256:a".into(),
            meta(&[("mergeop", true), ("file.base", true)]),
        );
        def.metadata.insert(
            "sha256:b".into(),
            meta(&[("file.base", true), ("diffop", false)]),
        );
        assert_eq!(
            required_caps(&def).into_iter().collect::<Vec<_>>(),
            ["file.base", "mergeop"]
        );
    }
}
