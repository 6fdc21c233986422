//! Issued documents, a file an action:
//!
//! - [`look_up`]: `GET /issued/{serial}`, public and rate-limited: what the document
//!   states and whether it still holds (no owner's name or national ID).
//! - [`pdf`]: `GET /issued/{serial}/pdf`, the PDF for those who may have it.
//! - [`revoke`]: `POST /issued/{serial}/revocation`, for the role that issued it.
//! - [`reissue`]: `POST /issued/{serial}/reissue` and `/extension`, for the same: a new
//!   document that supersedes it.
//! - [`keys`]: `GET /.well-known/daftar-keys.json`, the office's public keys.

pub(super) mod keys;
pub(super) mod look_up;
pub(crate) mod pdf;
pub(super) mod reissue;
pub(super) mod revoke;

use axum::Router;
use axum::routing::{get, post};
use daftar_core::issued::Serial;

use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/issued/{serial}", get(look_up::look_up))
        .route("/api/v1/issued/{serial}/pdf", get(pdf::pdf))
        .route("/api/v1/issued/{serial}/revocation", post(revoke::revoke))
        .route("/api/v1/issued/{serial}/reissue", post(reissue::reissue))
        .route("/api/v1/issued/{serial}/extension", post(reissue::extend))
        .route("/.well-known/daftar-keys.json", get(keys::keys))
}

/// A serial as typed: a wrong check digit is refused (422) before any look-up.
pub(crate) fn serial(raw: &str) -> Result<Serial, AppError> {
    Serial::parse(raw).map_err(|error| AppError::Invalid(Serial::error_code(error)))
}
