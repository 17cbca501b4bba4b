//! The listener: HTTP/1.1 connections served with hyper directly (axum's
//! `serve` has no timeouts), with
//! - a header-read timeout that also closes idle keep-alive connections
//!   (hyper starts it whenever it waits for a request head),
//! - a total time per request (`408` after it),
//! - a cap on open connections ([`slots`]): at the cap the oldest idle
//!   connection makes room, and when none is idle the newcomer gets a
//!   minimal `503` and is closed at once,
//! - graceful shutdown: no new connections, idle ones closed, requests in
//!   flight finished,
//! - `ConnectInfo<SocketAddr>` in every request's extensions.

mod descriptors;
mod slots;

pub use descriptors::raise_file_limit;

use crate::error::AppError;
use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use slots::{Held, Slots};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::Service;

/// Limits on connections and on the time a request may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections at most; `None`: derived from the file-descriptor
    /// limit ([`raise_file_limit`]).
    pub max_connections: Option<usize>,
    /// Time a client has to send a whole request head, on a new connection
    /// and between requests on a keep-alive one (then it is closed).
    pub header_read_timeout: Duration,
    /// Time from the request head to the response head, body read included.
    pub request_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// No fixed cap, 10 s for a request head or an idle keep-alive
    /// connection, 30 s per request.
    fn default() -> Self {
        ConnectionLimits {
            max_connections: None,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What a connection beyond the cap is answered before it is closed.
const SHED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\
retry-after: 1\r\ncontent-length: 0\r\n\r\n";

/// Serves `router` on `listener` until `shutdown` completes, then finishes
/// the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let max = limits.max_connections.unwrap_or_else(raise_file_limit);
    tracing::info!(max_connections = max, "accepting connections");
    let slots = Slots::new(max);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors or a connection reset before accept:
                // pause briefly rather than spin.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        match slots.admit() {
            Some(held) => {
                let router = router.clone();
                let stopping = stopping.clone();
                connections.spawn(connection(stream, peer, router, held, limits, stopping));
            }
            None => shed(&stream),
        }
    }
    drop(listener);
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Answers `503` without waiting and closes (what the client sent is read
/// first, so that the close is not a reset that hides the answer).
fn shed(stream: &TcpStream) {
    let mut sent = [0u8; 4096];
    let _ = stream.try_read(&mut sent);
    let _ = stream.try_write(SHED);
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    held: Held,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let slot = held.slot();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let busy = slot.busy();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = router.clone().call(request);
        async move {
            let _busy = busy;
            let response = match tokio::time::timeout(limits.request_timeout, response).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => timed_out(),
            };
            Ok::<_, Infallible>(response)
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let conn = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, %peer, "connection ended");
            }
            return;
        }
        () = held.evicted() => {}
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    if held.served() {
        // Closes an idle keep-alive connection now, a busy one after its response.
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
    // Else no request was ever dispatched: dropping the connection loses nothing.
}

fn timed_out() -> Response {
    AppError::invalid("the request took too long (headers, body and handling)")
        .with_status(408)
        .into_response()
}
