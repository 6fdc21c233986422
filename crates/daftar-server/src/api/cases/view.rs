//! `GET /cases`, `GET /cases/{id}` and `GET /cases/track/{code}`: seeing cases.

use axum::Json;
use axum::extract::State;

use crate::extract::Path;
use daftar_app::Cases;
use daftar_app::cases::QueueFilter;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::queue::QueueEntryAnswer;
use super::{Bilingual, CaseAnswer, CaseSummary, case_id};
use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::rate_limit::PublicLookup;

/// A citizen's own cases, or what a staff member's queues hold.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseList {
    cases: Vec<CaseListEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum CaseListEntry {
    Mine(CaseSummary),
    Queued(QueueEntryAnswer),
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    responses((status = 200, body = CaseList), (status = 401, body = ApiError)))]
pub(in crate::api) async fn list(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
) -> Result<Json<CaseList>, AppError> {
    if let Some(account) = user.staff() {
        let mut items = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for role in account.roles.iter().map(|(_, role)| *role) {
            let page = cases.queue(account, role, &QueueFilter::default()).await?;
            for entry in page.items.iter().filter(|e| seen.insert(e.item.case)) {
                items.push(CaseListEntry::Queued(QueueEntryAnswer::of(
                    &entry.item,
                    &entry.state_name,
                )));
            }
        }
        return Ok(Json(CaseList { cases: items }));
    }
    let mine = cases.my_cases(&user.principal).await?;
    Ok(Json(CaseList {
        cases: mine
            .iter()
            .map(|case| CaseListEntry::Mine(CaseSummary::of(case)))
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Staff of another office", body = ApiError),
        (status = 404, description = "No such case, or another applicant's", body = ApiError),
    ))]
pub(in crate::api) async fn show(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<CaseAnswer>, AppError> {
    let view = cases.view(&user.principal, case_id(&id)?).await?;
    Ok(Json(CaseAnswer::of(&view)))
}

/// What anyone holding a tracking code may know: the status and the dates.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PublicStatusAnswer {
    tracking_code: String,
    state_name: Bilingual,
    closed: bool,
    #[schema(value_type = String, format = DateTime)]
    opened_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
    due_date_jalali: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases/track/{code}", tag = "cases",
    params(("code" = String, Path, description = "The twelve-digit tracking code")),
    responses(
        (status = 200, body = PublicStatusAnswer),
        (status = 404, body = ApiError),
        (status = 422, description = "The code's check digit is wrong", body = ApiError),
        (status = 429, body = ApiError),
    ))]
pub(in crate::api) async fn track(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(cases): State<Cases>,
    Path(code): Path<String>,
) -> Result<Json<PublicStatusAnswer>, AppError> {
    let status = cases.public_status(&code, from).await?;
    Ok(Json(PublicStatusAnswer {
        tracking_code: status.tracking_code,
        state_name: (&status.state_name).into(),
        closed: status.closed,
        opened_at: status.opened_at,
        updated_at: status.updated_at,
        due_date_jalali: status.due.map(|d| d.iso_jalali()),
    }))
}
