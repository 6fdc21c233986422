//! `POST /cases/{id}/checklist/{item}`: ticking an item of the case's checklist.

use axum::Json;
use axum::extract::State;
use daftar_app::Cases;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseAnswer, DocumentUpload, case_id, uploads};
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

/// A tick, with the document the item needs (its `kind` is the item's id).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct TickRequest {
    document: Option<DocumentUpload>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/checklist/{item}", tag = "cases",
    request_body = TickRequest,
    params(("id" = i64, Path, description = "The case's id"),
           ("item" = String, Path, description = "The checklist item's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case with the item ticked, by this user, now", body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the unit working the case's state", body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, description = "No such item in this state, ticked already, settled by the fee bills, or its document missing", body = ApiError),
    ))]
pub(in crate::api) async fn tick(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path((id, item)): Path<(String, String)>,
    ApiJson(request): ApiJson<TickRequest>,
) -> Result<Json<CaseAnswer>, AppError> {
    let id = case_id(&id)?;
    let upload = uploads(&cases, request.document.into_iter().collect())
        .await?
        .into_iter()
        .next();
    cases
        .tick_checklist(&user.principal, id, &item, upload)
        .await?;
    let view = cases.view(&user.principal, id).await?;
    Ok(Json(CaseAnswer::of(&view)))
}
