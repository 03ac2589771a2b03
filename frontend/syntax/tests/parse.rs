//! Whole-file parsing: directives, continuations, comments, heredocs, spans
//! and errors, through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use stagecraft_syntax::{Heredoc, Span, SyntaxErrorKind, parse};

fn dump(text: &str) -> String {
    match parse(text) {
        Ok(p) => p.dump(),
        Err(e) => panic!("{text:?} rejected: {e} at {}", e.span),
    }
}

#[test]
fn dumps_match_the_reference_shapes() {
    let cases = [
        ("FROM a\nRUN echo hi", "(from \"a\")\n(run \"echo hi\")"),
        ("from a AS b", "(from \"a\" \"AS\" \"b\")"),
        ("RUN [\"a\", \"b\"]", "(run \"a\" \"b\")"),
        ("CMD ['a']", "(cmd \"['a']\")"),
        (
            "COPY --from=build /out /app",
            "(copy [\"--from=build\"] \"/out\" \"/app\")",
        ),
        (
            "ENV A=1 B=\"x y\"",
            "(env \"A\" \"1\" \"=\" \"B\" \"\\\"x y\\\"\" \"=\")",
        ),
        ("ENV A 1 2", "(env \"A\" \"1 2\" \"\")"),
        ("ARG A B=2", "(arg \"A\" \"B=2\")"),
        ("ONBUILD RUN [\"x\"]", "(onbuild (run \"x\"))"),
        ("ONBUILD", "(onbuild)"),
        (
            "ONBUILD COPY --chown=a . /",
            "(onbuild (copy [\"--chown=a\"] \".\" \"/\"))",
        ),
        (
            "HEALTHCHECK --interval=5s CMD ls",
            "(healthcheck [\"--interval=5s\"] \"CMD\" \"ls\")",
        ),
        ("FOO bar baz", "(foo \"\")"),
        (
            "RUN echo \"\\t\u{1}é\"",
            "(run \"echo \\\"\\\\t\\x01é\\\"\")",
        ),
        ("SHELL [\"pwsh\", \"-c\"]", "(shell \"pwsh\" \"-c\")"),
        ("STOPSIGNAL SIGKILL", "(stopsignal \"SIGKILL\")"),
        ("MAINTAINER a b <c>", "(maintainer \"a b <c>\")"),
    ];
    for (text, want) in cases {
        assert_eq!(dump(text), want, "{text:?}");
    }
}

#[test]
fn continuations_and_comments() {
    let cases = [
        ("RUN a \\\n  b", "(run \"a   b\")"),
        ("RUN a \\\n# note\n b", "(run \"a  b\")"),
        ("RUN a\\\\\nRUN b", "(run \"a\\\\\\\\\")\n(run \"b\")"),
        ("RUN a \\", "(run \"a\")"),
        (
            "# escape=`\nRUN a `\n b\nRUN c\\d",
            "(run \"a  b\")\n(run \"c\\\\d\")",
        ),
        ("\\\nRUN a", "(run \"a\")"),
        ("  RUN a  ", "(run \"a\")"),
        ("\u{feff}FROM a", "(from \"a\")"),
        (
            "FROM a\r\nRUN b \\\r\n c\r\n",
            "(from \"a\")\n(run \"b  c\")",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(dump(text), want, "{text:?}");
    }
}

#[test]
fn empty_continuation_line_warns() {
    let p = parse("FROM a\nRUN a \\\n\n  b\n").unwrap();
    assert_eq!(p.dump(), "(from \"a\")\n(run \"a   b\")");
    assert_eq!(p.warnings.len(), 1);
    let w = &p.warnings[0];
    assert_eq!(w.short, "Empty continuation line found in: RUN a   b");
    assert_eq!(w.span, Some(Span::line(4)));
    assert!(w.url.as_deref().unwrap().contains("no-empty-continuation"));
    assert!(parse("RUN a \\\n# c\n b").unwrap().warnings.is_empty());
}

#[test]
fn spans_original_and_comments() {
    let text = "# syntax=x/y\n\n# first\n# second\nFROM a\n\n# gone\n#\nRUN b \\\n  c\nRUN <<EOF\nbody\nEOF\n";
    let p = parse(text).unwrap();
    let spans: Vec<Span> = p.nodes.iter().map(|n| n.span).collect();
    assert_eq!(
        spans,
        [Span::new(5, 5), Span::new(9, 10), Span::new(11, 13)]
    );
    assert_eq!(p.nodes[0].prev_comment, ["first", "second"]);
    assert!(p.nodes[1].prev_comment.is_empty());
    assert_eq!(p.nodes[1].original, "RUN b   c");
    assert_eq!(p.nodes[2].original, "RUN <<EOF");
    assert_eq!(p.directives.syntax.as_ref().unwrap().value, "x/y");
    assert_eq!(p.directives.syntax.as_ref().unwrap().span, Span::line(1));
}

#[test]
fn directives_at_the_top_only() {
    let p = parse("# Syntax = a\n# ESCAPE=`\n# check=skip=all\nFROM b").unwrap();
    assert_eq!(p.escape, '`');
    assert_eq!(p.directives.syntax.unwrap().value, "a");
    assert_eq!(p.directives.escape.unwrap().span, Span::line(2));
    assert_eq!(p.directives.check.unwrap().value, "skip=all");
    assert!(p.nodes[0].prev_comment.is_empty());

    for text in [
        "# hi\n# escape=`\nFROM a",
        "\n# escape=`\nFROM a",
        "FROM a\n# escape=`\n",
    ] {
        let p = parse(text).unwrap();
        assert_eq!(p.escape, '\\', "{text:?}");
        assert_eq!(p.directives.escape, None, "{text:?}");
    }
    // An unknown key ends the block; it stays an ordinary comment.
    let p = parse("# foo=bar\n# escape=`\nFROM a").unwrap();
    assert_eq!(p.escape, '\\');
    assert_eq!(p.nodes[0].prev_comment, ["foo=bar", "escape=`"]);
}

#[test]
fn heredoc_forms() {
    let doc = |name: &str, fd, expand, chomp, content: &str| Heredoc {
        name: name.into(),
        fd,
        expand,
        chomp,
        content: content.into(),
    };
    let cases: Vec<(&str, Vec<Heredoc>)> = vec![
        ("RUN <<EOF\nEOF", vec![doc("EOF", 0, true, false, "")]),
        (
            "RUN 3<<EOF\na\nEOF",
            vec![doc("EOF", 3, true, false, "a\n")],
        ),
        (
            "RUN <<-EOF\n\ta\n\tEOF",
            vec![doc("EOF", 0, true, true, "\ta\n")],
        ),
        (
            "RUN <<EOF\n\ta\n\tEOF\nEOF",
            vec![doc("EOF", 0, true, false, "\ta\n\tEOF\n")],
        ),
        (
            "RUN <<'EOF'\n$x\nEOF",
            vec![doc("EOF", 0, false, false, "$x\n")],
        ),
        (
            "RUN <<\"EOF\"\n$x\nEOF",
            vec![doc("EOF", 0, false, false, "$x\n")],
        ),
        (
            "RUN <<  EOF  > f\nEOF",
            vec![doc("EOF", 0, true, false, "")],
        ),
        (
            "RUN --mount=type=cache,target=/c <<M\nx\nM",
            vec![doc("M", 0, true, false, "x\n")],
        ),
        (
            "COPY <<A <<B /d\n1\nA\n2\nB",
            vec![
                doc("A", 0, true, false, "1\n"),
                doc("B", 0, true, false, "2\n"),
            ],
        ),
        (
            "COPY <<X <<Y /d\nY\nX\nX\nY",
            vec![
                doc("X", 0, true, false, "Y\n"),
                doc("Y", 0, true, false, "X\n"),
            ],
        ),
        (
            "ADD <<f.txt /d\n# not a comment\nf.txt",
            vec![doc("f.txt", 0, true, false, "# not a comment\n")],
        ),
        (
            "RUN <<EOF\r\na\r\nEOF\r\n",
            vec![doc("EOF", 0, true, false, "a\r\n")],
        ),
        (
            "ONBUILD RUN <<EOF\nx\nEOF",
            vec![doc("EOF", 0, true, false, "x\n")],
        ),
        ("RUN [\"<<EOF\"]", vec![]),
        ("RUN \"<<EOF\"", vec![]),
        ("USER <<EOF", vec![]),
        ("ONBUILD USER <<EOF", vec![]),
    ];
    for (text, want) in cases {
        let p = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(p.nodes.len(), 1, "{text:?}");
        assert_eq!(p.nodes[0].heredocs, want, "{text:?}");
    }
    let p = parse("RUN <<-EOF\n\ta\n\t\tb\nEOF").unwrap();
    assert_eq!(p.nodes[0].heredocs[0].body(), "a\nb\n");
}

#[test]
fn heredoc_with_backtick_escape_and_following_instruction() {
    let p = parse("# escape=`\nFROM a\nRUN <<EOF `\n  && x\necho\nEOF\nRUN b").unwrap();
    assert_eq!(p.nodes.len(), 3);
    assert_eq!(p.nodes[1].span, Span::new(3, 6));
    assert_eq!(p.nodes[1].heredocs[0].content, "echo\n");
    assert_eq!(p.nodes[2].dump(), "run \"b\"");
}

#[test]
fn errors_carry_message_and_span() {
    let cases: [(&str, &str, Span); 12] = [
        ("", "file with no instructions", Span::line(1)),
        (
            "# only\n\n# comments\n",
            "file with no instructions",
            Span::line(3),
        ),
        (
            "# escape=x\nFROM a",
            "invalid escape token 'x' does not match ` or \\",
            Span::line(1),
        ),
        (
            "# syntax=a\n# escape=`\n# Escape=\\\nFROM a",
            "only one escape parser directive can be used",
            Span::line(3),
        ),
        (
            "FROM a\nENV PATH",
            "ENV must have two arguments",
            Span::line(2),
        ),
        (
            "LABEL a=b \\\n c",
            "Syntax error - can't find = in \"c\". Must be of the form: name=value",
            Span::new(1, 2),
        ),
        (
            "FROM a\nCMD [\"a\", \\\n 1]",
            "when using JSON array syntax, arrays must be comprised of strings only",
            Span::new(2, 3),
        ),
        (
            "FROM a\nRUN <<EOF\nbody\n",
            "unterminated heredoc <<EOF (started on line 2)",
            Span::new(2, 3),
        ),
        (
            "RUN <<A <<B\nx\nA\ny",
            "unterminated heredoc <<B (started on line 1)",
            Span::new(1, 4),
        ),
        (
            "RUN <<-EOF\n  EOF",
            "unterminated heredoc <<EOF (started on line 1)",
            Span::new(1, 2),
        ),
        (
            "ONBUILD ONBUILD ONBUILD ONBUILD ONBUILD ONBUILD ONBUILD ONBUILD ONBUILD RUN x",
            "ONBUILD instructions nested more than 8 deep",
            Span::line(1),
        ),
        (
            "FROM a\nRUN [\"a\", {}]",
            "when using JSON array syntax, arrays must be comprised of strings only",
            Span::line(2),
        ),
    ];
    for (text, message, span) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!(err.to_string(), message, "{text:?}");
        assert_eq!(err.span, span, "{text:?}");
    }
    assert!(matches!(
        parse("CMD [\"a\", 1]").unwrap_err().kind,
        SyntaxErrorKind::NotStringArray
    ));
}

#[test]
fn ten_thousand_lines_parse_quickly() {
    let mut text = String::from("# syntax=docker/dockerfile:1\nFROM alpine AS build\n");
    for i in 0..2_000 {
        text.push_str(&format!("RUN echo {i} && \\\n    make -j4 target{i}\n"));
        text.push_str(&format!(
            "ENV A{i}=\"x y\" B{i}=z\nCOPY --chown=a:b src{i} /dst/\n"
        ));
        text.push_str("# comment\n");
    }
    assert!(text.lines().count() >= 10_000);
    let start = std::time::Instant::now();
    let p = parse(&text).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(p.nodes.len(), 1 + 3 * 2_000);
    eprintln!("parsed {} lines in {elapsed:?}", text.lines().count());
    // Generous even for a debug build on a busy machine: this guards against
    // super-linear behaviour, not against a slow CPU.
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}
