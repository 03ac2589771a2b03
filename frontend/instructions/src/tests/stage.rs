use super::dockerfile;
use crate::{ErrorKind, Instruction};

#[test]
fn stages_and_meta_args() {
    let text = "\
ARG BASE=alpine
ARG TAG
FROM $BASE:$TAG AS Build
ARG TAG
RUN make

FROM scratch
COPY --from=build /out /
";
    let df = dockerfile(text).unwrap();
    assert_eq!(df.meta_args.len(), 2);
    assert_eq!(df.meta_args[0].args[0].name, "BASE");
    assert_eq!(df.meta_args[1].origin.span.start, 2);
    assert_eq!(df.stages.len(), 2);

    let build = &df.stages[0];
    assert_eq!(
        build.name.as_ref().map(|n| n.original.as_str()),
        Some("Build")
    );
    assert_eq!(build.base.base, "$BASE:$TAG");
    let names: Vec<&str> = build.commands.iter().map(Instruction::name).collect();
    assert_eq!(names, ["ARG", "RUN"]);
    assert_eq!((build.span.start, build.span.end), (3, 5));

    let last = &df.stages[1];
    assert_eq!(last.name, None);
    assert_eq!((last.span.start, last.span.end), (7, 8));
    assert_eq!(df.stage_index("BUILD"), Some(0));
    assert_eq!(df.stage_index("build"), Some(0));
    assert_eq!(df.stage_index("missing"), None);
}

#[test]
fn instruction_origins() {
    let df = dockerfile("FROM scratch\nrun   echo \\\n  hi\n").unwrap();
    let origin = df.stages[0].commands[0].origin();
    assert_eq!(origin.keyword, "run");
    assert_eq!((origin.span.start, origin.span.end), (2, 3));
    assert!(
        origin.original.starts_with("run   echo"),
        "{}",
        origin.original
    );
}

#[test]
fn structure_errors() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "RUN true\nFROM scratch\n",
            1,
            "dockerfile parse error on line 1: no build stage in current context: RUN comes before the first FROM (only ARG may precede FROM)",
        ),
        (
            "ARG A\nENV B=1\nFROM scratch\n",
            2,
            "ENV comes before the first FROM",
        ),
        ("ARG A\n", 1, "dockerfile contains no stages to build"),
        (
            "FROM scratch\nRUNN true\n",
            2,
            "dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)",
        ),
        (
            "FROM scratch\ncopyy a b\n",
            2,
            "unknown instruction: copyy (did you mean copy?)",
        ),
        (
            "FROM scratch\nBANANA split\n",
            2,
            "unknown instruction: BANANA",
        ),
        (
            "FROM scratch\nRUN true\nFROM scratch AS 9\n",
            3,
            "invalid name for build stage",
        ),
    ];
    for (text, line, want) in cases {
        let err = dockerfile(text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(want), "{text:?}: {msg}");
        assert_eq!(err.line(), *line, "{text:?}: {msg}");
    }
    let err = dockerfile("FROM scratch\nBANANA split\n").unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::UnknownInstruction {
            name: "BANANA".into(),
            suggestion: None
        }
    );
}

#[test]
fn error_display() {
    let cases: &[(&str, &str)] = &[
        (
            "FROM scratch\nRUN --foo true\n",
            "dockerfile parse error on line 2 (RUN): unknown flag: --foo",
        ),
        (
            "FROM scratch\n\ncopy --lnk a b\n",
            "dockerfile parse error on line 3 (COPY): unknown flag: --lnk (did you mean --link?)",
        ),
        (
            "WORKDIR /x\n",
            "dockerfile parse error on line 1: no build stage in current context: WORKDIR comes before the first FROM (only ARG may precede FROM)",
        ),
        (
            "FROM scratch\nEXPOS 80\n",
            "dockerfile parse error on line 2: unknown instruction: EXPOS (did you mean EXPOSE?)",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(dockerfile(text).unwrap_err().to_string(), *want, "{text:?}");
    }
}

#[test]
fn doc_comments() {
    let text = "\
# VERSION picks the release
ARG VERSION=1

# builder compiles everything
FROM alpine AS builder
# unrelated words
ARG VERSION
# A first one
# B second one
ARG A B=2
";
    let df = dockerfile(text).unwrap();
    assert_eq!(
        df.meta_args[0].args[0].description.as_deref(),
        Some("picks the release")
    );
    let stage = &df.stages[0];
    assert_eq!(
        stage.base.description.as_deref(),
        Some("compiles everything")
    );
    let described: Vec<Vec<Option<&str>>> = stage
        .commands
        .iter()
        .map(|c| match c {
            Instruction::Arg(a) => a.args.iter().map(|p| p.description.as_deref()).collect(),
            other => panic!("not ARG: {other:?}"),
        })
        .collect();
    assert_eq!(
        described,
        [vec![None], vec![Some("first one"), Some("second one")]]
    );
}
