use super::{assert_errors, one};
use crate::{CommandLine, Instruction, OnbuildInstruction};

fn onbuild(body: &str) -> OnbuildInstruction {
    match one(body) {
        Instruction::Onbuild(o) => o,
        other => panic!("{body}: not ONBUILD: {other:?}"),
    }
}

#[test]
fn triggers() {
    let cases: &[(&str, &str, &str)] = &[
        ("ONBUILD RUN echo hi", "RUN", "RUN echo hi"),
        ("onbuild copy . /app", "COPY", "copy . /app"),
        ("ONBUILD   ADD --chown=1 a b", "ADD", "ADD --chown=1 a b"),
        (
            "ONBUILD COPY --from=build /x /y",
            "COPY",
            "COPY --from=build /x /y",
        ),
        (
            "ONBUILD RUN --mount=type=cache,target=/c make",
            "RUN",
            "RUN --mount=type=cache,target=/c make",
        ),
    ];
    for (body, trigger, expression) in cases {
        let o = onbuild(body);
        assert_eq!(o.trigger, *trigger, "{body}");
        assert_eq!(o.expression, *expression, "{body}");
        assert_eq!(o.parse_trigger().unwrap().name(), *trigger, "{body}");
    }
}

#[test]
fn trigger_with_heredoc_keeps_body() {
    let o = onbuild("ONBUILD RUN <<EOF\necho hi\nEOF");
    assert_eq!(o.expression, "RUN <<EOF\necho hi\nEOF");
    let Instruction::Run(run) = o.parse_trigger().unwrap() else {
        panic!("not RUN")
    };
    assert_eq!(run.command, CommandLine::Shell("<<EOF".into()));
}

#[test]
fn trigger_is_only_typed_on_demand() {
    // Like the reference, a bad trigger is the child build's problem.
    let o = onbuild("ONBUILD RUN --bogus true");
    let err = o.parse_trigger().unwrap_err();
    assert!(err.to_string().contains("unknown flag: --bogus"), "{err}");
}

#[test]
fn onbuild_errors() {
    assert_errors(&[
        (
            "ONBUILD ONBUILD RUN x",
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        ),
        (
            "ONBUILD FROM alpine",
            "FROM isn't allowed as an ONBUILD trigger",
        ),
        (
            "ONBUILD maintainer me",
            "MAINTAINER isn't allowed as an ONBUILD trigger",
        ),
        ("ONBUILD", "ONBUILD requires at least one argument"),
    ]);
}
