//! Issued documents on the pages, a file an action:
//!
//! - [`verify`]: `/verify` and `/verify/{serial}`, public and rate-limited: what a
//!   document states and whether it still holds, without the owner's name or ID.
//! - [`pdf`]: `/issued/{serial}/pdf`, the document as a PDF, for those who may have it.
//! - [`manage`]: `/cases/{id}/issued/{serial}/reissue`, `/extension` and `/revocation`,
//!   the case page's forms for the staff who issued it.

mod manage;
mod pdf;
mod verify;

pub use verify::{KEPT_FOR as VERIFY_PAGE_KEPT_FOR, VerifyPages};

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// The pages that work out their visitor themselves ([`crate::web::Visitor`]), so that an
/// anonymous visitor's page can be kept and shown again.
pub fn shared_routes() -> Router<AppState> {
    Router::new().route("/verify/{serial}", get(verify::verify))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/verify", get(verify::form))
        .route("/issued/{serial}/pdf", get(pdf::pdf))
        .route("/cases/{id}/issued/{serial}/reissue", post(manage::reissue))
        .route(
            "/cases/{id}/issued/{serial}/extension",
            post(manage::extend),
        )
        .route(
            "/cases/{id}/issued/{serial}/revocation",
            post(manage::revoke),
        )
}
