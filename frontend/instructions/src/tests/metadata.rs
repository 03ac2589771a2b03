use super::{assert_errors, one, strings};
use crate::{CommandLine, Instruction, KeyValue};

fn kv(key: &str, value: &str, legacy_form: bool) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
        legacy_form,
    }
}

#[test]
fn env_forms() {
    let cases: Vec<(&str, Vec<KeyValue>)> = vec![
        ("ENV A=1", vec![kv("A", "1", false)]),
        (
            "ENV A=1 B=\"two words\" C=",
            vec![
                kv("A", "1", false),
                kv("B", "\"two words\"", false),
                kv("C", "", false),
            ],
        ),
        (
            "ENV PATH /usr/local/bin:$PATH",
            vec![kv("PATH", "/usr/local/bin:$PATH", true)],
        ),
        (
            "ENV GREETING hello   world",
            vec![kv("GREETING", "hello   world", true)],
        ),
    ];
    for (body, want) in cases {
        match one(body) {
            Instruction::Env(e) => assert_eq!(e.vars, want, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn label_forms() {
    let cases: Vec<(&str, Vec<KeyValue>)> = vec![
        ("LABEL version=1.0", vec![kv("version", "1.0", false)]),
        (
            "LABEL \"com.example.vendor\"=\"ACME Inc\" a=b",
            vec![
                kv("\"com.example.vendor\"", "\"ACME Inc\"", false),
                kv("a", "b", false),
            ],
        ),
        (
            "LABEL description some text",
            vec![kv("description", "some text", true)],
        ),
    ];
    for (body, want) in cases {
        match one(body) {
            Instruction::Label(l) => assert_eq!(l.labels, want, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn simple_instructions() {
    match one("MAINTAINER Jane Doe <jane@example.com>") {
        Instruction::Maintainer(m) => assert_eq!(m.maintainer, "Jane Doe <jane@example.com>"),
        other => panic!("{other:?}"),
    }
    match one("EXPOSE 8080/tcp 53/udp 80") {
        Instruction::Expose(e) => assert_eq!(e.ports, strings(&["53/udp", "80", "8080/tcp"])),
        other => panic!("{other:?}"),
    }
    match one("USER app:staff") {
        Instruction::User(u) => assert_eq!(u.user, "app:staff"),
        other => panic!("{other:?}"),
    }
    match one("WORKDIR /src/$APP") {
        Instruction::Workdir(w) => assert_eq!(w.path, "/src/$APP"),
        other => panic!("{other:?}"),
    }
    match one("STOPSIGNAL SIGKILL") {
        Instruction::StopSignal(s) => assert_eq!(s.signal, "SIGKILL"),
        other => panic!("{other:?}"),
    }
    // The reference never reads STOPSIGNAL's flags.
    match one("STOPSIGNAL --x=1 SIGKILL") {
        Instruction::StopSignal(s) => assert_eq!(s.signal, "SIGKILL"),
        other => panic!("{other:?}"),
    }
    match one("SHELL [\"/bin/bash\", \"-euo\", \"pipefail\", \"-c\"]") {
        Instruction::Shell(s) => {
            assert_eq!(s.shell, strings(&["/bin/bash", "-euo", "pipefail", "-c"]))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn volumes() {
    let cases: &[(&str, &[&str])] = &[
        ("VOLUME /data", &["/data"]),
        ("VOLUME /a /b", &["/a", "/b"]),
        ("VOLUME [\"/a\", \" /b \"]", &["/a", "/b"]),
    ];
    for (body, want) in cases {
        match one(body) {
            Instruction::Volume(v) => assert_eq!(v.volumes, strings(want), "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn cmd_and_entrypoint() {
    let cases: &[(&str, CommandLine)] = &[
        ("CMD echo hi", CommandLine::Shell("echo hi".into())),
        (
            "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
            CommandLine::Exec(strings(&["nginx", "-g", "daemon off;"])),
        ),
        (
            "ENTRYPOINT [\"/entry.sh\"]",
            CommandLine::Exec(strings(&["/entry.sh"])),
        ),
        ("ENTRYPOINT []", CommandLine::Exec(vec![])),
        (
            "ENTRYPOINT exec top -b",
            CommandLine::Shell("exec top -b".into()),
        ),
    ];
    for (body, want) in cases {
        match one(body) {
            Instruction::Cmd(c) => assert_eq!(&c.command, want, "{body}"),
            Instruction::Entrypoint(e) => assert_eq!(&e.command, want, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn metadata_errors() {
    assert_errors(&[
        ("ENV", "ENV requires at least one argument"),
        ("LABEL", "LABEL requires at least one argument"),
        ("ENV =x", "ENV names can not be blank"),
        ("LABEL =x", "LABEL names can not be blank"),
        ("MAINTAINER", "MAINTAINER requires exactly one argument"),
        ("USER", "USER requires exactly one argument"),
        ("WORKDIR", "WORKDIR requires exactly one argument"),
        ("STOPSIGNAL", "STOPSIGNAL requires exactly one argument"),
        ("EXPOSE", "EXPOSE requires at least one argument"),
        ("VOLUME", "VOLUME requires at least one argument"),
        (
            "VOLUME [\"/a\", \" \"]",
            "VOLUME specified can not be an empty string",
        ),
        (
            "SHELL /bin/bash -c",
            "SHELL requires the arguments to be in JSON form",
        ),
        ("SHELL", "SHELL requires at least one argument"),
        ("SHELL []", "SHELL requires at least one argument"),
        ("ENV --x=1 A=b", "(ENV): unknown flag: --x"),
        (
            "CMD --link echo",
            "--link is a flag of COPY and ADD, not of CMD",
        ),
        (
            "USER --chown=x a",
            "--chown is a flag of COPY and ADD, not of USER",
        ),
        ("EXPOSE --expose=1 80", "unknown flag: --expose"),
    ]);
}

/// Shapes the syntax layer never produces, built by hand.
#[test]
fn malformed_key_value_shapes() {
    use stagecraft_syntax::{Node, Span};

    let node = |keyword: &str, args: &[&str]| Node {
        keyword: keyword.into(),
        flags: vec![],
        args: strings(args),
        json: false,
        nested: None,
        heredocs: vec![],
        original: format!("{} {}", keyword.to_uppercase(), args.join(" ")),
        prev_comment: vec![],
        span: Span::line(7),
    };
    let cases = [
        (
            node("env", &["a", "b"]),
            "Bad input to ENV, too many arguments",
        ),
        (
            node("label", &["a", "b", "=", "c"]),
            "Bad input to LABEL, too many arguments",
        ),
        (node("env", &["", "v", "="]), "ENV names can not be blank"),
        (
            node("label", &["k", "v", "=", "", "v", "="]),
            "LABEL names can not be blank",
        ),
    ];
    for (node, want) in cases {
        let err = crate::parse_node(&node).unwrap_err();
        assert_eq!(err.line(), 7);
        assert!(err.to_string().ends_with(want), "{err}");
    }
}

#[test]
fn maintainer_rejects_flags() {
    assert_errors(&[(
        "MAINTAINER --boo joe@example.com",
        "(MAINTAINER): unknown flag: --boo",
    )]);
}
