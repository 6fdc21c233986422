//! What a load balancer and a process supervisor ask: `/healthz`, whether the process is
//! alive (it answers without touching anything), and `/readyz`, whether it can serve:
//! the database answers (migrated: a server listens only after its migrations) and the
//! documents' directory or object store answers. During a stop it answers 503 for
//! `--drain-secs` while the instance still serves, then the listener is closed, so a
//! balancer sees the instance go before its last requests end.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub async fn alive() -> &'static str {
    "ok"
}

/// 200 with each dependency's state, or 503 naming what is not ready (the reason goes to
/// the log, not the answer: it may name hosts).
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping\n").into_response();
    }
    let (database, documents) =
        tokio::join!(state.store.ping(), state.services.cases.documents_ready());
    let mut lines = String::new();
    let mut ready = true;
    for (what, outcome) in [
        ("database", database.map_err(anyhow::Error::from)),
        ("documents", documents),
    ] {
        match outcome {
            Ok(()) => lines.push_str(&format!("{what}: ok\n")),
            Err(error) => {
                ready = false;
                tracing::warn!(error = %format!("{error:#}"), "The readiness check found {what} not answering.");
                lines.push_str(&format!("{what}: not ready\n"));
            }
        }
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, lines).into_response()
}
