//! Recording the violation-review unit's review and the commission's rulings: each in the
//! transaction that moves the case's version on, while the unit (or the secretary) holds it.

use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_core::violation::{
    ReviewItem, Ruling, RulingItem, RulingLevel, RulingNumber, Violation, apply_review,
};
use daftar_store::{CaseId, NewReview, NewRuling};
use jiff::Timestamp;

use super::Violations;
use crate::accounts::Principal;
use crate::cases::{CaseError, property_of};

/// The reviewer's word on each computed violation, in the computed list's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRequest {
    pub expected_version: i64,
    pub items: Vec<ReviewInput>,
}

/// One word as typed: a corrected quantity in m² or as a count, as the violation counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewInput {
    pub decision: daftar_core::violation::ReviewDecision,
    pub quantity: Option<f64>,
    pub reason: Option<String>,
}

/// A ruling as the secretary types it: on each standing violation, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct RulingRequest {
    pub expected_version: i64,
    pub number: String,
    pub date: String,
    pub items: Vec<RulingItem>,
}

impl Violations {
    /// Keeps the review of the computed violations: the violation-review unit, while it
    /// holds the case. Returns the case's new version.
    pub async fn review(
        &self,
        who: &Principal,
        id: CaseId,
        request: &ReviewRequest,
    ) -> Result<i64, CaseError> {
        let (case, roles, tasks) = self.cases.for_staff_work(who, id).await?;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotFound);
        };
        // Reviewed in its own step only: the rulings are read against this review.
        if case.state != "violation_review"
            || !roles.contains(&Role::ViolationReview)
            || !tasks.iter().any(|t| t.role == Role::ViolationReview)
        {
            return Err(CaseError::NotAllowed("violation.review_not_now"));
        }
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let stored = self
            .store
            .case_violations(id)
            .await?
            .ok_or(CaseError::Invalid("violation.no_sketch"))?;
        let computed: Vec<Violation> = serde_json::from_str(&stored.computed_json)
            .map_err(|e| anyhow::anyhow!("case {}: violations unreadable: {e}", id.0))?;
        // A district the fine schedule does not cover has no fine ranges to review: the
        // schedule is completed first (`--fine-schedule`), not ruled on with ranges of 0.
        let values = match property_of(&case) {
            Some((district, code)) => {
                self.schedule
                    .values_at(district, &code)
                    .ok_or(CaseError::InvalidField {
                        code: "violation.no_fine_values",
                        field: district.to_string(),
                    })?
            }
            None => (0, 0),
        };
        let items: Vec<ReviewItem> = request
            .items
            .iter()
            .zip(computed.iter().map(Some).chain(std::iter::repeat(None)))
            .map(|(input, violation)| ReviewItem {
                decision: input.decision,
                quantity: input
                    .quantity
                    .filter(|q| q.is_finite() && q.abs() < 1e9)
                    .map(|q| match violation.map(|v| v.unit) {
                        Some(daftar_core::violation::Unit::Count) => q.round() as i64,
                        _ => (q * 100.0).round() as i64,
                    }),
                reason: input.reason.clone(),
            })
            .collect();
        let reviewed =
            apply_review(&computed, &items, &self.schedule, values).map_err(|error| {
                CaseError::InvalidField {
                    code: error.code,
                    field: error
                        .index
                        .map_or_else(String::new, |n| (n + 1).to_string()),
                }
            })?;
        self.store
            .save_review(
                &NewReview {
                    case: id,
                    reviewed_json: serde_json::to_string(&reviewed).map_err(anyhow::Error::from)?,
                    of_json: stored.computed_json,
                    by: account.id,
                    at: Timestamp::now(),
                },
                request.expected_version,
            )
            .await
            .map_err(Into::into)
    }

    /// Keeps a ruling of the commission the case is before (first instance, or appeal):
    /// the commission's secretary, until the ruling is issued. Returns the case's new
    /// version.
    pub async fn rule(
        &self,
        who: &Principal,
        id: CaseId,
        request: &RulingRequest,
    ) -> Result<i64, CaseError> {
        let (case, roles, tasks) = self.cases.for_staff_work(who, id).await?;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotFound);
        };
        let level = match case.state.as_str() {
            "commission" => RulingLevel::First,
            "appeal" => RulingLevel::Appeal,
            _ => return Err(CaseError::NotAllowed("ruling.not_now")),
        };
        if !roles.contains(&Role::CommissionSecretary)
            || !tasks.iter().any(|t| t.role == Role::CommissionSecretary)
        {
            return Err(CaseError::NotAllowed("ruling.secretary_only"));
        }
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let number = RulingNumber::parse(&request.number).ok_or(CaseError::InvalidField {
            code: "ruling.number",
            field: "number".into(),
        })?;
        let date = JalaliDate::parse(&daftar_core::fa::normalize_digits(request.date.trim()))
            .map_err(|_| CaseError::InvalidField {
                code: "ruling.date",
                field: "date".into(),
            })?;
        if date > JalaliDate::from_timestamp(Timestamp::now()) {
            return Err(CaseError::InvalidField {
                code: "ruling.date_future",
                field: "date".into(),
            });
        }
        // The first-instance commission rules at its session, not before.
        if level == RulingLevel::First
            && let Some(session) = super::session_date(&case)
            && date < session
        {
            return Err(CaseError::InvalidField {
                code: "ruling.before_session",
                field: session.to_string(),
            });
        }
        let reviewed = self
            .store
            .case_violations(id)
            .await?
            .and_then(|v| v.reviewed)
            .ok_or(CaseError::Invalid("case.needs_violations_reviewed"))?;
        let reviewed: Vec<daftar_core::violation::ReviewedViolation> =
            serde_json::from_str(&reviewed.json)
                .map_err(|e| anyhow::anyhow!("case {}: review unreadable: {e}", id.0))?;
        let ruling = Ruling::check(level, number, date, request.items.clone(), &reviewed).map_err(
            |error| CaseError::InvalidField {
                code: error.code,
                field: error.item.map_or_else(String::new, |n| (n + 1).to_string()),
            },
        )?;
        self.store
            .save_ruling(
                &NewRuling {
                    case: id,
                    round: super::ruling_round(&self.store.case_history(id).await?),
                    level: level.slug().to_owned(),
                    ruling_json: serde_json::to_string(&ruling).map_err(anyhow::Error::from)?,
                    by: account.id,
                    at: Timestamp::now(),
                },
                request.expected_version,
            )
            .await
            .map_err(Into::into)
    }
}
