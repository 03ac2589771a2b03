//! A typed client for BuildKit's `LLBBridge` service.

mod error;
mod types;

pub use error::BridgeError;
pub use types::{CacheImport, ImageConfig, Pong, RefId, ResolveMode, SolveOptions, Warning};

use error::call_error;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use prost::Message;
use tonic::transport::Channel;

use crate::caps::{Cap, Caps};
use crate::fsutil::types::Stat;
use crate::google::rpc;
use crate::moby::buildkit::v1::frontend::{
    self as gw, CacheOptionsEntry, FileRange, llb_bridge_client::LlbBridgeClient, result,
};
use crate::pb;
use crate::trace::Trace;
use crate::transport::{self, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES};

/// How long `Ping` may take (the Go client's limit too).
pub const PING_TIMEOUT: Duration = Duration::from_secs(15);

/// Typed access to the `LLBBridge` of the BuildKit that started us.
///
/// Methods take `&self`: the underlying channel multiplexes calls, so several
/// may run at once (e.g. resolving all base images concurrently).
#[derive(Clone, Debug)]
pub struct Bridge {
    client: LlbBridgeClient<Channel>,
    caps: std::sync::Arc<OnceLock<Caps>>,
    /// Set by [`Bridge::with_request_limit`]; otherwise learnt from Ping.
    request_limit: Option<usize>,
    trace: Trace,
}

impl Bridge {
    /// Connects over our stdin/stdout.
    pub async fn connect_stdio() -> Result<Bridge, BridgeError> {
        Ok(Bridge::new(transport::connect_stdio().await?))
    }

    /// Wraps a channel from [`transport`].
    pub fn new(channel: Channel) -> Bridge {
        let client = LlbBridgeClient::new(channel).max_decoding_message_size(MAX_RESPONSE_BYTES);
        Bridge {
            client,
            caps: Default::default(),
            request_limit: None,
            trace: Trace::default(),
        }
    }

    /// Records this bridge's calls in `trace` (e.g. one that counts from
    /// process start) instead of a trace of its own.
    pub fn with_trace(mut self, trace: Trace) -> Bridge {
        self.trace = trace;
        self
    }

    /// Every call made through this bridge (and its clones) so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Fixes the request size checked before sending; by default it is the
    /// daemon's limit as Ping tells it ([`Caps::message_limit`]), and 4 MiB
    /// (what BuildKit before v0.14 accepts) before Ping.
    pub fn with_request_limit(mut self, limit: usize) -> Bridge {
        self.request_limit = Some(limit);
        self
    }

    /// The largest request the daemon accepts, as far as we know.
    pub fn request_limit(&self) -> usize {
        self.request_limit.unwrap_or_else(|| {
            self.caps
                .get()
                .map_or(MAX_REQUEST_BYTES, Caps::message_limit)
        })
    }

    /// Caps from the first successful [`Bridge::ping`].
    pub fn caps(&self) -> Option<&Caps> {
        self.caps.get()
    }

    pub async fn ping(&self) -> Result<Pong, BridgeError> {
        let call = "Ping";
        let mut client = self.client.clone();
        let ping = async {
            tokio::time::timeout(PING_TIMEOUT, client.ping(gw::PingRequest {}))
                .await
                .map_err(|_| BridgeError::Timeout {
                    call,
                    after: PING_TIMEOUT,
                })?
                .map_err(call_error(call))
        };
        let reply = self.trace.time(call, "", ping).await?.into_inner();
        let caps = Caps::from_pong(&reply);
        let _ = self.caps.set(caps.clone());
        Ok(Pong {
            caps,
            workers: reply.workers,
        })
    }

    pub async fn resolve_image_config(
        &self,
        reference: &str,
        platform: Option<pb::Platform>,
        resolve_mode: ResolveMode,
        log_name: &str,
    ) -> Result<ImageConfig, BridgeError> {
        let request = gw::ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform,
            resolve_mode: resolve_mode.as_str().to_string(),
            log_name: log_name.to_string(),
            ..Default::default()
        };
        self.ask_image_config(reference, request).await
    }

    /// The config of an image in an OCI layout the client holds: store
    /// `store_id` of session `session_id` (BuildKit's OCI layout resolver).
    pub async fn resolve_oci_layout_config(
        &self,
        reference: &str,
        platform: Option<pb::Platform>,
        (session_id, store_id): (&str, &str),
        log_name: &str,
    ) -> Result<ImageConfig, BridgeError> {
        /// `ResolverType` of BuildKit's source resolver: 0 registry, 1 OCI layout.
        const RESOLVER_OCI_LAYOUT: i32 = 1;
        let request = gw::ResolveImageConfigRequest {
            r#ref: reference.to_string(),
            platform,
            log_name: log_name.to_string(),
            resolver_type: RESOLVER_OCI_LAYOUT,
            session_id: session_id.to_string(),
            store_id: store_id.to_string(),
            ..Default::default()
        };
        self.ask_image_config(reference, request).await
    }

    async fn ask_image_config(
        &self,
        reference: &str,
        request: gw::ResolveImageConfigRequest,
    ) -> Result<ImageConfig, BridgeError> {
        let mut client = self.client.clone();
        let reply = self
            .trace
            .time(
                "ResolveImageConfig",
                reference,
                client.resolve_image_config(request),
            )
            .await
            .map_err(call_error("ResolveImageConfig"))?
            .into_inner();
        Ok(ImageConfig {
            digest: Some(reply.digest).filter(|d| !d.is_empty()),
            config: reply.config,
            reference: if reply.r#ref.is_empty() {
                reference.to_string()
            } else {
                reply.r#ref
            },
        })
    }

    /// Solves and returns the single reference of the result.
    pub async fn solve(
        &self,
        definition: pb::Definition,
        opts: &SolveOptions,
    ) -> Result<RefId, BridgeError> {
        let result = self.solve_result(Some(definition), opts).await?;
        match result.result {
            None => Ok(RefId::default()),
            Some(result::Result::Ref(r)) => Ok(RefId(r.id)),
            Some(result::Result::RefDeprecated(id)) => Ok(RefId(id)),
            Some(result::Result::Refs(_) | result::Result::RefsDeprecated(_)) => {
                Err(BridgeError::UnexpectedResult("a map of references"))
            }
        }
    }

    /// Solves and returns the whole result (metadata included), e.g. to hand
    /// a forwarded frontend's result to `Return` as it is.
    ///
    /// Before sending, checks the caps listed in the Definition (once `ping`
    /// has run) and the request size (see [`Bridge::with_request_limit`]).
    pub async fn solve_result(
        &self,
        definition: Option<pb::Definition>,
        opts: &SolveOptions,
    ) -> Result<gw::Result, BridgeError> {
        let call = "Solve";
        if let (Some(caps), Some(definition)) = (self.caps.get(), definition.as_ref()) {
            caps.check_definition(definition)?;
        }
        let request = gw::SolveRequest {
            definition,
            frontend: opts.frontend.clone().unwrap_or_default(),
            frontend_opt: opts.frontend_opt.clone().into_iter().collect(),
            allow_result_return: true,
            allow_result_array_ref: true,
            cache_imports: opts
                .cache_imports
                .iter()
                .map(|c| CacheOptionsEntry {
                    r#type: c.kind.clone(),
                    attrs: c.attrs.clone().into_iter().collect(),
                })
                .collect(),
            frontend_inputs: opts.frontend_inputs.clone().into_iter().collect(),
            evaluate: opts.evaluate,
            ..Default::default()
        };
        let size = request.encoded_len();
        let limit = self.request_limit();
        if size > limit {
            return Err(BridgeError::RequestTooLarge { call, size, limit });
        }
        let mut client = self.client.clone();
        let reply = self
            .trace
            .time(call, format!("{size} bytes"), client.solve(request))
            .await
            .map_err(call_error(call))?
            .into_inner();
        Ok(match reply.result {
            Some(result) => result,
            // Daemons that ignore allowResultReturn answer with the old field.
            None => gw::Result {
                result: Some(result::Result::RefDeprecated(reply.r#ref)),
                ..Default::default()
            },
        })
    }

    /// Reads a file of a solved result; `range` = (offset, length) for big
    /// files (answers over 16 MiB fail).
    pub async fn read_file(
        &self,
        reference: &RefId,
        path: &str,
        range: Option<(i64, i64)>,
    ) -> Result<Vec<u8>, BridgeError> {
        let request = gw::ReadFileRequest {
            r#ref: reference.0.clone(),
            file_path: path.to_string(),
            range: range.map(|(offset, length)| FileRange { offset, length }),
            ..Default::default()
        };
        let mut client = self.client.clone();
        Ok(self
            .trace
            .time("ReadFile", path, client.read_file(request))
            .await
            .map_err(call_error("ReadFile"))?
            .into_inner()
            .data)
    }

    /// Lists a directory of a solved result (cap `readdir`).
    pub async fn read_dir(
        &self,
        reference: &RefId,
        path: &str,
        include_pattern: Option<&str>,
    ) -> Result<Vec<Stat>, BridgeError> {
        let request = gw::ReadDirRequest {
            r#ref: reference.0.clone(),
            dir_path: path.to_string(),
            include_pattern: include_pattern.unwrap_or_default().to_string(),
            ..Default::default()
        };
        let mut client = self.client.clone();
        Ok(self
            .trace
            .time("ReadDir", path, client.read_dir(request))
            .await
            .map_err(call_error("ReadDir"))?
            .into_inner()
            .entries)
    }

    /// Stats a path in a solved result (cap `statfile`).
    pub async fn stat_file(&self, reference: &RefId, path: &str) -> Result<Stat, BridgeError> {
        let request = gw::StatFileRequest {
            r#ref: reference.0.clone(),
            path: path.to_string(),
            ..Default::default()
        };
        let mut client = self.client.clone();
        Ok(self
            .trace
            .time("StatFile", path, client.stat_file(request))
            .await
            .map_err(call_error("StatFile"))?
            .into_inner()
            .stat
            .unwrap_or_default())
    }

    /// Definitions the client passed as inputs (`dockerfile`, `context`,
    /// named contexts). Empty when the daemon lacks cap `frontend.inputs` or
    /// `ping` was not called.
    pub async fn inputs(&self) -> Result<BTreeMap<String, pb::Definition>, BridgeError> {
        if !self.has_cap(Cap::FrontendInputs) {
            return Ok(BTreeMap::new());
        }
        self.request_inputs().await
    }

    /// [`Bridge::ping`] and [`Bridge::inputs`] in one round trip: both go
    /// out at once, and the inputs are kept only if the daemon turns out to
    /// have cap `frontend.inputs` (an older one just answers the second
    /// call with an error, which is then ignored).
    #[allow(clippy::type_complexity)]
    pub async fn ping_with_inputs(
        &self,
    ) -> (
        Result<Pong, BridgeError>,
        Result<BTreeMap<String, pb::Definition>, BridgeError>,
    ) {
        let (pong, inputs) = futures::join!(self.ping(), self.request_inputs());
        let inputs = match &pong {
            Ok(pong) if pong.caps.supports_gateway("frontend.inputs") => inputs,
            _ => Ok(BTreeMap::new()),
        };
        (pong, inputs)
    }

    /// Asks for the inputs without waiting for `ping`: a daemon without cap
    /// `frontend.inputs` answers with an error, and one whose cap is
    /// disabled must be taken to have none (see [`Bridge::ping_with_inputs`]).
    pub async fn request_inputs(&self) -> Result<BTreeMap<String, pb::Definition>, BridgeError> {
        let mut client = self.client.clone();
        Ok(self
            .trace
            .time("Inputs", "", client.inputs(gw::InputsRequest {}))
            .await
            .map_err(call_error("Inputs"))?
            .into_inner()
            .definitions
            .into_iter()
            .collect())
    }

    /// Sends a warning when the daemon supports them (cap `gateway.warnings`,
    /// BuildKit v0.10+). Returns whether it was sent; without the cap (or
    /// before `ping`) this does nothing and returns `Ok(false)`.
    pub async fn warn(&self, warning: Warning) -> Result<bool, BridgeError> {
        if !self.has_cap(Cap::GatewayWarnings) {
            return Ok(false);
        }
        // The trace names the warning (its first line, as shown).
        let detail = warning.short.lines().next().unwrap_or_default().to_string();
        let request = gw::WarnRequest {
            digest: warning.vertex_digest,
            level: warning.level,
            short: warning.short.into_bytes(),
            detail: warning.detail.into_iter().map(String::into_bytes).collect(),
            url: warning.url.unwrap_or_default(),
            info: warning.source,
            ranges: warning.ranges,
        };
        let mut client = self.client.clone();
        self.trace
            .time("Warn", detail, client.warn(request))
            .await
            .map_err(call_error("Warn"))?;
        Ok(true)
    }

    /// Ends the build successfully with one reference and its metadata
    /// (`containerimage.config`, `refs.platforms`, …).
    pub async fn return_result(
        &self,
        reference: &RefId,
        metadata: BTreeMap<String, Vec<u8>>,
    ) -> Result<(), BridgeError> {
        let result = gw::Result {
            metadata: metadata.into_iter().collect(),
            result: Some(result::Result::Ref(gw::Ref {
                id: reference.0.clone(),
                def: None,
            })),
            ..Default::default()
        };
        self.return_raw(Some(result), None).await
    }

    /// Ends the build successfully with one reference per key (the platform
    /// IDs of a multi-platform build) and the metadata that goes with them
    /// (`containerimage.config/<id>`, `refs.platforms`, …).
    pub async fn return_refs(
        &self,
        refs: &BTreeMap<String, RefId>,
        metadata: BTreeMap<String, Vec<u8>>,
    ) -> Result<(), BridgeError> {
        let result = gw::Result {
            metadata: metadata.into_iter().collect(),
            result: Some(result::Result::Refs(gw::RefMap {
                refs: refs
                    .iter()
                    .map(|(key, id)| {
                        (
                            key.clone(),
                            gw::Ref {
                                id: id.0.clone(),
                                def: None,
                            },
                        )
                    })
                    .collect(),
            })),
            ..Default::default()
        };
        self.return_raw(Some(result), None).await
    }

    /// Ends the build with a result as it is (e.g. from [`Bridge::solve_result`]).
    pub async fn return_full_result(&self, result: gw::Result) -> Result<(), BridgeError> {
        self.return_raw(Some(result), None).await
    }

    /// Ends the build with an error; see [`crate::status`] for building one
    /// and [`BridgeError::to_rpc_status`] for forwarding BuildKit's.
    /// Returns `status` as the build's error, shrunk to fit the daemon's
    /// message limit (see [`crate::fit_status`]): an error too large to send
    /// would reach nobody.
    pub async fn return_error(&self, status: rpc::Status) -> Result<(), BridgeError> {
        let status = crate::fit::fit_status(status, self.request_limit());
        self.return_raw(None, Some(status)).await
    }

    async fn return_raw(
        &self,
        result: Option<gw::Result>,
        error: Option<rpc::Status>,
    ) -> Result<(), BridgeError> {
        let mut client = self.client.clone();
        self.trace
            .time(
                "Return",
                "",
                client.r#return(gw::ReturnRequest { result, error }),
            )
            .await
            .map_err(call_error("Return"))?;
        Ok(())
    }

    fn has_cap(&self, cap: Cap) -> bool {
        self.caps.get().is_some_and(|caps| caps.has(cap))
    }
}
