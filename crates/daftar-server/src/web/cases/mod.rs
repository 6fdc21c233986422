//! The case pages, a file an action: applying for a service ([`apply`]), "my cases" and
//! the case page with its history, documents and only the actions this user may take now
//! ([`view`]), acting on a case and claiming it ([`act`]), ticking its checklist
//! ([`checklist`]), approving a document
//! ([`documents`]), the public follow-up by tracking code ([`track`]), and each role's
//! work queue (کارتابل, [`queue`]).

mod act;
mod apply;
mod checklist;
mod documents;
pub(in crate::web) mod multipart;
mod queue;

pub(super) use queue::shown_count;
pub(super) use work::{WorkForms, case_page_refused};
mod track;
mod view;
mod work;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};
use daftar_store::CaseId;

use crate::app::{AppState, upload_limit};
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/services/{id}/apply",
            get(apply::apply_form).post(apply::apply.layer(upload_limit())),
        )
        .route("/cases", get(view::my_cases))
        .route("/cases/track", get(track::track))
        .route("/cases/{id}", get(view::case_page))
        .route("/cases/{id}/act", post(act::act.layer(upload_limit())))
        .route("/cases/{id}/claim", post(act::claim))
        .route(
            "/cases/{id}/checklist/{item}",
            post(checklist::tick.layer(upload_limit())),
        )
        .route("/documents/{document}", get(documents::open_document))
        .route(
            "/cases/{id}/documents/{document}/approval",
            post(documents::approve_document),
        )
        .route("/staff/queues/{role}", get(queue::queue))
        .route("/staff/queues/{role}/next", get(queue::next))
}

pub(in crate::web) fn case_id(raw: &str) -> Result<CaseId, AppError> {
    raw.parse::<i64>()
        .map(CaseId)
        .map_err(|_| AppError::NotFound)
}
