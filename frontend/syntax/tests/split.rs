//! A file parsed in two halves gives the one-pass parse: the same nodes,
//! warnings and directives, or the same error; and the tail is only taken
//! when the cut fell between two instructions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use stagecraft_syntax::split::{Cut, Head, parse_tail};
use stagecraft_syntax::{Parsed, Span, SyntaxError, SyntaxErrorKind, decode, parse_decoded};

/// The two-half parse of `data` (the halves one after the other: the
/// threads change nothing of what each computes), and whether the tail's
/// nodes were taken.
fn split_parse(data: &[u8]) -> (Result<Parsed, SyntaxError>, bool) {
    let decoded = decode(data);
    let cut = Cut::find(&decoded.text).expect("the text has a cut");
    let mut head = match Head::start(&decoded, &cut) {
        Ok(head) => head,
        Err(e) => return (Err(e), false),
    };
    let tail = parse_tail(&decoded, &cut, head.escape());
    if let Err(e) = head.run() {
        return (Err(e), false);
    }
    match head.finish(tail) {
        Ok((parsed, taken)) => (Ok(parsed), taken),
        Err(e) => (Err(e), false),
    }
}

/// Asserts the two-half parse is the one-pass parse; gives whether the tail
/// was taken.
fn same_as_one_pass(data: &[u8]) -> bool {
    let (split, taken) = split_parse(data);
    assert_eq!(split, parse_decoded(&decode(data)));
    taken
}

/// `stages` stages with comments, continuations, heredocs, ONBUILD and an
/// empty continuation line (a warning) in each.
fn stages(stages: usize) -> String {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE=busybox\n");
    for i in 0..stages {
        text.push_str(&format!(
            "# stage {i}\n\
             #\n\
             # builds {i}\n\
             FROM ${{BASE}} AS s{i}\n\
             RUN --mount=type=cache,target=/c echo {i} \\\n\
             \n\
             \x20   && true\n\
             COPY <<EOF /f{i}\n\
             \x20 FROM inside a heredoc\n\
             EOF\n\
             ONBUILD RUN echo {i}\n\
             ENV A{i}=1 \\\n\
             # a comment inside\n\
             \x20   B{i}=2\n\
             \n"
        ));
    }
    text
}

#[test]
fn generated_stages_parse_the_same_in_two_halves() {
    for n in [4, 9, 50, 301] {
        let text = stages(n);
        assert!(same_as_one_pass(text.as_bytes()), "{n} stages: tail taken");
    }
}

#[test]
fn the_comments_above_the_cut_stay_on_its_instruction() {
    let text = stages(40);
    let cut = Cut::find(&text).unwrap();
    let (parsed, taken) = split_parse(text.as_bytes());
    assert!(taken);
    let parsed = parsed.unwrap();
    let at_cut = parsed
        .nodes
        .iter()
        .find(|n| n.span.start == cut.line())
        .unwrap();
    assert_eq!(at_cut.keyword, "from");
    assert!(at_cut.prev_comment.iter().any(|c| c.starts_with("builds")));
}

#[test]
fn a_backtick_escape_reaches_the_tail() {
    let text = format!(
        "# escape=`\n{}",
        stages(60).replace(" \\\n", " `\n").replace("\\\\", "`")
    );
    assert!(same_as_one_pass(text.as_bytes()));
}

/// Filler before and after `middle`, with no FROM line after the middle of
/// the text but the ones in `middle`.
fn around(middle: &str) -> String {
    let mut text = String::from("FROM a\n");
    text.push_str(&"RUN echo head\n".repeat(200));
    text.push_str(middle);
    text.push_str("FROM b\n");
    text.push_str(&"RUN echo tail\n".repeat(200));
    text
}

#[test]
fn a_cut_inside_a_heredoc_is_read_through() {
    let body = "FROM not an instruction\n".repeat(200);
    let text = around(&format!("RUN <<EOF\n{body}EOF\n"));
    let cut = Cut::find(&text).unwrap();
    assert!(
        text.lines()
            .nth(cut.line() - 1)
            .unwrap()
            .starts_with("FROM not")
    );
    assert!(!same_as_one_pass(text.as_bytes()));
}

#[test]
fn a_cut_inside_a_continuation_is_read_through() {
    let middle = format!(
        "{}RUN echo \\\nFROM is an argument here\n",
        "RUN x\n".repeat(300)
    );
    let text = around(&middle);
    assert!(!same_as_one_pass(text.as_bytes()));
    // The same with the backtick escape: the backslash ends nothing.
    let text = format!("# escape=`\n{text}");
    assert!(same_as_one_pass(text.as_bytes()));
}

#[test]
fn errors_are_the_one_pass_errors() {
    let text = stages(100);
    let half = text.len() / 2;
    let (head, tail) = text.split_at(text[..half].rfind('\n').unwrap() + 1);
    let bad = "RUN [\"a\", 1]\n";
    let unterminated = "RUN <<EOT\n";
    // In the head only, in both halves, in the tail only, at the very end.
    for data in [
        format!("{head}{bad}{tail}"),
        format!("{head}{bad}{tail}{bad}"),
        format!("{head}{tail}{bad}"),
        format!("{head}{tail}{unterminated}"),
        format!("{head}{unterminated}{tail}"),
    ] {
        let (split, _) = split_parse(data.as_bytes());
        assert!(split.is_err());
        assert_eq!(split, parse_decoded(&decode(data.as_bytes())));
    }
    // A tail error is found by the head's parse again, on its line.
    let data = format!("{head}{tail}{bad}");
    let line = data.lines().count();
    let (split, _) = split_parse(data.as_bytes());
    assert_eq!(split.unwrap_err().span, Span::line(line));
}

#[test]
fn a_run_with_bytes_that_are_not_utf8_fails_in_either_half() {
    let text = stages(100);
    let (head, tail) = text.split_at(text.len() / 2);
    let bad = b"\nRUN echo caf\xe9\n";
    for data in [
        [head.as_bytes(), tail.as_bytes(), bad].concat(),
        [head.as_bytes(), bad, tail.as_bytes(), bad].concat(),
    ] {
        let (split, _) = split_parse(&data);
        assert!(matches!(
            split.as_ref().map_err(|e| &e.kind),
            Err(SyntaxErrorKind::NotUtf8 { .. })
        ));
        assert_eq!(split, parse_decoded(&decode(&data)));
    }
}

#[test]
fn the_instruction_limit_counts_both_halves() {
    let limit = stagecraft_syntax::MAX_INSTRUCTIONS;
    let at_limit = "FROM a\n".repeat(limit);
    assert!(same_as_one_pass(at_limit.as_bytes()));
    let over = format!("{at_limit}FROM a\n");
    let (split, taken) = split_parse(over.as_bytes());
    assert!(!taken);
    let error = split.unwrap_err();
    assert!(matches!(
        error.kind,
        SyntaxErrorKind::TooManyInstructions { .. }
    ));
    assert_eq!(error.span, Span::line(limit + 1));
}

#[test]
fn a_cut_needs_a_from_line_past_the_middle() {
    assert_eq!(Cut::find(""), None);
    assert_eq!(Cut::find("FROM a\nRUN b\nRUN c\nRUN d\n"), None);
    // The first FROM at the start of a line past the middle, any case;
    // `FROMx` and an indented FROM are not taken.
    let text = "FROM a\nRUN b\nRUN c\nRUN d\nFROMx\n  FROM e\nfrom\tf\nRUN g\nRUN h\nRUN i\n";
    assert_eq!(Cut::find(text).map(|c| c.line()), Some(7));
    // Not in the last quarter.
    let text = format!("{}FROM b\nRUN c\n", "RUN a\n".repeat(10));
    assert_eq!(Cut::find(&text), None);
}

#[test]
fn comments_above_the_cut_are_read_as_one_pass_reads_them() {
    let filler = "RUN echo head\n".repeat(300);
    let tail = "RUN echo tail\n".repeat(200);
    for above in [
        "# one\n\n# two\n\n",
        "# dropped\n#\n# kept\n",
        "RUN <<EOF\n# in a body\nEOF\n# after\n",
        "",
    ] {
        let text = format!("FROM a\n{filler}{above}FROM b\n{tail}");
        assert!(same_as_one_pass(text.as_bytes()), "{above:?}");
    }
    // Comment lines from the top down to the cut: the tail takes the
    // directive for a comment, the head does not; the head reads on.
    let text = format!(
        "# escape=`\n{}FROM b\n{}",
        "# note\n".repeat(300),
        "RUN echo tail\n".repeat(150)
    );
    assert!(!same_as_one_pass(text.as_bytes()));
}
