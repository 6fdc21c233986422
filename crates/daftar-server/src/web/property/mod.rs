//! The property file's page, a file an action:
//!
//! - [`file`]: `/properties/{district}/{renewal_code}`, for staff (the read is recorded)
//!   and the property's owners.

mod file;

pub(in crate::web) use file::{FileForms, file_response};

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/properties/{district}/{renewal_code}",
        get(file::file_page),
    )
}
