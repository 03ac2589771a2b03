//! The real `stagecraft` binary run as BuildKit runs a frontend: pipes as
//! stdin/stdout speaking to a fake BuildKit, options in the environment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use prost::Message;
use stagecraft_proto::fake::{ChildOutcome, FailWhen, FakeConfig};
use stagecraft_proto::moby::buildkit::v1::frontend::result;
use stagecraft_proto::status::error_status;
use stagecraft_proto::{CapKind, SourceLocation, SourceRange, pb};
use support::*;

#[test]
fn single_stage_build_solves_and_returns_the_image() {
    let outcome = run_ok(single_stage_config());
    let recorded = &outcome.recorded;
    assert_eq!(recorded.pings, 1);

    // The Dockerfile came from the dockerfile local.
    let loader = dockerfile_loader(&outcome);
    assert_eq!(loader.identifier, "local://dockerfile");
    assert_eq!(
        loader.attrs["local.followpaths"],
        r#"["Dockerfile","Dockerfile.dockerignore","dockerfile"]"#
    );
    assert_eq!(loader.attrs["local.session"], "fake-session");
    assert_eq!(dockerfile_reads(&outcome), ["Dockerfile"]);

    // Base image resolved with its progress name.
    let resolved = &recorded.resolved_images[0];
    assert_eq!(resolved.r#ref, BUSYBOX);
    assert_eq!(
        resolved.log_name,
        format!("[internal] load metadata for {BUSYBOX}")
    );

    // One build Solve with the expected ops.
    let builds = build_solves(&outcome);
    assert_eq!(builds.len(), 1, "one build solve");
    let def = &builds[0];
    let ids: Vec<String> = sources(def).into_iter().map(|s| s.identifier).collect();
    assert!(
        ids.contains(&format!("docker-image://{BUSYBOX}@{BUSYBOX_DIGEST}")),
        "{ids:?}"
    );
    assert!(ids.contains(&"local://context".to_string()), "{ids:?}");
    assert_eq!(
        context_excludes(&outcome),
        None,
        "no .dockerignore, no patterns"
    );
    let all = ops(def);
    let execs: Vec<&pb::ExecOp> = all
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(execs.len(), 1);
    let meta = execs[0].meta.as_ref().unwrap();
    assert_eq!(meta.args, ["/bin/sh", "-c", "echo hello > /app/greeting"]);
    assert_eq!(meta.cwd, "/app");
    let file_actions: Vec<&pb::FileAction> = all
        .iter()
        .filter_map(|op| match &op.op {
            Some(pb::op::Op::File(f)) => Some(f),
            _ => None,
        })
        .flat_map(|f| f.actions.iter())
        .collect();
    assert!(
        file_actions.iter().any(
            |a| matches!(&a.action, Some(pb::file_action::Action::Mkdir(m)) if m.path == "/app")
        ),
        "WORKDIR makes /app"
    );
    assert!(
        file_actions
            .iter()
            .any(|a| matches!(&a.action, Some(pb::file_action::Action::Copy(_)))),
        "COPY is a copy action"
    );
    // The source map points back at the Dockerfile.
    let source = def.source.as_ref().expect("a source map");
    assert_eq!(source.infos[0].filename, "Dockerfile");
    assert_eq!(source.infos[0].data, SINGLE_STAGE.as_bytes());
    assert!(source.infos[0].definition.is_some());

    // The Return carries the build's ref and the image metadata.
    let result = returned_result(&outcome);
    let reference = match &result.result {
        Some(result::Result::Ref(r)) => r.id.clone(),
        other => panic!("expected a single ref, got {other:?}"),
    };
    assert_eq!(reference, format!("fake-ref-{}", recorded.solves.len() - 1));
    let image: serde_json::Value =
        serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
    assert_eq!(image["os"], "linux");
    assert_eq!(image["architecture"], "amd64");
    let env: Vec<&str> = image["config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(env.contains(&"GREETING=hello"), "{env:?}");
    assert!(env.iter().any(|e| e.starts_with("PATH=")), "{env:?}");
    assert_eq!(image["config"]["WorkingDir"], "/app");
    assert_eq!(
        image["config"]["Cmd"],
        serde_json::json!(["cat", "/app/greeting"])
    );
    let platforms: serde_json::Value =
        serde_json::from_slice(&result.metadata["refs.platforms"]).unwrap();
    assert_eq!(
        platforms,
        serde_json::json!({"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}}]})
    );
}

#[test]
fn filename_option_is_honoured() {
    let config = FakeConfig::docker_20_10()
        .with_local_file("dockerfile", "build/Dockerfile.dev", SINGLE_STAGE)
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG)
        .with_opt("filename", "build/Dockerfile.dev");
    let outcome = run_ok(config);
    let loader = dockerfile_loader(&outcome);
    assert_eq!(
        loader.attrs["local.followpaths"],
        r#"["build/Dockerfile.dev","build/Dockerfile.dev.dockerignore"]"#
    );
    assert_eq!(dockerfile_reads(&outcome), ["build/Dockerfile.dev"]);
    let result = returned_result(&outcome);
    assert!(result.metadata.contains_key("containerimage.config"));
    // dockerd's local store gives no digest: the reference stays unpinned.
    let def = &build_solves(&outcome)[0];
    assert!(
        sources(def)
            .iter()
            .any(|s| s.identifier == format!("docker-image://{BUSYBOX}"))
    );
    assert_eq!(
        def.source.as_ref().unwrap().infos[0].filename,
        "build/Dockerfile.dev"
    );
}

fn context_excludes(outcome: &ChildOutcome) -> Option<Vec<String>> {
    let def = build_solves(outcome).into_iter().next()?;
    let context = sources(&def)
        .into_iter()
        .find(|s| s.identifier == "local://context")?;
    let json = context.attrs.get("local.excludepatterns")?;
    serde_json::from_str(json).ok()
}

#[test]
fn dockerignore_patterns_reach_the_context_source() {
    let config = single_stage_config().with_local_file(
        "context",
        ".dockerignore",
        "# build output\n/target/\n*.md\n!README.md\n\n  ./tmp//cache  \n",
    );
    let outcome = run_ok(config);
    let loader = outcome
        .recorded
        .definitions()
        .flat_map(sources)
        .find(|s| {
            s.identifier == "local://context"
                && s.attrs.get("local.followpaths").map(String::as_str)
                    == Some(r#"[".dockerignore"]"#)
        })
        .expect("the .dockerignore was loaded from the context");
    assert_eq!(loader.attrs["local.sharedkeyhint"], "context-.dockerignore");
    assert_eq!(
        context_excludes(&outcome).unwrap(),
        ["target", "*.md", "!README.md", "tmp/cache"]
    );
}

#[test]
fn dockerfile_specific_dockerignore_wins() {
    let config = single_stage_config()
        .with_local_file("dockerfile", "Dockerfile.dockerignore", "secrets\n")
        .with_local_file("context", ".dockerignore", "*.md\n");
    let outcome = run_ok(config);
    assert_eq!(context_excludes(&outcome).unwrap(), ["secrets"]);
}

#[test]
fn syntax_error_names_the_line_and_carries_the_source() {
    let dockerfile = "FROM busybox\nENV ONLYKEY\nRUN true\n";
    let status = unsolved_error(with_dockerfile(dockerfile));
    assert_mentions(&status.message, "Dockerfile:2: ", &["ENV"]);
    assert!(
        status.message.ends_with("\n 2 | ENV ONLYKEY"),
        "{}",
        status.message
    );
    let location = source_location(&status);
    assert_eq!(location.filename, "Dockerfile");
    assert_eq!(location.data, dockerfile.as_bytes());
    assert_eq!(location.ranges, [SourceRange::lines(2, 2)]);
}

#[test]
fn instruction_error_spans_all_its_lines() {
    let dockerfile = "FROM busybox\nRUNN echo \\\n  more\n";
    let config = with_dockerfile(dockerfile);
    let outcome = run(config);
    let status = returned_error(&outcome);
    assert!(
        status
            .message
            .starts_with("Dockerfile:2-3: unknown instruction: RUNN"),
        "{}",
        status.message
    );
    assert!(status.message.contains(" 3 |   more"), "{}", status.message);
    assert_eq!(source_location(&status).ranges, [SourceRange::lines(2, 3)]);
}

#[test]
fn missing_capability_fails_before_the_build_is_solved() {
    let dockerfile = "FROM busybox\nCOPY --exclude=*.md . /src\n";
    let config = with_dockerfile(dockerfile)
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG)
        .without_cap(CapKind::Llb, "file.copy.includeexcludepatterns");
    let status = unsolved_error(config);
    assert_mentions(
        &status.message,
        "Dockerfile:2: ",
        &[
            "COPY --exclude",
            "v0.9",
            "file.copy.includeexcludepatterns",
            " 2 | COPY --exclude=*.md . /src",
        ],
    );
    assert_eq!(source_location(&status).ranges, [SourceRange::lines(2, 2)]);
}

#[test]
fn failed_solve_status_is_forwarded_unchanged() {
    let failure = error_status(
        stagecraft_proto::tonic::Code::Unknown,
        "process \"/bin/sh -c echo hello > /app/greeting\" did not complete successfully: exit code: 1",
        &[SourceLocation {
            filename: "Dockerfile".into(),
            data: SINGLE_STAGE.as_bytes().to_vec(),
            language: "Dockerfile".into(),
            ranges: vec![SourceRange::lines(4, 4)],
        }],
    );
    let config = single_stage_config().failing_solve(FailWhen::NotLocal, failure.clone());
    let outcome = run(config);
    assert_eq!(build_solves(&outcome).len(), 1, "the build was solved");
    assert_eq!(returned_error(&outcome), failure);
}

#[test]
fn missing_dockerfile_is_reported_through_return() {
    let config = FakeConfig::docker_20_10().with_local_file("dockerfile", "other", "FROM x\n");
    let outcome = run(config);
    let status = returned_error(&outcome);
    assert!(
        status.message.starts_with("failed to read dockerfile: "),
        "{}",
        status.message
    );
    // Both spellings were tried.
    assert_eq!(dockerfile_reads(&outcome), ["Dockerfile", "dockerfile"]);
}

#[test]
fn lower_case_dockerfile_is_accepted() {
    let config = FakeConfig::docker_20_10().with_local_file(
        "dockerfile",
        "dockerfile",
        "FROM busybox\nENV\n",
    );
    let outcome = run(config);
    let status = returned_error(&outcome);
    // The file was read (and parsed): the error is about its content.
    assert!(
        status.message.starts_with("Dockerfile:2: "),
        "{}",
        status.message
    );
}

#[test]
fn describe_subrequest_is_answered_with_metadata_only() {
    let config = FakeConfig::docker_20_10().with_opt("requestid", "frontend.subrequests.describe");
    let outcome = run_ok(config);
    let result = returned_result(&outcome);
    assert!(result.result.is_none(), "no ref for a subrequest");
    let list: serde_json::Value = serde_json::from_slice(&result.metadata["result.json"]).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"frontend.subrequests.describe"));
    assert!(names.contains(&"frontend.outline") && names.contains(&"frontend.targets"));
    assert_eq!(result.metadata["version"], b"1.0.0");
    assert!(outcome.recorded.solves.is_empty());
}

#[test]
fn unsupported_subrequest_fails_clearly() {
    let config = with_dockerfile(SINGLE_STAGE).with_opt("requestid", "frontend.convertllb");
    let outcome = run(config);
    let status = returned_error(&outcome);
    assert_eq!(status.message, "unsupported request frontend.convertllb");
    assert!(
        status
            .details
            .iter()
            .any(|d| d.type_url.ends_with("errdefs.Subrequest+json"))
    );
    assert!(outcome.recorded.solves.is_empty());
}

#[test]
fn cmdline_never_forwards_to_another_frontend() {
    let dockerfile = format!("# syntax=example.com/other/frontend\n{SINGLE_STAGE}");
    let config = single_stage_config()
        .with_local_file("dockerfile", "Dockerfile", dockerfile)
        .with_opt("cmdline", "example.com/other/frontend")
        .with_opt("source", "example.com/other/frontend");
    let outcome = run_ok(config);
    assert!(
        outcome
            .recorded
            .solves
            .iter()
            .all(|s| s.frontend.is_empty()),
        "no Solve names another frontend"
    );
    returned_result(&outcome);
}

#[test]
fn bad_option_is_reported_through_return() {
    let config = single_stage_config().with_opt("image-resolve-mode", "sometimes");
    let outcome = run(config);
    let status = returned_error(&outcome);
    assert!(
        status.message.contains("image-resolve-mode"),
        "{}",
        status.message
    );
}

#[test]
fn cache_imports_reach_the_build_solve() {
    let config = single_stage_config().with_opt(
        "cache-imports",
        r#"[{"Type":"registry","Attrs":{"ref":"example.com/cache:latest"}}]"#,
    );
    let outcome = run_ok(config);
    let build = outcome
        .recorded
        .solves
        .iter()
        .find(|s| !s.cache_imports.is_empty())
        .expect("a solve with cache imports");
    assert_eq!(build.cache_imports[0].r#type, "registry");
    let attrs: BTreeMap<String, String> =
        build.cache_imports[0].attrs.clone().into_iter().collect();
    assert_eq!(attrs["ref"], "example.com/cache:latest");
}

#[test]
fn every_required_cap_is_checked_before_solving() {
    let dockerfile =
        "FROM busybox\nRUN --mount=type=cache,target=/root/.cache \\\n  go build ./...\n";
    let config = with_dockerfile(dockerfile)
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG)
        .with_cap_disabled(
            CapKind::Llb,
            "exec.mount.cache",
            "cache mounts are off on this daemon",
        );
    let status = unsolved_error(config);
    assert_mentions(
        &status.message,
        "Dockerfile:2-3: ",
        &[
            "RUN --mount=type=cache",
            "cache mounts are off on this daemon",
            " 3 |   go build ./...",
        ],
    );
    assert_eq!(source_location(&status).ranges, [SourceRange::lines(2, 3)]);
}

#[test]
fn current_buildkit_gets_the_snippet_once_from_the_source_detail() {
    // dockerd 20.10 shows only the message, so it carries the lines
    // (syntax_error_names_the_line_and_carries_the_source); a client of
    // BuildKit v0.10+ draws them from the detail, so the message does not
    // repeat them.
    let dockerfile = "FROM busybox\nENV ONLYKEY\nRUN true\n";
    let config = FakeConfig::modern().with_local_file("dockerfile", "Dockerfile", dockerfile);
    let status = unsolved_error(config);
    assert_mentions(&status.message, "Dockerfile:2: ", &["ENV"]);
    assert!(!status.message.contains(" 2 | "), "{}", status.message);
    assert!(!status.message.contains('\n'), "{}", status.message);
    let location = source_location(&status);
    assert_eq!(location.data, dockerfile.as_bytes());
    assert_eq!(location.ranges, [SourceRange::lines(2, 2)]);
}

const EMPTY_CONTINUATION: &str = "FROM busybox\nRUN echo \\\n\n  hello\n";

#[test]
fn warnings_are_sent_where_the_daemon_supports_them() {
    let config = FakeConfig::modern()
        .with_local_file("dockerfile", "Dockerfile", EMPTY_CONTINUATION)
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG);
    let outcome = run_ok(config);
    let warnings = &outcome.recorded.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    let short = String::from_utf8_lossy(&warning.short);
    assert_eq!(
        short,
        "NoEmptyContinuation: Empty continuation line (line 4)"
    );
    assert_eq!(
        warning.detail,
        [b"Empty continuation lines will become errors in a future release".to_vec()]
    );
    assert_eq!(
        warning.url,
        "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/"
    );
    assert_eq!(warning.level, 1);
    assert_eq!(warning.ranges[0].start.as_ref().unwrap().line, 4);
    assert_eq!(warning.info.as_ref().unwrap().filename, "Dockerfile");
    // Attached to the vertex that loaded the Dockerfile.
    let loader = dockerfile_loading(&outcome);
    let head = pb::Op::decode(loader.def.last().unwrap().as_slice()).unwrap();
    assert_eq!(warning.digest, head.inputs[0].digest);
    returned_result(&outcome);
}

#[test]
fn no_warnings_are_sent_to_a_daemon_without_the_cap() {
    let config =
        with_dockerfile(EMPTY_CONTINUATION).with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG);
    let outcome = run_ok(config);
    assert!(outcome.recorded.warnings.is_empty());
    returned_result(&outcome);
}

#[test]
fn dockerfile_input_replaces_the_local() {
    let mut config = FakeConfig::docker_20_10()
        .with_local_file("from-input", "Dockerfile", SINGLE_STAGE)
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG);
    config
        .inputs
        .insert("dockerfile".into(), local_input("from-input"));
    let outcome = run_ok(config);
    assert_eq!(outcome.recorded.inputs_calls, 1);
    assert_eq!(dockerfile_loader(&outcome).identifier, "local://from-input");
    // The local's load went out with the Inputs call, but nothing was read
    // from it: the client sends no file for it.
    let dockerfile_reads = outcome
        .recorded
        .read_files
        .iter()
        .filter(|r| r.file_path == "Dockerfile")
        .count();
    assert_eq!(dockerfile_reads, 1);
    returned_result(&outcome);
}

#[test]
fn the_files_are_read_while_ping_is_answered() {
    // dockerd 20.10 takes several ms to answer Ping; the Dockerfile and the
    // `.dockerignore` need only the options and the inputs.
    let config = single_stage_config().with_ping_delay(Duration::from_millis(300));
    let outcome = run_ok(config);
    assert_eq!(outcome.recorded.read_files_before_pong, 3);
    // The base image too is looked up meanwhile, once.
    let order = &outcome.recorded.order;
    let position = |entry: &str| order.iter().position(|e| e == entry);
    let looked_up = position(&format!("ResolveImageConfig {BUSYBOX}")).unwrap();
    assert!(looked_up < position("Ping answered").unwrap(), "{order:?}");
    assert_eq!(outcome.recorded.resolved_images.len(), 1);
    returned_result(&outcome);
}

#[test]
fn base_images_are_looked_up_before_the_dockerignore_arrives() {
    // The context's `.dockerignore` often comes last; the lookups need only
    // the Dockerfile (as the reference, which reads it after them).
    let config = single_stage_config().with_read_delay(".dockerignore", Duration::from_millis(500));
    let outcome = run_ok(config);
    let order = &outcome.recorded.order;
    let position = |entry: &str| order.iter().position(|e| e == entry);
    let looked_up = position(&format!("ResolveImageConfig {BUSYBOX}")).unwrap();
    let ignore_read = position("ReadFile .dockerignore").unwrap();
    assert!(looked_up < ignore_read, "{order:?}");
    // Once: the lowering takes the lookup already under way.
    assert_eq!(outcome.recorded.resolved_images.len(), 1);
    returned_result(&outcome);
}

#[test]
fn a_file_that_fails_before_lowering_looks_nothing_up() {
    let config = with_dockerfile("FROM busybox\nCOPY --bogus=1 a b\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .with_read_delay(".dockerignore", Duration::from_millis(200));
    let outcome = run(config);
    assert!(!outcome.status.success());
    assert!(outcome.recorded.resolved_images.is_empty());
}

#[test]
fn inputs_of_a_daemon_without_the_cap_are_not_used() {
    // The fake answers Inputs whatever its caps say; without cap
    // `frontend.inputs` the build must not take them (the files read before
    // Ping answered are read again from the local).
    let mut config = with_dockerfile(SINGLE_STAGE)
        .with_local_file("from-input", "Dockerfile", "FROM scratch\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .without_cap(CapKind::Gateway, "frontend.inputs");
    config
        .inputs
        .insert("dockerfile".into(), local_input("from-input"));
    let outcome = run_ok(config);
    assert_eq!(dockerfile_loader(&outcome).identifier, "local://dockerfile");
    returned_result(&outcome);
}

#[test]
fn dockerfilekey_forces_the_local_over_an_input() {
    let mut config = FakeConfig::docker_20_10()
        .with_local_file("df", "Dockerfile", SINGLE_STAGE)
        .with_image(BUSYBOX, "", BUSYBOX_CONFIG)
        .with_opt("dockerfilekey", "df");
    config
        .inputs
        .insert("dockerfile".into(), local_input("from-input"));
    let outcome = run_ok(config);
    assert_eq!(dockerfile_loader(&outcome).identifier, "local://df");
}

#[test]
fn context_input_is_refused_clearly() {
    let mut config = single_stage_config();
    config.inputs.insert("context".into(), local_input("ctx"));
    let status = unsolved_error(config);
    assert!(
        status
            .message
            .contains("build context passed as a frontend input"),
        "{}",
        status.message
    );
}

/// Runs the binary against `config` with stderr captured.
fn run_capturing_stderr(config: FakeConfig) -> (ChildOutcome, String) {
    use stagecraft_proto::fake::FakeBuildkit;
    use std::process::Command;
    let log = tempfile::NamedTempFile::new().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let fake = FakeBuildkit::new(config);
        let mut command = Command::new(BINARY);
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stderr(log.reopen().unwrap());
        fake.spawn(command).unwrap().wait(DEADLINE).await.unwrap()
    });
    let stderr = std::fs::read_to_string(log.path()).unwrap();
    (outcome, stderr)
}

#[test]
fn the_trace_option_prints_every_call_and_the_rounds() {
    let config = single_stage_config().with_opt("stagecraft-trace", "1");
    let (outcome, stderr) = run_capturing_stderr(config);
    assert!(outcome.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("trace: "))
        .collect();
    // Call lines only: `trace: <start> ms +<took> ms  <name> ...`.
    let named = |name: &str| {
        lines
            .iter()
            .filter(|l| l.contains(" ms +") && l.contains(name))
            .count()
    };
    // Ping and Inputs; the Dockerfile and .dockerignore Solves, their three
    // ReadFiles; one image; the build Solve. The trace is printed just
    // before Return, which is not in it.
    assert_eq!(named(" Ping "), 1, "{stderr}");
    assert_eq!(named(" Inputs "), 1, "{stderr}");
    assert_eq!(named(" Solve "), 3, "{stderr}");
    assert_eq!(named(" ReadFile "), 3, "{stderr}");
    assert_eq!(named(" ResolveImageConfig "), 1, "{stderr}");
    assert_eq!(named(" Return "), 0, "{stderr}");
    let total = lines.iter().find(|l| l.contains(" calls in ")).unwrap();
    assert_eq!(named(" Connect "), 1, "{stderr}");
    assert!(total.contains("10 calls in "), "{total}");
    // Connect; Ping, Inputs and the two loads' Solves together; three
    // ReadFiles; the image; the build: at most five rounds, fewer when the
    // fake answers while others are out.
    let rounds: usize = total
        .split(" calls in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(rounds <= 5, "{total}");
    assert!(total.ends_with("of it before main), to Return"), "{total}");
    assert!(
        lines.last().unwrap().starts_with("trace: main at unix "),
        "{stderr}"
    );
}

#[test]
fn the_trace_build_arg_is_not_an_unused_build_arg() {
    let config = FakeConfig::modern()
        .with_local_file("dockerfile", "Dockerfile", "FROM busybox\nRUN true\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .with_opt("build-arg:STAGECRAFT_TRACE", "1");
    let (outcome, stderr) = run_capturing_stderr(config);
    assert!(outcome.status.success(), "{stderr}");
    assert!(
        outcome.recorded.warnings.is_empty(),
        "{:?}",
        outcome.recorded.warnings
    );
    assert!(stderr.contains(" calls in "), "{stderr}");
}

#[test]
fn an_image_several_stages_build_on_is_looked_up_once() {
    let dockerfile = "FROM busybox AS a\nRUN echo a\nFROM busybox AS b\nRUN echo b\n\
                      FROM busybox\nCOPY --from=a / /a\nCOPY --from=b / /b\n";
    let config = with_dockerfile(dockerfile).with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG);
    let outcome = run_ok(config);
    let asked: Vec<&str> = outcome
        .recorded
        .resolved_images
        .iter()
        .map(|r| r.r#ref.as_str())
        .collect();
    assert_eq!(asked, [BUSYBOX]);
    // Every stage still starts from the pinned image.
    let build = &build_solves(&outcome)[0];
    let pinned = format!("docker-image://{BUSYBOX}@{BUSYBOX_DIGEST}");
    assert!(sources(build).iter().any(|s| s.identifier == pinned));
}
