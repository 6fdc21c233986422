//! Cases and work queues, a file an action:
//!
//! - [`apply`]: `POST /cases`, apply for a service (answers and base64 documents).
//! - [`view`]: `GET /cases` (an applicant's own cases; for staff, what their queues hold),
//!   `GET /cases/{id}` (the case as this user may see it, with the actions they may take),
//!   `GET /cases/track/{code}` (public and rate-limited; status and dates only).
//! - [`act`]: `POST /cases/{id}/actions` (one action, at the version the actor saw; 409 if
//!   stale), `POST /cases/{id}/assignment` (mark a case to a colleague, or claim it).
//! - [`checklist`]: `POST /cases/{id}/checklist/{item}`, tick a checklist item (with its
//!   document when it needs one).
//! - [`queue`]: `GET /queues/{role}`, a role's work queue.
//! - [`documents`]: `GET /documents/{id}`, `POST /documents/{id}/approval`.
//! - [`audit`]: `GET /cases/{id}/reads`, `GET /staff/{username}/reads` (who read what;
//!   internal inspection).

pub(super) mod act;
pub(super) mod apply;
pub(super) mod audit;
pub(super) mod checklist;
pub(super) mod documents;
pub(super) mod queue;
pub(super) mod view;

use daftar_app::Cases;
use daftar_app::cases::{CaseView, Upload};
use std::collections::BTreeMap;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};
use base64::Engine;
use daftar_core::roles::Role;
use daftar_core::workflow::ActionKind;
use daftar_store::{Actor, CaseId, CaseRecord};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Bilingual;
use crate::app::{AppState, upload_limit};
use crate::error::{AppError, received};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/cases",
            get(view::list).post(apply::apply.layer(upload_limit())),
        )
        .route("/api/v1/cases/track/{code}", get(view::track))
        .route("/api/v1/cases/{id}", get(view::show))
        .route("/api/v1/cases/{id}/reads", get(audit::reads_of_case))
        .route("/api/v1/staff/{username}/reads", get(audit::reads_by_staff))
        .route(
            "/api/v1/cases/{id}/actions",
            post(act::act.layer(upload_limit())),
        )
        .route("/api/v1/cases/{id}/assignment", post(act::assign))
        .route(
            "/api/v1/cases/{id}/checklist/{item}",
            post(checklist::tick.layer(upload_limit())),
        )
        .route("/api/v1/queues/{role}", get(queue::queue))
        .route("/api/v1/documents/{id}", get(documents::document))
        .route("/api/v1/documents/{id}/approval", post(documents::approve))
}

/// A document sent with an application or an action.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct DocumentUpload {
    /// A required document's id in the service's form.
    #[schema(min_length = 1, max_length = 64)]
    kind: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    file_name: String,
    /// The file's bytes in base64: PDF, JPEG or PNG, up to 10 MB.
    #[schema(content_encoding = "base64", min_length = 4)]
    content_base64: String,
}

impl DocumentUpload {
    pub(crate) fn new(kind: &str, file_name: String, content_base64: String) -> DocumentUpload {
        DocumentUpload {
            kind: kind.to_owned(),
            file_name,
            content_base64,
        }
    }
}

/// Decodes each document into a file of its own as it goes, a slice of its base64 at a
/// time, so that a document is not held decoded beside its text.
pub(crate) async fn uploads(
    cases: &Cases,
    documents: Vec<DocumentUpload>,
) -> Result<Vec<Upload>, AppError> {
    // A multiple of four characters decodes alone: padding comes only at the very end.
    const SLICE: usize = 4 * 16 * 1024;
    let mut uploads = Vec::with_capacity(documents.len());
    for document in documents {
        let field = || document.kind.clone();
        let mut receiving = cases.receive().await.map_err(|e| received(e, field()))?;
        let mut decoded = Vec::with_capacity(SLICE / 4 * 3);
        for slice in document.content_base64.trim().as_bytes().chunks(SLICE) {
            decoded.clear();
            base64::engine::general_purpose::STANDARD
                .decode_vec(slice, &mut decoded)
                .map_err(|_| AppError::InvalidField {
                    code: "document.base64",
                    field: field(),
                })?;
            receiving
                .write(&decoded)
                .await
                .map_err(|e| received(e, field()))?;
        }
        let content = receiving.finish().await.map_err(|e| received(e, field()))?;
        uploads.push(Upload {
            kind: document.kind,
            file_name: document.file_name,
            content,
        });
    }
    Ok(uploads)
}

pub(crate) fn case_id(raw: &str) -> Result<CaseId, AppError> {
    raw.parse::<i64>()
        .map(CaseId)
        .map_err(|_| AppError::NotFound)
}

/// A case in a list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseSummary {
    id: i64,
    tracking_code: String,
    service_id: String,
    /// The state's id in the case's workflow.
    state: String,
    /// What an action names as the version it saw.
    version: i64,
    closed: bool,
    #[schema(value_type = String, format = DateTime)]
    created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    updated_at: Timestamp,
    sla_due_jalali: Option<String>,
    overdue: bool,
}

impl CaseSummary {
    fn of(case: &CaseRecord) -> CaseSummary {
        CaseSummary {
            id: case.id.0,
            tracking_code: case.tracking_code.clone(),
            service_id: case.service_id.clone(),
            state: case.state.clone(),
            version: case.version,
            closed: case.closed_at.is_some(),
            created_at: case.created_at,
            updated_at: case.updated_at,
            sla_due_jalali: case.sla_due.map(|d| d.iso_jalali()),
            overdue: case.overdue_at.is_some(),
        }
    }
}

/// A case as this user may see it: its history, documents (for those who may see them),
/// open tasks, and the actions the user may take now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseAnswer {
    #[serde(flatten)]
    summary: CaseSummary,
    service_title: Bilingual,
    state_name: Bilingual,
    /// The application's answers and what actions recorded, by field name.
    fields: BTreeMap<String, String>,
    history: Vec<HistoryEntry>,
    documents: Vec<DocumentEntry>,
    /// The signed documents issued for the case: each verified at `/verify/{serial}`.
    issued: Vec<IssuedEntry>,
    /// The checklist of the case's state and what was ticked before (staff only).
    checklist: Vec<ChecklistEntry>,
    actions: Vec<ActionEntry>,
    tasks: Vec<TaskEntry>,
}

/// A checklist item: done or not, and who ticked it when.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ChecklistEntry {
    id: String,
    name: Bilingual,
    done: bool,
    /// Its tick goes with a document (`POST /cases/{id}/checklist/{item}` with one).
    needs_document: bool,
    /// Ticked by the payment of the case's fee bills, not by anyone.
    settled_by_fees: bool,
    ticked_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    ticked_at: Option<Timestamp>,
    /// The document that went with the tick (`GET /documents/{id}`).
    document: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryEntry {
    #[schema(value_type = String, format = DateTime)]
    at: Timestamp,
    /// `applicant`, `system`, or the staff member's name.
    actor: String,
    action: String,
    from_state: Option<String>,
    to_state: String,
    comment: Option<String>,
    /// The answers this step changed, each with its old and new value.
    changes: Vec<FieldChangeEntry>,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub(crate) struct FieldChangeEntry {
    field: String,
    old: Option<String>,
    new: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DocumentEntry {
    id: i64,
    kind: String,
    version: u32,
    file_name: String,
    content_type: String,
    size_bytes: u64,
    sha256: String,
    #[schema(value_type = String, format = DateTime)]
    uploaded_at: Timestamp,
    approved: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IssuedEntry {
    #[schema(example = "123456789014")]
    serial: String,
    /// As `GET /issued/{serial}` names it, e.g. `no_violation_certificate`.
    kind: &'static str,
    /// Jalali.
    issued_on: String,
    /// `valid`, `revoked` or `superseded` (by a re-issue or an extension).
    #[schema(example = "valid")]
    status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ActionEntry {
    id: String,
    name_fa: String,
    name_en: String,
    #[schema(value_type = String, example = "move")]
    kind: ActionKind,
    /// The fields the action records.
    fields: Vec<String>,
    comment_required: bool,
    /// Documents may be sent with it (a resubmission, a defence).
    takes_documents: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TaskEntry {
    #[schema(value_type = String, example = "formation")]
    role: Role,
    state: String,
    sla_due_jalali: String,
    assigned: bool,
}

impl CaseAnswer {
    pub(crate) fn of(view: &CaseView) -> CaseAnswer {
        CaseAnswer {
            checklist: view
                .checklist
                .iter()
                .map(|row| ChecklistEntry {
                    id: row.item.id.clone(),
                    name: (&row.item.name).into(),
                    done: row.done,
                    needs_document: row.item.document,
                    settled_by_fees: row.item.settled_by_fees,
                    ticked_by: row.tick.as_ref().map(|tick| tick.staff_name.clone()),
                    ticked_at: row.tick.as_ref().map(|tick| tick.at),
                    document: row.tick.as_ref().and_then(|tick| tick.document),
                })
                .collect(),
            summary: CaseSummary::of(&view.case),
            service_title: (&view.service_title).into(),
            state_name: (&view.state_name).into(),
            fields: view.fields.clone(),
            history: view
                .history
                .iter()
                .map(|h| HistoryEntry {
                    at: h.at,
                    actor: match &h.actor {
                        Actor::Applicant => "applicant".to_owned(),
                        Actor::Staff { name, .. } => name.clone(),
                        Actor::System => "system".to_owned(),
                    },
                    action: h.action.clone(),
                    from_state: h.from_state.clone(),
                    to_state: h.to_state.clone(),
                    comment: h.comment.clone(),
                    // Written by this program as this JSON; anything else shows as none.
                    changes: h
                        .changes
                        .as_deref()
                        .and_then(|json| serde_json::from_str(json).ok())
                        .unwrap_or_default(),
                })
                .collect(),
            issued: view
                .issued
                .iter()
                .map(|document| IssuedEntry {
                    serial: document.record.serial.clone(),
                    kind: document.record.kind.slug(),
                    issued_on: document.record.issued_on.clone(),
                    status: document.status.slug(),
                })
                .collect(),
            documents: view
                .documents
                .iter()
                .map(|d| DocumentEntry {
                    id: d.id,
                    kind: d.kind.clone(),
                    version: d.version,
                    file_name: d.file_name.clone(),
                    content_type: d.content_type.clone(),
                    size_bytes: d.size_bytes,
                    sha256: d.sha256.clone(),
                    uploaded_at: d.uploaded_at,
                    approved: d.approved_at.is_some(),
                })
                .collect(),
            actions: view
                .actions
                .iter()
                .map(|a| ActionEntry {
                    id: a.id.clone(),
                    name_fa: a.name.fa.clone(),
                    name_en: a.name.en.clone(),
                    kind: a.kind,
                    fields: a.fields.clone(),
                    comment_required: a.comment_required,
                    takes_documents: a.takes_documents,
                })
                .collect(),
            tasks: view
                .tasks
                .iter()
                .map(|t| TaskEntry {
                    role: t.role,
                    state: t.state.clone(),
                    sla_due_jalali: t.sla_due.iso_jalali(),
                    assigned: t.assignee.is_some(),
                })
                .collect(),
        }
    }
}
