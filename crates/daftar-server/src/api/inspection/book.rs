//! `POST /cases/{id}/visit`: formation books the inspection visit in an inspector's
//! calendar, or moves the one booked (with a reason); the applicant is sent the day and
//! time by SMS.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::Inspection;
use daftar_app::inspection::BookingRequest;
use daftar_store::StaffId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct VisitBody {
    /// The case's version the clerk saw.
    version: i64,
    /// The inspector's staff id: one of the inspection unit of the case's office.
    inspector_id: i64,
    /// A working day after today, Jalali: `1405-03-10`.
    #[schema(max_length = 20)]
    day: String,
    /// One of the office's slots: `09:00`.
    #[schema(max_length = 10)]
    slot: String,
    /// Why a booked visit is moved; required then.
    #[schema(max_length = 500)]
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BookedAnswer {
    visit_id: i64,
    /// The case's version after the booking, which the next action names.
    case_version: i64,
    day: String,
    slot: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/visit", tag = "cases", request_body = VisitBody,
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The visit booked; the applicant's SMS is queued", body = BookedAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not in formation or inspection of the case's office, or neither has the case", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given", body = ApiError),
        (status = 422, description = "Not a working day after today, not one of the slots, not an inspector of the office, the slot is taken, or a move without a reason", body = ApiError),
    ))]
pub(in crate::api) async fn book(
    State(inspection): State<Inspection>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VisitBody>,
) -> Result<(StatusCode, Json<BookedAnswer>), AppError> {
    let id = case_id(&id)?;
    let request = BookingRequest {
        expected_version: body.version,
        inspector: StaffId(body.inspector_id),
        day: body.day,
        slot: body.slot,
        reason: body.reason,
    };
    let booked = inspection.book(&user.principal, id, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(BookedAnswer {
            visit_id: booked.visit,
            case_version: booked.case_version,
            day: booked.day.iso_jalali(),
            slot: booked.slot,
        }),
    ))
}
