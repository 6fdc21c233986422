//! `GET /cases/{id}/sketches`: every version of a case's sketch, newest first.

use axum::Json;
use axum::extract::State;
use daftar_app::Sketches;

use super::SketchAnswer;
use crate::api::ApiError;
use crate::api::cases::case_id;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[utoipa::path(get, path = "/api/v1/cases/{id}/sketches", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every version, newest first", body = Vec<SketchAnswer>),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
    ))]
pub(in crate::api) async fn list(
    State(sketches): State<Sketches>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<SketchAnswer>>, AppError> {
    let id = case_id(&id)?;
    let kept = sketches.of_case(&user.principal, id).await?;
    Ok(Json(kept.iter().map(SketchAnswer::of).collect()))
}
