//! `GET /documents/{id}` and `POST /documents/{id}/approval`: a case's documents.

use axum::extract::State;

use crate::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use daftar_app::Cases;

use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "cases",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The file, as uploaded; the view is recorded",
            content(("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 401, body = ApiError),
        (status = 403, body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn document(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (record, bytes) = cases.open_document(&user.principal, id).await?;
    Ok(crate::attachment::response(&record.content_type, bytes))
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/approval", tag = "cases",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 204, description = "The approval is recorded"),
        (status = 401, body = ApiError),
        (status = 403, description = "Not staff who may see the case's documents", body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn approve(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    cases.approve_document(&user.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
