use crate::{
    BindMount, CacheMount, CacheSharing, Mount, MountSpec, SecretMount, SshMount, TmpfsMount,
    ram_in_bytes,
};

fn resolve(raw: &str) -> Result<Mount, String> {
    MountSpec::new(raw)
        .resolve(|s| Ok::<_, String>(s.to_string()))
        .map_err(|e| e.to_string())
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn bind_mounts() {
    let cases: &[(&str, BindMount)] = &[
        (
            "target=/src",
            BindMount {
                target: s("/src"),
                source: None,
                from: None,
                read_only: true,
            },
        ),
        (
            "type=bind,source=sub,target=/src,from=build",
            BindMount {
                target: s("/src"),
                source: s("sub"),
                from: s("build"),
                read_only: true,
            },
        ),
        (
            "type=bind,dst=/a,src=b,rw",
            BindMount {
                target: s("/a"),
                source: s("b"),
                from: None,
                read_only: false,
            },
        ),
        (
            "destination=/a,readwrite=true",
            BindMount {
                target: s("/a"),
                source: None,
                from: None,
                read_only: false,
            },
        ),
        (
            "target=/a,ro=false",
            BindMount {
                target: s("/a"),
                source: None,
                from: None,
                read_only: false,
            },
        ),
        (
            "target=/a,rw,readonly",
            BindMount {
                target: s("/a"),
                source: None,
                from: None,
                read_only: true,
            },
        ),
        (
            "TYPE=BIND,Target=/a",
            BindMount {
                target: s("/a"),
                source: None,
                from: None,
                read_only: true,
            },
        ),
    ];
    for (raw, want) in cases {
        assert_eq!(resolve(raw), Ok(Mount::Bind(want.clone())), "{raw}");
    }
}

#[test]
fn cache_mounts() {
    let base = CacheMount {
        target: s("/root/.cache"),
        id: None,
        sharing: CacheSharing::Shared,
        from: None,
        source: None,
        read_only: false,
        mode: None,
        uid: None,
        gid: None,
    };
    let cases: Vec<(&str, CacheMount)> = vec![
        ("type=cache,target=/root/.cache", base.clone()),
        (
            "type=cache,target=/root/.cache,id=go,sharing=locked,mode=0700,uid=1000,gid=100",
            CacheMount {
                id: s("go"),
                sharing: CacheSharing::Locked,
                mode: Some(0o700),
                uid: Some(1000),
                gid: Some(100),
                ..base.clone()
            },
        ),
        (
            "type=cache,target=/root/.cache,sharing=PRIVATE,from=seed,source=/c,ro",
            CacheMount {
                sharing: CacheSharing::Private,
                from: s("seed"),
                source: s("/c"),
                read_only: true,
                ..base.clone()
            },
        ),
    ];
    for (raw, want) in cases {
        assert_eq!(resolve(raw), Ok(Mount::Cache(want)), "{raw}");
    }
}

#[test]
fn tmpfs_mounts() {
    let cases: &[(&str, Option<i64>)] = &[
        ("type=tmpfs,target=/t", None),
        ("type=tmpfs,target=/t,size=64m", Some(64 << 20)),
        ("type=tmpfs,target=/t,size=1024", Some(1024)),
        ("type=tmpfs,target=/t,size=1.5GiB", Some(3 << 29)),
    ];
    for (raw, size) in cases {
        let want = TmpfsMount {
            target: s("/t"),
            size: *size,
            read_only: false,
        };
        assert_eq!(resolve(raw), Ok(Mount::Tmpfs(want)), "{raw}");
    }
}

#[test]
fn secret_mounts() {
    let base = SecretMount {
        id: None,
        source: None,
        target: None,
        env: None,
        required: false,
        read_only: true,
        mode: None,
        uid: None,
        gid: None,
    };
    let cases: Vec<(&str, SecretMount, &str)> = vec![
        (
            "type=secret,id=aws",
            SecretMount {
                id: s("aws"),
                ..base.clone()
            },
            "aws",
        ),
        (
            "type=secret,target=/run/secrets/token",
            SecretMount {
                target: s("/run/secrets/token"),
                ..base.clone()
            },
            "token",
        ),
        (
            "type=secret,source=npmrc,target=/root/.npmrc",
            SecretMount {
                source: s("npmrc"),
                target: s("/root/.npmrc"),
                ..base.clone()
            },
            "npmrc",
        ),
        (
            "type=secret,id=tok,env=TOKEN,required,mode=0440,uid=1,gid=2",
            SecretMount {
                id: s("tok"),
                env: s("TOKEN"),
                required: true,
                mode: Some(0o440),
                uid: Some(1),
                gid: Some(2),
                ..base.clone()
            },
            "tok",
        ),
        (
            "type=secret,id=a,required=false",
            SecretMount {
                id: s("a"),
                ..base.clone()
            },
            "a",
        ),
    ];
    for (raw, want, id) in cases {
        assert_eq!(resolve(raw), Ok(Mount::Secret(want.clone())), "{raw}");
        assert_eq!(want.secret_id().as_deref(), Some(id), "{raw}");
    }
}

#[test]
fn ssh_mounts() {
    let base = SshMount {
        id: None,
        source: None,
        target: None,
        required: false,
        read_only: true,
        mode: None,
        uid: None,
        gid: None,
    };
    let cases: Vec<(&str, SshMount)> = vec![
        ("type=ssh", base.clone()),
        (
            "type=ssh,id=github,target=/ssh.sock,required=true,mode=0666,uid=5,gid=6",
            SshMount {
                id: s("github"),
                target: s("/ssh.sock"),
                required: true,
                mode: Some(0o666),
                uid: Some(5),
                gid: Some(6),
                ..base.clone()
            },
        ),
    ];
    for (raw, want) in cases {
        assert_eq!(resolve(raw), Ok(Mount::Ssh(want)), "{raw}");
    }
}

#[test]
fn values_are_expanded_except_from() {
    let spec = MountSpec::new("type=cache,target=$DIR,id=${ID},from=stage$");
    let mount = spec
        .resolve(|v| Ok::<_, String>(v.replace("$DIR", "/cache").replace("${ID}", "x")))
        .unwrap();
    let Mount::Cache(cache) = mount else {
        panic!("not a cache mount")
    };
    assert_eq!(cache.target.as_deref(), Some("/cache"));
    assert_eq!(cache.id.as_deref(), Some("x"));
    assert_eq!(cache.from.as_deref(), Some("stage$"));

    let err = MountSpec::new("target=$BAD")
        .resolve(|_| Err("boom"))
        .unwrap_err();
    assert_eq!(err.to_string(), "expanding mount option target: boom");
}

#[test]
fn mount_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "type=cahce,target=/a",
            "unsupported mount type \"cahce\" (did you mean cache?)",
        ),
        ("type=volume", "unsupported mount type \"volume\""),
        (
            "type=cache,target=/a,sharing=shard",
            "unsupported sharing value \"shard\" (did you mean shared?)",
        ),
        (
            "target=/a,foo",
            "invalid field 'foo' must be a key=value pair",
        ),
        (
            "target=/a,required",
            "unexpected key 'required' for mount type 'bind'",
        ),
        (
            "type=cache,target=/a,required=true",
            "unexpected key 'required' for mount type 'cache'",
        ),
        (
            "type=cache,target=/a,size=10",
            "unexpected key 'size' for mount type 'cache'",
        ),
        (
            "size=10m,type=tmpfs,target=/a",
            "unexpected key 'size' for mount type 'bind'",
        ),
        (
            "type=tmpfs,target=/a,size=lots",
            "invalid value for size: lots",
        ),
        (
            "target=/a,tagret=/b",
            "unexpected key 'tagret' in 'tagret=/b' (did you mean target?)",
        ),
        ("target=/a,ro=maybe", "invalid value for ro: maybe"),
        ("target=/a,rw=2", "invalid value for rw: 2"),
        (
            "type=cache,target=/a,mode=999",
            "invalid value 999 for mode",
        ),
        ("type=cache,target=/a,uid=-1", "invalid value -1 for uid"),
        ("type=cache,target=/a,uid=+1", "invalid value +1 for uid"),
        (
            "type=cache,target=/a,mode=+755",
            "invalid value +755 for mode",
        ),
        (
            "type=cache,target=/a,uid=4294967296",
            "invalid value 4294967296 for uid",
        ),
        ("type=cache,target=/a,gid=x", "invalid value x for gid"),
        (
            "target=/a,mode=0755",
            "mode not allowed for \"bind\" type mounts",
        ),
        (
            "type=tmpfs,target=/a,uid=0",
            "uid not allowed for \"tmpfs\" type mounts",
        ),
        (
            "type=secret,id=a,from=b",
            "secret mount should not have a from",
        ),
        (
            "type=secret,id=a,sharing=locked",
            "secret mount should not define sharing",
        ),
        (
            "type=secret",
            "invalid secret mount. one of source, target required",
        ),
        (
            "type=secret,id=a,source=b",
            "both source and id can't be set",
        ),
        (
            "target=/a,sharing=locked",
            "invalid cache sharing set for bind mount",
        ),
        (
            "target=/a,from=${STAGE}",
            "'from' doesn't support variable expansion, define alias stage instead",
        ),
        ("target=\"/a", "failed to parse csv mounts"),
    ];
    for (raw, want) in cases {
        let got = resolve(raw).unwrap_err();
        assert!(got.contains(want), "{raw}: {got:?} lacks {want:?}");
    }
}

#[test]
fn ram_sizes() {
    let cases: &[(&str, Option<i64>)] = &[
        ("0", Some(0)),
        ("512", Some(512)),
        ("1k", Some(1024)),
        ("1KB", Some(1024)),
        ("1KiB", Some(1024)),
        ("2 mb", Some(2 << 20)),
        ("1g", Some(1 << 30)),
        ("1t", Some(1 << 40)),
        ("1p", Some(1 << 50)),
        ("0.5k", Some(512)),
        ("", None),
        ("k", None),
        ("-1", None),
        ("1x", None),
        ("1kk", None),
        ("1.", None),
    ];
    for (text, want) in cases {
        assert_eq!(ram_in_bytes(text), *want, "{text:?}");
    }
}
