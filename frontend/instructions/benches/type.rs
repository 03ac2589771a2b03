//! Typing speed: syntax nodes → typed stages, on generated Dockerfiles of
//! 100, 1,000 and 5,000 stages shaped like `bench/gen-stages.sh` (ARG, ENV,
//! WORKDIR, RUN with and without a mount, COPY, LABEL, EXPOSE, USER), plus a
//! final stage copying from every stage. Parsing is done once, outside the
//! measurement (the syntax crate's `parse` bench covers it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::fmt::Write;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn generate(stages: usize) -> String {
    let mut out = String::from("ARG BASE=busybox\n");
    for i in 0..stages {
        let _ = write!(
            out,
            "FROM ${{BASE}} AS s{i}\n\
             ARG V{i}=value{i}\n\
             ENV E{i}=$V{i} P{i}=/opt/{i}\n\
             WORKDIR /work/{i}\n\
             RUN echo {i} > /out && echo $E{i}\n\
             COPY src{i}/ ./\n\
             RUN --mount=type=cache,target=/cache cp /out /cache/{i}\n\
             LABEL stage{i}=yes\n\
             EXPOSE {}\n\
             USER user{i}\n",
            1000 + i
        );
    }
    out.push_str("FROM busybox AS final\n");
    for i in 0..stages {
        let _ = writeln!(out, "COPY --from=s{i} /out /in/{i}");
    }
    out.push_str("CMD [\"true\"]\n");
    out
}

fn type_phase(c: &mut Criterion) {
    let mut group = c.benchmark_group("type");
    for stages in [100, 1_000, 5_000] {
        let parsed = stagecraft_syntax::parse(&generate(stages)).expect("generated file parses");
        group.throughput(Throughput::Elements(parsed.nodes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(stages), &parsed, |b, parsed| {
            b.iter(|| stagecraft_instructions::parse_dockerfile(parsed).expect("types"))
        });
    }
    group.finish();
}

criterion_group!(benches, type_phase);
criterion_main!(benches);
