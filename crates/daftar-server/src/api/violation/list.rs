//! `GET /cases/{id}/violations`: what the sketch shows against the permit and the plan,
//! the violation-review unit's review, the commission's rulings and the fines' bills.

use axum::Json;
use axum::extract::State;
use daftar_app::Violations;
use daftar_core::violation::{ReviewDecision, RulingDecision};
use serde::Serialize;
use utoipa::ToSchema;

use super::ViolationAnswer;
use crate::api::ApiError;
use crate::api::cases::case_id;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ViolationsAnswer {
    /// As computed from the latest sketch.
    computed: Vec<ViolationAnswer>,
    /// As the violation-review unit reviewed them; empty until it has.
    reviewed: Vec<ReviewedAnswer>,
    reviewed_by: Option<String>,
    rulings: Vec<RulingAnswer>,
    /// The bills the final ruling's fines became.
    bills: Vec<FineBillAnswer>,
    /// The last day (Jalali) the owner may object, while the first ruling may be objected to.
    objection_deadline: Option<String>,
    /// The last day (Jalali) a defence is expected, while the case is before the commission.
    defence_deadline: Option<String>,
    /// Jalali: the commission's session, once the case is on its docket.
    session_date: Option<String>,
    /// The fine schedule was made up for the demo.
    made_for_demo: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewedAnswer {
    #[serde(flatten)]
    violation: ViolationAnswer,
    /// `confirmed`, `corrected` or `dismissed`.
    decision: &'static str,
    /// The quantity as computed, before a correction.
    computed_quantity: f64,
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RulingAnswer {
    /// Which time the case was before the commission, from 1: an unpaid commercial fine
    /// sends it back for a second round.
    round: i64,
    /// `first` or `appeal`.
    level: &'static str,
    #[schema(example = "3/92/7834")]
    number: String,
    /// Jalali, `1405-09-12`.
    date: String,
    /// Issued by its workflow action; a draft until then.
    issued: bool,
    items: Vec<RulingItemAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RulingItemAnswer {
    /// `demolition`, `fine` or `restore_use`.
    decision: &'static str,
    amount_rials: Option<i64>,
    outside_range_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FineBillAnswer {
    bill_id: String,
    payment_id: String,
    amount_rials: u64,
    /// Jalali.
    due_date: String,
    paid: bool,
    /// Cancelled: the case went back to the commission, whose new ruling bills anew.
    cancelled: bool,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/violations", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case's violations", body = ViolationsAnswer),
        (status = 401, body = ApiError),
        (status = 404, description = "No such case, or not one the caller may read", body = ApiError),
    ))]
pub(in crate::api) async fn list(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
) -> Result<Json<ViolationsAnswer>, AppError> {
    let id = case_id(&id)?;
    let found = violations.of_case(&user.principal, id).await?;
    let review = found.reviewed.as_ref();
    Ok(Json(ViolationsAnswer {
        computed: found.computed.iter().map(ViolationAnswer::of).collect(),
        reviewed: review
            .map(|review| {
                review
                    .violations
                    .iter()
                    .map(|v| ReviewedAnswer {
                        violation: ViolationAnswer::of(&v.violation),
                        decision: match v.decision {
                            ReviewDecision::Confirmed => "confirmed",
                            ReviewDecision::Corrected => "corrected",
                            ReviewDecision::Dismissed => "dismissed",
                        },
                        computed_quantity: v.violation.unit.number(v.computed_quantity),
                        reason: v.reason.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        reviewed_by: review.map(|review| review.by_name.clone()),
        rulings: found
            .rulings
            .iter()
            .map(|recorded| RulingAnswer {
                round: recorded.round,
                level: recorded.ruling.level.slug(),
                number: recorded.ruling.number.as_str().to_owned(),
                date: recorded.ruling.date.to_string(),
                issued: recorded.issued,
                items: recorded
                    .ruling
                    .items
                    .iter()
                    .map(|item| RulingItemAnswer {
                        decision: match item.decision {
                            RulingDecision::Demolition => "demolition",
                            RulingDecision::Fine { .. } => "fine",
                            RulingDecision::RestoreUse => "restore_use",
                        },
                        amount_rials: match item.decision {
                            RulingDecision::Fine { amount_rials } => Some(amount_rials),
                            _ => None,
                        },
                        outside_range_reason: item.outside_range_reason.clone(),
                    })
                    .collect(),
            })
            .collect(),
        bills: found
            .bills
            .iter()
            .map(|bill| FineBillAnswer {
                bill_id: bill.bill_id.clone(),
                payment_id: bill.payment_id.clone(),
                amount_rials: bill.amount_rials,
                due_date: bill.due_date.to_string(),
                paid: bill.paid_at.is_some(),
                cancelled: bill.cancelled,
            })
            .collect(),
        objection_deadline: found.objection_deadline.map(|d| d.to_string()),
        defence_deadline: found.defence_deadline.map(|d| d.to_string()),
        session_date: found.session_date.map(|d| d.to_string()),
        made_for_demo: found.made_for_demo,
    }))
}
