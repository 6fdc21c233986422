//! The property file, a file an action:
//!
//! - [`file`]: `GET /properties/{district}/{renewal_code}`, for staff and its owners.

pub(super) mod file;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/properties/{district}/{renewal_code}",
        get(file::file),
    )
}
