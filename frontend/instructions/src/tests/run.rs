use super::{assert_errors, one, strings};
use crate::{CommandLine, Device, Instruction, NetworkMode, RunInstruction, SecurityMode};

fn run(body: &str) -> RunInstruction {
    match one(body) {
        Instruction::Run(r) => r,
        other => panic!("{body}: not RUN: {other:?}"),
    }
}

#[test]
fn command_forms() {
    let cases: &[(&str, CommandLine)] = &[
        ("RUN echo hi", CommandLine::Shell("echo hi".into())),
        (
            "RUN   make  -j4  all",
            CommandLine::Shell("make  -j4  all".into()),
        ),
        (
            r#"RUN ["echo", "hi there"]"#,
            CommandLine::Exec(strings(&["echo", "hi there"])),
        ),
        ("RUN []", CommandLine::Exec(vec![])),
        ("RUN [\"a\" oops", CommandLine::Shell("[\"a\" oops".into())),
        (
            "RUN --network=none echo x",
            CommandLine::Shell("echo x".into()),
        ),
    ];
    for (body, want) in cases {
        let r = run(body);
        assert_eq!(&r.command, want, "{body}");
        assert_eq!(r.origin.original, *body);
        assert_eq!(r.origin.span.start, 2);
    }
}

#[test]
fn heredoc_command() {
    let r = run("RUN <<EOF\necho one\necho two\nEOF");
    assert_eq!(r.command, CommandLine::Shell("<<EOF".into()));
    assert_eq!(r.heredocs.len(), 1);
    assert_eq!(r.heredocs[0].name, "EOF");
    assert_eq!(r.heredocs[0].content, "echo one\necho two\n");
    assert_eq!((r.origin.span.start, r.origin.span.end), (2, 5));
}

#[test]
fn network_and_security() {
    let cases: &[(&str, NetworkMode, SecurityMode)] = &[
        ("RUN true", NetworkMode::Default, SecurityMode::Sandbox),
        (
            "RUN --network=default true",
            NetworkMode::Default,
            SecurityMode::Sandbox,
        ),
        (
            "RUN --network=none true",
            NetworkMode::None,
            SecurityMode::Sandbox,
        ),
        (
            "RUN --network=host true",
            NetworkMode::Host,
            SecurityMode::Sandbox,
        ),
        (
            "RUN --security=insecure true",
            NetworkMode::Default,
            SecurityMode::Insecure,
        ),
        (
            "RUN --security=sandbox --network=host true",
            NetworkMode::Host,
            SecurityMode::Sandbox,
        ),
    ];
    for (body, network, security) in cases {
        let r = run(body);
        assert_eq!(r.network, *network, "{body}");
        assert_eq!(r.security, *security, "{body}");
    }
}

#[test]
fn flags_used_and_mounts_kept_raw() {
    let r = run(
        "RUN --mount=type=cache,target=/root/.cache --network=none --mount=type=secret,id=${ID} go build",
    );
    assert_eq!(r.flags_used, strings(&["mount", "network"]));
    assert_eq!(r.mounts.len(), 2);
    assert_eq!(r.mounts[0].raw, "type=cache,target=/root/.cache");
    assert_eq!(r.mounts[1].raw, "type=secret,id=${ID}");
    assert_eq!(r.command, CommandLine::Shell("go build".into()));
}

#[test]
fn devices() {
    let cases: &[(&str, &[(&str, bool)])] = &[
        (
            "RUN --device=vendor.com/gpu=all true",
            &[("vendor.com/gpu=all", false)],
        ),
        (
            "RUN --device=name=nvidia.com/gpu=0,required true",
            &[("nvidia.com/gpu=0", true)],
        ),
        (
            "RUN --device=a,required=false --device=b,required=true true",
            &[("a", false), ("b", true)],
        ),
    ];
    for (body, want) in cases {
        let r = run(body);
        let want: Vec<Device> = want
            .iter()
            .map(|(n, r)| Device {
                name: n.to_string(),
                required: *r,
            })
            .collect();
        assert_eq!(r.devices, want, "{body}");
    }
}

#[test]
fn run_errors() {
    assert_errors(&[
        (
            "RUN --network=bridge true",
            "invalid network mode \"bridge\"",
        ),
        (
            "RUN --security=privileged true",
            "security \"privileged\" is not valid",
        ),
        ("RUN --network true", "missing a value on flag: --network"),
        (
            "RUN --network=none --network=host true",
            "duplicate flag specified: --network",
        ),
        ("RUN --mount true", "missing a value on flag: --mount"),
        (
            "RUN --mont=type=cache true",
            "unknown flag: --mont (did you mean --mount?)",
        ),
        (
            "RUN --chown=1 true",
            "(RUN): unknown flag: --chown (--chown is a flag of COPY and ADD, not of RUN)",
        ),
        (
            "RUN --mount=type=bind,from=$X true",
            "'from' doesn't support variable expansion",
        ),
        (
            "RUN --device=a,b true",
            "invalid field 'b' must be a key=value pair",
        ),
        (
            "RUN --device=a,required=maybe true",
            "invalid value for required: maybe",
        ),
        ("RUN --device=a,name=b true", "device name already set to a"),
        (
            "RUN --device=a,nmae=b true",
            "unexpected key 'nmae' in 'nmae=b' (did you mean name?)",
        ),
    ]);
}

#[test]
fn heredoc_variants() {
    let r = run("RUN [\"<<EOF\"]");
    assert_eq!(r.command, CommandLine::Exec(strings(&["<<EOF"])));
    assert!(r.heredocs.is_empty());

    let r = run("RUN <<'EOF' | python3\nprint(\"$HOME\")\nEOF");
    assert_eq!(r.command, CommandLine::Shell("<<'EOF' | python3".into()));
    assert_eq!(r.heredocs[0].content, "print(\"$HOME\")\n");
    assert!(!r.heredocs[0].expand);

    // Tabs stay in the body; `chomp` tells the dispatcher to drop them.
    let r = run("RUN <<-EOF\n\techo test\n\tEOF");
    assert_eq!(r.command, CommandLine::Shell("<<-EOF".into()));
    assert_eq!(r.heredocs[0].content, "\techo test\n");
    assert!(r.heredocs[0].chomp);
    assert_eq!(r.heredocs[0].body(), "echo test\n");

    let r = run("RUN 3<<A cat /dev/fd/3 <<B\none\nA\ntwo\nB");
    let docs: Vec<(&str, u32, &str)> = r
        .heredocs
        .iter()
        .map(|h| (h.name.as_str(), h.fd, h.content.as_str()))
        .collect();
    assert_eq!(docs, [("A", 3, "one\n"), ("B", 0, "two\n")]);
}
