//! Two threads read a file as one does: the same tree, instructions and
//! warnings, and the same first error wherever the errors are.

use stagecraft_syntax::decode;

use super::*;

/// What a read gives, comparable as a whole.
type Outcome = Result<(Parsed, Result<Dockerfile, InstructionError>), SyntaxError>;

fn read(text: &str, threads: Threads) -> Outcome {
    parse_and_type_with(&decode(text.as_bytes()), threads).map(|r| (r.parsed, r.typed))
}

/// Reads `text` on one thread and on two; asserts they agree and that the
/// two-thread read took the tail's work (or, with `taken` false, that it
/// read the tail again). Gives the outcome.
fn same_on_two_threads(text: &str, taken: bool) -> Outcome {
    let one = read(text, Threads::One);
    let two = read(text, Threads::Two);
    assert_eq!(two, one);
    let decoded = decode(text.as_bytes());
    let cut = Cut::find(&decoded.text).expect("the file has a cut");
    let direct = in_two_reporting(&decoded, &cut);
    assert_eq!(
        direct.as_ref().map(|(r, _)| (&r.parsed, &r.typed)),
        one.as_ref().map(|(p, t)| (p, t))
    );
    if let Ok((_, joined)) = direct {
        assert_eq!(joined, taken, "tail taken");
    }
    one
}

/// Every kind of instruction, in `n` stages copying from each other.
fn stages(n: usize) -> String {
    let mut text = String::from("# check=skip=all\nARG BASE=busybox\nARG V\n");
    for i in 0..n {
        let from = i.saturating_sub(1);
        text.push_str(&format!(
            "# stage {i}\n\
             FROM ${{BASE}} AS s{i}\n\
             ARG V{i}=value{i}\n\
             ENV E{i}=$V{i} \\\n\
             \x20   P{i}=/opt/{i}\n\
             LABEL l{i}=yes\n\
             WORKDIR /work/{i}\n\
             RUN --mount=type=cache,target=/cache,id=c{i} --network=none echo {i}\n\
             RUN --mount=type=bind,from=s{from},target=/b ls /b\n\
             COPY --from=s{from} --chmod=644 /out /in{i}\n\
             ADD --checksum=sha256:{:064x} https://example.com/{i} /dl\n\
             COPY <<EOF /f{i}\n\
             \x20 FROM inside a heredoc\n\
             EOF\n\
             HEALTHCHECK --interval=5s CMD true\n\
             SHELL [\"/bin/sh\", \"-c\"]\n\
             EXPOSE {}\n\
             VOLUME /v{i}\n\
             USER u{i}\n\
             STOPSIGNAL SIGTERM\n\
             ONBUILD RUN echo {i}\n\
             MAINTAINER m{i}\n\
             ENTRYPOINT [\"/e{i}\"]\n\
             CMD echo {i}\n",
            i,
            1000 + i
        ));
    }
    text
}

#[test]
fn two_threads_type_as_one() {
    for n in [30, 200] {
        let text = stages(n);
        for _ in 0..10 {
            let (parsed, typed) = same_on_two_threads(&text, true).unwrap();
            assert_eq!(typed.unwrap().stages.len(), n);
            assert!(parsed.warnings.is_empty());
        }
    }
}

/// `stages(200)` with `early` inserted before its 20th stage and `late`
/// before its 180th (both well inside their halves).
fn with_lines(early: &str, late: &str) -> String {
    let text = stages(200);
    let at = |i: usize| text.find(&format!("FROM ${{BASE}} AS s{i}\n")).unwrap();
    let (a, b) = (at(20), at(180));
    format!("{}{early}{}{late}{}", &text[..a], &text[a..b], &text[b..])
}

#[test]
fn the_first_error_is_one_threads_wherever_the_errors_are() {
    let typing = "RUN --bogus=1 true\n";
    let typing_late = "HEALTHCHECK --interval=later CMD true\n";
    let syntax = "RUN [\"a\", 1]\n";
    let syntax_late = "COPY <<EOF /x\n";
    let cases = [
        // Typing errors in both halves: the head's.
        (typing, typing_late),
        // Only in the tail.
        ("", typing_late),
        // A typing error in the head, a syntax error in the tail: a
        // syntax error is found before any instruction is typed.
        (typing, syntax),
        (typing, syntax_late),
        // Syntax errors in both halves, in the head only.
        (syntax, syntax_late),
        (syntax, ""),
        (syntax, typing_late),
        // An unknown instruction in either half.
        ("FORM x\n", "FORM y\n"),
        ("", "FORM y\n"),
    ];
    for (early, late) in cases {
        let text = with_lines(early, late);
        let outcome = same_on_two_threads(&text, true);
        let failed = match &outcome {
            Err(_) => true,
            Ok((_, typed)) => typed.is_err(),
        };
        assert!(failed, "{early:?} {late:?}");
    }
}

#[test]
fn an_instruction_before_the_first_from_fails_before_the_tail_errors() {
    let text = format!("RUN early\n{}", with_lines("", "FORM y\n"));
    let (_, typed) = same_on_two_threads(&text, true).unwrap();
    let error = typed.unwrap_err();
    assert_eq!(error.span.start, 1);
}

#[test]
fn a_cut_inside_an_instruction_reads_the_file_on_one_thread() {
    // Backslash continuations carry the FROM lines of the second half into
    // RUN commands: the first cut is one of them.
    let text = stages(100);
    let (head, tail) = text.split_at(text.len() / 2);
    let tail: String = tail
        .lines()
        .map(|l| match l.starts_with("CMD echo") {
            true => format!("{l} \\\n"),
            false => format!("{l}\n"),
        })
        .collect();
    let text = format!("{head}{tail}");
    assert!(same_on_two_threads(&text, false).is_ok());
}

/// A pseudo-random file: lines drawn from a pool with a few bad ones, so
/// that files fail in the head, in the tail, in both, or not at all.
fn random_file(seed: u64) -> String {
    const POOL: [&str; 24] = [
        "FROM busybox AS a\n",
        "FROM a\n",
        "from scratch\n",
        // Takes the next line in, whatever it is.
        "RUN echo hi \\\n",
        "RUN echo hi \\\n  && true\n",
        "\n",
        "# a comment\n",
        "#\n",
        "ENV A=1 B=\"x y\"\n",
        "ARG X=1\n",
        "COPY --from=a /x /y\n",
        "RUN <<EOF\nFROM in a body\nEOF\n",
        "COPY <<-EOF /x\n\tbody\n\tEOF\n",
        "FROM inside\n",
        "LABEL a=b\n",
        "ONBUILD RUN true\n",
        "WORKDIR /w\n",
        "EXPOSE 80/tcp\n",
        "USER u\n",
        "CMD [\"a\"]\n",
        // Bad ones.
        "RUN --bogus true\n",
        "ENV A\n",
        "STOPSIGNAL\n",
        "FORM x\n",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut text = String::from("FROM base\n");
    for _ in 0..600 {
        // Bad lines one time in 1,500: some files fail in one half, some
        // in both, some not at all.
        let pick = if next() % 1500 == 0 {
            20 + next() % 4
        } else {
            next() % 20
        };
        text.push_str(POOL[pick]);
    }
    text
}

#[test]
fn random_files_read_the_same_on_two_threads() {
    let (mut failed, mut taken) = (0, 0);
    for seed in 0..150 {
        let text = random_file(seed);
        let one = read(&text, Threads::One);
        assert_eq!(read(&text, Threads::Two), one, "seed {seed}");
        let decoded = decode(text.as_bytes());
        let cut = Cut::find(&decoded.text).expect("a FROM past the middle");
        taken += usize::from(matches!(in_two_reporting(&decoded, &cut), Ok((_, true))));
        failed += usize::from(!matches!(one, Ok((_, Ok(_)))));
    }
    // The pool gives files that fail and files that do not, cuts between
    // instructions and inside them.
    assert!(failed > 10 && failed < 140, "{failed} failed");
    assert!(taken > 20 && taken < 140, "{taken} taken");
}

#[test]
fn small_files_stay_on_one_thread() {
    let text = stages(2);
    assert!(text.len() < MIN_SPLIT_BYTES);
    assert_eq!(read(&text, Threads::Auto), read(&text, Threads::One));
}
