//! What becomes of one row of a bank's settlement file (or one gateway callback).

use serde::Serialize;

/// What the store knows of the bill a payment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillFacts {
    pub amount_rials: u64,
    pub paid: bool,
    pub cancelled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// The bill is now paid.
    Applied,
    /// No bill has this bill ID and payment ID.
    Unmatched,
    /// The amount paid is not the bill's amount; the bill stays unpaid.
    AmountMismatch,
    /// This trace number was recorded before (or earlier in the same file): nothing changes.
    Duplicate,
    /// The bill was already paid under another trace number.
    AlreadyPaid,
    /// The bill was cancelled; the money must be refunded or reassigned by hand.
    BillCancelled,
}

impl PaymentOutcome {
    /// Decides a payment row. `trace_seen` says whether its trace number was recorded
    /// before; `bill` is the bill it names, if any.
    pub fn decide(trace_seen: bool, bill: Option<BillFacts>, amount_rials: u64) -> PaymentOutcome {
        let Some(bill) = bill else {
            return if trace_seen {
                PaymentOutcome::Duplicate
            } else {
                PaymentOutcome::Unmatched
            };
        };
        if trace_seen {
            PaymentOutcome::Duplicate
        } else if bill.cancelled {
            PaymentOutcome::BillCancelled
        } else if bill.paid {
            PaymentOutcome::AlreadyPaid
        } else if bill.amount_rials != amount_rials {
            PaymentOutcome::AmountMismatch
        } else {
            PaymentOutcome::Applied
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            PaymentOutcome::Applied => "applied",
            PaymentOutcome::Unmatched => "unmatched",
            PaymentOutcome::AmountMismatch => "amount_mismatch",
            PaymentOutcome::Duplicate => "duplicate",
            PaymentOutcome::AlreadyPaid => "already_paid",
            PaymentOutcome::BillCancelled => "bill_cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: BillFacts = BillFacts {
        amount_rials: 5_000,
        paid: false,
        cancelled: false,
    };

    #[test]
    fn a_payment_of_the_right_amount_pays_an_open_bill() {
        assert_eq!(
            PaymentOutcome::decide(false, Some(OPEN), 5_000),
            PaymentOutcome::Applied
        );
    }

    #[test]
    fn every_other_case_is_reported_and_changes_no_bill() {
        assert_eq!(
            PaymentOutcome::decide(false, None, 5_000),
            PaymentOutcome::Unmatched
        );
        assert_eq!(
            PaymentOutcome::decide(false, Some(OPEN), 4_000),
            PaymentOutcome::AmountMismatch
        );
        assert_eq!(
            PaymentOutcome::decide(true, Some(OPEN), 5_000),
            PaymentOutcome::Duplicate
        );
        assert_eq!(
            PaymentOutcome::decide(true, None, 5_000),
            PaymentOutcome::Duplicate
        );
        let paid = BillFacts { paid: true, ..OPEN };
        assert_eq!(
            PaymentOutcome::decide(false, Some(paid), 5_000),
            PaymentOutcome::AlreadyPaid
        );
        let cancelled = BillFacts {
            cancelled: true,
            ..OPEN
        };
        assert_eq!(
            PaymentOutcome::decide(false, Some(cancelled), 5_000),
            PaymentOutcome::BillCancelled
        );
    }
}
