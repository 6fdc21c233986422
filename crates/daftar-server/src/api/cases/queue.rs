//! `GET /queues/{role}`: a role's work queue.

use axum::Json;
use axum::extract::State;

use crate::extract::Path;
use daftar_app::Cases;
use daftar_core::roles::Role;
use daftar_store::{QUEUE_COUNT_CAP, QueueItem, QueuePage};
use serde::Serialize;
use utoipa::ToSchema;

use super::Bilingual;
use crate::api::ApiError;
use crate::auth::Staff;
use crate::error::AppError;
use crate::query::{QueryParams, QueueParams};

/// An open task of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QueueEntryAnswer {
    case_id: i64,
    tracking_code: String,
    service_id: String,
    #[schema(value_type = String, example = "formation")]
    role: Role,
    state: String,
    /// The state's name in the workflow version the case follows.
    state_name: Bilingual,
    district: Option<u16>,
    sla_due_jalali: String,
    overdue: bool,
    assigned: bool,
    /// What an action from the queue names as the version it saw.
    version: i64,
}

impl QueueEntryAnswer {
    pub(super) fn of(item: &QueueItem, state_name: &daftar_core::text::Text) -> QueueEntryAnswer {
        QueueEntryAnswer {
            case_id: item.case.0,
            tracking_code: item.tracking_code.clone(),
            service_id: item.service_id.clone(),
            role: item.role,
            state: item.state.clone(),
            state_name: state_name.into(),
            district: item.district,
            sla_due_jalali: item.sla_due.iso_jalali(),
            overdue: item.overdue,
            assigned: item.assignee.is_some(),
            version: item.version,
        }
    }
}

/// A page of a queue, by due date, with the whole queue's counts: exact up to 10,000,
/// past it 10,000 with `…_more` set.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QueueAnswer {
    #[schema(value_type = String, example = "formation")]
    role: Role,
    total: u64,
    total_more: bool,
    overdue: u64,
    overdue_more: bool,
    items: Vec<QueueEntryAnswer>,
}

#[utoipa::path(get, path = "/api/v1/queues/{role}", tag = "cases",
    params(("role" = String, Path, description = "The role's slug"), QueueParams),
    responses(
        (status = 200, body = QueueAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "The user does not hold the role", body = ApiError),
        (status = 404, description = "No such role", body = ApiError),
        (status = 422, body = ApiError),
    ))]
pub(in crate::api) async fn queue(
    State(cases): State<Cases>,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(params): QueryParams<QueueParams>,
) -> Result<Json<QueueAnswer>, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let page = cases.queue(&account, role, &params.filter()?).await?;
    let count = |n: u64| n.min(QUEUE_COUNT_CAP);
    Ok(Json(QueueAnswer {
        role,
        total: count(page.total),
        total_more: QueuePage::is_more_than_cap(page.total),
        overdue: count(page.overdue),
        overdue_more: QueuePage::is_more_than_cap(page.overdue),
        items: page
            .items
            .iter()
            .map(|e| QueueEntryAnswer::of(&e.item, &e.state_name))
            .collect(),
    }))
}
