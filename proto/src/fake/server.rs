//! The `LLBBridge` service of the fake and its in-process transport.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use futures::{Stream, StreamExt};
use prost::Message;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::AbortHandle;
use tonic::transport::Server;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use super::config::{FailWhen, FakeConfig};
use crate::client::Bridge;
use crate::fsutil::types::Stat;
use crate::moby::buildkit::v1::frontend::{
    self as gw,
    llb_bridge_server::{LlbBridge, LlbBridgeServer},
};
use crate::pb;
use crate::status::tonic_from_status;
use crate::transport::{self, TransportError};

/// What the fake made of a solved Definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SolvedContent {
    /// Only loads one local source: its files can be read back.
    Local(String),
    /// Anything else: solving "succeeds" but it holds no files.
    Opaque,
}

/// Everything the fake was asked, in order.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub pings: usize,
    pub resolved_images: Vec<gw::ResolveImageConfigRequest>,
    pub solves: Vec<gw::SolveRequest>,
    pub read_files: Vec<gw::ReadFileRequest>,
    pub warnings: Vec<gw::WarnRequest>,
    pub inputs_calls: usize,
    /// Every `Return` (BuildKit accepts one; more are a frontend bug).
    pub returns: Vec<gw::ReturnRequest>,
    /// When the first `Return` arrived.
    pub returned_at: Option<Instant>,
    /// Whether a `Ping` has been answered.
    pub ponged: bool,
    /// Files read before any `Ping` was answered.
    pub read_files_before_pong: usize,
    /// `ResolveImageConfig <ref>` as each request arrived, `ReadFile <path>`
    /// and `Ping answered` as each answer went out, in that order.
    pub order: Vec<String>,
}

impl Recorded {
    /// The first `Return`.
    pub fn returned(&self) -> Option<&gw::ReturnRequest> {
        self.returns.first()
    }

    /// The Definitions of all Solve calls, in order.
    pub fn definitions(&self) -> impl Iterator<Item = &pb::Definition> {
        self.solves.iter().filter_map(|s| s.definition.as_ref())
    }
}

struct Shared {
    config: FakeConfig,
    recorded: Mutex<Recorded>,
    refs: Mutex<BTreeMap<String, SolvedContent>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fake BuildKit; clones share the same script and records.
#[derive(Clone)]
pub struct FakeBuildkit {
    shared: Arc<Shared>,
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Drop for FakeBuildkit {
    fn drop(&mut self) {
        // Last handle gone: stop in-process servers so tests don't leak tasks.
        if Arc::strong_count(&self.tasks) == 1 {
            for task in lock(&self.tasks).drain(..) {
                task.abort();
            }
        }
    }
}

impl FakeBuildkit {
    pub fn new(config: FakeConfig) -> Self {
        FakeBuildkit {
            shared: Arc::new(Shared {
                config,
                recorded: Mutex::new(Recorded::default()),
                refs: Mutex::new(BTreeMap::new()),
            }),
            tasks: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// A snapshot of what was asked so far.
    pub fn recorded(&self) -> Recorded {
        lock(&self.shared.recorded).clone()
    }

    /// What a ref returned by Solve stands for.
    pub fn content_of(&self, reference: &str) -> Option<SolvedContent> {
        lock(&self.shared.refs).get(reference).cloned()
    }

    /// Serves on `conn` (one connection, kept open until it closes) on the
    /// current tokio runtime.
    pub fn serve<S>(&self, conn: S) -> tokio::task::JoinHandle<Result<(), tonic::transport::Error>>
    where
        S: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    {
        let service = LlbBridgeServer::new(Service {
            shared: self.shared.clone(),
        })
        .max_decoding_message_size(self.shared.config.max_request_bytes)
        .max_encoding_message_size(16 << 20);
        // A bare `once` would end the server together with the stream, before
        // the connection is served.
        let incoming = futures::stream::once(async move { Ok::<_, std::io::Error>(conn) })
            .chain(futures::stream::pending());
        let task = tokio::spawn(
            Server::builder()
                .add_service(service)
                .serve_with_incoming(incoming),
        );
        lock(&self.tasks).push(task.abort_handle());
        task
    }

    /// A client connected to this fake through an in-memory stream.
    pub async fn connect_in_process(&self) -> Result<Bridge, TransportError> {
        let (ours, theirs) = tokio::io::duplex(1 << 16);
        self.serve(theirs);
        Ok(Bridge::new(transport::connect_io(ours).await?))
    }
}

struct Service {
    shared: Arc<Shared>,
}

impl Service {
    fn record(&self) -> MutexGuard<'_, Recorded> {
        lock(&self.shared.recorded)
    }

    fn files_of(&self, reference: &str) -> Result<&BTreeMap<String, Vec<u8>>, Status> {
        match lock(&self.shared.refs).get(reference) {
            Some(SolvedContent::Local(name)) => self
                .shared
                .config
                .locals
                .get(name)
                .ok_or_else(|| Status::not_found(format!("local {name} has no files"))),
            Some(SolvedContent::Opaque) => Err(Status::unimplemented(format!(
                "the fake cannot look into build result {reference}"
            ))),
            None => Err(Status::not_found(format!("no such reference {reference}"))),
        }
    }
}

fn clean_path(path: &str) -> &str {
    let path = path.trim_start_matches('/');
    path.strip_prefix("./").unwrap_or(path)
}

/// `Local(name)` when the Definition only loads `local://name`, or one Git
/// or HTTP source: then `name` is its whole identifier, under which the
/// script's `locals` may hold its files.
fn classify(definition: Option<&pb::Definition>) -> SolvedContent {
    let Some(definition) = definition else {
        return SolvedContent::Opaque;
    };
    let mut local = None;
    for bytes in &definition.def {
        let Ok(op) = pb::Op::decode(bytes.as_slice()) else {
            return SolvedContent::Opaque;
        };
        match op.op {
            // The terminal op only points at the result.
            None => {}
            Some(pb::op::Op::Source(source)) if local.is_none() => {
                let id = &source.identifier;
                local = Some(match id.strip_prefix("local://") {
                    Some(name) => name.to_string(),
                    None if ["git://", "http://", "https://"]
                        .iter()
                        .any(|p| id.starts_with(p)) =>
                    {
                        id.clone()
                    }
                    None => return SolvedContent::Opaque,
                });
            }
            Some(pb::op::Op::Source(_)) => return SolvedContent::Opaque,
            Some(_) => return SolvedContent::Opaque,
        }
    }
    local.map_or(SolvedContent::Opaque, SolvedContent::Local)
}

fn stat(path: &str, size: usize, dir: bool) -> Stat {
    Stat {
        path: path.to_string(),
        // Go's os.ModeDir bit for directories, as fsutil sends it.
        mode: if dir { 0o755 | (1 << 31) } else { 0o644 },
        size: i64::try_from(size).unwrap_or(i64::MAX),
        ..Default::default()
    }
}

type ExecStream = Pin<Box<dyn Stream<Item = Result<gw::ExecMessage, Status>> + Send>>;

#[tonic::async_trait]
impl LlbBridge for Service {
    async fn resolve_image_config(
        &self,
        request: Request<gw::ResolveImageConfigRequest>,
    ) -> Result<Response<gw::ResolveImageConfigResponse>, Status> {
        let request = request.into_inner();
        let reference = request.r#ref.clone();
        {
            let mut recorded = self.record();
            recorded.resolved_images.push(request);
            recorded
                .order
                .push(format!("ResolveImageConfig {reference}"));
        }
        let image = self
            .shared
            .config
            .images
            .get(&reference)
            .ok_or_else(|| Status::not_found(format!("{reference}: not found")))?;
        Ok(Response::new(gw::ResolveImageConfigResponse {
            digest: image.digest.clone(),
            config: image.config.clone(),
            r#ref: reference,
        }))
    }

    async fn resolve_source_meta(
        &self,
        _request: Request<gw::ResolveSourceMetaRequest>,
    ) -> Result<Response<gw::ResolveSourceMetaResponse>, Status> {
        Err(Status::unimplemented("ResolveSourceMeta is not faked"))
    }

    async fn solve(
        &self,
        request: Request<gw::SolveRequest>,
    ) -> Result<Response<gw::SolveResponse>, Status> {
        let request = request.into_inner();
        let content = classify(request.definition.as_ref());
        let index = {
            let mut recorded = self.record();
            recorded.solves.push(request);
            recorded.solves.len() - 1
        };
        if let Some(failure) = &self.shared.config.solve_failure {
            let fails = match failure.when {
                FailWhen::Nth(n) => n == index,
                FailWhen::NotLocal => content == SolvedContent::Opaque,
            };
            if fails {
                return Err(tonic_from_status(&failure.status));
            }
        }
        let id = format!("fake-ref-{index}");
        lock(&self.shared.refs).insert(id.clone(), content);
        Ok(Response::new(gw::SolveResponse {
            r#ref: String::new(),
            result: Some(gw::Result {
                result: Some(gw::result::Result::Ref(gw::Ref { id, def: None })),
                ..Default::default()
            }),
        }))
    }

    async fn read_file(
        &self,
        request: Request<gw::ReadFileRequest>,
    ) -> Result<Response<gw::ReadFileResponse>, Status> {
        let request = request.into_inner();
        {
            let mut recorded = self.record();
            recorded.read_files.push(request.clone());
            if !recorded.ponged {
                recorded.read_files_before_pong += 1;
            }
        }
        if let Some(delay) = self.shared.config.read_delays.get(&request.file_path) {
            tokio::time::sleep(*delay).await;
        }
        self.record()
            .order
            .push(format!("ReadFile {}", request.file_path));
        let files = self.files_of(&request.r#ref)?;
        let path = clean_path(&request.file_path);
        let data = files
            .get(path)
            .ok_or_else(|| Status::not_found(format!("open /{path}: no such file or directory")))?;
        let data = match request.range {
            None => data.clone(),
            Some(range) => {
                let start = usize::try_from(range.offset).unwrap_or(0).min(data.len());
                let len = usize::try_from(range.length).unwrap_or(0);
                let end = start.saturating_add(len).min(data.len());
                data.get(start..end).unwrap_or_default().to_vec()
            }
        };
        Ok(Response::new(gw::ReadFileResponse { data }))
    }

    async fn read_dir(
        &self,
        request: Request<gw::ReadDirRequest>,
    ) -> Result<Response<gw::ReadDirResponse>, Status> {
        let request = request.into_inner();
        let files = self.files_of(&request.r#ref)?;
        let dir = clean_path(&request.dir_path).trim_end_matches('/');
        let mut entries: BTreeMap<String, Stat> = BTreeMap::new();
        for (path, data) in files {
            let rest = if dir.is_empty() {
                Some(path.as_str())
            } else {
                path.strip_prefix(dir).and_then(|r| r.strip_prefix('/'))
            };
            let Some(rest) = rest else { continue };
            match rest.split_once('/') {
                Some((sub, _)) => {
                    entries.insert(sub.to_string(), stat(sub, 0, true));
                }
                None => {
                    entries.insert(rest.to_string(), stat(rest, data.len(), false));
                }
            }
        }
        Ok(Response::new(gw::ReadDirResponse {
            entries: entries.into_values().collect(),
        }))
    }

    async fn stat_file(
        &self,
        request: Request<gw::StatFileRequest>,
    ) -> Result<Response<gw::StatFileResponse>, Status> {
        let request = request.into_inner();
        let files = self.files_of(&request.r#ref)?;
        let path = clean_path(&request.path);
        if let Some(data) = files.get(path) {
            return Ok(Response::new(gw::StatFileResponse {
                stat: Some(stat(path, data.len(), false)),
            }));
        }
        let prefix = format!("{}/", path.trim_end_matches('/'));
        if path.is_empty() || files.keys().any(|k| k.starts_with(&prefix)) {
            return Ok(Response::new(gw::StatFileResponse {
                stat: Some(stat(path, 0, true)),
            }));
        }
        Err(Status::not_found(format!(
            "stat /{path}: no such file or directory"
        )))
    }

    async fn evaluate(
        &self,
        _request: Request<gw::EvaluateRequest>,
    ) -> Result<Response<gw::EvaluateResponse>, Status> {
        Ok(Response::new(gw::EvaluateResponse {}))
    }

    async fn ping(
        &self,
        _request: Request<gw::PingRequest>,
    ) -> Result<Response<gw::PongResponse>, Status> {
        self.record().pings += 1;
        let config = &self.shared.config;
        if !config.ping_delay.is_zero() {
            tokio::time::sleep(config.ping_delay).await;
        }
        let mut recorded = self.record();
        recorded.ponged = true;
        recorded.order.push("Ping answered".to_string());
        drop(recorded);
        Ok(Response::new(gw::PongResponse {
            frontend_api_caps: config.gateway_caps.clone(),
            llb_caps: config.llb_caps.clone(),
            workers: config.workers.clone(),
        }))
    }

    async fn r#return(
        &self,
        request: Request<gw::ReturnRequest>,
    ) -> Result<Response<gw::ReturnResponse>, Status> {
        let mut recorded = self.record();
        recorded.returns.push(request.into_inner());
        recorded.returned_at.get_or_insert_with(Instant::now);
        Ok(Response::new(gw::ReturnResponse {}))
    }

    async fn inputs(
        &self,
        _request: Request<gw::InputsRequest>,
    ) -> Result<Response<gw::InputsResponse>, Status> {
        self.record().inputs_calls += 1;
        Ok(Response::new(gw::InputsResponse {
            definitions: self.shared.config.inputs.clone().into_iter().collect(),
        }))
    }

    async fn new_container(
        &self,
        _request: Request<gw::NewContainerRequest>,
    ) -> Result<Response<gw::NewContainerResponse>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    async fn release_container(
        &self,
        _request: Request<gw::ReleaseContainerRequest>,
    ) -> Result<Response<gw::ReleaseContainerResponse>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    type ExecProcessStream = ExecStream;

    async fn exec_process(
        &self,
        _request: Request<tonic::Streaming<gw::ExecMessage>>,
    ) -> Result<Response<Self::ExecProcessStream>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    async fn read_file_container(
        &self,
        _request: Request<gw::ReadFileRequest>,
    ) -> Result<Response<gw::ReadFileResponse>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    async fn read_dir_container(
        &self,
        _request: Request<gw::ReadDirRequest>,
    ) -> Result<Response<gw::ReadDirResponse>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    async fn stat_file_container(
        &self,
        _request: Request<gw::StatFileRequest>,
    ) -> Result<Response<gw::StatFileResponse>, Status> {
        Err(Status::unimplemented("containers are not faked"))
    }

    async fn warn(
        &self,
        request: Request<gw::WarnRequest>,
    ) -> Result<Response<gw::WarnResponse>, Status> {
        self.record().warnings.push(request.into_inner());
        Ok(Response::new(gw::WarnResponse {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(ops: Vec<pb::Op>) -> pb::Definition {
        pb::Definition {
            def: ops.iter().map(|op| op.encode_to_vec()).collect(),
            ..Default::default()
        }
    }

    fn source(identifier: &str) -> pb::Op {
        pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: identifier.into(),
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    #[test]
    fn classifies_local_loads() {
        let local = definition(vec![source("local://dockerfile"), pb::Op::default()]);
        assert_eq!(
            classify(Some(&local)),
            SolvedContent::Local("dockerfile".into())
        );
        let image = definition(vec![source("docker-image://alpine"), pb::Op::default()]);
        assert_eq!(classify(Some(&image)), SolvedContent::Opaque);
        let two = definition(vec![source("local://a"), source("local://b")]);
        assert_eq!(classify(Some(&two)), SolvedContent::Opaque);
        assert_eq!(classify(None), SolvedContent::Opaque);
    }
}
