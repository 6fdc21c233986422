//! The JSON API under `/api/v1`. Every page's action is also a call here, with the
//! same permissions; requests authenticate with `Authorization: Bearer <token>`.
//! Errors are `{"error":{"code","message"}}` (see [`crate::error`]).

mod auth;
mod bills;
pub(crate) mod cases;
mod catalog;
mod staff;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::AppError;

/// Every route names its full path rather than being nested under `/api/v1`: a nested
/// router rebuilds each request's URI without the prefix, a cost on every call.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(bills::routes())
        .merge(cases::routes())
        .merge(catalog::routes())
        .merge(staff::routes())
        .route("/api/v1/openapi.json", axum::routing::get(openapi))
}

/// The API's OpenAPI 3.1 document (`crates/daftar-server/api/openapi.json`); a test
/// checks that every path it names is served.
async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../../api/openapi.json"),
    )
}

/// A JSON body whose rejection is an [`AppError`] (422 with a code), never axum's text.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query parameters whose rejection is an [`AppError`] (422 with a code); pages use it too.
/// Read by serde_urlencoded itself: axum's `Query` also tracks the path to a field that
/// fails, which our 422 never shows, at a cost on every public look-up.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|_| AppError::Invalid("request.invalid"))
    }
}
