//! The CLI as a user runs it: real process, real stdin/stdout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn stagecraft(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stagecraft"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn stagecraft");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn project(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

const MULTI: &str = "FROM busybox AS base\nENV A=1\nFROM base AS build\nWORKDIR /src\nCOPY . .\nRUN echo built > /out\nFROM base AS unused\nRUN exit 1\nFROM busybox\nCOPY --from=build /out /app/out\nCMD [\"cat\", \"/app/out\"]\n";

#[test]
fn debug_parse_prints_the_reference_dump() {
    let dir = project("");
    let out = stagecraft(
        &["debug", "parse", "-"],
        "FROM busybox\ncopy --from=build /out /app\nRUN echo a \\\n  b\n",
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "(from \"busybox\")\n(copy [\"--from=build\"] \"/out\" \"/app\")\n(run \"echo a   b\")\n"
    );
}

#[test]
fn debug_parse_rejects_with_file_and_line() {
    let dir = project("FROM busybox\nRUN <<EOF\nnever ends\n");
    let out = stagecraft(&["debug", "parse", "Dockerfile"], "", dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("Dockerfile:2"), "{err}");
    assert!(err.contains("unterminated heredoc"), "{err}");
    assert!(err.contains(" 2 | RUN <<EOF"), "{err}");
}

#[test]
fn debug_expand_single_and_words() {
    let dir = project("");
    let input = "${A:-x}-$B\n'$A' \"$A b\"\n${NOPE:?must be set}\n";
    let out = stagecraft(
        &["debug", "expand", "--env", "A=1", "--env", "B=two"],
        input,
        dir.path(),
    );
    assert_eq!(text(&out.stdout), "1-two\n$A 1 b\nerror\n");
    let out = stagecraft(
        &["debug", "expand", "--env", "A=1", "--words"],
        input,
        dir.path(),
    );
    assert_eq!(text(&out.stdout), "1-\n$A,1 b\nerror\n");
}

#[test]
fn targets_lists_stages_and_the_default() {
    let dir = project(MULTI);
    let out = stagecraft(&["targets"], "", dir.path());
    let shown = text(&out.stdout);
    assert!(out.status.success());
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 4, "{shown}");
    assert!(lines[0].starts_with("base ") && lines[0].contains("FROM busybox"));
    assert!(lines[3].starts_with("stage-3") && lines[3].contains("[default]"));
}

#[test]
fn graph_marks_what_the_target_needs() {
    let dir = project(MULTI);
    let out = stagecraft(&["graph"], "", dir.path());
    let shown = text(&out.stdout);
    assert!(shown.contains("skipped  unused"), "{shown}");
    assert!(shown.contains("needed   build"), "{shown}");
    assert!(shown.contains("target   stage-3"), "{shown}");
    let out = stagecraft(&["graph", "--target", "nope"], "", dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("\"nope\"") && err.contains("base, build, unused"),
        "{err}"
    );
}

#[test]
fn llb_is_byte_identical_run_after_run() {
    let dir = project(MULTI);
    let a = stagecraft(&["llb"], "", dir.path());
    let b = stagecraft(&["llb"], "", dir.path());
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    // The unpinned base is named on stderr so the user knows its config is missing.
    assert!(text(&a.stderr).contains("docker.io/library/busybox:latest"));
}

#[test]
fn llb_json_skips_unneeded_stages_and_uses_image_configs() {
    let dir = project(MULTI);
    std::fs::write(
        dir.path().join("busybox.json"),
        r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","FROM_BASE=yes"],"WorkingDir":"/home"},"rootfs":{"type":"layers","diff_ids":["sha256:00"]}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".dockerignore"),
        "# comment\n*.md\n!README.md\n",
    )
    .unwrap();
    let out = stagecraft(
        &["llb", "--json", "--image-config", "busybox=busybox.json"],
        "",
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("no --image-config"));
    let shown = text(&out.stdout);
    assert!(
        !shown.contains("exit 1"),
        "the unused stage leaked in: {shown}"
    );
    assert!(shown.contains("FROM_BASE=yes"), "{shown}");
    assert!(shown.contains(r#"[\"*.md\",\"!README.md\"]"#), "{shown}");
    assert!(
        shown.contains("[build 3/3] RUN echo built > /out"),
        "{shown}"
    );
}

#[test]
fn llb_reports_errors_against_the_file() {
    let dir = project("FROM busybox AS first\nCOPY --from=later /a /b\nFROM busybox AS later\n");
    let out = stagecraft(&["llb", "--target", "first"], "", dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("Dockerfile:2"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn errors_name_the_line_once() {
    let dir = project("FROM busybox\nCOPY\n");
    for args in [&["llb"][..], &["targets"], &["graph"]] {
        let out = stagecraft(args, "", dir.path());
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(
            err.starts_with("Dockerfile:2: COPY requires at least two arguments"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("line 2"), "{args:?}: {err}");
        assert!(err.contains(" 2 | COPY"), "{args:?}: {err}");
    }
}

/// As the gateway: bytes that are not UTF-8 read as U+FFFD, except in a RUN
/// command, which BuildKit could not take: there they fail at their line.
#[test]
fn bytes_that_are_not_utf8_fail_a_run_at_its_line_and_read_as_replacements_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    std::fs::write(
        &file,
        b"FROM busybox\n# caf\xe9\nRUN echo ok\nRUN echo \xff\xfe bad\n",
    )
    .unwrap();
    let out = stagecraft(&["llb"], "", dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("Dockerfile:4: RUN holds bytes that are not UTF-8"),
        "{err}"
    );
    assert!(err.contains(" 4 | RUN echo \u{fffd}\u{fffd} bad"), "{err}");
    std::fs::write(&file, b"FROM busybox\n# caf\xe9\nLABEL a=caf\xe9\n").unwrap();
    let out = stagecraft(&["llb"], "", dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn help_describes_each_command_with_its_own_text() {
    let dir = project("");
    let out = stagecraft(&["--help"], "", dir.path());
    assert!(out.status.success());
    let help = text(&out.stdout);
    let line = |name: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {help}"))
            .to_string()
    };
    assert!(line("llb").contains("Print the LLB Definition"), "{help}");
    assert!(!line("llb").contains("Look inside"), "{help}");
    assert!(line("debug").contains("Look inside the phases"), "{help}");
}

#[test]
fn unknown_flags_are_usage_errors() {
    let dir = project(MULTI);
    let out = stagecraft(&["llb", "--bogus"], "", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--bogus"));
}

const CROSS: &str = "FROM --platform=$BUILDPLATFORM busybox AS build\nRUN echo shared > /out\nFROM busybox\nCOPY --from=build /out /out\n";

#[test]
fn llb_with_several_platforms_prints_each_as_json_and_refuses_binary() {
    let dir = project(CROSS);
    let out = stagecraft(
        &["llb", "--platform", "linux/amd64,linux/arm64", "--json"],
        "",
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = |platform: &str| -> Vec<(String, String)> {
        all[platform]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| {
                (
                    op["digest"].as_str().unwrap_or_default().to_string(),
                    op["name"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let (amd, arm) = (names("linux/amd64"), names("linux/arm64"));
    // The build stage's RUN is one op in both, named for the build platform.
    let run = |ops: &[(String, String)]| {
        ops.iter()
            .find(|(_, n)| n.ends_with("RUN echo shared > /out"))
            .cloned()
            .unwrap()
    };
    assert_eq!(run(&amd), run(&arm));
    assert_eq!(
        run(&arm).1,
        "[linux/amd64 build 2/2] RUN echo shared > /out"
    );
    assert!(
        arm.iter()
            .any(|(_, n)| n == "[linux/arm64 stage-1 2/2] COPY --from=build /out /out"),
        "{arm:?}"
    );

    let binary = stagecraft(
        &["llb", "--platform", "linux/amd64,linux/arm64"],
        "",
        dir.path(),
    );
    assert!(!binary.status.success());
    assert!(
        text(&binary.stderr).contains("one --platform per run"),
        "{}",
        text(&binary.stderr)
    );

    // One platform named as in a multi-platform build, for comparing with
    // one of the reference's per-platform conversions.
    let one = stagecraft(
        &[
            "llb",
            "--platform",
            "linux/arm64",
            "--multi-platform",
            "--json",
        ],
        "",
        dir.path(),
    );
    assert!(one.status.success(), "{}", text(&one.stderr));
    assert!(text(&one.stdout).contains("[linux/arm64 stage-1 2/2] COPY"));
}

const LINTY: &str = "FROM alpine as base\nMAINTAINER me\nCMD echo hi\n";

#[test]
fn lint_text_shows_file_line_rule_message_and_snippet() {
    let dir = project(LINTY);
    let out = stagecraft(&["lint"], "", dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "Dockerfile:1: FromAsCasing: 'as' and 'FROM' keywords' casing do not match\n 1 | FROM alpine as base\n   = https://docs.docker.com/go/dockerfile/rule/from-as-casing/\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Dockerfile:2: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label\n 2 | MAINTAINER me"), "{stdout}");
    assert!(
        stdout.contains("Dockerfile:3: JSONArgsRecommended: JSON arguments recommended for CMD"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("Check complete, 3 warnings found.\n"),
        "{stdout}"
    );
}

#[test]
fn lint_exit_codes() {
    let dir = project("FROM alpine\nCMD [\"x\"]\n");
    let clean = stagecraft(&["lint", "-f", "Dockerfile"], "", dir.path());
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(text(&clean.stdout), "Check complete, no warnings found.\n");

    let dir = project(LINTY);
    let strict = stagecraft(&["lint", "--strict"], "", dir.path());
    assert_eq!(strict.status.code(), Some(1));
    let by_config = stagecraft(&["lint", "--check", "error=true"], "", dir.path());
    assert_eq!(by_config.status.code(), Some(1));
    let skipped = stagecraft(&["lint", "--check", "skip=all;error=true"], "", dir.path());
    assert_eq!(skipped.status.code(), Some(0));
    let directive = project("# check=error=true\nFROM alpine\nMAINTAINER me\n");
    assert_eq!(
        stagecraft(&["lint"], "", directive.path()).status.code(),
        Some(1)
    );

    let missing = stagecraft(&["lint", "-f", "nope"], "", dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope"));
    let broken = project("FROM alpine\nRUNN x\n");
    let out = stagecraft(&["lint"], "", broken.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("Dockerfile:2:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn lint_json_is_shaped_like_the_lint_subrequest() {
    let dir = project(LINTY);
    std::fs::write(dir.path().join("Other"), "FROM alpine\nENV A b\n").unwrap();
    let out = stagecraft(
        &["lint", "--format", "json", "Dockerfile", "Other"],
        "",
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 4);
    assert_eq!(warnings[0]["ruleName"], "FromAsCasing");
    assert_eq!(
        warnings[0]["description"],
        "The 'as' keyword should match the case of the 'from' keyword"
    );
    assert_eq!(
        warnings[0]["detail"],
        "'as' and 'FROM' keywords' casing do not match"
    );
    assert_eq!(warnings[0]["location"]["ranges"][0]["start"]["line"], 1);
    assert_eq!(warnings[3]["ruleName"], "LegacyKeyValueFormat");
    assert_eq!(warnings[3]["location"]["sourceIndex"], 1);
    assert_eq!(v["sources"][1]["filename"], "Other");
    assert_eq!(v["sources"][0]["language"], "Dockerfile");
}

#[test]
fn lint_json_reports_what_fails_the_build_as_the_lint_subrequest_does() {
    // A stage no build of the last one reaches still fails the check: a
    // lint request converts every stage.
    let dir = project("FROM alpine AS a\nCOPY --chmod=64a x /\n\nFROM alpine\nRUN echo \\\n  hi\n");
    let out = stagecraft(&["lint", "--format", "json"], "", dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = v["buildError"]["message"].as_str().unwrap();
    assert!(
        message.contains("invalid chmod parameter: '64a'"),
        "{message}"
    );
    assert_eq!(
        v["buildError"]["location"]["ranges"],
        serde_json::json!([{"start": {"line": 2}, "end": {"line": 2}}])
    );

    // Findings name each line of their instruction, as the reference does.
    let dir = project("FROM scratch\nrun   echo \\\n  hi\nRUN x\n");
    let out = stagecraft(&["lint", "--format", "json"], "", dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"][0]["ruleName"], "ConsistentInstructionCasing");
    assert_eq!(
        v["warnings"][0]["location"]["ranges"],
        serde_json::json!([
            {"start": {"line": 2}, "end": {"line": 2}},
            {"start": {"line": 3}, "end": {"line": 3}},
        ])
    );
    assert!(v.get("buildError").is_none());

    // `error=true`: the findings are the build error.
    let dir = project("# check=error=true\nFROM alpine\nMAINTAINER me\n");
    let out = stagecraft(&["lint", "--format", "json"], "", dir.path());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["buildError"]["message"],
        "lint violation found for rules: MaintainerDeprecated"
    );

    // A file that stops parsing keeps the findings made before.
    let dir = project("FROM scratch AS Bad\nBADCMD\n");
    let out = stagecraft(&["lint", "--format", "json"], "", dir.path());
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"][0]["ruleName"], "StageNameCasing");
    assert!(
        v["buildError"]["message"]
            .as_str()
            .unwrap()
            .contains("BADCMD")
    );
}

#[test]
fn lint_sarif_names_rules_and_regions() {
    let dir = project(LINTY);
    let out = stagecraft(&["lint", "--format", "sarif", "--strict"], "", dir.path());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "stagecraft");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "FromAsCasing",
            "JSONArgsRecommended",
            "MaintainerDeprecated"
        ]
    );
    let r = &run["results"][1];
    assert_eq!(r["ruleId"], "MaintainerDeprecated");
    assert_eq!(r["level"], "error");
    assert_eq!(r["ruleIndex"], 2);
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(loc["region"]["startLine"], 2);
}
