//! Planned outages in the API, a file an action:
//!
//! - [`list`]: `GET /outages`, public: the announcements of the last 90 days and to come.
//! - [`announce`]: `POST /outages` and `POST /outages/{id}/withdrawal`, the system admin's.

pub(super) mod announce;
pub(super) mod list;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outages", get(list::list).post(announce::announce))
        .route("/api/v1/outages/{id}/withdrawal", post(announce::withdraw))
}
