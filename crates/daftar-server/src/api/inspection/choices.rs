//! `GET /cases/{id}/visit-choices`: what a booking of the case's visit may choose from —
//! the inspectors of the case's office, the coming working days and the office's slots.

use axum::Json;
use axum::extract::State;
use daftar_app::Inspection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::api::cases::case_id;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VisitChoices {
    inspectors: Vec<InspectorChoice>,
    /// The coming working days, Jalali: `1405-03-10`.
    days: Vec<String>,
    /// `09:00`, Tehran time.
    slots: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InspectorChoice {
    id: i64,
    display_name: String,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/visit-choices", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = VisitChoices),
        (status = 401, body = ApiError),
        (status = 404, description = "No such case, or not one the staff member works on", body = ApiError),
    ))]
pub(in crate::api) async fn choices(
    State(inspection): State<Inspection>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<VisitChoices>, AppError> {
    let id = case_id(&id)?;
    let choices = inspection.choices(&user.principal, id).await?;
    Ok(Json(VisitChoices {
        inspectors: choices
            .inspectors
            .into_iter()
            .map(|inspector| InspectorChoice {
                id: inspector.id.0,
                display_name: inspector.display_name,
            })
            .collect(),
        days: choices.days.iter().map(|day| day.iso_jalali()).collect(),
        slots: choices.slots,
    }))
}
