//! The violation-review unit's reading of the computed list: each violation confirmed,
//! corrected (a new quantity, with a reason) or dismissed (with a reason). The computed
//! list is kept beside the reviewed one.

use serde::{Deserialize, Serialize};

use super::{FineSchedule, Unit, Violation};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Confirmed,
    Corrected,
    Dismissed,
}

impl ReviewDecision {
    pub fn from_slug(slug: &str) -> Option<ReviewDecision> {
        match slug {
            "confirmed" => Some(ReviewDecision::Confirmed),
            "corrected" => Some(ReviewDecision::Corrected),
            "dismissed" => Some(ReviewDecision::Dismissed),
            _ => None,
        }
    }
}

/// The reviewer's word on one computed violation, in the computed list's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub decision: ReviewDecision,
    /// The corrected quantity, in the violation's unit (hundredths of a m², or a count).
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A violation as reviewed: with the quantity computed and the reviewer's reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewedViolation {
    #[serde(flatten)]
    pub violation: Violation,
    pub decision: ReviewDecision,
    pub computed_quantity: i64,
    pub reason: Option<String>,
}

impl ReviewedViolation {
    pub fn stands(&self) -> bool {
        self.decision != ReviewDecision::Dismissed
    }
}

/// Where a review is wrong: the violation by position from 0, and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("violation {index:?}: {code}")]
pub struct ReviewError {
    pub index: Option<usize>,
    pub code: &'static str,
}

/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 1000;

/// The reviewed list: `items` has one word per computed violation. A correction needs a
/// quantity above 0 and a reason, and its fine range is reckoned again on the corrected
/// quantity; a dismissal needs a reason.
pub fn apply_review(
    computed: &[Violation],
    items: &[ReviewItem],
    schedule: &FineSchedule,
    values: (i64, i64),
) -> Result<Vec<ReviewedViolation>, ReviewError> {
    if items.len() != computed.len() {
        return Err(ReviewError {
            index: None,
            code: "violation.review_count",
        });
    }
    computed
        .iter()
        .zip(items)
        .enumerate()
        .map(|(index, (violation, item))| {
            let fail = |code| ReviewError {
                index: Some(index),
                code,
            };
            let reason = item
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned);
            if reason
                .as_ref()
                .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
            {
                return Err(fail("violation.reason_too_long"));
            }
            let mut reviewed = violation.clone();
            match item.decision {
                ReviewDecision::Confirmed => {}
                ReviewDecision::Dismissed if reason.is_none() => {
                    return Err(fail("violation.reason_required"));
                }
                ReviewDecision::Dismissed => {}
                ReviewDecision::Corrected => {
                    if reason.is_none() {
                        return Err(fail("violation.reason_required"));
                    }
                    let quantity = item
                        .quantity
                        .filter(|q| *q > 0 && *q <= 100_000_000)
                        .ok_or(fail("violation.quantity"))?;
                    reviewed.fined_centi_m2 = match violation.unit {
                        Unit::M2 => quantity,
                        // A count's fined area scales with it (spaces, floors).
                        Unit::Count => {
                            violation.fined_centi_m2 / violation.quantity.max(1) * quantity
                        }
                    };
                    reviewed.quantity = quantity;
                    reviewed.fine = schedule.range(violation.note, reviewed.fined_centi_m2, values);
                }
            }
            Ok(ReviewedViolation {
                violation: reviewed,
                decision: item.decision,
                computed_quantity: violation.quantity,
                reason,
            })
        })
        .collect()
}
