//! The citizen back from the gateway: the return checked against its hand-over, the
//! payment verified with the gateway's server, the bill paid, and the receipt.

use daftar_core::billing::PaymentOutcome;
use daftar_store::{IncomingPayment, OnlinePayment, OnlinePaymentEnding, OnlinePaymentStatus};
use jiff::Timestamp;

use super::gateway::Verification;
use super::{PaymentError, Payments};
use crate::billing::track::parse_bill_pair;

impl Payments {
    /// Finishes the hand-over `reference` on the gateway's return: `authority` and
    /// `paid` (its `Status=OK`) as the return says. Returns the hand-over as it ends.
    ///
    /// - A hand-over that has ended is returned as it is: a replayed return changes
    ///   nothing and asks the gateway nothing.
    /// - A return whose authority is not the hand-over's is refused, changing nothing.
    /// - The payment counts only when the gateway's server confirms it for the recorded
    ///   amount; the bill is then paid as the bank's file would pay it.
    /// - When the gateway does not answer, the hand-over stays open: the same return,
    ///   asked again, tries again.
    pub async fn finish(
        &self,
        reference: &str,
        authority: &str,
        paid: bool,
    ) -> Result<OnlinePayment, PaymentError> {
        let handed = self.receipt(reference).await?;
        if handed.status != OnlinePaymentStatus::Started {
            return Ok(handed);
        }
        if authority != handed.authority {
            return Err(PaymentError::Tampered);
        }
        let gateway = self
            .gateway
            .as_ref()
            .filter(|gateway| gateway.name() == handed.gateway)
            .ok_or(PaymentError::NotOffered)?;
        let ending = if paid {
            match gateway.verify(&handed.authority, handed.amount_rials).await {
                Ok(Verification::Paid { ref_id, card_pan }) => {
                    match self.pay_bill(&handed, &ref_id).await {
                        Ok(()) => OnlinePaymentEnding::Paid { ref_id, card_pan },
                        // The money was taken and the bill would not take it: the
                        // hand-over ends as a refund to make, once, and says so.
                        Err(PaymentError::NothingToPay(_)) => {
                            OnlinePaymentEnding::Refund { ref_id, card_pan }
                        }
                        Err(error) => return Err(error),
                    }
                }
                Ok(Verification::NotPaid { code }) => {
                    tracing::info!(
                        gateway = gateway.name(),
                        code,
                        "A payment was not verified."
                    );
                    OnlinePaymentEnding::Failed
                }
                Err(error) => {
                    tracing::warn!(gateway = gateway.name(), error = %error, "The payment gateway did not answer a verification.");
                    return Err(PaymentError::GatewayDown);
                }
            }
        } else {
            OnlinePaymentEnding::Failed
        };
        self.store
            .finish_online_payment(reference, &ending, Timestamp::now())
            .await?;
        self.receipt(reference).await
    }

    /// A hand-over by its reference, for its receipt.
    pub async fn receipt(&self, reference: &str) -> Result<OnlinePayment, PaymentError> {
        self.store
            .online_payment(reference)
            .await?
            .ok_or(PaymentError::NotFound)
    }

    /// Records a verified payment against its bill, as the settlement file does.
    async fn pay_bill(&self, handed: &OnlinePayment, ref_id: &str) -> Result<(), PaymentError> {
        let barcode = parse_bill_pair(&handed.bill_id, &handed.payment_id)
            .map_err(|_| anyhow::anyhow!("a stored hand-over names a malformed bill"))?;
        let incoming = IncomingPayment {
            barcode,
            amount_rials: handed.amount_rials,
            paid_at: Timestamp::now(),
            trace_number: format!("{}-{ref_id}", handed.gateway),
        };
        let report = self
            .bills
            .record_payments(
                vec![incoming],
                &format!("online:{}", handed.gateway),
                Timestamp::now(),
            )
            .await?;
        match report.outcomes.first() {
            Some(PaymentOutcome::Applied | PaymentOutcome::Duplicate) => Ok(()),
            outcome => {
                // The money was taken and the bill would not take it (paid meanwhile by
                // the bank, or cancelled): the office refunds it by hand.
                tracing::error!(
                    reference = handed.reference,
                    outcome = ?outcome,
                    "A verified online payment does not fit its bill; refund it."
                );
                Err(PaymentError::NothingToPay("payment.refund"))
            }
        }
    }
}
