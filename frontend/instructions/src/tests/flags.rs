//! The flag parser on hand-built word lists (no syntax layer involved).

use crate::error::ErrorKind;
use crate::flags::{FlagKind, parse_flags};

const SPEC: &[(&str, FlagKind)] = &[
    ("link", FlagKind::Bool),
    ("from", FlagKind::String),
    ("exclude", FlagKind::Strings),
];

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn values() {
    let raw = words(&["--link=false", "--from=a=b", "--exclude=x", "--exclude="]);
    let flags = parse_flags("COPY", &raw, SPEC).unwrap();
    assert_eq!(flags.bool("link"), Some(false));
    assert_eq!(flags.string("from").as_deref(), Some("a=b"));
    assert_eq!(flags.strings("exclude"), words(&["x", ""]));
    assert_eq!(flags.used(), words(&["link", "from", "exclude"]));

    let none = parse_flags("COPY", &[], SPEC).unwrap();
    assert_eq!((none.bool("link"), none.string("from")), (None, None));
    assert!(none.strings("exclude").is_empty());

    let raw = words(&["--", "--bogus"]);
    let stop = parse_flags("COPY", &raw, SPEC).unwrap();
    assert!(stop.used().is_empty());
    let raw = words(&["--from="]);
    let empty_string = parse_flags("COPY", &raw, SPEC).unwrap();
    assert_eq!(empty_string.string("from").as_deref(), Some(""));
}

#[test]
fn errors() {
    let cases: &[(&[&str], ErrorKind)] = &[
        (&["-x"], ErrorKind::NotAFlag { arg: "-x".into() }),
        (
            &["--lnk"],
            ErrorKind::UnknownFlag {
                flag: "--lnk".into(),
                suggestion: Some("--link".into()),
            },
        ),
        (
            &["--zzzzzz"],
            ErrorKind::UnknownFlag {
                flag: "--zzzzzz".into(),
                suggestion: None,
            },
        ),
        (
            &["--link", "--link"],
            ErrorKind::DuplicateFlag {
                flag: "--link".into(),
            },
        ),
        (
            &["--link="],
            ErrorKind::MissingFlagValue {
                flag: "--link".into(),
            },
        ),
        (
            &["--link=1"],
            ErrorKind::NotABool {
                flag: "--link".into(),
                value: "1".into(),
            },
        ),
        (
            &["--from"],
            ErrorKind::MissingFlagValue {
                flag: "--from".into(),
            },
        ),
        (
            &["--exclude"],
            ErrorKind::MissingFlagValue {
                flag: "--exclude".into(),
            },
        ),
        (
            &["--mount=x"],
            ErrorKind::FlagOfOtherInstruction {
                flag: "--mount".into(),
                instruction: "COPY".into(),
                owners: "RUN".into(),
            },
        ),
    ];
    for (input, want) in cases {
        let got = parse_flags("COPY", &words(input), SPEC).unwrap_err();
        assert_eq!(&got, want, "{input:?}");
    }
}
