//! The LLB phase on its own: building the ops of a generated graph shaped
//! like `bench/gen-stages.sh N all` lowers to (per stage: an exec, a file op
//! with a copy from the context, named and located; a final stage copying
//! from every one), and writing its Definition.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use stagecraft_llb::{
    ExecSpec, FileCopy, ImageSource, LocalSession, LocalSource, OpMeta, SourceMap, State,
    write_definition,
};

/// The graph of `stages` stages.
fn graph(stages: usize, map: &SourceMap) -> State {
    let base = State::image(ImageSource::new("docker.io/library/busybox:latest")).unwrap();
    let context = State::local(LocalSource::new(
        "context",
        LocalSession::Unique("bench".into()),
    ))
    .unwrap();
    let mut finals = Vec::with_capacity(stages);
    for i in 0..stages {
        let line = i32::try_from(10 * i + 2).unwrap();
        let spec = ExecSpec::new(vec![
            "/bin/sh".into(),
            "-c".into(),
            format!("echo {i} > /out && echo $E{i}"),
        ])
        .with_env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .with_env(format!("E{i}"), format!("value{i}"))
        .with_env(format!("P{i}"), format!("/opt/{i}"))
        .with_cwd(format!("/work/{i}"))
        .with_meta(
            OpMeta::named(format!("[s{i} 3/10] RUN echo {i} > /out && echo $E{i}"))
                .with_description("com.docker.dockerfile.v1.command", format!("RUN echo {i}"))
                .with_location(map.lines(line, line)),
        );
        let ran = base.exec(spec).unwrap().root;
        let copied = ran
            .file_action(FileCopy::new(
                context.clone(),
                format!("/src{i}/"),
                format!("/work/{i}/"),
            ))
            .with_meta(
                OpMeta::named(format!("[s{i} 4/10] COPY src{i}/ ./"))
                    .with_location(map.lines(line + 1, line + 1)),
            );
        finals.push(copied);
    }
    let mut last = base;
    for (i, stage) in finals.iter().enumerate() {
        last = last
            .file_action(FileCopy::new(stage.clone(), "/out", format!("/in/{i}")))
            .with_custom_name(format!(
                "[final {}/{stages}] COPY --from=s{i} /out /in/{i}",
                i + 1
            ));
    }
    last
}

fn bench(c: &mut Criterion) {
    let map = SourceMap::new("Dockerfile", "Dockerfile", vec![b'x'; 1 << 16]);
    for stages in [500, 2000] {
        c.bench_function(&format!("llb/build_ops/{stages}_stages"), |b| {
            b.iter(|| black_box(graph(black_box(stages), &map)))
        });
        let state = graph(stages, &map);
        c.bench_function(&format!("llb/write_definition/{stages}_stages"), |b| {
            b.iter_batched_ref(
                || Vec::with_capacity(8 << 20),
                |out| write_definition(black_box(&state), out).unwrap(),
                BatchSize::LargeInput,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
