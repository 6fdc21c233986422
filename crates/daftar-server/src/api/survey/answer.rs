//! `GET` and `POST /api/v1/cases/{id}/survey`: the applicant reads where their case's
//! survey stands, and answers it once the case is closed.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::survey::{Invitation, Surveys};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SurveyStanding {
    /// `not_closed`, `open`, `answered` or `lapsed`.
    #[schema(example = "open")]
    status: &'static str,
    /// The last day to answer (Jalali, `1405-10-02`), while open.
    open_until: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SurveyAnswer {
    /// Every item's key (`GET /api/v1/surveys`) with a score from 1 to 5.
    #[schema(example = json!({"informed": 4, "on_time": 3, "no_rework": 5, "conduct": 5, "overall": 4}))]
    scores: BTreeMap<String, u8>,
    /// Kept for the office, never published; up to 1,000 characters.
    remark: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/survey", tag = "surveys",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = SurveyStanding),
        (status = 401, body = ApiError),
        (status = 403, description = "Staff: the survey is its applicant's", body = ApiError),
        (status = 404, description = "No such case of this applicant", body = ApiError),
    ))]
pub(in crate::api) async fn standing(
    State(surveys): State<Surveys>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<SurveyStanding>, AppError> {
    let (_, invitation) = surveys.invitation(&user.principal, case_id(&id)?).await?;
    let (status, open_until) = match invitation {
        Invitation::NotClosed => ("not_closed", None),
        Invitation::Open { until } => ("open", Some(until.iso_jalali())),
        Invitation::Answered => ("answered", None),
        Invitation::Lapsed => ("lapsed", None),
    };
    Ok(Json(SurveyStanding { status, open_until }))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/survey", tag = "surveys",
    params(("id" = i64, Path, description = "The case's id")),
    request_body = SurveyAnswer,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Kept, and counted in the month's results"),
        (status = 401, body = ApiError),
        (status = 403, description = "Staff: the survey is its applicant's", body = ApiError),
        (status = 404, description = "No such case of this applicant", body = ApiError),
        (status = 409, description = "Not closed, answered already, or past its days", body = ApiError),
        (status = 422, description = "An item missing or unknown, a score not 1–5, a remark too long", body = ApiError),
    ))]
pub(in crate::api) async fn answer(
    State(surveys): State<Surveys>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SurveyAnswer>,
) -> Result<StatusCode, AppError> {
    let scores = body
        .scores
        .into_iter()
        .map(|(item, score)| (item, score.to_string()))
        .collect();
    surveys
        .answer(
            &user.principal,
            case_id(&id)?,
            &scores,
            body.remark.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
