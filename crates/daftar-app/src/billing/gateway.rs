//! The payment gateway's callback: one payment, recorded under the settlement file's
//! rules.

use daftar_core::billing::{PaymentOutcome, parse_paid_at};
use daftar_core::roles::Role;
use daftar_store::IncomingPayment;
use jiff::Timestamp;

use super::track::parse_bill_pair;
use super::{Billing, BillingError};
use crate::accounts::Principal;

/// A payment gateway's report of one payment.
#[derive(Debug, Clone)]
pub struct GatewayPayment {
    pub bill_id: String,
    pub payment_id: String,
    pub amount_rials: u64,
    /// ISO 8601, or Jalali `1405-02-10 14:30` in Tehran time.
    pub paid_at: String,
    pub trace_number: String,
}

impl Billing {
    /// Records a gateway's payment under the settlement file's rules, for the renewal and
    /// clearance unit or the system admin who sets up the gateway's account. `Applied` and
    /// `Duplicate` (a retried callback) are successes; the others are errors the gateway
    /// must hear about.
    pub async fn record_gateway_payment(
        &self,
        who: &Principal,
        payment: &GatewayPayment,
    ) -> Result<PaymentOutcome, BillingError> {
        if !may_record_payments(who) {
            return Err(BillingError::NotAllowed("auth.forbidden"));
        }
        let barcode = parse_bill_pair(&payment.bill_id, &payment.payment_id)?;
        let paid_at = parse_paid_at(&payment.paid_at)
            .map_err(|_| BillingError::Invalid("paid_at.invalid"))?;
        let trace_number = payment.trace_number.trim();
        if trace_number.is_empty() || trace_number.chars().count() > 64 {
            return Err(BillingError::Invalid("trace_number.invalid"));
        }
        let incoming = IncomingPayment {
            barcode,
            amount_rials: payment.amount_rials,
            paid_at,
            trace_number: trace_number.to_owned(),
        };
        let report = self
            .store
            .record_payments(vec![incoming], "gateway", Timestamp::now())
            .await?;
        let outcome = report
            .outcomes
            .first()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("the store reported no outcome for one payment"))?;
        match outcome {
            PaymentOutcome::Applied | PaymentOutcome::Duplicate => Ok(outcome),
            PaymentOutcome::Unmatched => Err(BillingError::NotFound),
            refused => Err(BillingError::PaymentRefused(refused)),
        }
    }
}

/// Who may take a payment callback: the renewal and clearance unit, or the system admin
/// who sets up the gateway's account.
fn may_record_payments(who: &Principal) -> bool {
    who.staff().is_some_and(|account| {
        account.has_role(Role::RenewalClearance) || account.has_role(Role::SystemAdmin)
    })
}
