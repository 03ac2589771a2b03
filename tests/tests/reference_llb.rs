//! Our lowering for a daemon with BuildKit v0.8's caps against the reference
//! frontend's, op for op. Everything else is compared live with the reference
//! by `tests/oracle` (its `compare` mode); this one case stays here because
//! the CLI that oracle drives always assumes every cap.
//!
//! `golden/reference/<case>.json` is the Definition that BuildKit's own
//! `dockerfile2llb` (HEAD of moby/buildkit, built offline from its vendored
//! tree, outside this repository) produced for `<case>.Dockerfile`, dumped
//! with `stagecraft_llb::dump_json`; `<case>.image.json` is the image config
//! it returned. Its setup matches `stagecraft llb`: linux/amd64, base image
//! configs from `golden/reference/images/` with no digest, the context
//! without a session and with the local unique id below, every LLB cap.
//!
//! Equal digests mean byte-identical ops. Metadata caps may differ only in
//! the ways listed in [`OURS_ONLY_CAPS`] and [`REFERENCE_ONLY_CAPS`], and
//! `--link` progress group ids are random in the reference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stagecraft_lower::{
    BuildOptions, ImageResolver, Platform, ResolveError, ResolveMode, ResolvedImage, reference,
};

use stagecraft_proto::{BuildkitVersion, Cap, CapKind};

mod common;

/// One Dockerfile of `golden/reference/`, lowered for a daemon whose LLB
/// caps are those of a BuildKit release.
struct Case {
    name: &'static str,
    daemon: (u16, u16),
}

const CASES: &[Case] = &[Case {
    name: "daemon_v08",
    daemon: (0, 8),
}];

const LOCAL_UNIQUE: &str = "stagecraft-cli-context";

/// Caps we declare and the reference does not. The copy caps: the Go client
/// means to add them but collects them before it has gathered the actions,
/// so they never reach its metadata; declaring them makes a daemon that would
/// ignore include/exclude patterns, required paths or a symbolic mode refuse
/// the build instead. The rest are declared for what the op uses, while the
/// reference leaves them to the daemon's leniency.
const OURS_ONLY_CAPS: &[&str] = &[
    "file.copy.includeexcludepatterns",
    "file.copy.requiredpaths",
    "file.copy.modestring",
    "exec.mount.bind.readwrite-nooutput",
    "exec.meta.cgroup.parent",
    "source.git.httpauth",
    "source.git.subdir",
];

/// Caps the reference declares and we do not.
const REFERENCE_ONLY_CAPS: &[&str] = &[];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/reference")
}

/// Base image configs by normalised reference, as `stagecraft llb
/// --image-config` serves them: unpinned.
struct Configs(BTreeMap<String, Vec<u8>>);

impl Configs {
    fn load() -> Self {
        let mut map = BTreeMap::new();
        for (name, file) in [("busybox", "busybox.json"), ("alpine", "alpine.json")] {
            let key = reference::normalize(name).unwrap();
            let bytes = std::fs::read(dir().join("images").join(file)).unwrap();
            map.insert(key, bytes);
        }
        Configs(map)
    }
}

impl ImageResolver for Configs {
    fn resolve(
        &self,
        reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let answer = match self.0.get(reference) {
            Some(config) => Ok(ResolvedImage {
                digest: None,
                config: Some(config.clone()),
            }),
            None => Err(ResolveError {
                message: format!("{reference}: no config in the test data"),
            }),
        };
        std::future::ready(answer)
    }
}

fn options() -> BuildOptions {
    let opts = BTreeMap::from([("filename".to_string(), "Dockerfile".to_string())]);
    BuildOptions::from_frontend_opts(&opts, Platform::linux_amd64()).unwrap()
}

/// The LLB caps of BuildKit `major.minor`.
fn caps_of_release((major, minor): (u16, u16)) -> BTreeSet<String> {
    let release = BuildkitVersion::new(major, minor);
    Cap::of_kind(CapKind::Llb)
        .filter(|c| c.since() <= release)
        .map(|c| c.id().to_string())
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&common::read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn caps_of(op: &Value) -> BTreeSet<String> {
    op.get("caps")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The op without the parts allowed to differ: caps (checked on their own)
/// and the random progress group id.
fn comparable(op: &Value) -> Value {
    let mut op = op.clone();
    if let Some(m) = op.as_object_mut() {
        m.remove("caps");
        if let Some(Value::Object(group)) = m.get_mut("progress_group") {
            group.remove("id");
        }
    }
    op
}

fn check_caps(case: &str, n: usize, ours: &Value, theirs: &Value) {
    let (ours, theirs) = (caps_of(ours), caps_of(theirs));
    for extra in ours.difference(&theirs) {
        assert!(
            OURS_ONLY_CAPS.contains(&extra.as_str()),
            "{case} op {n}: we declare cap {extra}, the reference does not"
        );
    }
    for missing in theirs.difference(&ours) {
        assert!(
            REFERENCE_ONLY_CAPS.contains(&missing.as_str()),
            "{case} op {n}: the reference declares cap {missing}, we do not"
        );
    }
}

#[test]
fn ops_and_image_configs_match_the_reference_frontend() {
    let configs = Configs::load();
    for c in CASES {
        let context = common::context(None, Some(LOCAL_UNIQUE));
        let case = c.name;
        let text = common::read(&dir().join(format!("{case}.Dockerfile")));
        let caps = caps_of_release(c.daemon);
        let lowered = common::lower(&text, &options(), &context, &configs, Some(&caps))
            .unwrap_or_else(|e| panic!("{case}: {e}"));

        let ours = common::ops(&lowered);
        let Value::Array(theirs) = read_json(&dir().join(format!("{case}.json"))) else {
            panic!("{case}.json is not an array");
        };
        assert_eq!(ours.len(), theirs.len(), "{case}: op count");
        for (n, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(comparable(o), comparable(t), "{case}: op {n}");
            check_caps(case, n, o, t);
        }

        let image: Value = serde_json::from_slice(&lowered.image.to_json()).unwrap();
        let want = read_json(&dir().join(format!("{case}.image.json")));
        assert_eq!(image, want, "{case}: image config");
    }
}
