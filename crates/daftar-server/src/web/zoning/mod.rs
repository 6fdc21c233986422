//! The detailed plan's pages, a file an action:
//!
//! - [`inquiry`]: `/staff/zoning`, the inquiry at a point, for staff.
//! - [`case`]: the inquiry's section of a case page, and [`record`], its form.
//! - [`view`]: the answer and the map order as pages show them.

pub mod case;
mod inquiry;
mod record;
pub(in crate::web) mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/zoning", get(inquiry::inquiry_page))
        .route("/cases/{id}/inquiry", post(record::record))
}
