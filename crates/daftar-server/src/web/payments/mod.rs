//! Paying a bill online from its page: the hand-over to the gateway (`pay`), the
//! citizen's return (`finish`), the receipt (`receipt`), and the development gateway's
//! own page (`dev_gateway`), which exists only while that gateway is in use.

mod dev_gateway;
mod finish;
mod pay;
mod receipt;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bills/pay", post(pay::pay))
        .route("/payments/{reference}/return", get(finish::finish))
        .route("/payments/{reference}", get(receipt::receipt))
        .route(
            "/dev-gateway/{authority}",
            get(dev_gateway::page).post(dev_gateway::decide),
        )
}

/// The address the citizen reaches Daftar at: `--public-url`, else the request's own
/// (its `Host`, over HTTPS under `--secure-cookies`). A forged `Host` only sends the
/// forger's own browser astray.
fn site(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
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
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
