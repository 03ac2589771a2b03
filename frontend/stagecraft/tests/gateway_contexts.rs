//! Named contexts through the gateway: `context:<name>` options replacing
//! stages and images, `local:` contexts with their own `.dockerignore`.

mod support;

use stagecraft_proto::fake::FakeConfig;
use support::*;

const DOCKERFILE: &str = "\
FROM alpine AS base
ENV FROM_DOCKERFILE=1
FROM busybox AS deps
RUN exit 1
FROM base
COPY --from=deps /lib.txt /lib.txt
COPY --from=assets / /assets/
RUN cat /lib.txt
";

fn config() -> FakeConfig {
    FakeConfig::modern()
        .with_local_file("dockerfile", "Dockerfile", DOCKERFILE)
        .with_local_file("assetsdir", ".dockerignore", "*.tmp\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .with_image(
            "docker.io/library/alpine:3.19",
            "sha256:2222222222222222222222222222222222222222222222222222222222222222",
            r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin","FROM_CONTEXT=yes"],"WorkingDir":"/home"},"rootfs":{"type":"layers","diff_ids":["sha256:bbbb"]}}"#,
        )
        .with_opt("context:alpine", "docker-image://alpine:3.19")
        .with_opt("context:deps", "docker-image://scratch")
        .with_opt("context:assets", "local:assetsdir")
        .with_opt("local-sessionid:assetsdir", "assets-session")
}

#[test]
fn named_contexts_replace_images_and_stages() {
    let outcome = run_ok(config());
    let lookups = lookup_names(&outcome);
    // alpine is looked up as the context; busybox (the replaced stage's
    // FROM) never is.
    assert_eq!(lookups, ["[context alpine] load metadata for alpine:3.19"]);

    let builds = build_solves(&outcome);
    assert_eq!(builds.len(), 1, "one build solve");
    let def = &builds[0];
    let image = sources(def)
        .into_iter()
        .find(|s| s.identifier.starts_with("docker-image://"))
        .unwrap();
    // Unpinned, as the reference leaves context images.
    assert_eq!(
        image.identifier,
        "docker-image://docker.io/library/alpine:3.19"
    );
    let names: Vec<String> = def
        .metadata
        .values()
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect();
    for want in [
        "[context alpine] alpine:3.19",
        "[context assets] load from client",
        "[stage-2 2/3] COPY --from=assets / /assets/",
    ] {
        assert!(names.iter().any(|n| n == want), "{want}: {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.contains("exit 1")),
        "the replaced stage does not run: {names:?}"
    );

    // The local context: its own session, .dockerignore and cache key.
    let local = sources(def)
        .into_iter()
        .find(|s| s.identifier == "local://assetsdir")
        .unwrap();
    assert_eq!(local.attrs["local.session"], "assets-session");
    assert_eq!(local.attrs["local.excludepatterns"], r#"["*.tmp"]"#);
    assert_eq!(local.attrs["local.sharedkeyhint"], "context:assets-");

    // The context image's config is the base image's.
    let result = returned_result(&outcome);
    let config: serde_json::Value =
        serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
    let env = config["config"]["Env"].to_string();
    assert!(
        env.contains("FROM_CONTEXT=yes") && env.contains("FROM_DOCKERFILE=1"),
        "{env}"
    );
    assert_eq!(config["config"]["WorkingDir"], "/home");
}

#[test]
fn unusable_contexts_fail_clearly() {
    for (value, want) in [
        ("ftp://x", "unsupported context source ftp for alpine"),
        ("nocolon", "invalid context specifier nocolon for alpine"),
        ("input:other", "invalid input other for alpine"),
    ] {
        let config = config().with_opt("context:alpine", value);
        let status = returned_error(&run(config));
        assert!(status.message.contains(want), "{value}: {}", status.message);
    }
}

#[test]
fn an_input_context_brings_its_ops_and_image_config() {
    // What bake passes for a `target:` context: the other target's result
    // as a frontend input, its image config in the input's metadata.
    use base64::Engine;
    let image = r#"{"architecture":"amd64","os":"linux","config":{"Env":["FROM_TARGET=1"],"WorkingDir":"/srv","User":"app"}}"#;
    let metadata = serde_json::json!({
        "containerimage.config": base64::engine::general_purpose::STANDARD.encode(image),
    });
    let mut config = config()
        .with_opt("context:alpine", "input:base-target")
        .with_opt("input-metadata:base-target", &metadata.to_string());
    config
        .inputs
        .insert("base-target".into(), local_input("from-target"));
    let outcome = run_ok(config);
    let def = &build_solves(&outcome)[0];
    assert!(
        sources(def)
            .iter()
            .any(|s| s.identifier == "local://from-target"),
        "the input's ops are part of the build"
    );
    let result = returned_result(&outcome);
    let config: serde_json::Value =
        serde_json::from_slice(&result.metadata["containerimage.config"]).unwrap();
    assert!(
        config["config"]["Env"]
            .to_string()
            .contains("FROM_TARGET=1")
    );
    assert_eq!(config["config"]["WorkingDir"], "/srv");
    assert_eq!(config["config"]["User"], "app");
}

#[test]
fn a_git_url_is_the_main_context_and_holds_the_dockerfile() {
    let url = "https://example.com/app.git#v1:sub";
    let git_id = "git://example.com/app.git#v1:sub";
    let config = FakeConfig::modern()
        .with_local_file(git_id, "Dockerfile", "FROM busybox\nCOPY . /app\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .with_opt("context", url)
        .with_opt("build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR", "true");
    let outcome = run_ok(config);
    // The Dockerfile was read from the repository.
    assert_eq!(dockerfile_loader(&outcome).identifier, git_id);
    assert_eq!(dockerfile_loader(&outcome).attrs["git.keepgitdir"], "true");
    let ids = build_sources(&outcome);
    assert!(ids.iter().any(|i| i == git_id), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("local://")), "{ids:?}");
    returned_result(&outcome);
}

#[test]
fn an_http_tarball_is_unpacked_as_the_main_context() {
    let url = "https://example.com/ctx.tar.gz";
    // Gzip magic: the download is an archive holding the Dockerfile; the
    // fake reads files of the unpacked copy as opaque, so only the sniff
    // and the shape of the graph are checked here.
    let config = FakeConfig::modern()
        .with_local_file(url, "context", vec![0x1F, 0x8B, 0x08, 0, 0])
        .with_opt("context", url);
    let outcome = run(config);
    let first = outcome.recorded.solves[0].definition.as_ref().unwrap();
    let download = sources(first).swap_remove(0);
    assert_eq!(download.identifier, url);
    assert_eq!(download.attrs["http.filename"], "context");
    assert_eq!(outcome.recorded.read_files[0].file_path, "context");
    // The Dockerfile is then read from the unpacked copy.
    let unpack = outcome.recorded.solves[1].definition.as_ref().unwrap();
    assert!(
        stagecraft_llb::dump_json(unpack).contains(r#""attempt_unpack":true"#),
        "{}",
        stagecraft_llb::dump_json(unpack)
    );
}

#[test]
fn an_http_dockerfile_is_the_dockerfile() {
    let url = "https://example.com/Dockerfile";
    let config = FakeConfig::modern()
        .with_local_file(url, "context", "FROM busybox\nRUN true\n")
        .with_image(BUSYBOX, BUSYBOX_DIGEST, BUSYBOX_CONFIG)
        .with_opt("context", url);
    let outcome = run_ok(config);
    assert_eq!(
        outcome
            .recorded
            .read_files
            .iter()
            .filter(|r| r.file_path == "context")
            .count(),
        2,
        "sniffed, then read whole"
    );
    returned_result(&outcome);
}

const OCI_DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn oci_layout_contexts_are_read_from_the_clients_store() {
    let labelled = format!("docker.io/library/base@{OCI_DIGEST}");
    let outcome = run_ok(
        FakeConfig::modern()
            .with_local_file("dockerfile", "Dockerfile", "FROM base\nRUN true\n")
            .with_image(&labelled, OCI_DIGEST, BUSYBOX_CONFIG)
            .with_opt(
                "context:base",
                &format!("oci-layout://layout-one@{OCI_DIGEST}"),
            ),
    );
    let asked = &outcome.recorded.resolved_images[0];
    assert_eq!(asked.r#ref, labelled);
    assert_eq!(asked.resolver_type, 1, "BuildKit's OCI layout resolver");
    assert_eq!(asked.store_id, "layout-one");
    assert_eq!(asked.session_id, "fake-session");
    assert_eq!(
        asked.log_name,
        format!("[context base] load metadata for {labelled}")
    );
    let source = sources(&build_solves(&outcome)[0])
        .into_iter()
        .find(|s| s.identifier.starts_with("oci-layout://"))
        .unwrap();
    assert_eq!(source.identifier, format!("oci-layout://{labelled}"));
    assert_eq!(source.attrs["oci.store"], "layout-one");
    assert_eq!(source.attrs["oci.session"], "fake-session");
}

#[test]
fn an_oci_layout_context_without_a_digest_is_refused() {
    let status = unsolved_error(
        FakeConfig::modern()
            .with_local_file("dockerfile", "Dockerfile", "FROM base\n")
            .with_opt("context:base", "oci-layout://layout-one:latest"),
    );
    assert!(
        status.message.contains("has no digest"),
        "{}",
        status.message
    );
}

#[test]
fn git_url_options_need_the_buildkit_that_has_them() {
    for (query, cap, feature, version) in [
        (
            "mtime=commit",
            "source.git.mtime",
            "the Git URL option mtime",
            "v0.29",
        ),
        (
            "checksum=0123456789abcdef0123456789abcdef01234567&fetch-by-commit=true",
            "source.git.fetchbycommit",
            "the Git URL option fetch-by-commit",
            "v0.30",
        ),
    ] {
        let status = unsolved_error(
            FakeConfig::modern()
                .with_local_file(
                    "dockerfile",
                    "Dockerfile",
                    "FROM scratch\nCOPY --from=src / /\n",
                )
                .with_opt("context:src", &format!("https://example.com/r.git?{query}"))
                .without_cap(stagecraft_proto::caps::CapKind::Llb, cap),
        );
        assert!(status.message.contains(feature), "{}", status.message);
        assert!(status.message.contains(version), "{}", status.message);
    }
}
