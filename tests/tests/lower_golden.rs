//! Golden tests of the lowering: Dockerfile → Definition dump + image config.
//!
//! Goldens live in `tests/golden/lower/<name>.txt`: the ops as
//! `stagecraft_llb::dump_json` prints them, then the image config. After an
//! intended change, regenerate with `UPDATE_GOLDEN=1 cargo test -p
//! stagecraft-tests --test lower_golden` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{assert_contains, op_names, options};
use stagecraft_lower::{
    BuildOptions, ImageResolver, LowerError, Lowered, Platform, ResolveError, ResolveMode,
    ResolvedImage,
};

const LAYERED: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}}"#;

struct Canned(BTreeMap<&'static str, (String, String)>);

impl Canned {
    fn new() -> Self {
        let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let onbuild = LAYERED.replace(
            "\"Cmd\":[\"sh\"]",
            "\"Cmd\":[\"sh\"],\"OnBuild\":[\"RUN echo from-image\",\"ENV TRIGGERED=1\"]",
        );
        Canned(BTreeMap::from([
            (
                "docker.io/library/busybox:latest",
                (d('b'), LAYERED.to_string()),
            ),
            (
                "docker.io/library/alpine:3.19",
                (d('a'), LAYERED.to_string()),
            ),
            ("docker.io/library/onbuild:1", (d('o'), onbuild)),
        ]))
    }
}

impl ImageResolver for Canned {
    fn resolve(
        &self,
        reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        let answer = match self.0.get(reference) {
            Some((digest, config)) => Ok(ResolvedImage {
                digest: Some(digest.clone()),
                config: Some(config.as_bytes().to_vec()),
            }),
            None => Err(ResolveError {
                message: format!("{reference}: not found"),
            }),
        };
        std::future::ready(answer)
    }
}

fn lower(text: &str, options: &BuildOptions) -> Result<Lowered, Box<LowerError>> {
    let context = common::context(Some("sess"), None);
    common::lower(text, options, &context, &Canned::new(), None)
}

fn render(l: &Lowered) -> String {
    let def = l.state.marshal();
    let image: serde_json::Value = serde_json::from_slice(&l.image.to_json()).unwrap();
    format!(
        "{}--- image\n{}\n",
        stagecraft_llb::dump_json(&def),
        serde_json::to_string_pretty(&image).unwrap()
    )
}

fn check(name: &str, text: &str, options: &BuildOptions) -> Lowered {
    let lowered = lower(text, options).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = format!("--- Dockerfile\n{text}--- ops\n{}", render(&lowered));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden/lower")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    } else {
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("missing golden {}: {e}", path.display()));
        assert_eq!(
            got, want,
            "golden {name} differs; UPDATE_GOLDEN=1 regenerates it"
        );
    }
    // The same input always gives the same bytes.
    let again = lower(text, options).unwrap();
    assert_eq!(
        lowered.state.marshal(),
        again.state.marshal(),
        "{name} not deterministic"
    );
    lowered
}

#[test]
fn shared_base_stage_is_lowered_once() {
    let l = check(
        "shared_base",
        "FROM busybox AS base\nWORKDIR /src\nFROM base AS a\nRUN echo a > /a\nFROM base AS b\nRUN echo b > /b\nFROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n",
        &options(),
    );
    let names = op_names(&l);
    assert_eq!(
        names.iter().filter(|n| n.contains("WORKDIR /src")).count(),
        1,
        "{names:?}"
    );
    assert_contains(&names, "[a 1/1] RUN echo a > /a");
}

#[test]
fn copy_from_index_name_and_image() {
    let l = check(
        "copy_from",
        "FROM busybox AS build\nRUN mkdir /out\nFROM busybox\nCOPY --from=0 /out/x /x\nCOPY --from=build /out /out2\nCOPY --from=alpine:3.19 /etc/alpine-release /\n",
        &options(),
    );
    let names = op_names(&l);
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("FROM docker.io/library/alpine:3.19@")),
        "{names:?}"
    );
    assert_contains(&names, "[stage-1 3/4] COPY --from=build /out /out2");
}

#[test]
fn from_stage_chain_and_unneeded_stage() {
    let l = check(
        "stage_chain",
        "FROM busybox AS unused\nRUN exit 1\nFROM busybox AS one\nENV A=1\nFROM one AS two\nRUN echo $A\nFROM two\nWORKDIR /w\nCMD [\"sh\"]\n",
        &options(),
    );
    assert!(op_names(&l).iter().all(|n| !n.contains("exit 1")));
}

#[test]
fn args_and_env_scoping() {
    let mut o = options();
    o.build_args.insert("FROM_CLI".into(), "cli".into());
    o.build_args
        .insert("http_proxy".into(), "http://proxy:3128".into());
    check(
        "args_env",
        "ARG BASE=busybox\nARG FROM_CLI=default\nFROM ${BASE}\nARG FROM_CLI\nARG LOCAL=l-$FROM_CLI\nENV E=$LOCAL\nRUN echo $FROM_CLI $E\n",
        &o,
    );
}

#[test]
fn onbuild_from_image_and_from_stage() {
    let l = check(
        "onbuild",
        "FROM onbuild:1 AS base\nONBUILD RUN echo from-stage\nFROM base\nRUN echo child\n",
        &options(),
    );
    let names = op_names(&l);
    assert_contains(&names, "[base 2/3] ONBUILD RUN echo from-image");
    assert_contains(&names, "[stage-1 1/2] ONBUILD RUN echo from-stage");
}

#[test]
fn metadata_instructions() {
    let mut o = options();
    o.labels.insert("org.example.from-cli".into(), "yes".into());
    check(
        "metadata",
        "FROM busybox\nLABEL a=b \"c d\"=e\nMAINTAINER me\nEXPOSE 80 53/udp\nVOLUME /data\nUSER 1000\nWORKDIR /app\nSHELL [\"/bin/bash\", \"-c\"]\nCMD echo hi\nENTRYPOINT [\"/entry\"]\nHEALTHCHECK --interval=30s CMD true\nSTOPSIGNAL SIGTERM\nONBUILD RUN echo child\n",
        &o,
    );
}

#[test]
fn context_paths_become_followpaths() {
    let l = check(
        "context",
        "FROM busybox\nCOPY go.mod go.sum ./\nCOPY src/ /src/\n",
        &options(),
    );
    let dump = stagecraft_llb::dump_json(&l.state.marshal());
    assert!(
        dump.contains("go.mod") && dump.contains("local.followpaths"),
        "{dump}"
    );
}

/// A two-stage Go build (the one `lower_run_copy` compares op by op):
/// names, lines and history as the current reference frontend writes them
/// (it adds `--chown` to the history text, which v0.11.6 did not).
#[test]
fn appendix_a() {
    let text = "# syntax=docker/dockerfile:1\nARG BASE=alpine:3.19\nFROM ${BASE} AS build\nENV GOFLAGS=-mod=vendor\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=secret,id=tok \\\n    go build -o /out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --link --chown=1000:1000 README.md /\nENTRYPOINT [\"/app\"]\n";
    let l = check("appendix_a", text, &options());
    let names = op_names(&l);
    let d = format!("sha256:{}", "a".repeat(64));
    for want in [
        format!("[build 1/4] FROM docker.io/library/alpine:3.19@{d}"),
        "[build 2/4] WORKDIR /src".to_string(),
        "[build 3/4] COPY go.mod go.sum ./".to_string(),
        "[stage-1 1/2] COPY --from=build /out/app /app".to_string(),
        "[internal] load build context".to_string(),
    ] {
        assert_contains(&names, &want);
    }
    let history: Vec<(&str, bool)> = l
        .image
        .history
        .iter()
        .map(|h| (h.created_by.as_str(), h.empty_layer))
        .collect();
    assert_eq!(
        history,
        [
            ("COPY /out/app /app # buildkit", false),
            ("COPY --chown=1000:1000 README.md / # buildkit", false),
            ("ENTRYPOINT [\"/app\"]", true),
        ]
    );
    assert_eq!(l.image.config.entrypoint, Some(vec!["/app".to_string()]));
    assert_eq!(l.image.config.working_dir, "/");
    let dump = stagecraft_llb::dump_json(&l.state.marshal());
    assert!(dump.contains(r#""ranges":["7","8","9"]"#), "{dump}");
}
