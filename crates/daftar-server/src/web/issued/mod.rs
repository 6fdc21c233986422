//! Issued documents on the pages, a file an action:
//!
//! - [`verify`]: `/verify` and `/verify/{serial}`, public and rate-limited: what a
//!   document states and whether it still holds, without the owner's name or ID.
//! - [`pdf`]: `/issued/{serial}/pdf`, the document as a PDF, for those who may have it.

mod pdf;
mod verify;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verify", get(verify::form))
        .route("/verify/{serial}", get(verify::verify))
        .route("/issued/{serial}/pdf", get(pdf::pdf))
}
