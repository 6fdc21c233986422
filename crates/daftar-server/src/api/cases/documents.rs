//! `GET /documents/{id}` and `POST /documents/{id}/approval`: a case's documents.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use daftar_app::Cases;

use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "cases",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The file, as uploaded; the view is recorded",
            content_type = "application/octet-stream"),
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
