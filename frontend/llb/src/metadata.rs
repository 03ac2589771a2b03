//! Per-op metadata: names, descriptions, cache controls, progress groups and
//! source locations. None of it changes an op's digest.

use std::collections::BTreeMap;

use crate::pb;
use crate::sourcemap::SourceLocation;

/// The description key BuildKit shows as the progress name of a vertex.
pub const CUSTOM_NAME_KEY: &str = "llb.customname";

/// Groups several vertices into one progress line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressGroup {
    pub id: String,
    pub name: String,
    pub weak: bool,
}

/// Metadata attached to one op.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpMeta {
    /// Progress name (`llb.customname`).
    pub custom_name: Option<String>,
    /// Other description keys, e.g. `com.docker.dockerfile.v1.command`,
    /// sorted by key, each once ([`OpMeta::with_description`]): ops have one
    /// or two, and a map would take a node of eleven entries for them.
    pub(crate) description: Vec<(String, String)>,
    pub ignore_cache: bool,
    pub export_cache: Option<bool>,
    pub progress_group: Option<ProgressGroup>,
    /// Where the op comes from; every entry becomes one `pb::Location`.
    pub locations: Vec<SourceLocation>,
    /// cgroup limits of an exec (`memory=`, `cpu*=` options); outside the
    /// cache key, like everything here.
    pub linux_resources: Option<pb::LinuxResources>,
}

impl OpMeta {
    pub fn new() -> Self {
        Self::default()
    }

    /// An estimate of the marshalled size: the texts plus a fixed allowance
    /// per location and per field.
    pub(crate) fn approx_wire_bytes(&self) -> usize {
        let texts: usize = self.custom_name.as_ref().map_or(0, String::len)
            + self
                .description
                .iter()
                .map(|(k, v)| k.len() + v.len() + 8)
                .sum::<usize>();
        texts + 32 * self.locations.len() + 96
    }

    pub fn named(name: impl Into<String>) -> Self {
        Self::default().with_custom_name(name)
    }

    pub fn with_custom_name(mut self, name: impl Into<String>) -> Self {
        self.custom_name = Some(name.into());
        self
    }

    pub fn with_description(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match self
            .description
            .binary_search_by(|(k, _)| k.as_str().cmp(&key))
        {
            Ok(i) => {
                if let Some(entry) = self.description.get_mut(i) {
                    entry.1 = value;
                }
            }
            Err(i) => self.description.insert(i, (key, value)),
        }
        self
    }

    /// The value of description key `key`, if set (the progress name is
    /// [`OpMeta::custom_name`]).
    pub fn description(&self, key: &str) -> Option<&str> {
        self.description
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .and_then(|i| self.description.get(i))
            .map(|(_, v)| v.as_str())
    }

    pub fn with_ignore_cache(mut self, ignore: bool) -> Self {
        self.ignore_cache = ignore;
        self
    }

    pub fn with_export_cache(mut self, export: bool) -> Self {
        self.export_cache = Some(export);
        self
    }

    pub fn with_progress_group(mut self, group: ProgressGroup) -> Self {
        self.progress_group = Some(group);
        self
    }

    pub fn with_location(mut self, location: SourceLocation) -> Self {
        self.locations.push(location);
        self
    }

    /// The full description map as it goes on the wire.
    pub(crate) fn wire_description(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self.description.iter().cloned().collect();
        if let Some(name) = &self.custom_name {
            out.insert(CUSTOM_NAME_KEY.to_string(), name.clone());
        }
        out
    }

    /// The wire metadata for an op that needs `caps`.
    pub(crate) fn to_pb(&self, caps: &[crate::Cap]) -> pb::OpMetadata {
        pb::OpMetadata {
            ignore_cache: self.ignore_cache,
            description: self.wire_description(),
            export_cache: self.export_cache.map(|value| pb::ExportCache { value }),
            caps: caps.iter().map(|c| (c.id().to_string(), true)).collect(),
            progress_group: self.progress_group.as_ref().map(|g| pb::ProgressGroup {
                id: g.id.clone(),
                name: g.name.clone(),
                weak: g.weak,
            }),
            linux_resources: self.linux_resources.clone(),
        }
    }
}

/// Folds `next` into `acc` when two graph nodes share a digest: flags are
/// or-ed, maps united (later keys win), optional fields keep the later value.
pub(crate) fn merge_pb(acc: &mut pb::OpMetadata, next: pb::OpMetadata) {
    acc.ignore_cache |= next.ignore_cache;
    acc.description.extend(next.description);
    acc.caps.extend(next.caps);
    if next.export_cache.is_some() {
        acc.export_cache = next.export_cache;
    }
    if next.progress_group.is_some() {
        acc.progress_group = next.progress_group;
    }
    if next.linux_resources.is_some() {
        acc.linux_resources = next.linux_resources;
    }
}
