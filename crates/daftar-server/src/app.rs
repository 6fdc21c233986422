//! The application: its state, its router and `serve`.
//!
//! `router` is a pure function of the state, so tests call it directly; `serve` takes a
//! bound listener, so tests bind port 0.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use daftar_core::calendar::HolidayCalendar;
use daftar_core::catalog::Catalog;
use daftar_core::workflow::Registry;
use daftar_store::Store;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::edge::EdgeLayer;
use crate::files::FileStore;
use crate::notify::{FileNotifier, HttpSmsNotifier, Notifier};
use crate::rate_limit::RateLimiter;
use crate::{api, error, web};

/// What every request may need. Handlers receive a clone for every extractor that asks
/// for it, so the state is one shared pointer: a clone is one atomic increment, not one
/// per service plus a copy of the files' path.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Services>);

#[derive(Debug)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub notifier: Arc<dyn Notifier>,
    pub config: Arc<Config>,
    /// The service catalog: built in, or read from `--catalog-dir` at start.
    pub catalog: Arc<Catalog>,
    /// The per-address limit on public look-ups.
    pub lookup_limit: Arc<RateLimiter>,
    /// Every version of every workflow.
    pub workflows: Arc<Registry>,
    /// Holidays, for SLA due dates in working days.
    pub holidays: Arc<HolidayCalendar>,
    /// Uploaded documents, outside the database.
    pub files: FileStore,
}

impl AppState {
    /// Builds the state from the configuration: the notifier it names, and `store`.
    pub fn new(config: Config, store: Arc<dyn Store>) -> anyhow::Result<AppState> {
        let notifier: Arc<dyn Notifier> = match &config.sms_gateway_url {
            Some(url) => Arc::new(HttpSmsNotifier::new(
                url.clone(),
                config.sms_gateway_token.clone(),
            )?),
            None => Arc::new(FileNotifier::new(config.data_dir.join("messages.log"))),
        };
        let catalog = match &config.catalog_dir {
            Some(dir) => load_catalog_dir(dir)?,
            None => daftar_core::catalog::built_in().map_err(|errors| {
                anyhow::anyhow!("the built-in catalog does not load:\n{errors}")
            })?,
        };
        let lookup_limit = Arc::new(RateLimiter::new(
            config.lookup_rate_limit,
            config.trust_forwarded_for,
        ));
        let workflows = daftar_core::workflow::built_in().map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("the built-in workflows do not load:\n{}", lines.join("\n"))
        })?;
        let files = FileStore::new(&config.data_dir);
        Ok(AppState(Arc::new(Services {
            store,
            lookup_limit,
            workflows: Arc::new(workflows),
            holidays: Arc::new(HolidayCalendar::built_in()),
            files,
            notifier,
            config: Arc::new(config),
            catalog: Arc::new(catalog),
        })))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Reads every `*.toml` file of a directory and loads them as the catalog; the error
/// names each file and field that is wrong.
pub fn load_catalog_dir(dir: &std::path::Path) -> anyhow::Result<Catalog> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("could not read the catalog directory {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            files.push((name, text));
        }
    }
    files.sort();
    Catalog::load(&files).map_err(|errors| anyhow::anyhow!("{errors}"))
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
pub fn spawn_session_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match state
                .store
                .delete_expired_sessions(jiff::Timestamp::now())
                .await
            {
                Ok(removed) => {
                    tracing::debug!(sessions.removed = removed, "Swept expired sessions.")
                }
                Err(error) => tracing::warn!(error = %error, "Could not sweep expired sessions."),
            }
        }
    });
}
