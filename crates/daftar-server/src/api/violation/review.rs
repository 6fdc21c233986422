//! `POST /cases/{id}/violations/review`: the violation-review unit confirms, corrects (a
//! new quantity, with a reason) or dismisses (with a reason) each computed violation.

use axum::Json;
use axum::extract::State;
use daftar_app::Violations;
use daftar_app::violation::{ReviewInput, ReviewRequest};
use daftar_core::violation::ReviewDecision;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReviewBody {
    /// The case's version the reviewer saw.
    version: i64,
    /// One per computed violation, in its order.
    #[schema(max_items = 200)]
    items: Vec<ReviewItemBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ReviewItemBody {
    /// `confirmed`, `corrected` or `dismissed`.
    #[schema(pattern = "^(confirmed|corrected|dismissed)$")]
    decision: String,
    /// The corrected quantity, in the violation's unit (m² or a count).
    quantity: Option<f64>,
    /// Why it was corrected or dismissed.
    #[schema(max_length = 1000)]
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VersionAnswer {
    /// The case's version after the change, which the next action names.
    pub(super) case_version: i64,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/violations/review", tag = "cases",
    request_body = ReviewBody,
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The review kept", body = VersionAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the violation-review unit holding the case", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given", body = ApiError),
        (status = 422, description = "A decision without its reason or quantity; the field names the violation from 1", body = ApiError),
    ))]
pub(in crate::api) async fn review(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<VersionAnswer>, AppError> {
    let id = case_id(&id)?;
    let mut items = Vec::with_capacity(body.items.len());
    for (n, item) in body.items.into_iter().enumerate() {
        let decision = ReviewDecision::from_slug(&item.decision).ok_or(AppError::InvalidField {
            code: "violation.decision",
            field: (n + 1).to_string(),
        })?;
        items.push(ReviewInput {
            decision,
            quantity: item.quantity,
            reason: item.reason,
        });
    }
    let case_version = violations
        .review(
            &user.principal,
            id,
            &ReviewRequest {
                expected_version: body.version,
                items,
            },
        )
        .await?;
    Ok(Json(VersionAnswer { case_version }))
}
