//! The application: its state, its router and `serve`.
//!
//! `router` is a pure function of the state, so tests call it directly; `serve` takes a
//! bound listener, so tests bind port 0.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use daftar_app::{Accounts, Billing, Cases, Config, Services};
use daftar_core::catalog::Catalog;
use daftar_store::Store;
use tokio::net::TcpListener;

use crate::edge::EdgeLayer;
use crate::rate_limit::RateLimiter;
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
    /// The opened database, for the health check.
    pub store: Arc<dyn Store>,
    pub config: Config,
    /// The per-address limit on public look-ups.
    pub lookup_limit: RateLimiter,
}

impl AppState {
    /// Builds the services the configuration describes over `store`.
    pub fn new(config: Config, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
        let services = Services::new(&config, store.clone())?;
        let lookup_limit = RateLimiter::new(config.lookup_rate_limit, config.trust_forwarded_for);
        Ok(AppState(Arc::new(Parts {
            services,
            store,
            config,
            lookup_limit,
        })))
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

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(web::routes())
        .merge(api::routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(EdgeLayer)
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    // The peer address feeds the rate limit on public look-ups.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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

/// Removes expired sessions every hour. Safe on several instances: the delete is
/// idempotent.
pub fn spawn_session_sweeper(accounts: Accounts) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match accounts.sweep_sessions(jiff::Timestamp::now()).await {
                Ok(removed) => {
                    tracing::debug!(sessions.removed = removed, "Swept expired sessions.")
                }
                Err(error) => tracing::warn!(error = %error, "Could not sweep expired sessions."),
            }
        }
    });
}
