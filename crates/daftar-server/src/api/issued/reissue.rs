//! `POST /api/v1/issued/{serial}/reissue` and `POST /api/v1/issued/{serial}/extension`:
//! a document issued again under a new serial, the same facts and term (a lost or damaged
//! paper) or a building permit's term extended; either way the new one supersedes it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::issued::{Issuing, Reissue};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Reissued {
    /// The new document's serial: its verify page and PDF.
    #[schema(example = "123456789014")]
    serial: String,
    /// The document it replaces, now `superseded`.
    supersedes: String,
    /// Jalali; none for a document that does not lapse.
    valid_until: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/issued/{serial}/reissue", tag = "issued",
    params(("serial" = String, Path, description = "The document's serial")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued again: the old serial's verify page says superseded", body = Reissued),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the role that issued it, nor the system admin", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Issued again or revoked meanwhile", body = ApiError),
        (status = 422, description = "A wrong serial, a document revoked or replaced already, or one whose term has ended", body = ApiError),
    ))]
pub(in crate::api) async fn reissue(
    State(issuing): State<Issuing>,
    SignedInUser(user): SignedInUser,
    Path(serial): Path<String>,
) -> Result<(StatusCode, Json<Reissued>), AppError> {
    issue_again(&issuing, &user.principal, &serial, Reissue::Copy).await
}

#[utoipa::path(post, path = "/api/v1/issued/{serial}/extension", tag = "issued",
    params(("serial" = String, Path, description = "The building permit's serial")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The permit extended, as a new document that supersedes it", body = Reissued),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the role that issued it, nor the system admin", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "Issued again or revoked meanwhile", body = ApiError),
        (status = 422, description = "Not a permit with a term, its term ended, or its free extensions used", body = ApiError),
    ))]
pub(in crate::api) async fn extend(
    State(issuing): State<Issuing>,
    SignedInUser(user): SignedInUser,
    Path(serial): Path<String>,
) -> Result<(StatusCode, Json<Reissued>), AppError> {
    issue_again(&issuing, &user.principal, &serial, Reissue::Extension).await
}

async fn issue_again(
    issuing: &Issuing,
    who: &daftar_app::accounts::Principal,
    serial: &str,
    how: Reissue,
) -> Result<(StatusCode, Json<Reissued>), AppError> {
    let serial = super::serial(serial)?;
    let record = issuing.reissue(who, &serial, how).await?;
    Ok((
        StatusCode::CREATED,
        Json(Reissued {
            serial: record.serial,
            supersedes: serial.as_str().to_owned(),
            valid_until: record.valid_until,
        }),
    ))
}
