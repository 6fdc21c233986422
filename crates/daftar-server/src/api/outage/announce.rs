//! `POST /api/v1/outages` and `POST /api/v1/outages/{id}/withdrawal`: the system admin
//! announces a planned outage, or withdraws one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::outage::Outages;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct Announcement {
    /// RFC 3339, with its offset: `2026-12-06T20:30:00+03:30`.
    #[schema(value_type = String, format = DateTime, example = "2026-12-06T20:30:00+03:30")]
    from: Timestamp,
    #[schema(value_type = String, format = DateTime, example = "2026-12-06T23:30:00+03:30")]
    to: Timestamp,
    #[schema(min_length = 1, max_length = 500)]
    affected_fa: String,
    #[schema(min_length = 1, max_length = 500)]
    affected_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Announced {
    id: i64,
}

#[utoipa::path(post, path = "/api/v1/outages", tag = "outages",
    request_body = Announcement,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Announced: listed, and its banner shown from the lead time", body = Announced),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the system admin", body = ApiError),
        (status = 422, description = "An end before the start or in the past, longer than seven days, or what is affected missing", body = ApiError),
    ))]
pub(in crate::api) async fn announce(
    State(outages): State<Outages>,
    SignedInUser(user): SignedInUser,
    ApiJson(body): ApiJson<Announcement>,
) -> Result<(StatusCode, Json<Announced>), AppError> {
    let id = outages
        .announce(
            &user.principal,
            body.from,
            body.to,
            &body.affected_fa,
            &body.affected_en,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Announced { id })))
}

#[utoipa::path(post, path = "/api/v1/outages/{id}/withdrawal", tag = "outages",
    params(("id" = i64, Path, description = "The announcement's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn: no longer listed nor shown"),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the system admin", body = ApiError),
        (status = 404, description = "Unknown, or withdrawn already", body = ApiError),
    ))]
pub(in crate::api) async fn withdraw(
    State(outages): State<Outages>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    outages.withdraw(&user.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
