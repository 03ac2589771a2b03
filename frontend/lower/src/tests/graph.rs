use crate::testutil::*;
use crate::{EdgeKind, GraphNodeKind, LowerErrorKind, list_targets, stage_graph};

fn dockerfile(text: &str) -> stagecraft_instructions::Dockerfile {
    let parsed = stagecraft_syntax::parse(text).unwrap();
    stagecraft_instructions::parse_dockerfile(&parsed).unwrap()
}

#[test]
fn unneeded_stage_is_neither_resolved_nor_lowered() {
    let text = "FROM alpine:3.19 AS bad\nRUN exit 1\nFROM busybox\nENV A=1\n";
    let r = FakeResolver::new();
    let l = lower_with(text, &options(), &r).unwrap();
    let refs: Vec<String> = r.calls().into_iter().map(|c| c.0).collect();
    assert_eq!(refs, ["docker.io/library/busybox:latest"]);
    assert!(op_names(&l).iter().all(|n| !n.contains("exit 1")));
    // Two stages in the file: names carry the stage name.
    assert_eq!(
        op_names(&l),
        [format!(
            "[stage-1 1/1] FROM docker.io/library/busybox:latest@{}",
            digest('b')
        )]
    );
}

#[test]
fn target_is_case_insensitive_and_unknown_target_lists_stages() {
    let text = "FROM busybox AS Build\nENV A=1\nFROM alpine:3.19 AS final\n";
    let mut o = options();
    o.target = Some("BUILD".into());
    let r = FakeResolver::new();
    let l = lower_with(text, &o, &r).unwrap();
    assert_eq!(l.image.config.env_value("A"), Some("1"));
    assert_eq!(r.calls().len(), 1);

    o.target = Some("nope".into());
    let err = lower_with(text, &o, &FakeResolver::new()).unwrap_err();
    match &err.kind {
        LowerErrorKind::UnknownTarget { target, known, .. } => {
            assert_eq!(target, "nope");
            assert_eq!(known, &["build".to_string(), "final".to_string()]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("build, final"), "{err}");
    o.target = Some("buidl".into());
    let err = lower_with(text, &o, &FakeResolver::new()).unwrap_err();
    assert!(err.to_string().contains("did you mean build?"), "{err}");
}

#[test]
fn unknown_target_in_a_file_without_named_stages_says_so() {
    let mut o = options();
    o.target = Some("nope".into());
    let err = lower_with("FROM busybox\nRUN true\n", &o, &FakeResolver::new()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("has no named stages"), "{msg}");
    assert!(!msg.contains("(stages: )"), "{msg}");
}

#[test]
fn copy_from_a_later_stage_names_both_stages_and_the_line() {
    let text = "FROM busybox AS one\nCOPY --from=two /a /a\nFROM busybox AS two\nFROM one\n";
    let err = lower_text(text).unwrap_err();
    assert_eq!(err.span.map(|s| s.start), Some(2));
    let msg = err.to_string();
    assert!(msg.contains("\"two\"") && msg.contains("\"one\""), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
}

#[test]
fn cycles_are_rejected() {
    let text = "FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nCOPY --from=a /y /y\n";
    let err = lower_text(text).unwrap_err();
    assert!(matches!(err.kind, LowerErrorKind::Cycle { .. }), "{err:?}");
}

#[test]
fn from_with_variables_and_bad_index_are_errors() {
    let err = lower_text("FROM busybox\nCOPY --from=$X /a /b\n").unwrap_err();
    assert!(matches!(err.kind, LowerErrorKind::FromExpansion));
    assert_eq!(err.span.map(|s| s.start), Some(2));
    let err = lower_text("FROM busybox\nCOPY --from=5 /a /b\n").unwrap_err();
    assert!(matches!(
        err.kind,
        LowerErrorKind::StageIndex { index: 5, count: 1 }
    ));
}

#[test]
fn graph_has_base_copy_mount_edges_and_implicit_images() {
    let df = dockerfile(
        "FROM busybox AS base\nFROM busybox AS tools\nFROM base AS build\nRUN --mount=from=tools,target=/t true\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1 /c /c\n",
    );
    let g = stage_graph(&df, '\\', None).unwrap();
    let edge = |from: usize, to: usize, kind: EdgeKind| {
        g.edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.kind == kind)
    };
    assert!(edge(2, 0, EdgeKind::Base));
    assert!(edge(2, 1, EdgeKind::MountFrom));
    assert!(edge(3, 2, EdgeKind::CopyFrom));
    assert!(edge(3, 0, EdgeKind::CopyFrom));
    assert_eq!(g.nodes.len(), 5);
    assert_eq!(
        g.nodes[4].kind,
        GraphNodeKind::Image {
            reference: "nginx:1".into()
        }
    );
    assert_eq!(g.target, 3);
    assert_eq!(
        g.reachable.iter().copied().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );

    let g = stage_graph(&df, '\\', Some("tools")).unwrap();
    assert_eq!(g.reachable.iter().copied().collect::<Vec<_>>(), [1]);
}

#[test]
fn mounting_a_later_stage_is_an_error_on_the_run_line() {
    let df = dockerfile(
        "FROM busybox AS build\nRUN --mount=from=tools,target=/t true\nFROM busybox AS tools\nFROM build\n",
    );
    let err = stage_graph(&df, '\\', None).unwrap_err();
    assert_eq!(err.span.map(|s| s.start), Some(2));
    assert!(
        err.to_string()
            .contains("cannot mount from stage \"tools\""),
        "{err}"
    );
}

#[test]
fn targets_list_names_bases_and_default() {
    let df =
        dockerfile("ARG V=1\n# build compiles things\nFROM golang:${V} AS Build\nFROM scratch\n");
    let t = list_targets(&df);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].name, "build");
    assert_eq!(t[0].base, "golang:${V}");
    assert_eq!(t[0].description.as_deref(), Some("compiles things"));
    assert!(!t[0].is_default && t[1].is_default);
    assert_eq!(t[1].name, "stage-1");
    assert!(!t[1].named);
}

#[test]
fn onbuild_copy_from_in_a_base_stage_makes_the_child_need_that_stage() {
    let df = dockerfile(
        "FROM busybox AS a\nFROM busybox AS base\nONBUILD COPY --from=a /x /x\nFROM base\n",
    );
    let g = stage_graph(&df, '\\', None).unwrap();
    assert!(g.reachable.contains(&0), "{g:?}");
    assert!(
        g.edges
            .iter()
            .any(|e| e.from == 2 && e.to == 0 && e.kind == EdgeKind::CopyFrom)
    );
}

#[test]
fn a_repeated_stage_name_means_the_latest_definition() {
    let df = dockerfile("FROM busybox AS x\nFROM x AS x\nFROM scratch\nCOPY --from=x /a /a\n");
    let g = stage_graph(&df, '\\', None).unwrap();
    assert!(
        g.edges
            .iter()
            .any(|e| e.from == 1 && e.to == 0 && e.kind == EdgeKind::Base)
    );
    assert!(
        g.edges
            .iter()
            .any(|e| e.from == 2 && e.to == 1 && e.kind == EdgeKind::CopyFrom)
    );
}

#[test]
fn copy_from_is_read_with_the_files_escape_character() {
    // With a backtick escape, a backslash is an ordinary character: the
    // value names an image, as in the reference.
    let text = "# escape=`\nFROM busybox AS base\nFROM scratch\nCOPY --from=my\\img /a /b\n";
    let parsed = stagecraft_syntax::parse(text).unwrap();
    assert_eq!(parsed.escape, '`');
    let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
    let g = stage_graph(&df, parsed.escape, None).unwrap();
    assert!(
        g.nodes.iter().any(|n| n.kind
            == GraphNodeKind::Image {
                reference: "my\\img".into()
            }),
        "{g:?}"
    );
    // ... and the backtick escapes: flag parsing leaves `ba`se` of a doubled
    // one, which the lexer then reads as an escape, so it is refused as an
    // expansion (a backslash lexer took it for an image name).
    let text = "# escape=`\nFROM busybox AS base\nFROM scratch\nCOPY --from=ba``se /a /b\n";
    let parsed = stagecraft_syntax::parse(text).unwrap();
    let df = stagecraft_instructions::parse_dockerfile(&parsed).unwrap();
    let err = stage_graph(&df, parsed.escape, None).unwrap_err();
    assert_eq!(err.kind, LowerErrorKind::FromExpansion, "{err}");
    assert_eq!(err.span.map(|s| s.start), Some(4));
    let err = lower_text(text).unwrap_err();
    assert_eq!(err.kind, LowerErrorKind::FromExpansion, "{err}");
}
