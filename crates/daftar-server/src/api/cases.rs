//! Cases and work queues.
//!
//! - `POST /cases`: apply for a service (answers and base64 documents).
//! - `GET /cases`: an applicant's own cases; for staff, what their queues hold.
//! - `GET /cases/{id}`: the case as this user may see it, with the actions they may take.
//! - `POST /cases/{id}/actions`: one action, at the version the actor saw (409 if stale).
//! - `POST /cases/{id}/assignment`: mark a case to a colleague, or claim it.
//! - `GET /cases/track/{code}`: public and rate-limited; status and dates only.
//! - `GET /queues/{role}`: a role's work queue.
//! - `GET /documents/{id}`, `POST /documents/{id}/approval`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use daftar_core::roles::Role;
use daftar_store::{Actor, CaseId, CaseRecord, QUEUE_COUNT_CAP, QueueItem, QueuePage};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, QueryParams};
use crate::app::AppState;
use crate::auth::{SignedInUser, Staff};
use crate::error::AppError;
use crate::rate_limit::PublicLookup;
use daftar_app::Cases;
use daftar_app::cases::{ActionRequest, Application, CaseView, QueueFilter, Upload};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list).post(apply))
        .route("/api/v1/cases/track/{code}", get(track))
        .route("/api/v1/cases/{id}", get(show))
        .route("/api/v1/cases/{id}/actions", post(act))
        .route("/api/v1/cases/{id}/assignment", post(assign))
        .route("/api/v1/queues/{role}", get(queue))
        .route("/api/v1/documents/{id}", get(document))
        .route("/api/v1/documents/{id}/approval", post(approve))
}

#[derive(Debug, Deserialize)]
struct DocumentUpload {
    kind: String,
    #[serde(default)]
    file_name: String,
    content_base64: String,
}

fn uploads(documents: Vec<DocumentUpload>) -> Result<Vec<Upload>, AppError> {
    documents
        .into_iter()
        .map(|d| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(d.content_base64.trim())
                .map_err(|_| AppError::InvalidField {
                    code: "document.base64",
                    field: d.kind.clone(),
                })?;
            Ok(Upload {
                kind: d.kind,
                file_name: d.file_name,
                bytes,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct ApplyRequest {
    service_id: String,
    #[serde(default)]
    answers: BTreeMap<String, String>,
    #[serde(default)]
    documents: Vec<DocumentUpload>,
}

fn case_summary(case: &CaseRecord) -> Value {
    json!({
        "id": case.id.0,
        "tracking_code": case.tracking_code,
        "service_id": case.service_id,
        "state": case.state,
        "version": case.version,
        "closed": case.closed_at.is_some(),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "sla_due_jalali": case.sla_due.map(|d| d.iso_jalali()),
        "overdue": case.overdue_at.is_some(),
    })
}

fn case_json(view: &CaseView) -> Value {
    let mut body = case_summary(&view.case);
    let history: Vec<Value> = view
        .history
        .iter()
        .map(|h| {
            let actor = match &h.actor {
                Actor::Applicant => "applicant".to_owned(),
                Actor::Staff { name, .. } => name.clone(),
                Actor::System => "system".to_owned(),
            };
            json!({
                "at": h.at, "actor": actor, "action": h.action,
                "from_state": h.from_state, "to_state": h.to_state, "comment": h.comment,
            })
        })
        .collect();
    let documents: Vec<Value> = view
        .documents
        .iter()
        .map(|d| {
            json!({
                "id": d.id, "kind": d.kind, "version": d.version, "file_name": d.file_name,
                "content_type": d.content_type, "size_bytes": d.size_bytes, "sha256": d.sha256,
                "uploaded_at": d.uploaded_at, "approved": d.approved_at.is_some(),
            })
        })
        .collect();
    let actions: Vec<Value> = view
        .actions
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "name_fa": a.name_fa, "name_en": a.name_en, "kind": a.kind,
                "fields": a.fields, "comment_required": a.comment_required,
            })
        })
        .collect();
    let tasks: Vec<Value> = view
        .tasks
        .iter()
        .map(|t| {
            json!({
                "role": t.role, "state": t.state, "sla_due_jalali": t.sla_due.iso_jalali(),
                "assigned": t.assignee.is_some(),
            })
        })
        .collect();
    if let Value::Object(map) = &mut body {
        map.insert(
            "service_title".into(),
            json!({"fa": view.service_title_fa, "en": view.service_title_en}),
        );
        map.insert(
            "state_name".into(),
            json!({"fa": view.state_name_fa, "en": view.state_name_en}),
        );
        map.insert("fields".into(), json!(view.fields));
        map.insert("history".into(), json!(history));
        map.insert("documents".into(), json!(documents));
        map.insert("actions".into(), json!(actions));
        map.insert("tasks".into(), json!(tasks));
    }
    body
}

async fn apply(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    ApiJson(request): ApiJson<ApplyRequest>,
) -> Result<Response, AppError> {
    let application = Application {
        service_id: request.service_id,
        answers: request.answers,
        uploads: uploads(request.documents)?,
    };
    let case = cases.apply(&user.principal, &application).await?;
    let view = cases.view(&user.principal, case.id).await?;
    Ok((StatusCode::CREATED, Json(case_json(&view))).into_response())
}

async fn list(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
) -> Result<Json<Value>, AppError> {
    if let Some(account) = user.staff() {
        let mut items: Vec<Value> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for role in account.roles.iter().map(|(_, role)| *role) {
            let page = cases.queue(account, role, &QueueFilter::default()).await?;
            for entry in page.items.iter().filter(|e| seen.insert(e.item.case)) {
                items.push(queue_item(&entry.item));
            }
        }
        return Ok(Json(json!({ "cases": items })));
    }
    let mine = cases.my_cases(&user.principal).await?;
    Ok(Json(
        json!({ "cases": mine.iter().map(case_summary).collect::<Vec<_>>() }),
    ))
}

fn case_id(raw: &str) -> Result<CaseId, AppError> {
    raw.parse::<i64>()
        .map(CaseId)
        .map_err(|_| AppError::NotFound)
}

async fn show(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let view = cases.view(&user.principal, case_id(&id)?).await?;
    Ok(Json(case_json(&view)))
}

#[derive(Debug, Deserialize)]
struct ActRequest {
    action: String,
    version: i64,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    comment: Option<String>,
    decision: Option<String>,
    assignee: Option<String>,
    #[serde(default)]
    documents: Vec<DocumentUpload>,
}

async fn act(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ActRequest>,
) -> Result<Json<Value>, AppError> {
    let id = case_id(&id)?;
    let action = ActionRequest {
        action: request.action,
        expected_version: request.version,
        fields: request.fields,
        comment: request.comment,
        decision: request.decision,
        assignee: request.assignee,
        uploads: uploads(request.documents)?,
    };
    cases.act(&user.principal, id, &action).await?;
    let view = cases.view(&user.principal, id).await?;
    Ok(Json(case_json(&view)))
}

#[derive(Debug, Deserialize)]
struct AssignRequest {
    version: i64,
    /// The colleague's username; the user's own to claim the case.
    assignee: String,
}

async fn assign(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Value>, AppError> {
    let id = case_id(&id)?;
    cases
        .mark_to(&user.principal, id, request.version, &request.assignee)
        .await?;
    let view = cases.view(&user.principal, id).await?;
    Ok(Json(case_json(&view)))
}

async fn track(
    _: PublicLookup,
    State(cases): State<Cases>,
    Path(code): Path<String>,
) -> Result<Json<Value>, AppError> {
    let status = cases.public_status(&code).await?;
    Ok(Json(json!({
        "tracking_code": status.tracking_code,
        "state_name": {"fa": status.state_name_fa, "en": status.state_name_en},
        "closed": status.closed,
        "opened_at": status.opened_at,
        "updated_at": status.updated_at,
        "due_date_jalali": status.due.map(|d| d.iso_jalali()),
    })))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueParams {
    pub service: Option<String>,
    pub district: Option<String>,
    #[serde(default)]
    pub overdue: Option<String>,
    #[serde(default)]
    pub mine: Option<String>,
    pub page: Option<u32>,
}

impl QueueParams {
    pub(crate) fn filter(&self) -> Result<QueueFilter, AppError> {
        let flag = |value: &Option<String>| {
            value
                .as_deref()
                .is_some_and(|v| matches!(v, "true" | "1" | "on" | "yes"))
        };
        let district = match self.district.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                daftar_core::fa::normalize_digits(text)
                    .parse::<u16>()
                    .map_err(|_| AppError::Invalid("district.invalid"))?,
            ),
        };
        Ok(QueueFilter {
            service_id: self.service.clone().filter(|s| !s.trim().is_empty()),
            district,
            overdue_only: flag(&self.overdue),
            mine: flag(&self.mine),
            page: self.page.unwrap_or(0).min(10_000),
        })
    }
}

fn queue_item(item: &QueueItem) -> Value {
    json!({
        "case_id": item.case.0,
        "tracking_code": item.tracking_code,
        "service_id": item.service_id,
        "role": item.role,
        "state": item.state,
        "district": item.district,
        "sla_due_jalali": item.sla_due.iso_jalali(),
        "overdue": item.overdue,
        "assigned": item.assignee.is_some(),
    })
}

async fn queue(
    State(cases): State<Cases>,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(params): QueryParams<QueueParams>,
) -> Result<Json<Value>, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let page = cases.queue(&account, role, &params.filter()?).await?;
    // Counts are exact up to QUEUE_COUNT_CAP; past it, the cap with `…_more` set.
    let count = |n: u64| n.min(QUEUE_COUNT_CAP);
    Ok(Json(json!({
        "role": role,
        "total": count(page.total),
        "total_more": QueuePage::is_more_than_cap(page.total),
        "overdue": count(page.overdue),
        "overdue_more": QueuePage::is_more_than_cap(page.overdue),
        "items": page.items.iter().map(|e| queue_item(&e.item)).collect::<Vec<_>>(),
    })))
}

async fn document(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (record, bytes) = cases.open_document(&user.principal, id).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&record.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

async fn approve(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    cases.approve_document(&user.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
