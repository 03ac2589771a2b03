//! Golden and byte-level tests of the LLB builder and marshaller.
//!
//! Goldens live in `tests/golden/llb/*.json` (the `dump_json` form). After an
//! intended change, regenerate them with `UPDATE_GOLDEN=1 cargo test -p
//! stagecraft-tests --test llb_golden` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;
use std::path::PathBuf;

use prost::Message;
use stagecraft_llb::pb;
use stagecraft_llb::*;

fn linux_amd64() -> pb::Platform {
    pb::Platform {
        os: "linux".into(),
        architecture: "amd64".into(),
        ..pb::Platform::default()
    }
}

fn check_golden(name: &str, def: &pb::Definition) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden/llb")
        .join(format!("{name}.json"));
    let got = dump_json(def);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("missing golden {}: {e}", path.display()));
    assert_eq!(
        got, want,
        "golden {name} differs; UPDATE_GOLDEN=1 regenerates it"
    );
}

fn dockerfile_map() -> SourceMap {
    SourceMap::new(
        "Dockerfile",
        "Dockerfile",
        b"FROM alpine AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=secret,id=tok \\\n    go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nCOPY --link README.md /\n".to_vec(),
    )
}

/// The shape of the reference frontend's Definition for a two-stage Go
/// build (the Dockerfile of `dockerfile_map`).
fn appendix_graph() -> State {
    let sm = dockerfile_map();
    let base = State::image(
        ImageSource::new("docker.io/library/alpine:3.19")
            .with_digest("sha256:2e41aa2a1fc4a1d8b2d9a1c1a3e1bd5c0b8c4a9d8e7f6a5b4c3d2e1f0a9b8c7d")
            .with_platform(linux_amd64()),
    )
    .unwrap()
    .with_meta(
        OpMeta::named("[build 1/4] FROM docker.io/library/alpine:3.19")
            .with_description("com.docker.dockerfile.v1.command", "FROM alpine AS build")
            .with_location(sm.lines(1, 1)),
    );
    let mut mkdir = Mkdir::new("/src", 0o755);
    mkdir.make_parents = true;
    let workdir = base
        .file_action(mkdir)
        .with_meta(OpMeta::named("[build 2/4] WORKDIR /src").with_location(sm.lines(2, 2)));
    let context = State::local(
        LocalSource::new("context", LocalSession::Unique("stable-id".into()))
            .with_follow_paths(vec!["README.md".into(), "go.mod".into(), "go.sum".into()])
            .with_shared_key_hint("context"),
    )
    .unwrap()
    .with_custom_name("[internal] load build context");
    let copy = |src: &str, dest: &str| {
        let mut c = FileCopy::new(context.clone(), src, dest);
        c.follow_symlinks = true;
        c.copy_dir_contents_only = true;
        c.create_dest_path = true;
        c.allow_wildcard = true;
        c.allow_empty_wildcard = true;
        FileAction::Copy(c)
    };
    let copied = workdir
        .file(vec![copy("/go.mod", "/src/"), copy("/go.sum", "/src/")])
        .with_meta(
            OpMeta::named("[build 3/4] COPY go.mod go.sum ./").with_location(sm.lines(3, 3)),
        );
    let mut secret = SecretMount::new("tok");
    secret.optional = true;
    let mut run_spec = ExecSpec::new(vec![
        "/bin/sh".into(),
        "-c".into(),
        "go build -o /out/app .".into(),
    ])
    .with_env(
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    )
    .with_env("GOFLAGS", "-mod=vendor")
    .with_cwd("/src")
    .with_platform(linux_amd64())
    .with_mount(Mount::cache(
        "/root/.cache",
        "//root/.cache",
        CacheSharing::Shared,
    ))
    .with_mount(Mount::secret("/run/secrets/tok", secret))
    .with_meta(
        OpMeta::named("[build 4/4] RUN go build -o /out/app .").with_location(sm.lines(4, 6)),
    );
    run_spec.daemon_default_path = true;
    let run = copied.exec(run_spec).unwrap().root;
    let app = State::scratch()
        .file_action(FileCopy::new(run, "/out/app", "/app"))
        .with_meta(
            OpMeta::named("[stage-1 1/2] COPY --from=build /out/app /app")
                .with_location(sm.lines(8, 8)),
        );
    let group = ProgressGroup {
        id: "link-1".into(),
        name: "[stage-1 2/2] COPY --link README.md /".into(),
        weak: true,
    };
    let mut readme = FileCopy::new(context.clone(), "README.md", "/");
    readme.owner = Some(Chown::ids(1000, 1000));
    let layer = State::scratch()
        .file_action(readme)
        .with_meta(OpMeta::new().with_progress_group(group.clone()));
    State::merge(&[app, layer]).with_meta(
        OpMeta::named("[stage-1 2/2] LINK COPY --link README.md /")
            .with_progress_group(group)
            .with_location(sm.lines(9, 9)),
    )
}

/// Host network, insecure mode, hosts, limits and proxy: the meta options
/// both exec graphs set.
fn set_meta_options(spec: &mut ExecSpec) {
    spec.network = NetworkMode::Host;
    spec.security = SecurityMode::Insecure;
    spec.hostname = "builder".into();
    spec.extra_hosts = vec![HostIp {
        host: "db".into(),
        ip: "10.0.0.2".parse().unwrap(),
    }];
    spec.ulimits = vec![Ulimit {
        name: "nofile".into(),
        soft: 1024,
        hard: 4096,
    }];
    spec.cgroup_parent = "build.slice".into();
    spec.proxy_env = Some(ProxyEnv {
        http_proxy: "http://proxy:3128".into(),
        ..ProxyEnv::default()
    });
}

/// Read-only, discarded-write and cache mounts of `data`.
fn data_mounts(data: State) -> Vec<Mount> {
    vec![
        Mount::bind("/data", data.clone(), BindMode::ReadOnly).with_selector("/usr/share"),
        Mount::bind("/scratchpad", data.clone(), BindMode::ReadWriteDiscard),
        Mount {
            dest: "/cache".into(),
            kind: MountKind::Cache {
                id: "go-build".into(),
                sharing: CacheSharing::Locked,
                from: Some(data),
                selector: None,
                readonly: false,
            },
        },
    ]
}

fn exec_graph() -> State {
    let base = State::image(
        ImageSource::new("docker.io/library/busybox:latest").with_platform(linux_amd64()),
    )
    .unwrap();
    let data = State::image(
        ImageSource::new("docker.io/library/debian:12").with_resolve_mode(ResolveMode::Pull),
    )
    .unwrap();
    let mut spec = ExecSpec::new(vec!["make".into(), "all".into()])
        .with_cwd("/work")
        .with_user("1000:1000")
        .with_platform(linux_amd64());
    set_meta_options(&mut spec);
    spec.valid_exit_codes = vec![0, 3];
    spec.secret_env = vec![SecretEnv {
        id: "token".into(),
        name: "TOKEN".into(),
        optional: false,
    }];
    // Listed out of destination order on purpose: the op sorts them.
    spec.mounts = [
        vec![
            Mount::tmpfs("/tmp", Some(64 << 20)),
            Mount::bind("/out", State::scratch(), BindMode::ReadWrite),
        ],
        data_mounts(data),
        vec![
            Mount::ssh("/run/ssh.sock", SshMount::new("default")),
            Mount::bind("/artifacts", State::scratch(), BindMode::ReadWrite),
        ],
    ]
    .concat();
    let result = base.exec(spec).unwrap();
    assert_eq!(
        result
            .mounts
            .iter()
            .map(|(d, _)| d.as_str())
            .collect::<Vec<_>>(),
        ["/artifacts", "/out"]
    );
    let out = result.mount("/out").unwrap().clone();
    let artifacts = result.mount("/artifacts").unwrap().clone();
    State::merge(&[result.root, out, artifacts])
}

fn file_graph() -> State {
    let base = State::image(
        ImageSource::new("docker.io/library/alpine:3.19").with_platform(linux_amd64()),
    )
    .unwrap();
    let ctx = State::local(LocalSource::new(
        "context",
        LocalSession::Session("sess-1".into()),
    ))
    .unwrap();
    let mut dir = Mkdir::new("app/data/", 0o750);
    dir.make_parents = true;
    dir.owner = Some(Chown {
        user: Some(UserRef::Name("app".into())),
        group: Some(UserRef::Name("staff".into())),
    });
    dir.timestamp = Some(0);
    let mut file = Mkfile::new("/app/hello.txt", 0o644, b"hello\n".to_vec());
    file.owner = Some(Chown {
        user: Some(UserRef::Id(1)),
        group: None,
    });
    let mut cp = FileCopy::new(ctx.clone(), "src/./", "/app/src/");
    cp.mode = Some(CopyMode::Symbolic("u+rwx,go-w".into()));
    cp.include_patterns = vec!["**/*.rs".into()];
    cp.exclude_patterns = vec!["target".into()];
    cp.required_paths = vec!["src/main.rs".into()];
    cp.always_replace_existing_dest_paths = true;
    cp.attempt_unpack = true;
    let mut cp2 = FileCopy::new(State::scratch(), "/nothing", "/app/empty");
    cp2.mode = Some(CopyMode::Octal(0o600));
    cp2.allow_wildcard = true;
    let mut rm = Rm::new("/app/*.tmp");
    rm.allow_not_found = true;
    rm.allow_wildcard = true;
    base.file(vec![
        dir.into(),
        file.into(),
        cp.into(),
        cp2.into(),
        rm.into(),
        Symlink::new("/app/hello.txt", "/app/hi").into(),
    ])
    .with_custom_name("file chain")
}

fn sources_graph() -> State {
    let mut git = GitSource::new("github.com/moby/buildkit.git");
    git.full_url = Some("https://github.com/moby/buildkit.git".into());
    git.reference = Some("v0.12.0".into());
    git.subdir = Some("docs".into());
    git.keep_git_dir = true;
    git.checksum = Some("abcdef0".into());
    git.auth_token_secret = Some("GIT_AUTH_TOKEN.github.com".into());
    let mut http = HttpSource::new("https://example.com/file.tar.gz");
    http.checksum =
        Some("sha256:0000000000000000000000000000000000000000000000000000000000000000".into());
    http.filename = Some("file.tar.gz".into());
    http.perm = Some(0o644);
    http.uid = Some(1000);
    http.gid = Some(1000);
    let local = LocalSource::new("context", LocalSession::Unique("u1".into()))
        .with_include_patterns(vec!["src".into(), "a<b".into()])
        .with_exclude_patterns(vec!["**/node_modules".into()])
        .with_differ(LocalDiffer::Metadata, true);
    let layers = State::merge(&[
        State::git(git).unwrap(),
        State::http(http).unwrap(),
        State::local(local).unwrap(),
    ]);
    let lower = State::image(
        ImageSource::new("docker.io/library/alpine:3.19").with_platform(linux_amd64()),
    )
    .unwrap();
    State::diff(&lower, &layers).with_custom_name("what changed")
}

#[test]
fn golden_appendix_graph() {
    check_golden("appendix", &appendix_graph().marshal());
}

#[test]
fn golden_exec_graph() {
    check_golden("exec", &exec_graph().marshal());
}

#[test]
fn golden_file_graph() {
    check_golden("file", &file_graph().marshal());
}

#[test]
fn golden_sources_graph() {
    check_golden("sources", &sources_graph().marshal());
}

fn ops(def: &pb::Definition) -> Vec<(String, pb::Op)> {
    def.def
        .iter()
        .map(|b| (digest_of(b), pb::Op::decode(b.as_slice()).unwrap()))
        .collect()
}

#[test]
fn same_graph_gives_identical_bytes() {
    for build in [appendix_graph, exec_graph, file_graph, sources_graph] {
        let a = build().marshal().encode_to_vec();
        let b = build().marshal().encode_to_vec();
        assert_eq!(a, b);
        let state = build();
        assert_eq!(
            state.marshal().encode_to_vec(),
            state.marshal().encode_to_vec()
        );
    }
}

#[test]
fn definition_is_well_formed() {
    for build in [appendix_graph, exec_graph, file_graph, sources_graph] {
        let def = build().marshal();
        let ops = ops(&def);
        let digests: Vec<&String> = ops.iter().map(|(d, _)| d).collect();
        let unique: BTreeSet<&String> = digests.iter().copied().collect();
        assert_eq!(unique.len(), digests.len(), "an op appears twice");
        for (i, (_, op)) in ops.iter().enumerate() {
            for input in &op.inputs {
                let at = digests.iter().position(|d| **d == input.digest);
                assert!(
                    at.is_some_and(|p| p < i),
                    "input of op {i} not emitted before it"
                );
            }
        }
        let (last_digest, last) = ops.last().unwrap();
        assert!(last.op.is_none() && last.platform.is_none() && last.constraints.is_none());
        assert_eq!(last.inputs.len(), 1);
        // Every op has metadata, and nothing else has.
        let keys: BTreeSet<&String> = def.metadata.keys().collect();
        assert_eq!(keys, unique);
        let terminal_caps: BTreeSet<&str> = def.metadata[last_digest]
            .caps
            .keys()
            .map(String::as_str)
            .collect();
        assert!(terminal_caps.contains("constraints") && terminal_caps.contains("platform"));
        for (_, op) in &ops[..ops.len() - 1] {
            assert_eq!(op.constraints, Some(pb::WorkerConstraints::default()));
            let platform_expected = match &op.op {
                Some(pb::op::Op::Exec(_)) => true,
                Some(pb::op::Op::Source(s)) => s.identifier.starts_with("docker-image://"),
                _ => false,
            };
            if !platform_expected {
                assert!(op.platform.is_none(), "unexpected platform on {:?}", op.op);
            }
        }
    }
}

#[test]
fn definition_round_trips_through_prost() {
    for build in [appendix_graph, exec_graph, file_graph, sources_graph] {
        let def = build().marshal();
        let bytes = def.encode_to_vec();
        let back = pb::Definition::decode(bytes.as_slice()).unwrap();
        assert_eq!(back, def);
        assert_eq!(back.encode_to_vec(), bytes);
        // Our field order differs from prost's only in where the oneof goes,
        // never in length.
        for raw in &def.def {
            let op = pb::Op::decode(raw.as_slice()).unwrap();
            assert_eq!(op.encoded_len(), raw.len());
        }
    }
}

#[test]
fn stages_sharing_a_base_share_its_ops() {
    let base = || {
        State::image(ImageSource::new("docker.io/library/alpine:3.19").with_platform(linux_amd64()))
            .unwrap()
    };
    let a = base()
        .with_custom_name("[a 1/2] FROM alpine")
        .file_action(Mkfile::new("/a", 0o644, b"a".to_vec()));
    let b = base()
        .with_custom_name("[b 1/2] FROM alpine")
        .file_action(Mkfile::new("/b", 0o644, b"b".to_vec()));
    let def = State::merge(&[a, b]).marshal();
    let ops = ops(&def);
    let images: Vec<&String> = ops
        .iter()
        .filter(|(_, op)| matches!(&op.op, Some(pb::op::Op::Source(_))))
        .map(|(d, _)| d)
        .collect();
    assert_eq!(images.len(), 1);
    assert_eq!(ops.len(), 5, "image, two mkfiles, merge, terminal");
    // Both nodes named the one op; their metadata is merged deterministically
    // (the later walk wins for the name key).
    let md = &def.metadata[images[0]];
    assert_eq!(md.description["llb.customname"], "[b 1/2] FROM alpine");
    assert_eq!(md.caps.keys().collect::<Vec<_>>(), ["source.image"]);
}

/// Protobuf bytes of a tiny source op, written out by hand from ops.proto:
/// `Op{source: SourceOp{identifier: "local://x", attrs: {"local.unique": "u"}},
/// constraints: {}}`, the oneof body after the plain fields as the Go
/// client writes it.
fn hand_encoded_local_x() -> Vec<u8> {
    let mut source = vec![0x0a, 9];
    source.extend_from_slice(b"local://x");
    let mut entry = vec![0x0a, 12];
    entry.extend_from_slice(b"local.unique");
    entry.extend_from_slice(&[0x12, 1, b'u']);
    source.push(0x12);
    source.push(entry.len() as u8);
    source.extend_from_slice(&entry);
    let mut op = vec![0x5a, 0x00, 0x1a, source.len() as u8];
    op.extend_from_slice(&source);
    op
}

#[test]
fn tiny_op_bytes_and_digest_are_known() {
    let state = State::local(LocalSource::new("x", LocalSession::Unique("u".into()))).unwrap();
    let def = state.marshal();
    assert_eq!(def.def.len(), 2);
    let want = hand_encoded_local_x();
    assert_eq!(def.def[0], want);
    // sha256 of those 34 bytes, computed with coreutils `sha256sum`.
    let digest = "sha256:32df21544d7ae9ce77ac12f8fb03687c313e09f7eb8060ae4778ee49613b4dd5";
    assert_eq!(state.output().unwrap().digest(), digest_of(&want));
    assert_eq!(digest_of(&want), digest);
    // Terminal op: Op{inputs: [Input{digest}]} (index 0 is omitted on the wire).
    let mut input = vec![0x0a, digest.len() as u8];
    input.extend_from_slice(digest.as_bytes());
    let mut terminal = vec![0x0a, input.len() as u8];
    terminal.extend_from_slice(&input);
    assert_eq!(def.def[1], terminal);
    let md = &def.metadata[digest];
    assert_eq!(
        md.caps.keys().collect::<Vec<_>>(),
        ["source.local", "source.local.unique"]
    );
}

#[test]
fn caps_union_names_every_feature_used() {
    let caps = required_caps(&appendix_graph().marshal());
    let want: BTreeSet<String> = [
        "constraints",
        "platform",
        "meta.description",
        "source.image",
        "file.base",
        "source.local",
        "source.local.unique",
        "source.local.followpaths",
        "source.local.sharedkeyhint",
        "exec.meta.base",
        "exec.meta.setsdefaultpath",
        "exec.mount.bind",
        "exec.mount.cache",
        "exec.mount.cache.sharing",
        "exec.mount.secret",
        "mergeop",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(caps, want);

    let exec_caps = exec_graph().required_caps();
    assert_has_all(
        &exec_caps,
        &[
            "exec.meta.network",
            "exec.meta.security",
            "exec.meta.proxyenv",
            "exec.meta.ulimit",
            "exec.meta.cgroup.parent",
            "exec.validexitcode",
            "exec.secretenv",
            "exec.mount.bind",
            "exec.mount.bind.readwrite-nooutput",
            "exec.mount.selector",
            "exec.mount.tmpfs",
            "exec.mount.tmpfs.size",
            "exec.mount.ssh",
            "source.image.resolvemode",
        ],
    );
    let file_caps = file_graph().required_caps();
    assert_has_all(
        &file_caps,
        &[
            "file.copy.includeexcludepatterns",
            "file.copy.requiredpaths",
            "file.copy.alwaysreplaceexistingdestpaths",
            "file.copy.modestring",
            "file.rm.wildcard",
            "file.symlink.create",
            "source.local.sessionid",
        ],
    );
    let source_caps = sources_graph().required_caps();
    assert_has_all(
        &source_caps,
        &[
            "source.git",
            "source.git.fullurl",
            "source.git.keepgitdir",
            "source.git.subdir",
            "source.git.checksum",
            "source.git.httpauth",
            "source.http",
            "source.http.checksum",
            "source.http.perm",
            "soruce.http.uidgid",
            "source.local.includepatterns",
            "source.local.excludepatterns",
            "source.local.differ",
            "diffop",
            "mergeop",
        ],
    );
    for id in caps
        .iter()
        .chain(&exec_caps)
        .chain(&file_caps)
        .chain(&source_caps)
    {
        assert!(
            Cap::from_id(stagecraft_proto::CapKind::Llb, id).is_some(),
            "{id} is not a known cap"
        );
    }
}

#[track_caller]
fn assert_has_all(caps: &BTreeSet<String>, want: &[&str]) {
    for cap in want {
        assert!(caps.contains(*cap), "missing {cap}");
    }
}

#[test]
fn source_map_has_one_range_per_line_keyed_by_digest() {
    let def = appendix_graph().marshal();
    let source = def.source.as_ref().unwrap();
    assert_eq!(source.infos.len(), 1, "equal maps collapse to one");
    assert_eq!(source.infos[0].filename, "Dockerfile");
    assert_eq!(source.infos[0].language, "Dockerfile");
    let run = ops(&def)
        .into_iter()
        .find(|(_, op)| matches!(op.op, Some(pb::op::Op::Exec(_))))
        .unwrap()
        .0;
    let locs = &source.locations[&run].locations;
    assert_eq!(locs.len(), 1);
    assert_eq!(locs[0].source_index, 0);
    let lines: Vec<(i32, i32, i32, i32)> = locs[0]
        .ranges
        .iter()
        .map(|r| {
            let (s, e) = (r.start.unwrap(), r.end.unwrap());
            (s.line, s.character, e.line, e.character)
        })
        .collect();
    assert_eq!(lines, [(4, 0, 4, 0), (5, 0, 5, 0), (6, 0, 6, 0)]);
    for digest in source.locations.keys() {
        assert!(def.metadata.contains_key(digest));
    }
}

#[test]
fn exec_rejects_bad_specs() {
    let root = State::scratch();
    assert_eq!(
        root.exec(ExecSpec::new(vec![])).unwrap_err(),
        LlbError::EmptyArgs
    );
    let dup = ExecSpec::new(vec!["true".into()])
        .with_mount(Mount::tmpfs("/tmp", None))
        .with_mount(Mount::cache("/tmp", "c", CacheSharing::Shared));
    assert!(matches!(root.exec(dup), Err(LlbError::DuplicateMountDest { dest }) if dest == "/tmp"));
    let over_root = ExecSpec::new(vec!["true".into()]).with_mount(Mount::tmpfs("/", None));
    assert!(matches!(
        root.exec(over_root),
        Err(LlbError::DuplicateMountDest { .. })
    ));
    let relative = ExecSpec::new(vec!["true".into()]).with_mount(Mount::tmpfs("tmp", None));
    assert!(matches!(
        root.exec(relative),
        Err(LlbError::RelativeMountDest { .. })
    ));
    assert!(State::image(ImageSource::new("")).is_err());
}

#[test]
fn exec_on_scratch_and_identical_mount_sources() {
    let img = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
    let spec = ExecSpec::new(vec!["true".into()])
        .with_mount(Mount::bind("/a", img.clone(), BindMode::ReadOnly))
        .with_mount(Mount::bind("/b", img.clone(), BindMode::ReadOnly));
    let def = State::scratch().exec(spec).unwrap().root.marshal();
    let exec = ops(&def)
        .into_iter()
        .find_map(|(_, op)| match op.op {
            Some(pb::op::Op::Exec(e)) => Some((op.inputs, e)),
            _ => None,
        })
        .unwrap();
    assert_eq!(exec.0.len(), 1, "identical sources are one input");
    let io: Vec<(i64, i64)> = exec.1.mounts.iter().map(|m| (m.input, m.output)).collect();
    assert_eq!(io, [(-1, 0), (0, -1), (0, -1)]);
}

#[test]
fn merge_and_diff_shortcuts() {
    let img = State::image(ImageSource::new("docker.io/library/alpine:3.19")).unwrap();
    assert!(State::merge(&[]).is_scratch());
    assert!(State::merge(&[State::scratch(), State::scratch()]).is_scratch());
    let one = State::merge(&[State::scratch(), img.clone()]);
    assert_eq!(
        one.output().unwrap().digest(),
        img.output().unwrap().digest()
    );
    let d = State::diff(&State::scratch(), &img);
    assert_eq!(d.output().unwrap().digest(), img.output().unwrap().digest());
    let to_scratch = State::diff(&img, &State::scratch()).marshal();
    let diff = ops(&to_scratch)
        .into_iter()
        .find_map(|(_, op)| match op.op {
            Some(pb::op::Op::Diff(d)) => Some(d),
            _ => None,
        })
        .unwrap();
    assert_eq!(diff.lower.unwrap().input, 0);
    assert_eq!(diff.upper.unwrap().input, -1);
    assert!(State::scratch().marshal().def.is_empty());
}

#[test]
fn metadata_never_changes_digests() {
    let plain = file_graph();
    let named = plain.with_meta(
        OpMeta::named("other")
            .with_ignore_cache(true)
            .with_export_cache(true),
    );
    assert_eq!(
        plain.output().unwrap().digest(),
        named.output().unwrap().digest()
    );
    let def = named.marshal();
    let terminal = digest_of(def.def.last().unwrap());
    let caps: Vec<&String> = def.metadata[&terminal].caps.keys().collect();
    assert_eq!(
        caps,
        [
            "constraints",
            "meta.description",
            "meta.exportcache",
            "meta.ignorecache",
            "platform"
        ]
    );
}

#[test]
fn dump_text_names_every_op() {
    let def = appendix_graph().marshal();
    let text = dump_text(&def);
    assert_eq!(text.lines().count(), def.def.len());
    assert!(text.contains("[build 4/4] RUN go build -o /out/app ."));
    assert!(text.lines().last().unwrap().contains("terminal"));
}

/// Op digests produced by BuildKit's own Go client (`client/llb` at the
/// current release line, run offline from the vendored tree) for the same
/// graphs. Equal digests mean equal bytes, so builds share cache with
/// Docker's own frontend.
#[test]
fn digests_match_the_go_client() {
    let last_op = |s: &State| {
        let def = s.marshal();
        digest_of(&def.def[def.def.len() - 2])
    };
    let img = State::image(
        ImageSource::new("docker.io/library/alpine:3.19").with_platform(linux_amd64()),
    )
    .unwrap();
    assert_eq!(
        last_op(&img),
        "sha256:d76f168e6859e9d648332ead9530c3005bb2cd99b7b8b570d2f5946343dae9d8"
    );
    let local = State::local(
        LocalSource::new("context", LocalSession::Unique("u1".into()))
            .with_follow_paths(vec!["a<b".into(), "go.mod".into()])
            .with_shared_key_hint("context"),
    )
    .unwrap();
    assert_eq!(
        last_op(&local),
        "sha256:4761a146a38d8113e3a6d3d148477a75e5a2a6fac7271d03a8baa7c1e0ea76fb"
    );
    let run = img
        .exec(
            ExecSpec::new(vec!["/bin/sh".into(), "-c".into(), "echo hi".into()])
                .with_cwd("/src")
                .with_env("A", "1")
                .with_platform(linux_amd64()),
        )
        .unwrap()
        .root;
    assert_eq!(
        last_op(&run),
        "sha256:9bdcdbf5dcd1ccfea900ae7e66aa9f2f7ea8d37664d637c565e40b9ee7898a2b"
    );
    assert_eq!(
        last_op(&State::merge(&[img.clone(), local])),
        "sha256:9d4eaace4dbf0c286f26c6298bf8208b9c08e35f7244ec63bf48b24f35d58f77"
    );

    let data =
        State::image(ImageSource::new("docker.io/library/debian:12").with_platform(linux_amd64()))
            .unwrap();
    // The Go client adds SSH_AUTH_SOCK itself when an SSH socket is mounted.
    let mut spec = ExecSpec::new(vec!["make".into(), "all".into()])
        .with_cwd("/work")
        .with_user("1000:1000")
        .with_platform(linux_amd64())
        .with_env("SSH_AUTH_SOCK", "/run/ssh.sock");
    set_meta_options(&mut spec);
    let mut secret = SecretMount::new("tok");
    secret.optional = true;
    spec.mounts = [
        vec![Mount::tmpfs("/tmp", Some(64 << 20))],
        data_mounts(data),
        vec![
            Mount::secret("/run/secrets/tok", secret),
            Mount::ssh("/run/ssh.sock", SshMount::new("default")),
            Mount::bind("/out", State::scratch(), BindMode::ReadWrite),
        ],
    ]
    .concat();
    assert_eq!(
        last_op(&img.exec(spec).unwrap().root),
        "sha256:83719b900c2f4c46c3998f9ed788c5727230f334657d421df2fb7326e01af7ae"
    );

    let ctx = State::local(LocalSource::new(
        "context",
        LocalSession::Session("sess-1".into()),
    ))
    .unwrap();
    let mut dir = Mkdir::new("app/data/", 0o750);
    dir.make_parents = true;
    dir.owner = Some(Chown {
        user: Some(UserRef::Name("app".into())),
        group: Some(UserRef::Name("staff".into())),
    });
    let mut file = Mkfile::new("/app/hello.txt", 0o644, b"hello\n".to_vec());
    file.owner = Some(Chown::ids(1, 0));
    let mut cp = FileCopy::new(ctx, "src/./", "/app/src/");
    cp.include_patterns = vec!["**/*.rs".into()];
    cp.exclude_patterns = vec!["target".into()];
    cp.attempt_unpack = true;
    cp.follow_symlinks = true;
    let mut rm = Rm::new("/app/*.tmp");
    rm.allow_not_found = true;
    rm.allow_wildcard = true;
    assert_eq!(
        last_op(&img.file(vec![dir.into(), file.into(), cp.into(), rm.into()])),
        "sha256:e924f8c5af08fc83e303fa9ab2b17a37c40cdc1175636f579bc3cd759ead475f"
    );
}
