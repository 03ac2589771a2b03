mod args;
mod context;
mod graph;
mod metadata;
mod multiplatform;
mod onbuild;
mod parallel;
mod resolve;

#[test]
fn errors_stay_small() {
    // Results carry LowerError everywhere; keep it under clippy's limit.
    assert!(std::mem::size_of::<crate::LowerError>() <= 128);
}
mod exec;
