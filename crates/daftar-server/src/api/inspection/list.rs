//! `GET /cases/{id}/visits`: every visit booked for a case, newest first.

use axum::Json;
use axum::extract::State;
use daftar_app::Inspection;

use super::VisitAnswer;
use crate::api::ApiError;
use crate::api::cases::case_id;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[utoipa::path(get, path = "/api/v1/cases/{id}/visits", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<VisitAnswer>),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn list(
    State(inspection): State<Inspection>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<VisitAnswer>>, AppError> {
    let id = case_id(&id)?;
    let visits = inspection.visits_of_case(&user.principal, id).await?;
    Ok(Json(visits.into_iter().map(VisitAnswer::of).collect()))
}
