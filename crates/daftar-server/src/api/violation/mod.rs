//! Building violations and the Article 100 commission, a file an action:
//!
//! - [`list`]: `GET /cases/{id}/violations`, computed and reviewed, with the rulings and
//!   the fines' bills.
//! - [`review`]: `POST /cases/{id}/violations/review` (violation review).
//! - [`ruling`]: `POST /cases/{id}/ruling` (the commission's secretary).
//! - [`firms`]: `POST` and `GET /fire-safety-firms`, the register of fire-safety firms.
//! - [`permit`]: `POST /properties/{district}/{renewal_code}/permit` (permit drafting).
//! - [`letter`]: `POST /properties/{district}/{renewal_code}/registry-letters`, a registry
//!   letter opening a violation case (violation review).
//!
//! The commission's steps themselves (refer, defence, issue, object, finalise, settle) are
//! the workflow's actions, through `POST /cases/{id}/actions`.

pub(super) mod firms;
pub(super) mod letter;
pub(super) mod list;
pub(super) mod permit;
pub(super) mod review;
pub(super) mod ruling;

use axum::Router;
use axum::routing::{get, post};
use daftar_core::violation::{Unit, Violation};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{id}/violations", get(list::list))
        .route("/api/v1/cases/{id}/violations/review", post(review::review))
        .route("/api/v1/cases/{id}/ruling", post(ruling::rule))
        .route(
            "/api/v1/fire-safety-firms",
            get(firms::list).post(firms::register),
        )
        .route(
            "/api/v1/properties/{district}/{renewal_code}/permit",
            post(permit::record),
        )
        .route(
            "/api/v1/properties/{district}/{renewal_code}/registry-letters",
            post(letter::open),
        )
}

/// One violation: its kind, floor, quantity, the note that applies and the fine's range.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ViolationAnswer {
    /// `excess_area`, `extra_floor`, `excess_occupancy`, `setback_encroachment`,
    /// `parking_shortfall`, `change_of_use` or `no_permit`.
    #[schema(example = "extra_floor")]
    kind: &'static str,
    /// The floor (0 the ground floor); absent for the building as a whole.
    floor: Option<i16>,
    /// In m² (two decimals) or a count, as `unit` says.
    #[schema(example = 12.5)]
    quantity: f64,
    /// `m2` or `count`.
    unit: &'static str,
    /// The note of Article 100 (`"1"` … `"6"`), or `"55-24"` for a change of use.
    #[schema(example = "2")]
    note: &'static str,
    /// The area the fine is reckoned on, m².
    fined_area_m2: f64,
    fine_min_rials: i64,
    fine_max_rials: i64,
    /// The computation with its numbers.
    formula: String,
}

impl ViolationAnswer {
    pub(crate) fn of(violation: &Violation) -> ViolationAnswer {
        ViolationAnswer {
            kind: violation.kind.slug(),
            floor: violation.floor,
            quantity: violation.quantity_number(),
            unit: match violation.unit {
                Unit::M2 => "m2",
                Unit::Count => "count",
            },
            note: violation.note.code(),
            fined_area_m2: violation.fined_centi_m2 as f64 / 100.0,
            fine_min_rials: violation.fine.min_rials,
            fine_max_rials: violation.fine.max_rials,
            formula: violation.fine.formula.clone(),
        }
    }
}
