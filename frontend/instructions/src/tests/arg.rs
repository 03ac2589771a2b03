use super::{assert_errors, dockerfile, one};
use crate::{ArgPair, Instruction};

fn pair(name: &str, default: Option<&str>) -> ArgPair {
    ArgPair {
        name: name.into(),
        default: default.map(str::to_string),
        description: None,
    }
}

#[test]
fn arg_pairs() {
    let cases: Vec<(&str, Vec<ArgPair>)> = vec![
        ("ARG VERSION", vec![pair("VERSION", None)]),
        ("ARG VERSION=1.2", vec![pair("VERSION", Some("1.2"))]),
        (
            "ARG A B=2 C= D=x=y",
            vec![
                pair("A", None),
                pair("B", Some("2")),
                pair("C", Some("")),
                pair("D", Some("x=y")),
            ],
        ),
        (
            "ARG MSG=\"hello world\"",
            vec![pair("MSG", Some("\"hello world\""))],
        ),
        (
            "ARG REF=${BASE:-main}",
            vec![pair("REF", Some("${BASE:-main}"))],
        ),
    ];
    for (body, want) in cases {
        match one(body) {
            Instruction::Arg(a) => assert_eq!(a.args, want, "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn arg_description_from_comment() {
    let df = dockerfile("FROM scratch\n# VERSION which release to fetch\nARG VERSION=1 OTHER\n")
        .unwrap();
    let Instruction::Arg(arg) = &df.stages[0].commands[0] else {
        panic!("not ARG")
    };
    assert_eq!(
        arg.args[0].description.as_deref(),
        Some("which release to fetch")
    );
    assert_eq!(arg.args[1].description, None);
}

#[test]
fn arg_errors() {
    assert_errors(&[
        ("ARG", "ARG requires at least one argument"),
        ("ARG =x", "ARG names can not be blank"),
        ("ARG A=1 =2", "ARG names can not be blank"),
    ]);
}

#[test]
fn arg_flags_are_ignored_like_the_reference() {
    let Instruction::Arg(arg) = one("ARG --x=1 A=2") else {
        panic!("not an ARG");
    };
    assert_eq!(arg.args[0].name, "A");
    assert_eq!(arg.args[0].default.as_deref(), Some("2"));
}
