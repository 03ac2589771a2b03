use crate::testutil::*;

#[test]
fn triggers_from_the_base_image_run_first_and_are_not_inherited() {
    let mut r = FakeResolver::new();
    r.add(
        "docker.io/library/onb:1",
        Some(digest('d')),
        r#"{"os":"linux","architecture":"amd64","config":{"OnBuild":["ENV FROM_IMAGE=1","WORKDIR /w"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}}"#,
    );
    let l = lower_with("FROM onb:1\nENV MINE=$FROM_IMAGE\n", &options(), &r).unwrap();
    assert_eq!(l.image.config.env_value("MINE"), Some("1"));
    assert!(l.image.config.on_build.is_empty());
    let h = history(&l);
    assert_eq!(h[0].0, "ENV FROM_IMAGE=1");
    assert_eq!(h[1].0, "WORKDIR /w");
    // FROM + the WORKDIR trigger (ENV triggers count too: the reference
    // adds every trigger to the total, but only after naming FROM).
    assert_eq!(
        op_names(&l),
        [
            format!("[1/1] FROM docker.io/library/onb:1@{}", digest('d')),
            "[2/3] ONBUILD WORKDIR /w".to_string(),
        ]
    );
}

#[test]
fn triggers_of_a_base_stage_run_in_its_children_only() {
    let text = "FROM busybox AS base\nONBUILD ENV X=1\nENV Y=2\nFROM base\nENV Z=$X$Y\n";
    let l = lower_text(text).unwrap();
    assert_eq!(l.image.config.env_value("Z"), Some("12"));
    assert!(l.image.config.on_build.is_empty());
    let mut o = options();
    o.target = Some("base".into());
    let base = lower_with(text, &o, &FakeResolver::new()).unwrap();
    assert_eq!(base.image.config.env_value("X"), None);
    assert_eq!(base.image.config.on_build, ["ENV X=1"]);
}

#[test]
fn stage_built_on_a_stage_inherits_its_state_args_and_workdir() {
    let text = "FROM busybox AS base\nARG V=1\nWORKDIR /src\nFROM base\nENV E=$V\nWORKDIR rel\n";
    let l = lower_text(text).unwrap();
    assert_eq!(l.image.config.env_value("E"), Some("1"));
    assert_eq!(l.image.config.working_dir, "/src/rel");
    let names = op_names(&l);
    assert_eq!(
        names,
        [
            format!(
                "[base 1/2] FROM docker.io/library/busybox:latest@{}",
                digest('b')
            ),
            "[base 2/2] WORKDIR /src".to_string(),
            "[stage-1 1/1] WORKDIR rel".to_string(),
        ]
    );
}

#[test]
fn a_stage_first_needed_by_a_trigger_counts_from_once_per_resolve_pass() {
    // Stage `a` is only reachable once `base`'s trigger is added (the second
    // resolve pass); the reference named its FROM in both passes.
    let l = lower_text(
        "FROM busybox AS a\nRUN echo a > /x\nFROM busybox AS base\nONBUILD COPY --from=a /x /x\nFROM base\n",
    )
    .unwrap();
    let names = op_names(&l);
    assert!(
        names.contains(&format!(
            "[a 2/2] FROM docker.io/library/busybox:latest@{}",
            digest('b')
        )),
        "{names:?}"
    );
    assert!(
        names.contains(&"[a 3/2] RUN echo a > /x".to_string()),
        "{names:?}"
    );
}
