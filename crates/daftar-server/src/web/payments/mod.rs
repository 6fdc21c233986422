//! Paying a bill online from its page: the hand-over to the gateway (`pay`), the
//! citizen's return (`finish`), the receipt (`receipt`), and the development gateway's
//! own page (`dev_gateway`), which exists only while that gateway is in use.

mod dev_gateway;
mod finish;
mod pay;
mod receipt;

use axum::Router;
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
