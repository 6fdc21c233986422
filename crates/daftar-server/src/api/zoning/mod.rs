//! The detailed plan, a file an action:
//!
//! - [`inquiry`]: `GET /zoning/inquiry`, what the plan says about a property (staff and
//!   its owners) or at a point (staff).
//! - [`record`]: `POST /cases/{id}/inquiry`, formation records it on a case.
//! - [`map_order`]: `GET /cases/{id}/map-order`, the case's map order.

pub(super) mod inquiry;
pub(super) mod map_order;
pub(super) mod record;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/zoning/inquiry", get(inquiry::inquiry))
        .route("/api/v1/cases/{id}/inquiry", post(record::record))
        .route("/api/v1/cases/{id}/map-order", get(map_order::map_order))
}
