//! `POST /cases/{id}/actions` and `POST /cases/{id}/assignment`: acting on a case.

use daftar_app::Cases;
use daftar_app::cases::ActionRequest;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;

use crate::extract::Path;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseAnswer, DocumentUpload, case_id, uploads};
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;

/// One action, at the version of the case the actor saw.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ActRequest {
    /// The action's id, from the case's `actions`.
    #[schema(min_length = 1, max_length = 64)]
    action: String,
    version: i64,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    comment: Option<String>,
    /// A parallel branch's decision: `approve` or `reject`.
    #[schema(pattern = "^(approve|reject)?$")]
    decision: Option<String>,
    /// For an assignment: the colleague's username.
    assignee: Option<String>,
    #[serde(default)]
    documents: Vec<DocumentUpload>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", request_body = ActRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case after the action", body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "The action is not the user's", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given, or is closed", body = ApiError),
        (status = 422, description = "A field, document, comment or decision is missing", body = ApiError),
    ))]
pub(in crate::api) async fn act(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ActRequest>,
) -> Result<Json<CaseAnswer>, AppError> {
    let id = case_id(&id)?;
    let action = ActionRequest {
        action: request.action,
        expected_version: request.version,
        fields: request.fields,
        comment: request.comment,
        decision: request.decision,
        assignee: request.assignee,
        uploads: uploads(&cases, request.documents).await?,
    };
    cases.act(&user.principal, id, &action).await?;
    let view = cases.view(&user.principal, id).await?;
    Ok(Json(CaseAnswer::of(&view)))
}

/// Marks a case to a colleague holding the same role, at the version the user saw.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AssignRequest {
    version: i64,
    /// The colleague's username; the user's own to claim the case.
    #[schema(min_length = 1, max_length = 200, example = "formation")]
    assignee: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/assignment", tag = "cases", request_body = AssignRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError),
        (status = 422, description = "No such colleague in the role", body = ApiError),
    ))]
pub(in crate::api) async fn assign(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<CaseAnswer>, AppError> {
    let id = case_id(&id)?;
    cases
        .mark_to(&user.principal, id, request.version, &request.assignee)
        .await?;
    let view = cases.view(&user.principal, id).await?;
    Ok(Json(CaseAnswer::of(&view)))
}
