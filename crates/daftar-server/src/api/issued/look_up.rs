//! `GET /api/v1/issued/{serial}`: what `/verify/{serial}` shows.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use daftar_app::issued::{Issuing, Status};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::error::AppError;
use crate::extract::Path;
use crate::rate_limit::PublicLookup;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IssuedAnswer {
    /// `building_permit`, `no_violation_certificate`, `completion_certificate`,
    /// `no_objection_letter`, `renewal_clearance`, `inspection_report`, `ruling_notice`
    /// or `bill`.
    kind: &'static str,
    #[schema(example = "123456789014")]
    serial: String,
    /// `valid`, `revoked` or `superseded`.
    status: &'static str,
    /// Jalali.
    issued_at: String,
    /// Jalali; absent when the document does not lapse.
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<String>,
    /// What the document states, by name.
    facts: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked: Option<Revoked>,
    /// The serial of the document that replaced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded_by: Option<String>,
    /// The signed record and its signature (`RECORD.SIGNATURE`, base64url), as the QR code
    /// carries them: checked offline with the published key.
    signed: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Revoked {
    #[schema(value_type = String, format = DateTime)]
    at: jiff::Timestamp,
    reason: String,
}

#[utoipa::path(get, path = "/api/v1/issued/{serial}", tag = "issued",
    params(("serial" = String, Path, description = "The document's serial, 12 digits")),
    responses(
        (status = 200, body = IssuedAnswer),
        (status = 404, description = "No document has this serial", body = ApiError),
        (status = 422, description = "Not a serial: wrong length or check digit", body = ApiError),
        (status = 429, description = "Too many look-ups from this client", body = ApiError),
    ))]
pub(in crate::api) async fn look_up(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(issuing): State<Issuing>,
    Path(serial): Path<String>,
) -> Result<Json<IssuedAnswer>, AppError> {
    let serial = super::serial(&serial)?;
    let found = issuing
        .look_up(&serial, from)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = found.record;
    let (status, revoked, superseded_by) = match found.status {
        Status::Valid => ("valid", None, None),
        Status::Revoked { at, reason } => ("revoked", Some(Revoked { at, reason }), None),
        Status::Superseded { by } => ("superseded", None, Some(by)),
    };
    Ok(Json(IssuedAnswer {
        kind: record.kind.slug(),
        serial: record.serial,
        status,
        issued_at: record.issued_on,
        valid_until: record.valid_until,
        facts: record.facts,
        revoked,
        superseded_by,
        signed: found.compact,
    }))
}
