use super::{assert_errors, one, strings};
use crate::{AddInstruction, CopyInstruction, CopySource, InlineFile, Instruction};

fn copy(body: &str) -> CopyInstruction {
    match one(body) {
        Instruction::Copy(c) => c,
        other => panic!("{body}: not COPY: {other:?}"),
    }
}

fn add(body: &str) -> AddInstruction {
    match one(body) {
        Instruction::Add(a) => a,
        other => panic!("{body}: not ADD: {other:?}"),
    }
}

fn paths(items: &[&str]) -> Vec<CopySource> {
    items
        .iter()
        .map(|p| CopySource::Path(p.to_string()))
        .collect()
}

#[test]
fn copy_sources_and_dest() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("COPY a /b", &["a"], "/b"),
        ("COPY a b c /dir/", &["a", "b", "c"], "/dir/"),
        (r#"COPY ["a b", "c", "/d"]"#, &["a b", "c"], "/d"),
        ("COPY $SRC ${DEST}", &["$SRC"], "${DEST}"),
    ];
    for (body, sources, dest) in cases {
        let c = copy(body);
        assert_eq!(c.sources, paths(sources), "{body}");
        assert_eq!(c.dest, *dest, "{body}");
    }
}

#[test]
fn copy_flags() {
    let c = copy(
        "COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md --exclude=tmp/ a /b",
    );
    assert_eq!(c.from.as_deref(), Some("build"));
    assert_eq!(c.chown.as_deref(), Some("app:app"));
    assert_eq!(c.chmod.as_deref(), Some("0755"));
    assert!(c.link);
    assert!(c.parents);
    assert_eq!(c.excludes, strings(&["*.md", "tmp/"]));

    let plain = copy("COPY a /b");
    assert_eq!((plain.from, plain.chown, plain.chmod), (None, None, None));
    assert!(!plain.link && !plain.parents);
    assert!(plain.excludes.is_empty());

    let cases: &[(&str, bool)] = &[
        ("COPY --link a /b", true),
        ("COPY --link=true a /b", true),
        ("COPY --link=TRUE a /b", true),
        ("COPY --link=false a /b", false),
        ("COPY --link=False a /b", false),
    ];
    for (body, link) in cases {
        assert_eq!(copy(body).link, *link, "{body}");
    }
    assert_eq!(
        copy("COPY --chmod=u+x,go-w a /b").chmod.as_deref(),
        Some("u+x,go-w")
    );
}

#[test]
fn copy_heredoc_sources() {
    let c = copy("COPY <<EOF /etc/greeting\nhello $NAME\nEOF");
    assert_eq!(
        c.sources,
        vec![CopySource::Inline(InlineFile {
            name: "EOF".into(),
            content: "hello $NAME\n".into(),
            expand: true,
        })]
    );
    assert_eq!(c.dest, "/etc/greeting");

    let c = copy("COPY <<'A' b <<-B /dir/\nliteral $X\nA\n\t\tindented\n\tB");
    assert_eq!(
        c.sources,
        vec![
            CopySource::Inline(InlineFile {
                name: "A".into(),
                content: "literal $X\n".into(),
                expand: false
            }),
            CopySource::Path("b".into()),
            CopySource::Inline(InlineFile {
                name: "B".into(),
                content: "indented\n".into(),
                expand: true
            }),
        ]
    );
}

#[test]
fn add_flags() {
    let a = add(
        "ADD --chown=1:2 --chmod=644 --link=false --keep-git-dir --checksum=sha256:abc --unpack=true --exclude=x https://example.com/a.tar.gz /opt/",
    );
    assert_eq!(a.chown.as_deref(), Some("1:2"));
    assert_eq!(a.chmod.as_deref(), Some("644"));
    assert!(!a.link);
    assert_eq!(a.keep_git_dir, Some(true));
    assert_eq!(a.checksum.as_deref(), Some("sha256:abc"));
    assert_eq!(a.unpack, Some(true));
    assert_eq!(a.excludes, strings(&["x"]));
    assert_eq!(a.sources, paths(&["https://example.com/a.tar.gz"]));
    assert_eq!(a.dest, "/opt/");

    let plain = add("ADD a.tar /x");
    assert_eq!(
        (plain.keep_git_dir, plain.unpack, plain.checksum),
        (None, None, None)
    );
    assert_eq!(add("ADD --unpack=false a.tar /x").unpack, Some(false));
    assert_eq!(
        add("ADD --keep-git-dir=false g /x").keep_git_dir,
        Some(false)
    );
}

#[test]
fn copy_add_errors() {
    assert_errors(&[
        (
            "COPY a",
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined",
        ),
        ("ADD a", "ADD requires at least two arguments"),
        (r#"COPY ["a"]"#, "COPY requires at least two arguments"),
        (
            "COPY a <<EOF\nx\nEOF",
            "COPY cannot accept a heredoc as a destination",
        ),
        (
            "COPY --link=yes a b",
            "expecting boolean value for flag --link, not: yes",
        ),
        ("COPY --link= a b", "missing a value on flag: --link"),
        ("COPY --from a b", "missing a value on flag: --from"),
        ("COPY --exclude a b", "missing a value on flag: --exclude"),
        (
            "COPY --from=a --from=b a b",
            "duplicate flag specified: --from",
        ),
        (
            "COPY --chown=a --chown=b a b",
            "duplicate flag specified: --chown",
        ),
        (
            "COPY --form=a a b",
            "unknown flag: --form (did you mean --from?)",
        ),
        (
            "COPY --checksum=sha256:x a b",
            "(COPY): unknown flag: --checksum (--checksum is a flag of ADD, not of COPY)",
        ),
        ("ADD --from=x a b", "--from is a flag of COPY, not of ADD"),
        (
            "ADD --parents a b",
            "--parents is a flag of COPY, not of ADD",
        ),
        ("COPY --bogus a b", "unknown flag: --bogus"),
    ]);
}

#[test]
fn more_heredoc_sources() {
    let inline = |name: &str, content: &str| {
        CopySource::Inline(InlineFile {
            name: name.into(),
            content: content.into(),
            expand: true,
        })
    };
    let cases: Vec<(&str, Vec<CopySource>)> = vec![
        ("COPY <<EOF /x\nEOF", vec![inline("EOF", "")]),
        (
            "COPY <<ONE <<TWO /x\nfirst\nONE\nsecond\nTWO",
            vec![inline("ONE", "first\n"), inline("TWO", "second\n")],
        ),
        (
            "COPY <<EOF plain.txt /x\ninline\nEOF",
            vec![
                inline("EOF", "inline\n"),
                CopySource::Path("plain.txt".into()),
            ],
        ),
        (
            "COPY <<EOF /x\n\"quoted\" 'body'\nEOF",
            vec![inline("EOF", "\"quoted\" 'body'\n")],
        ),
    ];
    for (body, want) in cases {
        let c = copy(body);
        assert_eq!(c.sources, want, "{body}");
        assert_eq!(c.dest, "/x", "{body}");
    }
}
