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

#[test]
fn two_threads_report_the_error_one_reports() {
    // Two stages fail; one thread meets the earlier first. The later one
    // is quick, so the second thread often fails first.
    let mut text = mesh(40);
    text = text.replacen(
        "WORKDIR /work/30\n",
        "WORKDIR /work/30\nRUN echo ${MISSING:?late}\n",
        1,
    );
    text = text.replacen(
        "LABEL stage21=yes\n",
        "LABEL stage21=yes\nENV X=${MISSING:?early}\n",
        1,
    );
    let one = lower_on(&text, 1, Limits::default()).unwrap_err();
    assert!(one.to_string().contains("early"), "{one}");
    for _ in 0..20 {
        assert_eq!(lower_on(&text, 2, Limits::default()).unwrap_err(), one);
    }
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
