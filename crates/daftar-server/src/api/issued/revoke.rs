//! `POST /api/v1/issued/{serial}/revocation`: revokes a document, with a reason.

use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::issued::Issuing;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RevocationBody {
    /// Why, up to 1,000 characters: shown on the verify page.
    #[schema(max_length = 1000)]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/issued/{serial}/revocation", tag = "issued",
    request_body = RevocationBody,
    params(("serial" = String, Path, description = "The document's serial")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked: its verify page says so from now on"),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the role that issued it, nor the system admin", body = ApiError),
        (status = 404, body = ApiError),
        (status = 422, description = "No reason, a wrong serial, or revoked already", body = ApiError),
    ))]
pub(in crate::api) async fn revoke(
    State(issuing): State<Issuing>,
    SignedInUser(user): SignedInUser,
    Path(serial): Path<String>,
    ApiJson(body): ApiJson<RevocationBody>,
) -> Result<StatusCode, AppError> {
    let serial = super::serial(&serial)?;
    issuing
        .revoke(&user.principal, &serial, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
