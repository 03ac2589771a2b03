//! Parse + type + lower generated Dockerfiles of ~2,000 and ~10,000 lines:
//! many stages, each copying from the one before, with a resolver that
//! answers at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use stagecraft_lower::{
    BuildOptions, ContextConfig, ImageResolver, LowerRequest, Platform, ResolveError, ResolveMode,
    ResolvedImage, SourceFile,
};

const CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]}}"#;

struct Instant;

impl ImageResolver for Instant {
    fn resolve(
        &self,
        _reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        _log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        std::future::ready(Ok(ResolvedImage {
            digest: Some(format!("sha256:{}", "b".repeat(64))),
            config: Some(CONFIG.as_bytes().to_vec()),
        }))
    }
}

/// About `lines` lines in stages of ten; every stage copies from the
/// previous one, every tenth builds on it, so the last stage needs all.
fn generate(lines: usize) -> String {
    let stages = (lines / 10).max(1);
    let mut out = String::from("ARG BASE=busybox\n");
    for i in 0..stages {
        if i % 10 == 9 {
            out.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
        } else {
            out.push_str(&format!("FROM ${{BASE}} AS s{i}\n"));
        }
        out.push_str(&format!("ARG V{i}=value{i}\n"));
        out.push_str(&format!("ENV E{i}=$V{i}\n"));
        out.push_str(&format!("WORKDIR /work/{i}\n"));
        out.push_str(&format!("RUN echo {i} > /out{i} && echo $E{i}\n"));
        if i > 0 {
            out.push_str(&format!("COPY --from=s{} /out{} /in/\n", i - 1, i - 1));
        } else {
            out.push_str("COPY seed.txt /in/\n");
        }
        out.push_str(&format!("COPY src{i}/ ./\n"));
        out.push_str(&format!("LABEL stage{i}=yes\n"));
        out.push_str(&format!("EXPOSE {}\n", 1000 + i));
        out.push_str(&format!("USER user{i}\n"));
    }
    out
}

fn run(text: &str) -> usize {
    let parsed = stagecraft_syntax::parse(text).expect("parse");
    let df = stagecraft_instructions::parse_dockerfile(&parsed).expect("instructions");
    let source = SourceFile {
        filename: "Dockerfile".into(),
        data: text.as_bytes().to_vec(),
        definition: None,
    };
    let options = BuildOptions {
        build_platform: Platform::linux_amd64(),
        ..BuildOptions::default()
    };
    let context = ContextConfig {
        local_name: "context".into(),
        session_id: Some("s".into()),
        local_unique: None,
        exclude_patterns: Vec::new(),
        named_locals: Default::default(),
        inputs: Default::default(),
        remote: None,
    };
    let req = LowerRequest {
        dockerfile: &df,
        escape: parsed.escape,
        source: &source,
        options: &options,
        context: &context,
        llb_caps: None,
        limits: stagecraft_lower::Limits::default(),
    };
    let lowered =
        futures::executor::block_on(stagecraft_lower::lower(req, &Instant)).expect("lower");
    lowered.state.marshal().def.len()
}

fn bench(c: &mut Criterion) {
    for lines in [2_000, 10_000] {
        let text = generate(lines);
        let ops = run(&text);
        assert!(
            ops > lines / 10,
            "every stage should be lowered ({ops} ops)"
        );
        c.bench_function(&format!("parse+lower+marshal {lines} lines"), |b| {
            b.iter(|| run(black_box(&text)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
