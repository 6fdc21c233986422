//! The Article 100 commission's ruling: its number in the commission's form (`3/92/7834`),
//! its Jalali date, and per standing violation demolition (قلع), a fine within the
//! violation's range, or the use restored. A fine outside the range is refused unless
//! the ruling marks it so, with the reason.

use serde::{Deserialize, Serialize};

use super::{ReviewedViolation, ViolationKind};
use crate::calendar::JalaliDate;

/// First instance (بدوی) or appeal (تجدیدنظر); the appeal's ruling is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulingLevel {
    First,
    Appeal,
}

impl RulingLevel {
    pub fn slug(self) -> &'static str {
        match self {
            RulingLevel::First => "first",
            RulingLevel::Appeal => "appeal",
        }
    }
}

/// A ruling's number as the commission writes it: three groups of digits with slashes
/// (branch, year, serial), Persian or Latin digits, kept in Latin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulingNumber(String);

impl RulingNumber {
    pub fn parse(input: &str) -> Option<RulingNumber> {
        let latin = crate::fa::normalize_digits(input.trim());
        let parts: Vec<&str> = latin.split('/').collect();
        let sizes = [1..=4, 2..=4, 1..=10];
        let fits = parts.len() == 3
            && parts.iter().zip(sizes).all(|(part, size)| {
                size.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
            });
        fits.then_some(RulingNumber(latin))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum RulingDecision {
    Demolition,
    Fine { amount_rials: i64 },
    RestoreUse,
}

/// The ruling on one standing violation (the reviewed list without the dismissed, in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulingItem {
    #[serde(flatten)]
    pub decision: RulingDecision,
    /// Why a fine lies outside the violation's range; none when it is within.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_range_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruling {
    pub level: RulingLevel,
    pub number: RulingNumber,
    pub date: JalaliDate,
    pub items: Vec<RulingItem>,
}

/// Where a ruling is wrong: the item by position from 0, and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ruling item {item:?}: {code}")]
pub struct RulingError {
    pub item: Option<usize>,
    pub code: &'static str,
}

/// The most a ruling's fines may come to: what one bill's payment ID can carry
/// (99,999,999,999 thousand rials).
pub const MAX_FINE_RIALS: i64 = 99_999_999_999_000;

impl Ruling {
    /// Checks a ruling against the reviewed violations it rules on.
    pub fn check(
        level: RulingLevel,
        number: RulingNumber,
        date: JalaliDate,
        items: Vec<RulingItem>,
        reviewed: &[ReviewedViolation],
    ) -> Result<Ruling, RulingError> {
        let standing: Vec<&ReviewedViolation> = reviewed.iter().filter(|v| v.stands()).collect();
        if items.len() != standing.len() || items.is_empty() {
            return Err(RulingError {
                item: None,
                code: "ruling.item_count",
            });
        }
        let mut kept = Vec::with_capacity(items.len());
        for (n, (item, violation)) in items.into_iter().zip(&standing).enumerate() {
            let fail = |code| RulingError {
                item: Some(n),
                code,
            };
            let reason = item
                .outside_range_reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned);
            if reason
                .as_ref()
                .is_some_and(|r| r.chars().count() > super::review::MAX_REASON_CHARS)
            {
                return Err(fail("violation.reason_too_long"));
            }
            match &item.decision {
                RulingDecision::Demolition => {}
                RulingDecision::RestoreUse
                    if violation.violation.kind != ViolationKind::ChangeOfUse =>
                {
                    return Err(fail("ruling.restore_use_only"));
                }
                RulingDecision::RestoreUse => {}
                RulingDecision::Fine { amount_rials } => {
                    // Whole thousands: a bill's payment ID carries thousands of rials, and
                    // the bill asks for exactly what was ruled.
                    if *amount_rials <= 0 || *amount_rials > MAX_FINE_RIALS {
                        return Err(fail("ruling.amount"));
                    }
                    if amount_rials % 1000 != 0 {
                        return Err(fail("ruling.amount_thousands"));
                    }
                    let range = &violation.violation.fine;
                    let within = (range.min_rials..=range.max_rials).contains(amount_rials);
                    if !within && reason.is_none() {
                        return Err(fail("ruling.outside_range"));
                    }
                }
            }
            kept.push(RulingItem {
                decision: item.decision,
                outside_range_reason: reason,
            });
        }
        let ruling = Ruling {
            level,
            number,
            date,
            items: kept,
        };
        if ruling
            .fines()
            .try_fold(0_i64, i64::checked_add)
            .is_none_or(|total| total > MAX_FINE_RIALS)
        {
            return Err(RulingError {
                item: None,
                code: "ruling.total_too_large",
            });
        }
        Ok(ruling)
    }

    /// The fines the ruling sets, in rials, in order.
    pub fn fines(&self) -> impl Iterator<Item = i64> + '_ {
        self.items.iter().filter_map(|item| match item.decision {
            RulingDecision::Fine { amount_rials } => Some(amount_rials),
            _ => None,
        })
    }

    pub fn demolishes(&self) -> bool {
        self.items
            .iter()
            .any(|item| item.decision == RulingDecision::Demolition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::violation::{FineRange, Note, ReviewDecision, Unit, Violation};

    fn reviewed(
        kind: ViolationKind,
        min: i64,
        max: i64,
        decision: ReviewDecision,
    ) -> ReviewedViolation {
        ReviewedViolation {
            violation: Violation {
                kind,
                floor: Some(1),
                quantity: 1000,
                unit: Unit::M2,
                note: Note::Note2,
                fined_centi_m2: 1000,
                fine: FineRange {
                    min_rials: min,
                    max_rials: max,
                    formula: String::new(),
                },
            },
            decision,
            computed_quantity: 1000,
            reason: None,
        }
    }

    fn fine(amount_rials: i64, reason: Option<&str>) -> RulingItem {
        RulingItem {
            decision: RulingDecision::Fine { amount_rials },
            outside_range_reason: reason.map(str::to_owned),
        }
    }

    fn check(items: Vec<RulingItem>, list: &[ReviewedViolation]) -> Result<Ruling, RulingError> {
        Ruling::check(
            RulingLevel::First,
            RulingNumber::parse("3/92/7834").unwrap(),
            JalaliDate::new(1405, 9, 12).unwrap(),
            items,
            list,
        )
    }

    #[test]
    fn ruling_numbers_are_three_groups_in_either_script() {
        assert_eq!(
            RulingNumber::parse("3/92/7834").unwrap().as_str(),
            "3/92/7834"
        );
        assert_eq!(
            RulingNumber::parse("۳/۹۲/۷۸۳۴").unwrap().as_str(),
            "3/92/7834"
        );
        for bad in ["", "3/92", "3/9/7834", "a/92/1", "3/92/7834/1", "3//1"] {
            assert_eq!(RulingNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_fine_outside_the_range_needs_a_reason() {
        let list = [reviewed(
            ViolationKind::ExcessArea,
            100_000,
            600_000,
            ReviewDecision::Confirmed,
        )];
        assert!(check(vec![fine(100_000, None)], &list).is_ok());
        assert!(check(vec![fine(600_000, None)], &list).is_ok());
        assert_eq!(
            check(vec![fine(601_000, None)], &list).unwrap_err(),
            RulingError {
                item: Some(0),
                code: "ruling.outside_range"
            }
        );
        let marked = check(vec![fine(50_000, Some("  the owner's hardship "))], &list).unwrap();
        assert_eq!(
            marked.items[0].outside_range_reason.as_deref(),
            Some("the owner's hardship")
        );
        assert_eq!(
            check(vec![fine(0, Some("x"))], &list).unwrap_err().code,
            "ruling.amount"
        );
        assert_eq!(
            check(vec![fine(1_500, Some("x"))], &list).unwrap_err().code,
            "ruling.amount_thousands",
            "a payment ID carries whole thousands of rials"
        );
        let two = [
            reviewed(ViolationKind::ExcessArea, 1, 10, ReviewDecision::Confirmed),
            reviewed(ViolationKind::ExcessArea, 1, 10, ReviewDecision::Confirmed),
        ];
        assert_eq!(
            check(
                vec![fine(MAX_FINE_RIALS, Some("x")), fine(1_000, Some("x"))],
                &two
            )
            .unwrap_err()
            .code,
            "ruling.total_too_large"
        );
    }

    #[test]
    fn a_ruling_covers_the_standing_violations_only_and_restores_only_a_use() {
        let list = [
            reviewed(ViolationKind::ExcessArea, 1, 10, ReviewDecision::Dismissed),
            reviewed(ViolationKind::ChangeOfUse, 1, 10, ReviewDecision::Confirmed),
        ];
        let restore = RulingItem {
            decision: RulingDecision::RestoreUse,
            outside_range_reason: None,
        };
        assert!(check(vec![restore.clone()], &list).is_ok());
        assert_eq!(
            check(vec![restore.clone(), restore.clone()], &list)
                .unwrap_err()
                .code,
            "ruling.item_count"
        );
        let list = [reviewed(
            ViolationKind::ExcessArea,
            1,
            10,
            ReviewDecision::Confirmed,
        )];
        assert_eq!(
            check(vec![restore], &list).unwrap_err().code,
            "ruling.restore_use_only"
        );
    }
}
