//! Shared test helpers: a canned image resolver and a one-call lowering.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{
    BuildOptions, ContextConfig, ImageResolver, LowerError, LowerRequest, Lowered, Platform,
    ResolveError, ResolveMode, ResolvedImage, SourceFile,
};

/// Answers from a table; records every request (reference, log name) and
/// how many were in flight at once.
#[derive(Default)]
pub(crate) struct FakeResolver {
    pub(crate) images: BTreeMap<String, ResolvedImage>,
    pub(crate) calls: Mutex<Vec<(String, String)>>,
    in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
}

pub(crate) const BUSYBOX_CONFIG: &str = r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},"history":[{"created_by":"ADD rootfs"}]}"#;

pub(crate) fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

impl FakeResolver {
    pub(crate) fn new() -> Self {
        let mut r = FakeResolver::default();
        r.add(
            "docker.io/library/busybox:latest",
            Some(digest('b')),
            BUSYBOX_CONFIG,
        );
        r.add(
            "docker.io/library/alpine:3.19",
            Some(digest('a')),
            BUSYBOX_CONFIG,
        );
        r.add(
            "docker.io/library/golang:1.22",
            Some(digest('c')),
            &BUSYBOX_CONFIG.replace(
                "\"Cmd\":[\"sh\"]",
                "\"Cmd\":[\"go\"],\"WorkingDir\":\"/go\"",
            ),
        );
        r
    }

    pub(crate) fn add(&mut self, reference: &str, digest: Option<String>, config: &str) {
        self.images.insert(
            reference.to_string(),
            ResolvedImage {
                digest,
                config: Some(config.as_bytes().to_vec()),
            },
        );
    }

    pub(crate) fn calls(&self) -> Vec<(String, String)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Pending once, so that `join_all` polls every request before any ends.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

impl ImageResolver for FakeResolver {
    fn resolve(
        &self,
        reference: &str,
        _platform: &Platform,
        _mode: ResolveMode,
        log_name: &str,
    ) -> impl std::future::Future<Output = Result<ResolvedImage, ResolveError>> + Send {
        if let Ok(mut c) = self.calls.lock() {
            c.push((reference.to_string(), log_name.to_string()));
        }
        let answer = self.images.get(reference).cloned().ok_or(ResolveError {
            message: format!("{reference}: not found"),
        });
        async move {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            YieldOnce(false).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            answer
        }
    }
}

pub(crate) fn options() -> BuildOptions {
    BuildOptions {
        filename: "Dockerfile".into(),
        build_platform: Platform::linux_amd64(),
        ..BuildOptions::default()
    }
}

pub(crate) fn context() -> ContextConfig {
    ContextConfig {
        local_name: "context".into(),
        session_id: None,
        local_unique: Some("test".into()),
        exclude_patterns: Vec::new(),
        named_locals: Default::default(),
        inputs: Default::default(),
        remote: None,
    }
}

/// Parses and lowers `text`.
pub(crate) fn lower_with(
    text: &str,
    options: &BuildOptions,
    resolver: &FakeResolver,
) -> Result<Lowered, LowerError> {
    lower_caps(text, options, resolver, None)
}

/// Like [`lower_with`], for a daemon that supports only `caps`.
pub(crate) fn lower_caps(
    text: &str,
    options: &BuildOptions,
    resolver: &FakeResolver,
    caps: Option<&std::collections::BTreeSet<String>>,
) -> Result<Lowered, LowerError> {
    lower_using(
        text,
        options,
        resolver,
        caps,
        crate::Limits::default(),
        crate::build::Workers::Auto,
    )
}

/// Like [`lower_caps`], within `limits`, dispatching on `workers` threads.
pub(crate) fn lower_using(
    text: &str,
    options: &BuildOptions,
    resolver: &FakeResolver,
    caps: Option<&std::collections::BTreeSet<String>>,
    limits: crate::Limits,
    workers: crate::build::Workers,
) -> Result<Lowered, LowerError> {
    let parsed = stagecraft_syntax::parse(text).map_err(|e| LowerError::new(e.into(), None))?;
    let df = stagecraft_instructions::parse_dockerfile(&parsed)
        .map_err(|e| LowerError::new(e.into(), None))?;
    let source = SourceFile {
        filename: "Dockerfile".into(),
        data: text.as_bytes().to_vec(),
        definition: None,
    };
    let ctx = context();
    let req = LowerRequest {
        dockerfile: &df,
        escape: parsed.escape,
        source: &source,
        options,
        context: &ctx,
        llb_caps: caps,
        limits,
    };
    futures::executor::block_on(crate::build::lower(req, resolver, workers))
}

pub(crate) fn lower_text(text: &str) -> Result<Lowered, LowerError> {
    lower_with(text, &options(), &FakeResolver::new())
}

/// Progress names of the ops of the marshalled graph, in op order.
pub(crate) fn op_names(l: &Lowered) -> Vec<String> {
    let def = l.state.marshal();
    let digests: Vec<String> = def
        .def
        .iter()
        .map(|b| stagecraft_llb::digest_of(b))
        .collect();
    digests
        .iter()
        .filter_map(|d| def.metadata.get(d))
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect()
}

pub(crate) fn history(l: &Lowered) -> Vec<(String, bool)> {
    l.image
        .history
        .iter()
        .map(|h| (h.created_by.clone(), h.empty_layer))
        .collect()
}
