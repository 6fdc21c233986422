//! `POST /properties/{district}/{renewal_code}/registry-letters`: a registry letter about a
//! completion certificate that differs from the drawings opens a violation case on the
//! property, for the owner the register names, with the letter's scan as its document.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daftar_app::property::parse_property;
use daftar_app::violation::{LETTER_DOCUMENT, RegistryLetter, may_record_letters};
use daftar_app::{Cases, Violations};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::cases::{CaseAnswer, DocumentUpload, uploads};
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LetterBody {
    /// The registry's number for the letter.
    #[schema(example = "139/45/12873", max_length = 40)]
    number: String,
    /// The letter's Jalali date.
    #[schema(example = "1405-09-10")]
    date: String,
    /// What the letter says differs, up to 2,000 characters.
    #[schema(max_length = 2000)]
    summary: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    scan_file_name: String,
    /// The scanned letter in base64: PDF or JPEG, up to 10 MB.
    #[schema(content_encoding = "base64", min_length = 4)]
    scan_base64: String,
}

#[utoipa::path(post, path = "/api/v1/properties/{district}/{renewal_code}/registry-letters",
    tag = "properties",
    request_body = LetterBody,
    params(
        ("district" = String, Path, description = "The municipal district"),
        ("renewal_code" = String, Path, description = "The property's renewal code"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The violation case opened, for the register's owner", body = CaseAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not violation review or formation", body = ApiError),
        (status = 422, description = "A wrong number, date, summary or scan; a property not in the register; a violation case already open on it", body = ApiError),
    ))]
pub(in crate::api) async fn open(
    State(cases): State<Cases>,
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    crate::extract::Path((district, renewal_code)): crate::extract::Path<(String, String)>,
    ApiJson(body): ApiJson<LetterBody>,
) -> Result<Response, AppError> {
    let (district, code) = parse_property(&district, &renewal_code)?;
    // Nobody's scan is decoded before they are known to record letters.
    if !user.principal.staff().is_some_and(may_record_letters) {
        return Err(AppError::Forbidden("letter.not_allowed"));
    }
    let mut scans = uploads(
        &cases,
        vec![DocumentUpload::new(
            LETTER_DOCUMENT,
            body.scan_file_name,
            body.scan_base64,
        )],
    )
    .await?;
    let scan = scans.pop().ok_or(AppError::Invalid("document.required"))?;
    let letter = RegistryLetter {
        number: body.number,
        date: body.date,
        summary: body.summary,
        scan,
    };
    let case = violations
        .open_from_registry_letter(&user.principal, district, &code, letter)
        .await?;
    let view = cases.view(&user.principal, case.id).await?;
    Ok((StatusCode::CREATED, Json(CaseAnswer::of(&view))).into_response())
}
