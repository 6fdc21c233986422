//! The public follow-up of a case by its tracking code: its status and dates only.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daftar_app::{CaseError, Cases};
use serde::Deserialize;

use crate::error::AppError;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;
use crate::web::{Layout, Page};

#[derive(Debug, Default, Deserialize)]
pub(super) struct TrackQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "case_track.html")]
struct TrackView {
    layout: Layout,
    code: String,
    error: Option<String>,
    status: Option<Status>,
}

/// What anyone with the code sees: the service, the stage, the dates.
struct Status {
    tracking_code: String,
    service: String,
    state: String,
    closed: bool,
    opened: String,
    updated: String,
    due: String,
    answer: Option<String>,
}

pub(super) async fn track(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(cases): State<Cases>,
    page: Page,
    QueryParams(query): QueryParams<TrackQuery>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let mut view = TrackView {
        layout: page.layout.clone(),
        code: query.code.clone(),
        error: None,
        status: None,
    };
    if query.code.trim().is_empty() {
        return page.render(&view);
    }
    match cases.public_status(&query.code, from).await {
        Ok(status) => {
            view.status = Some(Status {
                tracking_code: tr.grouped(&status.tracking_code, 3),
                service: tr.text(&status.service_title),
                state: tr.text(&status.state_name),
                closed: status.closed,
                opened: tr.moment(status.opened_at),
                updated: tr.moment(status.updated_at),
                due: status.due.map(|d| tr.day(d)).unwrap_or_default(),
                answer: status.answer,
            });
            page.render(&view)
        }
        Err(error) => {
            let (status, message) = match error {
                CaseError::NotFound => (StatusCode::NOT_FOUND, tr.t("case-track-not-found")),
                error => page.form_error(error)?,
            };
            view.error = Some(message);
            page.render(&view).map(|r| (status, r).into_response())
        }
    }
}
