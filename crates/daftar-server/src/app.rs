//! The application: its state, its router and `serve`.
//!
//! `router` is a pure function of the state, so tests call it directly; `serve` takes a
//! bound listener, so tests bind port 0.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRef, Request};
use daftar_app::{Accounts, Billing, Cases, Config, Services};
use daftar_core::catalog::Catalog;
use daftar_store::Store;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::Service;
use tower_http::timeout::TimeoutBody;

use crate::connections::Connections;
use crate::edge::EdgeLayer;
use crate::header_clock::HeaderClock;
use crate::{api, error, web};

/// What every request may need. Handlers receive a clone for every extractor that asks
/// for it, so the state is one shared pointer: a clone is one atomic increment, not one
/// per service. A handler asks for its capability's service (`State<Cases>`), which
/// [`FromRef`] hands out.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Parts>);

#[derive(Debug)]
pub struct Parts {
    pub services: Services,
    /// The municipality's name and emblem, on every page. Set once for the program's life
    /// and never freed: the edge reaches it on every request without counting references,
    /// which two cores would otherwise pass one cache line between.
    pub branding: &'static Branding,
    /// The opened database, for the health check.
    pub store: Arc<dyn Store>,
    pub config: Config,
    /// The per-address limit on public look-ups, counted in the database.
    pub lookup_limit: daftar_app::lookup_limit::LookupLimit,
    /// Set when a stop was asked and the instance is draining (`--drain-secs`): `/readyz`
    /// answers 503 so that the balancer sends requests elsewhere.
    pub stopping: std::sync::atomic::AtomicBool,
    /// `/verify/{serial}` as anonymous visitors were last shown it.
    pub verify_pages: crate::web::VerifyPages,
}

impl AppState {
    /// Builds the services the configuration describes over `store`.
    pub fn new(config: Config, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
        let reads = daftar_app::replica::PublicReads::primary_only(store.clone());
        AppState::with_reads(config, store, reads)
    }

    /// Builds the state as [`AppState::new`] does, the public look-ups reading where
    /// `reads` says (a replica, with `--database-read-url`).
    pub fn with_reads(
        config: Config,
        store: Arc<dyn Store>,
        reads: daftar_app::replica::PublicReads,
    ) -> anyhow::Result<AppState> {
        let services = Services::with_reads(&config, store.clone(), reads)?;
        let lookup_limit =
            daftar_app::lookup_limit::LookupLimit::new(config.lookup_rate_limit, store.clone());
        let branding: &'static Branding = Box::leak(Box::new(Branding::from_config(&config)?));
        Ok(AppState(Arc::new(Parts {
            services,
            branding,
            store,
            config,
            lookup_limit,
            stopping: std::sync::atomic::AtomicBool::new(false),
            verify_pages: crate::web::VerifyPages::default(),
        })))
    }
}

pub use daftar_app::Branding;

impl AppState {
    /// The address the citizen reaches Daftar at: `--public-url`, else the request's own
    /// (its `Host`, over HTTPS under `--secure-cookies`). A forged `Host` only sends the
    /// forger's own browser astray.
    pub fn site(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(url) = &self.config.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        let scheme = if self.config.secure_cookies {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}")
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl FromRef<AppState> for Accounts {
    fn from_ref(state: &AppState) -> Accounts {
        state.services.accounts.clone()
    }
}

impl FromRef<AppState> for daftar_app::Sketches {
    fn from_ref(state: &AppState) -> daftar_app::Sketches {
        state.services.sketches.clone()
    }
}

impl FromRef<AppState> for daftar_app::Violations {
    fn from_ref(state: &AppState) -> daftar_app::Violations {
        state.services.violations.clone()
    }
}

impl FromRef<AppState> for daftar_app::issued::Printing {
    fn from_ref(state: &AppState) -> daftar_app::issued::Printing {
        state.services.printing.clone()
    }
}

impl FromRef<AppState> for daftar_app::issued::Issuing {
    fn from_ref(state: &AppState) -> daftar_app::issued::Issuing {
        state.services.issuing.clone()
    }
}

impl FromRef<AppState> for daftar_app::usage::Usage {
    fn from_ref(state: &AppState) -> daftar_app::usage::Usage {
        state.services.usage.clone()
    }
}

impl FromRef<AppState> for daftar_app::Complaints {
    fn from_ref(state: &AppState) -> daftar_app::Complaints {
        state.services.complaints.clone()
    }
}

impl FromRef<AppState> for daftar_app::survey::Surveys {
    fn from_ref(state: &AppState) -> daftar_app::survey::Surveys {
        state.services.surveys.clone()
    }
}

impl FromRef<AppState> for daftar_app::outage::Outages {
    fn from_ref(state: &AppState) -> daftar_app::outage::Outages {
        state.services.outages.clone()
    }
}

impl FromRef<AppState> for daftar_app::Zoning {
    fn from_ref(state: &AppState) -> daftar_app::Zoning {
        state.services.zoning.clone()
    }
}

impl FromRef<AppState> for daftar_app::Properties {
    fn from_ref(state: &AppState) -> daftar_app::Properties {
        state.services.properties.clone()
    }
}

impl FromRef<AppState> for daftar_app::Inspection {
    fn from_ref(state: &AppState) -> daftar_app::Inspection {
        state.services.inspection.clone()
    }
}

impl FromRef<AppState> for daftar_app::Payments {
    fn from_ref(state: &AppState) -> daftar_app::Payments {
        state.services.payments.clone()
    }
}

impl FromRef<AppState> for Billing {
    fn from_ref(state: &AppState) -> Billing {
        state.services.billing.clone()
    }
}

impl FromRef<AppState> for Cases {
    fn from_ref(state: &AppState) -> Cases {
        state.services.cases.clone()
    }
}

impl FromRef<AppState> for Arc<Catalog> {
    fn from_ref(state: &AppState) -> Arc<Catalog> {
        state.services.catalog.clone()
    }
}

/// What a request's body may weigh, unless its route says otherwise: forms and JSON
/// calls without files are small.
const BODY_LIMIT: usize = 64 * 1024;

/// What a request that carries documents may weigh: several files of up to
/// [`MAX_UPLOAD_BYTES`](daftar_core::cases::MAX_UPLOAD_BYTES) each, in base64 on the API
/// (a third larger). A file over its own limit within this is refused by name, 413
/// `document.too_large`.
pub const UPLOAD_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The layer a route that takes documents adds.
pub fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)
}

pub fn router(state: AppState) -> Router {
    let edge = EdgeLayer {
        secure: state.config.secure_cookies,
        branding: state.branding,
    };
    let routes = Router::new()
        .merge(web::routes(&state))
        .merge(api::routes())
        .merge(crate::open311::routes())
        .fallback(|| async { error::AppError::NotFound });
    // Counted only when someone reads the counts (`--admin-addr`); added to the routes,
    // so that each request is counted under its route's pattern.
    let routes = if state.config.admin_addr.is_some() {
        routes.layer(axum::middleware::from_fn(crate::metrics::record))
    } else {
        routes
    };
    routes
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(edge)
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, drains for `--drain-secs` (serving, `/readyz` saying
/// 503), then closes the listener and finishes the requests in flight.
///
/// hyper's own settings bound what a client can hold: the headers must arrive within
/// `--header-timeout-secs` (which also ends a kept-alive connection left idle that long;
/// timed on a [`HeaderClock`] per connection), a body may not stall longer than
/// `--body-timeout-secs` between two pieces, and [`Connections`] caps the connections
/// open in all and per address.
pub async fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    let config = &state.config;
    let header_timeout = Duration::from_secs(config.header_timeout_secs.max(1));
    let body_timeout = Duration::from_secs(config.body_timeout_secs.max(1));
    let connections = Connections::new(
        config.max_connections.max(1),
        config.max_connections_per_address,
    );
    let mut http = hyper::server::conn::http1::Builder::new();
    http.header_read_timeout(header_timeout).keep_alive(true);
    let drain = Duration::from_secs(config.drain_secs);
    let draining = state.clone();
    let router = router(state);
    let graceful = GracefulShutdown::new();
    // A connection the balancer keeps alive may carry a request at the instant an instance
    // closes it: the request fails. Draining first, the balancer stops choosing the
    // instance before anything is closed.
    let mut shutdown = std::pin::pin!(async move {
        shutdown_signal().await;
        if !drain.is_zero() {
            draining
                .stopping
                .store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(
                seconds = drain.as_secs(),
                "Stopping: draining, /readyz answers 503 until the listener closes."
            );
            tokio::time::sleep(drain).await;
        }
    });
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was taken:
                    // wait a moment rather than spin, and go on.
                    tracing::warn!(error = %error, "Could not accept a connection.");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(admitted) = connections.admit(crate::rate_limit::one_client(peer.ip())) else {
            drop(stream);
            continue;
        };
        // nodelay: unset, as axum::serve leaves it (measured: setting it cost the look-up ~5%).
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let (mut parts, body) = request.into_parts();
            // The peer address feeds the rate limits.
            parts.extensions.insert(ConnectInfo(peer));
            // A body is read against the clock; a request without one (a look-up) is not
            // wrapped, which would only make every GET's boxed body larger.
            let body = if hyper::body::Body::is_end_stream(&body) {
                Body::new(body)
            } else {
                Body::new(TimeoutBody::new(body_timeout, body))
            };
            let request = Request::from_parts(parts, body);
            router.clone().call(request)
        });
        // Each connection its own clock for the header timeout (see `header_clock`).
        let connection = http
            .clone()
            .timer(HeaderClock::new())
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or is too slow ends its connection; nothing to report.
            let _ = connection.await;
            drop(admitted);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("Some connections were still open 30 seconds after the stop was asked.");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Removes expired sessions, sign-in counts older than a day and look-up counts of minutes
/// gone, every hour. Safe on several instances: the deletes are idempotent.
pub fn spawn_session_sweeper(state: AppState) {
    tokio::spawn(async move {
        let accounts = &state.services.accounts;
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match accounts.sweep_sessions(jiff::Timestamp::now()).await {
                Ok(removed) => {
                    tracing::debug!(sessions.removed = removed, "Swept expired sessions.")
                }
                Err(error) => tracing::warn!(error = %error, "Could not sweep expired sessions."),
            }
            match accounts.sweep_sign_in_counts(jiff::Timestamp::now()).await {
                Ok(removed) => {
                    tracing::debug!(counts.removed = removed, "Swept old sign-in counts.")
                }
                Err(error) => tracing::warn!(error = %error, "Could not sweep sign-in counts."),
            }
            match state
                .lookup_limit
                .forget_old_counts(jiff::Timestamp::now())
                .await
            {
                Ok(removed) => {
                    tracing::debug!(counts.removed = removed, "Swept old look-up counts.")
                }
                Err(error) => tracing::warn!(error = %error, "Could not sweep look-up counts."),
            }
        }
    });
}
