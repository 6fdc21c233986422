//! The detailed plan, a file an action:
//!
//! - [`inquiry`]: `GET /zoning/inquiry?lon=&lat=`, what the plan says at a point (staff).

pub(super) mod inquiry;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/zoning/inquiry", get(inquiry::inquiry))
}
