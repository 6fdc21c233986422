//! `GET /cases/{id}/map-order`: the map order (دستور نقشه) of the case's property, from
//! the latest inquiry recorded on the case, for whoever may read the case.

use axum::Json;
use axum::extract::State;
use daftar_app::{Cases, Zoning};

use super::record::RecordedInquiryAnswer;
use crate::api::ApiError;
use crate::api::cases::case_id;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[utoipa::path(get, path = "/api/v1/cases/{id}/map-order", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The latest inquiry recorded on the case, with its map order", body = RecordedInquiryAnswer),
        (status = 401, body = ApiError),
        (status = 404, description = "No such case, not the asker's, or no inquiry recorded yet", body = ApiError),
    ))]
pub(in crate::api) async fn map_order(
    State(zoning): State<Zoning>,
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<RecordedInquiryAnswer>, AppError> {
    let id = case_id(&id)?;
    let latest = zoning
        .of_case(&cases, &user.principal, id)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(Json(RecordedInquiryAnswer::of(latest)))
}
