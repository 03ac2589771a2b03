//! The single HTTP/2 connection to BuildKit's `LLBBridge`.
//!
//! BuildKit starts the frontend with two pipes as stdin and stdout and serves
//! gRPC on them (cleartext HTTP/2 with prior knowledge). The stream cannot be
//! reopened, so the connector hands it out once and refuses any reconnect.

use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tonic::transport::{Channel, Endpoint, Uri};

/// Largest response we accept. BuildKit ≥ 0.14 sends up to 16 MiB.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Largest request BuildKit before v0.14 (Docker 20.10–26) accepts: grpc-go's
/// default receive limit.
pub const MAX_REQUEST_BYTES: usize = 4 << 20;

/// Largest block of response headers (and trailers) we accept. A gRPC error
/// travels in trailers, message and details included, so hyper's 16 KiB
/// default loses any long error (a not-found echoing a long file name) and
/// the connection with it. grpc-go, on BuildKit's side, lets header lists
/// grow to 16 MiB unless told otherwise, so we accept as much.
pub const MAX_HEADER_LIST_BYTES: u32 = 16 << 20;

/// Why the connection to BuildKit could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// fd 0 or fd 1 is not a pipe (BuildKit always passes pipes; a terminal or
    /// a file means we were not started as a frontend).
    #[error("cannot use {fd} for the BuildKit connection (it must be a pipe): {source}")]
    NotAPipe {
        fd: &'static str,
        #[source]
        source: io::Error,
    },
    /// stdin/stdout were already turned into a connection in this process;
    /// two HTTP/2 connections on the same pipes would corrupt each other.
    #[error("the stdio connection to BuildKit was already opened in this process")]
    AlreadyOpened,
    /// The HTTP/2 handshake over the stream failed.
    #[error("cannot open the gRPC connection to BuildKit: {0}")]
    Connect(#[from] tonic::transport::Error),
}

/// A read half and a write half joined into one duplex byte stream.
///
/// Also used by the fake BuildKit on the other side of a child's pipes, hence
/// the `Connected` impl (tonic's server needs it).
#[derive(Debug)]
pub struct PipePair<R, W> {
    reader: R,
    writer: W,
}

impl<R, W> PipePair<R, W> {
    pub fn new(reader: R, writer: W) -> Self {
        PipePair { reader, writer }
    }
}

impl<R: AsyncRead + Unpin, W: Unpin> AsyncRead for PipePair<R, W> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for PipePair<R, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.writer.is_write_vectored()
    }
}

impl<R, W> tonic::transport::server::Connected for PipePair<R, W> {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

/// Our stdin/stdout as BuildKit's pipes.
///
/// Built on tokio's pipe types over duplicated fds: unlike `tokio::io::stdin`
/// there is no blocking reader thread that would keep the runtime (and so the
/// process) alive after `main` returns while BuildKit waits for us to exit.
pub type StdioStream = PipePair<pipe::Receiver, pipe::Sender>;

/// Opens fd 0 (read) and fd 1 (write) as a non-blocking stream.
///
/// Must run inside a tokio runtime, and succeeds at most once per process
/// (a failed attempt also uses up the chance: the fds are not pipes then, or
/// half-opened). On success fd 1 is redirected to stderr: one stray byte on
/// the pipe would break the HTTP/2 framing, while on stderr it only lands in
/// the daemon log.
pub fn stdio_stream() -> Result<StdioStream, TransportError> {
    static OPENED: AtomicBool = AtomicBool::new(false);
    if OPENED.swap(true, Ordering::SeqCst) {
        return Err(TransportError::AlreadyOpened);
    }
    let not_a_pipe = |fd| move |source| TransportError::NotAPipe { fd, source };
    let input = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(not_a_pipe("stdin"))?;
    let output = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(not_a_pipe("stdout"))?;
    let reader = pipe::Receiver::from_owned_fd(input).map_err(not_a_pipe("stdin"))?;
    let writer = pipe::Sender::from_owned_fd(output).map_err(not_a_pipe("stdout"))?;
    divert_stdout_to_stderr();
    Ok(PipePair::new(reader, writer))
}

/// Points fd 1 at stderr (the daemon log) so that a stray `println!` cannot
/// corrupt the protocol stream, which now runs over a duplicate of the old
/// fd 1. Best effort: if it fails, stdout simply stays the pipe.
fn divert_stdout_to_stderr() {
    // SAFETY: dup2 on the process's own standard fds; it only replaces fd 1,
    // which no Rust object owns (std's Stdout writes to fd 1 by number).
    let _ = unsafe { libc::dup2(libc::STDERR_FILENO, libc::STDOUT_FILENO) };
}

/// A tonic `Channel` to BuildKit over our stdin/stdout.
pub async fn connect_stdio() -> Result<Channel, TransportError> {
    connect_io(stdio_stream()?).await
}

/// A tonic `Channel` over a separate reader and writer (tests, other pipes).
pub async fn connect_split<R, W>(reader: R, writer: W) -> Result<Channel, TransportError>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    connect_io(PipePair::new(reader, writer)).await
}

/// A tonic `Channel` over one duplex stream, used as the only connection.
pub async fn connect_io<S>(stream: S) -> Result<Channel, TransportError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // The URI is never resolved: the connector ignores it. Its authority is
    // what grpc-go on the server side sees, and BuildKit uses `localhost`.
    let channel = Endpoint::from_static("http://localhost")
        .http2_max_header_list_size(MAX_HEADER_LIST_BYTES)
        .connect_with_connector(OnceConnector::new(stream))
        .await?;
    Ok(channel)
}

/// Hands out its stream on the first call and fails on every later one.
struct OnceConnector<S> {
    stream: Arc<Mutex<Option<S>>>,
}

impl<S> OnceConnector<S> {
    fn new(stream: S) -> Self {
        OnceConnector {
            stream: Arc::new(Mutex::new(Some(stream))),
        }
    }
}

/// The connection to BuildKit was already used and cannot be reopened.
#[derive(Debug, thiserror::Error)]
#[error("the stdio connection to BuildKit was closed and cannot be reopened")]
pub struct ConnectionGone;

impl<S> tower::Service<Uri> for OnceConnector<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Response = TokioIo<S>;
    type Error = ConnectionGone;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        // A poisoned lock only means another caller panicked mid-take; the
        // Option inside is still meaningful.
        let taken = match self.stream.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        Box::pin(async move { taken.map(TokioIo::new).ok_or(ConnectionGone) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::Service;

    #[tokio::test]
    async fn connector_hands_out_the_stream_once() {
        let (a, _b) = tokio::io::duplex(64);
        let mut connector = OnceConnector::new(a);
        let uri = Uri::from_static("http://localhost");
        assert!(connector.call(uri.clone()).await.is_ok());
        assert!(matches!(connector.call(uri).await, Err(ConnectionGone)));
    }
}
