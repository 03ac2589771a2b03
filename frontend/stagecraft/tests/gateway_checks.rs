//! Build checks through the gateway, against a fake BuildKit: warnings in
//! a build, `error=true`, and the outline, targets and lint subrequests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use serde_json::Value;
use stagecraft_proto::fake::FakeConfig;
use support::*;

const LINTY: &str =
    "FROM busybox as base\nMAINTAINER me\nCMD echo hi\nFROM base AS unused\nWORKDIR rel\n";

fn modern(dockerfile: &str) -> FakeConfig {
    FakeConfig::modern()
        .with_local_file("dockerfile", "Dockerfile", dockerfile)
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
}

/// The warnings' short texts, by line: they are sent side by side, so they
/// may arrive in any order.
fn shorts(outcome: &stagecraft_proto::fake::ChildOutcome) -> Vec<String> {
    let mut out: Vec<(i32, String)> = outcome
        .recorded
        .warnings
        .iter()
        .map(|w| {
            let line = w
                .ranges
                .first()
                .and_then(|r| r.start.as_ref())
                .map_or(0, |p| p.line);
            (line, String::from_utf8_lossy(&w.short).into_owned())
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn a_build_warns_for_the_stages_it_builds() {
    let outcome = run_ok(modern(LINTY).with_opt("target", "base"));
    assert_eq!(
        shorts(&outcome),
        [
            "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)",
            "JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 3)",
        ]
    );
    let w = outcome
        .recorded
        .warnings
        .iter()
        .find(|w| w.short.starts_with(b"MaintainerDeprecated"))
        .unwrap();
    assert_eq!(w.level, 1);
    assert_eq!(
        w.detail,
        [b"The MAINTAINER instruction is deprecated, use a label instead to define an image author".to_vec()]
    );
    assert_eq!(
        w.url,
        "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/"
    );
    assert_eq!(w.ranges[0].start.as_ref().unwrap().line, 2);
    returned_result(&outcome);
}

#[test]
fn the_build_arg_config_skips_rules() {
    let outcome = run_ok(modern(LINTY).with_opt("target", "base").with_opt(
        "build-arg:BUILDKIT_DOCKERFILE_CHECK",
        "skip=FromAsCasing,JSONArgsRecommended",
    ));
    assert_eq!(
        shorts(&outcome),
        [
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)"
        ]
    );
    returned_result(&outcome);
}

#[test]
fn error_true_fails_the_build_naming_the_rules() {
    let src = format!("# check=error=true\n{LINTY}");
    let outcome = run(modern(&src).with_opt("target", "base"));
    let status = returned_error(&outcome);
    assert_eq!(
        status.message,
        "lint violation found for rules: FromAsCasing, MaintainerDeprecated, JSONArgsRecommended"
    );
    // Unknown, as the reference's plain error: clients print no code name.
    assert_eq!(status.code, 2);
    assert_eq!(outcome.recorded.warnings.len(), 3, "warnings come first");
    assert!(build_solves(&outcome).is_empty(), "nothing is built");
}

#[test]
fn an_old_daemon_gets_no_warnings_and_the_build_succeeds() {
    let config = with_dockerfile(LINTY)
        .with_opt("target", "base")
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG);
    let outcome = run_ok(config);
    assert!(outcome.recorded.warnings.is_empty());
    returned_result(&outcome);
}

#[test]
fn a_bad_check_directive_fails_with_its_line() {
    let outcome = run(modern("# check=level=1\nFROM busybox\n"));
    let status = returned_error(&outcome);
    assert!(
        status.message.starts_with(
            "Dockerfile:1: failed to parse check options: invalid check option \"level\""
        ),
        "{}",
        status.message
    );
}

fn metadata(config: FakeConfig, request: &str) -> std::collections::HashMap<String, Vec<u8>> {
    let outcome = run_ok(config.with_opt("requestid", request));
    assert!(build_solves(&outcome).is_empty());
    returned_result(&outcome).metadata
}

#[test]
fn lint_subrequest_checks_every_stage() {
    let md = metadata(modern(LINTY), "frontend.lint");
    assert_eq!(md["result.statuscode"], b"1");
    assert_eq!(md["version"], b"1.0.0");
    let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
    let rules: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["ruleName"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "FromAsCasing",
            "MaintainerDeprecated",
            "JSONArgsRecommended",
            "WorkdirRelativePath"
        ]
    );
    assert_eq!(
        v["warnings"][3]["location"]["ranges"][0]["start"]["line"],
        5
    );
    assert_eq!(v["sources"][0]["filename"], "Dockerfile");
    let text = String::from_utf8(md["result.txt"].clone()).unwrap();
    assert!(text.contains("\nWARNING: WorkdirRelativePath - https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/\nRelative workdir \"rel\" can have unexpected results if the base image changes\nDockerfile:5\n"), "{text}");

    let clean = metadata(modern("FROM busybox\nCMD [\"sh\"]\n"), "frontend.lint");
    assert_eq!(clean["result.statuscode"], b"0");
    let v: Value = serde_json::from_slice(&clean["result.json"]).unwrap();
    assert_eq!(v["warnings"], Value::Array(vec![]));
}

#[test]
fn lint_subrequest_reports_a_broken_file_as_data() {
    let md = metadata(modern("FROM busybox\nRUNN x\n"), "frontend.lint");
    assert_eq!(md["result.statuscode"], b"1");
    let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
    assert!(
        v["buildError"]["message"]
            .as_str()
            .unwrap()
            .contains("RUNN")
    );
    assert_eq!(v["buildError"]["location"]["ranges"][0]["start"]["line"], 2);
}

#[test]
fn targets_subrequest_lists_stages() {
    let md = metadata(modern(LINTY), "frontend.targets");
    let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
    assert_eq!(v["targets"][0]["name"], "base");
    assert_eq!(v["targets"][1]["name"], "unused");
    assert_eq!(v["targets"][1]["default"], true);
    assert_eq!(
        String::from_utf8(md["result.txt"].clone()).unwrap(),
        "TARGET           DESCRIPTION\nbase             \nunused (default) \n"
    );
}

#[test]
fn outline_subrequest_lists_what_the_target_reads() {
    let src = "# TAG the busybox tag\nARG TAG=latest\nFROM busybox:$TAG AS build\nARG FLAVOR=small\nRUN --mount=type=secret,id=npmrc true\nMAINTAINER me\nFROM busybox AS other\nARG NOPE\nMAINTAINER me\n";
    let outcome = run_ok(
        modern(src)
            .with_opt("target", "build")
            .with_opt("requestid", "frontend.outline"),
    );
    // The outline converts the target as a build does, and warns the same:
    // checks made while reading cover the whole file.
    assert_eq!(
        shorts(&outcome),
        [
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 6)",
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 9)"
        ]
    );
    let md = returned_result(&outcome).metadata;
    let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
    assert_eq!(v["name"], "build");
    let args: Vec<(&str, &str)> = v["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    assert_eq!(args, [("TAG", "latest"), ("FLAVOR", "small")]);
    assert_eq!(v["args"][0]["description"], "the busybox tag");
    assert_eq!(v["secrets"][0]["name"], "npmrc");
}

#[test]
fn lint_subrequest_with_error_true_carries_the_violation() {
    let src = format!("# check=error=true\n{LINTY}");
    let md = metadata(modern(&src), "frontend.lint");
    assert_eq!(md["result.statuscode"], b"1");
    let v: Value = serde_json::from_slice(&md["result.json"]).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 4);
    assert_eq!(
        v["buildError"]["message"],
        "lint violation found for rules: FromAsCasing, MaintainerDeprecated, JSONArgsRecommended, WorkdirRelativePath"
    );
    assert_eq!(v["buildError"]["location"], serde_json::json!({}));
}
