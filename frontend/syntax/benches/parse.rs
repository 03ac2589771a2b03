//! Parsing speed on generated Dockerfiles of 200, 2,000 and 10,000 lines
//! mixing every shape the parser handles: directives, continuations,
//! comments, JSON and shell forms, flags and heredocs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn generate(lines: usize) -> String {
    let mut out = String::from("# syntax=stagecraft:dev\n# escape=\\\nARG BASE=busybox\n");
    let mut stage = 0;
    while out.lines().count() < lines {
        out.push_str(&format!("FROM ${{BASE}} AS stage{stage}\n"));
        out.push_str("ENV A=1 B=\"two words\" C=three\\ four\n");
        out.push_str("# a comment line\n");
        out.push_str("RUN --mount=type=cache,target=/root/.cache \\\n    echo building \\\n    && make -j4\n");
        out.push_str(&format!(
            "COPY --from=stage{} --chown=1000:1000 /out /in\n",
            stage.max(1) - 1
        ));
        out.push_str("COPY <<EOF /etc/app.conf\nkey=value\nother=${A}\nEOF\n");
        out.push_str("LABEL org.example.version=\"1.0\" maintainer=\"someone\"\n");
        out.push_str("HEALTHCHECK --interval=5s --retries=3 CMD [\"true\"]\n");
        out.push_str("CMD [\"/bin/app\", \"--serve\"]\n");
        stage += 1;
    }
    out
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for lines in [200, 2_000, 10_000] {
        let text = generate(lines);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(lines), &text, |b, text| {
            b.iter(|| stagecraft_syntax::parse(text).expect("generated Dockerfile parses"))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
