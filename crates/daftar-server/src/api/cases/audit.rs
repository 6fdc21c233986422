//! `GET /cases/{id}/reads` and `GET /staff/{username}/reads`: who among the staff read
//! a case, or what a staff member read; for internal inspection.

use axum::Json;
use axum::extract::State;
use daftar_app::Cases;
use daftar_store::StaffRead;
use serde::Serialize;
use utoipa::ToSchema;

use super::case_id;
use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

/// Staff reads, newest first (at most 500).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReadsAnswer {
    reads: Vec<ReadEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReadEntry {
    case_id: i64,
    tracking_code: String,
    /// The staff member's username.
    staff: String,
    /// The document read, when it was one; otherwise the case itself.
    document_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    at: jiff::Timestamp,
}

impl From<Vec<StaffRead>> for ReadsAnswer {
    fn from(reads: Vec<StaffRead>) -> ReadsAnswer {
        ReadsAnswer {
            reads: reads
                .into_iter()
                .map(|read| ReadEntry {
                    case_id: read.case_id,
                    tracking_code: read.tracking_code,
                    staff: read.staff_username,
                    document_id: read.document_id,
                    at: jiff::Timestamp::from_second(read.at).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/reads", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, body = ReadsAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not internal inspection", body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn reads_of_case(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<ReadsAnswer>, AppError> {
    let reads = cases.reads_of_case(&user.principal, case_id(&id)?).await?;
    Ok(Json(reads.into()))
}

#[utoipa::path(get, path = "/api/v1/staff/{username}/reads", tag = "cases",
    params(("username" = String, Path, description = "The staff member's username")),
    responses(
        (status = 200, body = ReadsAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not internal inspection", body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn reads_by_staff(
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(username): Path<String>,
) -> Result<Json<ReadsAnswer>, AppError> {
    let reads = cases.reads_by_staff(&user.principal, &username).await?;
    Ok(Json(reads.into()))
}
