//! `POST /cases`: applying for a service.

use daftar_app::Cases;
use daftar_app::cases::Application;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseAnswer, DocumentUpload, uploads};
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;

/// An application: the service, the form's answers by field name, and its documents.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ApplyRequest {
    /// A service's identifier, from the catalog. Each answer is checked against the
    /// service's form (free text up to 2,000 characters).
    #[schema(pattern = r"^[a-z0-9]{1,32}$", example = "10010101018th01")]
    service_id: String,
    #[serde(default)]
    answers: BTreeMap<String, String>,
    #[serde(default)]
    documents: Vec<DocumentUpload>,
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = ApplyRequest,
    responses(
        (status = 201, description = "The case opened", body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Only citizens apply", body = ApiError),
        (status = 404, description = "No such service", body = ApiError),
        (status = 422, description = "An answer or a document is wrong (its field named)", body = ApiError),
    ))]
pub(in crate::api) async fn apply(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    ApiJson(request): ApiJson<ApplyRequest>,
) -> Result<Response, AppError> {
    let application = Application {
        service_id: request.service_id,
        answers: request.answers,
        uploads: uploads(&cases, request.documents).await?,
    };
    let case = cases.apply(&user.principal, &application).await?;
    let view = cases.view(&user.principal, case.id).await?;
    Ok((StatusCode::CREATED, Json(CaseAnswer::of(&view))).into_response())
}
