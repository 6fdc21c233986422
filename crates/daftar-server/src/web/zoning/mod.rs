//! The detailed plan's pages, a file an action:
//!
//! - [`inquiry`]: `/staff/zoning`, the inquiry at a point, for staff.

mod inquiry;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/zoning", get(inquiry::inquiry_page))
}
