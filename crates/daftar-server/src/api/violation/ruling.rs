//! `POST /cases/{id}/ruling`: the commission's secretary records the ruling of the
//! commission the case is before (first instance, or appeal) — its number, its date, and
//! on each standing violation demolition, a fine within the range (outside it only with a
//! reason), or the use restored. The workflow's `issue_ruling` or `issue_appeal_ruling`
//! then issues it.

use axum::Json;
use axum::extract::State;
use daftar_app::Violations;
use daftar_app::violation::RulingRequest;
use daftar_core::violation::{RulingDecision, RulingItem};
use serde::Deserialize;
use utoipa::ToSchema;

use super::review::VersionAnswer;
use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RulingBody {
    /// The case's version the secretary saw.
    version: i64,
    /// In the commission's form: branch/year/serial.
    #[schema(example = "3/92/7834", max_length = 30)]
    number: String,
    /// Jalali, `1405-09-12`, not in the future.
    #[schema(example = "1405-09-12", max_length = 12)]
    date: String,
    /// On each violation the review let stand, in its order.
    #[schema(max_items = 200)]
    items: Vec<RulingItemBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RulingItemBody {
    /// `demolition`, `fine` or `restore_use`.
    #[schema(pattern = "^(demolition|fine|restore_use)$")]
    decision: String,
    /// For a fine: whole rials.
    amount_rials: Option<i64>,
    /// Why a fine lies outside the violation's range.
    #[schema(max_length = 1000)]
    outside_range_reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/ruling", tag = "cases",
    request_body = RulingBody,
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ruling kept (a draft until issued)", body = VersionAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the commission's secretary, or the case is not before a commission", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given", body = ApiError),
        (status = 422, description = "A malformed number or date, or a fine outside its range without a reason; the field names the item from 1", body = ApiError),
    ))]
pub(in crate::api) async fn rule(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RulingBody>,
) -> Result<Json<VersionAnswer>, AppError> {
    let id = case_id(&id)?;
    let mut items = Vec::with_capacity(body.items.len());
    for (n, item) in body.items.into_iter().enumerate() {
        let decision = match (item.decision.as_str(), item.amount_rials) {
            ("demolition", _) => RulingDecision::Demolition,
            ("restore_use", _) => RulingDecision::RestoreUse,
            ("fine", Some(amount_rials)) => RulingDecision::Fine { amount_rials },
            _ => {
                return Err(AppError::InvalidField {
                    code: "ruling.decision",
                    field: (n + 1).to_string(),
                });
            }
        };
        items.push(RulingItem {
            decision,
            outside_range_reason: item.outside_range_reason,
        });
    }
    let case_version = violations
        .rule(
            &user.principal,
            id,
            &RulingRequest {
                expected_version: body.version,
                number: body.number,
                date: body.date,
                items,
            },
        )
        .await?;
    Ok(Json(VersionAnswer { case_version }))
}
