//! Prometheus metrics, served at `/metrics` on the admin address (`--admin-addr`), apart
//! from the public one. Without `--admin-addr` no recorder is installed and nothing is
//! counted: a request pays for metrics only where someone reads them.
//!
//! What is counted where: requests by route, method and status with their latency
//! (here); group-commit group sizes (daftar-store); SMS sent and failed, SLA sweeps
//! (daftar-app); database pool use, the outbox's backlog and age, and the read replica's
//! lag and use, read when scraped (here). docs/OPERATIONS.md says what each means.

use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::AppState;

/// Latency buckets, in seconds: a look-up takes about a millisecond, a page tens, a
/// report seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the process's recorder; from now on the `metrics` macros count.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    PrometheusBuilder::new()
        .set_buckets(BUCKETS)
        .context("the latency buckets")?
        .install_recorder()
        .context("could not install the metrics recorder")
}

/// Counts and times a request by its route's pattern (never its path: `/cases/{id}`,
/// not every case), its method and its status.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Any token is a method to HTTP: only the standard ones get a label of their own, so
    // that made-up methods cannot make up series without end.
    let method = match *request.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::DELETE
        | Method::PATCH
        | Method::OPTIONS => request.method().as_str().to_owned(),
        _ => "other".to_owned(),
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("daftar_http_requests_total", &labels).increment(1);
    metrics::histogram!("daftar_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Serves `/metrics` on the admin listener until the process ends.
pub async fn serve_admin(
    listener: TcpListener,
    handle: PrometheusHandle,
    state: AppState,
) -> anyhow::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(move || scrape(handle.clone(), state.clone())),
    );
    axum::serve(listener, app)
        .await
        .context("the admin address stopped")
}

/// What is read at the moment of a scrape, then everything in Prometheus's text format.
async fn scrape(handle: PrometheusHandle, state: AppState) -> String {
    for (pool, open, idle) in state.store.pool_use() {
        metrics::gauge!("daftar_db_connections", "pool" => pool, "state" => "open")
            .set(f64::from(open));
        metrics::gauge!("daftar_db_connections", "pool" => pool, "state" => "idle")
            .set(idle as f64);
    }
    match state.store.outbox_backlog().await {
        Ok((waiting, oldest)) => {
            metrics::gauge!("daftar_outbox_backlog").set(waiting as f64);
            let age = oldest.map_or(0.0, |oldest| {
                jiff::Timestamp::now()
                    .duration_since(oldest)
                    .as_secs_f64()
                    .max(0.0)
            });
            metrics::gauge!("daftar_outbox_oldest_age_seconds").set(age);
        }
        Err(error) => tracing::warn!(error = %error, "Could not read the outbox's backlog."),
    }
    if let Some(replica) = state.services.reads.report() {
        metrics::gauge!("daftar_replica_usable").set(if replica.usable { 1.0 } else { 0.0 });
        // While the replica does not answer there is no lag to tell: -1 says so.
        metrics::gauge!("daftar_replica_lag_seconds").set(replica.lag_seconds.unwrap_or(-1.0));
        metrics::counter!("daftar_public_reads_total", "from" => "replica")
            .absolute(replica.from_replica);
        metrics::counter!("daftar_public_reads_total", "from" => "primary_instead")
            .absolute(replica.to_primary_instead);
    }
    handle.run_upkeep();
    handle.render()
}
