//! `POST /cases/{id}/inquiry`: formation records the inquiry about the case's property,
//! with its map order, on the case.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::zoning::{InquiryRequest, RecordedInquiry, parse_point};
use daftar_app::{Cases, Zoning};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::inquiry::InquiryAnswer;
use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct InquiryBody {
    /// The case's version the clerk saw.
    version: i64,
    /// A point for a property the GIS has not drawn (else the plot's outline is used).
    #[schema(max_length = 30)]
    lon: Option<String>,
    #[schema(max_length = 30)]
    lat: Option<String>,
}

/// An inquiry as recorded on a case.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecordedInquiryAnswer {
    inquiry_version: i64,
    /// The case's version after recording it; absent in a listing.
    case_version: Option<i64>,
    recorded_by: String,
    recorded_at: String,
    answer: InquiryAnswer,
}

impl RecordedInquiryAnswer {
    pub(crate) fn of(recorded: RecordedInquiry) -> RecordedInquiryAnswer {
        RecordedInquiryAnswer {
            inquiry_version: recorded.version,
            case_version: recorded.case_version,
            recorded_by: recorded.recorded_by_name,
            recorded_at: recorded.recorded_at.to_string(),
            answer: recorded.inquiry.into(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/inquiry", tag = "cases", request_body = InquiryBody,
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The inquiry recorded", body = RecordedInquiryAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not in the formation unit of the case's office, or formation does not have the case", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given", body = ApiError),
        (status = 422, description = "The case names no property, its plot is unknown or undrawn (give a point), or the point is not a longitude and latitude", body = ApiError),
    ))]
pub(in crate::api) async fn record(
    State(zoning): State<Zoning>,
    State(cases): State<Cases>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InquiryBody>,
) -> Result<(StatusCode, Json<RecordedInquiryAnswer>), AppError> {
    let id = case_id(&id)?;
    let point = match (&body.lon, &body.lat) {
        (Some(lon), Some(lat)) => Some(parse_point(lon, lat)?),
        (None, None) => None,
        _ => return Err(AppError::Invalid("zoning.point")),
    };
    let request = InquiryRequest {
        expected_version: body.version,
        point,
    };
    let recorded = zoning
        .record_for_case(&cases, &user.principal, id, &request)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordedInquiryAnswer::of(recorded)),
    ))
}
