//! Inspection visits, a file an action:
//!
//! - [`book`]: `POST /cases/{id}/visit`, books the case's visit or moves it.
//! - [`list`]: `GET /cases/{id}/visits`, every visit booked, the moved ones too.
//! - [`choices`]: `GET /cases/{id}/visit-choices`, the inspectors, days and slots.

pub(super) mod book;
pub(super) mod choices;
pub(super) mod list;

use axum::Router;
use axum::routing::{get, post};
use daftar_store::StoredVisit;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{id}/visit", post(book::book))
        .route("/api/v1/cases/{id}/visits", get(list::list))
        .route("/api/v1/cases/{id}/visit-choices", get(choices::choices))
}

/// A visit as booked.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VisitAnswer {
    visit_id: i64,
    inspector_id: i64,
    inspector: String,
    /// Jalali: `1405-03-10`.
    day: String,
    /// `09:00`, Tehran time.
    slot: String,
    booked_by: String,
    booked_at: String,
    /// Set when the visit was moved to another time.
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
}

impl VisitAnswer {
    pub(crate) fn of(visit: StoredVisit) -> VisitAnswer {
        VisitAnswer {
            visit_id: visit.id,
            inspector_id: visit.inspector.0,
            inspector: visit.inspector_name,
            day: visit.day,
            slot: visit.slot,
            booked_by: visit.booked_by_name,
            booked_at: visit.booked_at.to_string(),
            cancelled_at: visit.cancelled_at.map(|at| at.to_string()),
            cancel_reason: visit.cancel_reason,
        }
    }
}
