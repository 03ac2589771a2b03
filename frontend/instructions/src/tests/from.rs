use super::{dockerfile, strings};
use crate::StageName;

/// (text, base, name as written, lookup name, platform)
type FromCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

#[test]
fn from_forms() {
    let cases: &[FromCase] = &[
        ("FROM alpine", "alpine", None, None, None),
        (
            "FROM alpine:3.20 AS build",
            "alpine:3.20",
            Some("build"),
            Some("build"),
            None,
        ),
        (
            "from busybox as Builder",
            "busybox",
            Some("Builder"),
            Some("builder"),
            None,
        ),
        (
            "FROM --platform=$BUILDPLATFORM golang AS b-1.x_y",
            "golang",
            Some("b-1.x_y"),
            Some("b-1.x_y"),
            Some("$BUILDPLATFORM"),
        ),
        ("FROM ${IMAGE}", "${IMAGE}", None, None, None),
        (
            "FROM --platform=linux/arm64 scratch",
            "scratch",
            None,
            None,
            Some("linux/arm64"),
        ),
    ];
    for (text, base, original, lookup, platform) in cases {
        let df = dockerfile(text).unwrap();
        let stage = &df.stages[0];
        assert_eq!(stage.base.base, *base, "{text}");
        assert_eq!(
            stage.name.as_ref().map(|n| n.original.as_str()),
            *original,
            "{text}"
        );
        assert_eq!(
            stage.name.as_ref().map(|n| n.lookup.as_str()),
            *lookup,
            "{text}"
        );
        assert_eq!(stage.base.name, stage.name, "{text}");
        assert_eq!(stage.base.platform.as_deref(), *platform, "{text}");
        assert_eq!(stage.base.origin.original, *text);
        let as_word = text
            .split_whitespace()
            .find(|w| w.eq_ignore_ascii_case("as"));
        assert_eq!(stage.base.as_keyword.as_deref(), as_word, "{text}");
        assert_eq!(stage.base.origin.span.start, 1);
    }
}

#[test]
fn stage_name_rule() {
    for ok in ["a", "abc", "a1", "a-b", "a_b", "a.b", "ABC", "Zed-1"] {
        assert!(StageName::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["1abc", "-a", "_a", ".a", "a/b", "a:b", "a b", "", "é"] {
        assert!(StageName::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn from_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "FROM alpine AS 1st",
            "invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
        ),
        (
            "FROM alpine AS a$b",
            "invalid name for build stage: \"a$b\"",
        ),
        (
            "FROM alpine AS",
            "FROM requires either one or three arguments",
        ),
        (
            "FROM alpine build",
            "FROM requires either one or three arguments",
        ),
        (
            "FROM alpine IS build",
            "FROM requires either one or three arguments",
        ),
        (
            "FROM a AS b c",
            "FROM requires either one or three arguments",
        ),
        (
            "FROM --plaform=x alpine",
            "unknown flag: --plaform (did you mean --platform?)",
        ),
        (
            "FROM --platform alpine",
            "missing a value on flag: --platform",
        ),
        (
            "FROM --from=x alpine",
            "--from is a flag of COPY, not of FROM",
        ),
    ];
    for (text, want) in cases {
        let err = dockerfile(text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(want), "{text}: {msg}");
        assert_eq!(err.line(), 1, "{text}");
        assert_eq!(err.instruction.as_deref(), Some("FROM"), "{text}");
    }
}

#[test]
fn stage_description_from_comment() {
    let df = dockerfile("# build compiles the code\nFROM alpine AS build\n").unwrap();
    assert_eq!(
        df.stages[0].base.description.as_deref(),
        Some("compiles the code")
    );
    assert_eq!(
        df.stages[0].base.origin.comments,
        strings(&["build compiles the code"])
    );
}
