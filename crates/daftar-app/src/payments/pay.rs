//! Starting a payment: the bill looked up, a token asked of the gateway for its amount,
//! and the hand-over recorded.

use daftar_store::NewOnlinePayment;
use jiff::Timestamp;

use super::gateway::{GatewayError, PaymentOrder};
use super::{PaymentError, Payments};
use crate::billing::track::parse_bill_pair;

impl Payments {
    /// Starts paying the bill with these IDs; returns the gateway's page to send the
    /// citizen to. `site` is the address the citizen reaches Daftar at
    /// (`https://daftar.example.ir`): the gateway sends them back under it.
    pub async fn pay(
        &self,
        bill_id: &str,
        payment_id: &str,
        site: &str,
    ) -> Result<String, PaymentError> {
        let gateway = self.gateway.as_ref().ok_or(PaymentError::NotOffered)?;
        let barcode = parse_bill_pair(bill_id, payment_id).map_err(|error| match error {
            crate::BillingError::Invalid(code) => PaymentError::Invalid(code),
            _ => PaymentError::Invalid("bill_id.invalid"),
        })?;
        let bill = self
            .bills
            .bill_by_barcode(barcode.as_str())
            .await?
            .ok_or(PaymentError::NotFound)?;
        if bill.cancelled {
            return Err(PaymentError::NothingToPay("payment.bill_cancelled"));
        }
        if bill.paid_at.is_some() {
            return Err(PaymentError::NothingToPay("payment.already_paid"));
        }
        // Past its due date a bill's payment ID is no longer taken: its amount moves to
        // the next year's bill.
        if daftar_core::calendar::JalaliDate::from_timestamp(Timestamp::now()) > bill.due_date {
            return Err(PaymentError::NothingToPay("payment.expired"));
        }
        let reference = format!("{:032x}", rand::random::<u128>());
        let order = PaymentOrder {
            amount_rials: bill.amount_rials,
            return_url: format!("{}/payments/{reference}/return", site.trim_end_matches('/')),
            // Gateways show it to the citizen, who reads Persian.
            description: format!(
                "عوارض نوسازی و پسماند سال {}، دوره {}",
                bill.year, bill.period
            ),
        };
        let token = gateway.request(&order).await.map_err(|error| {
            match &error {
                GatewayError::Refused(code) => {
                    tracing::warn!(gateway = gateway.name(), code, "The payment gateway refused to start a payment.");
                }
                GatewayError::Unavailable(_) => {
                    tracing::warn!(gateway = gateway.name(), error = %error, "The payment gateway did not answer.");
                }
            }
            PaymentError::GatewayDown
        })?;
        self.store
            .start_online_payment(&NewOnlinePayment {
                reference,
                gateway: gateway.name().to_owned(),
                authority: token.authority,
                bill_id: bill.bill_id,
                payment_id: bill.payment_id,
                amount_rials: bill.amount_rials,
                started_at: Timestamp::now(),
            })
            .await?;
        Ok(token.pay_url)
    }
}
