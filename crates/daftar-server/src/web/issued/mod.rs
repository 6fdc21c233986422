//! Issued documents on the pages, a file an action:
//!
//! - [`verify`]: `/verify` and `/verify/{serial}`, public and rate-limited: what a
//!   document states and whether it still holds, without the owner's name or ID.

mod verify;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verify", get(verify::form))
        .route("/verify/{serial}", get(verify::verify))
}
