//! The JSON API under `/api/v1`. Every page's action is also a call here, with the
//! same permissions; requests authenticate with `Authorization: Bearer <token>`.
//! Errors are `{"error":{"code","message"}}` (see [`crate::error`]).

mod auth;
mod bills;
pub(crate) mod cases;
mod catalog;
mod inspection;
pub(crate) mod issued;
mod openapi;
mod outage;
mod property;
mod sketch;
mod staff;
mod survey;
mod violation;
mod zoning;

use axum::Router;
use axum::extract::FromRequest;

use crate::app::AppState;
use crate::error::AppError;
pub(crate) use crate::query::QueryParams;

/// Every route names its full path rather than being nested under `/api/v1`: a nested
/// router rebuilds each request's URI without the prefix, a cost on every call.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(bills::routes())
        .merge(cases::routes())
        .merge(catalog::routes())
        .merge(inspection::routes())
        .merge(issued::routes())
        .merge(outage::routes())
        .merge(property::routes())
        .merge(sketch::routes())
        .merge(violation::routes())
        .merge(staff::routes())
        .merge(survey::routes())
        .merge(zoning::routes())
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(openapi::document),
        )
}

pub use openapi::document_json;

/// Every error answer: a stable code and a message in the request's language (see
/// [`crate::error`]).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApiError {
    error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// Dotted, stable: `national_id.invalid`, `case.changed`, …
    code: String,
    message: String,
}

/// A text in Persian and English.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Bilingual {
    fa: String,
    en: String,
}

impl Bilingual {
    pub(crate) fn new(fa: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual {
            fa: fa.into(),
            en: en.into(),
        }
    }
}

impl<S: AsRef<str>> From<&daftar_core::text::Text<S>> for Bilingual {
    fn from(text: &daftar_core::text::Text<S>) -> Bilingual {
        Bilingual::new(text.fa.as_ref(), text.en.as_ref())
    }
}

/// A JSON body whose rejection is an [`AppError`] (422 with a code), never axum's text.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);
