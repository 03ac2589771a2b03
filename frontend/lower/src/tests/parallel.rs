//! Dispatching stages on two threads gives what one thread gives: the same
//! LLB, image config and warnings, and on bad input the same error.

use crate::build::Workers;
use crate::testutil::*;
use crate::{Limits, LowerError, Lowered};

/// Stages of every kind of dependency: on an image, built on the stage
/// before, copying and mounting from earlier stages, an ONBUILD trigger
/// run by the stages built on its stage, ARGs and context paths; then a
/// final stage copying from every one of them.
fn mesh(stages: usize) -> String {
    let mut text = String::from("ARG BASE=busybox\n");
    for i in 0..stages {
        match i % 4 {
            0 => text.push_str(&format!("FROM ${{BASE}} AS s{i}\nONBUILD RUN echo trigger {i}\n")),
            1 => text.push_str(&format!("FROM s{} AS s{i}\n", i - 1)),
            2 => text.push_str(&format!(
                "FROM busybox AS s{i}\nCOPY --from=s{} /out /from/{i}\nRUN --mount=from=s{},target=/m cat /m/out\n",
                i - 2,
                i - 1
            )),
            _ => text.push_str(&format!("FROM s{} AS s{i}\nCOPY --from=0 /out /zero\n", i - 2)),
        }
        text.push_str(&format!(
            "ARG V{i}=value{i}\nENV E{i}=$V{i}\nWORKDIR /work/{i}\nRUN echo $E{i} > /out\nCOPY src{i}/ ./\nLABEL stage{i}=yes\nEXPOSE {}\n",
            1000 + i
        ));
    }
    text.push_str("FROM busybox AS final\n");
    for i in 0..stages {
        text.push_str(&format!("COPY --from=s{i} /out /in/{i}\n"));
    }
    text
}

fn lower_on(text: &str, workers: usize, limits: Limits) -> Result<Lowered, LowerError> {
    let mut o = options();
    o.build_args.insert("UNUSED".into(), "x".into());
    lower_using(
        text,
        &o,
        &FakeResolver::new(),
        None,
        limits,
        Workers::Exactly(workers),
    )
}

/// What the conversion writes, as bytes.
fn output(l: &Lowered) -> (Vec<Vec<u8>>, Vec<u8>, Vec<String>) {
    let def = l.state.marshal();
    let mut meta: Vec<String> = def
        .metadata
        .iter()
        .map(|(digest, m)| format!("{digest} {m:?}"))
        .collect();
    meta.extend(l.warnings.iter().map(|w| w.short.clone()));
    meta.push(format!("{:?}", def.source));
    (def.def, serde_json::to_vec(&l.image).unwrap(), meta)
}

#[test]
fn two_threads_give_the_bytes_one_gives() {
    let text = mesh(60);
    let one = lower_on(&text, 1, Limits::default()).unwrap();
    let (ops, image, meta) = output(&one);
    // Every stage and the final one are in the graph.
    assert!(ops.len() > 60 * 5, "{} ops", ops.len());
    assert!(meta.iter().any(|m| m.contains("UNUSED")), "{meta:?}");
    for _ in 0..10 {
        let two = lower_on(&text, 2, Limits::default()).unwrap();
        let (ops2, image2, meta2) = output(&two);
        assert!(ops == ops2, "ops differ");
        assert_eq!(image, image2);
        assert_eq!(meta, meta2);
    }
}

/// `text` with `line` added after the first `anchor` line.
fn insert_after(text: &str, anchor: &str, line: &str) -> String {
    text.replacen(anchor, &[anchor, line].concat(), 1)
}

/// `text` fails on one thread with an error saying `says`, and on two
/// threads with the same error, every time.
fn same_error_on_two_threads(text: &str, says: &str) {
    let one = lower_on(text, 1, Limits::default()).unwrap_err();
    assert!(one.to_string().contains(says), "{one}");
    for _ in 0..20 {
        assert_eq!(lower_on(text, 2, Limits::default()).unwrap_err(), one);
    }
}

#[test]
fn two_threads_report_the_error_one_reports() {
    // Two stages fail; one thread meets the earlier first. The later one
    // is quick, so the second thread often fails first.
    let mut text = mesh(40);
    text = insert_after(&text, "WORKDIR /work/30\n", "RUN echo ${MISSING:?late}\n");
    text = insert_after(&text, "LABEL stage21=yes\n", "ENV X=${MISSING:?early}\n");
    same_error_on_two_threads(&text, "early");
}

#[test]
fn two_threads_overflow_the_budget_at_the_line_one_does() {
    let text = mesh(60);
    let used = |limit: usize| {
        lower_on(
            &text,
            1,
            Limits {
                message_bytes: limit,
            },
        )
    };
    // A budget about half the output: stages on both threads charge it.
    let full = used(Limits::default().message_bytes).unwrap();
    let (ops, _, _) = output(&full);
    let limit = ops.iter().map(Vec::len).sum::<usize>() / 2;
    let one = used(limit).unwrap_err();
    assert!(one.span.is_some(), "{one}");
    for _ in 0..20 {
        let two = lower_on(
            &text,
            2,
            Limits {
                message_bytes: limit,
            },
        )
        .unwrap_err();
        assert_eq!(two, one);
    }
}

#[test]
fn the_final_stage_started_early_reports_as_one_thread_does() {
    // The final stage copies from every stage and starts before they are
    // done; it fails early on, while a stage it reads fails later in the
    // file. One thread meets the stage's error first; so must two.
    let mut text = mesh(40);
    text = insert_after(
        &text,
        "COPY --from=s2 /out /in/2\n",
        "ENV Y=${MISSING:?final}\n",
    );
    text = insert_after(&text, "LABEL stage35=yes\n", "ENV X=${MISSING:?stage}\n");
    same_error_on_two_threads(&text, "stage");
    // Without the stage's error the final stage's is the one.
    let text = text.replacen("ENV X=${MISSING:?stage}\n", "", 1);
    same_error_on_two_threads(&text, "final");
}
