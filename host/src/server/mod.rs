//! The host's HTTP side: `GET /metrics` in the Prometheus text format.
//!
//! Started by `palisade run --listen ADDR`. The server runs on a thread of
//! its own with a single-threaded Tokio runtime, so it never competes with
//! the pipeline for a batch's time; it only reads the [`Metrics`] the
//! pipeline updates. Bind it to loopback unless a scraper on another host
//! needs it: it has no authentication.

mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use tokio::sync::oneshot;

pub use metrics::Metrics;

/// The content type of the OpenMetrics text format.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A running metrics server; dropping it stops it.
pub struct MetricsServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Binds `addr` and serves `GET /metrics` from `metrics`.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound or the runtime cannot start.
    pub fn start(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = Router::new().route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move { ([(CONTENT_TYPE, OPENMETRICS)], metrics.encode()) }
            }),
        );
        let thread = std::thread::Builder::new()
            .name("palisade-http".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(e) => return tracing::error!("metrics server not started: {e}"),
                    };
                    let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                        let _ = stopped.await;
                    });
                    if let Err(e) = serving.await {
                        tracing::error!("metrics server stopped: {e}");
                    }
                });
            })?;
        tracing::info!(%addr, "serving metrics at /metrics");
        Ok(MetricsServer {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The address bound (useful when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
