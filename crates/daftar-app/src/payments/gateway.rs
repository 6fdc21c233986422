//! The interface a payment gateway implements.

use async_trait::async_trait;

/// An Iranian internet payment gateway: it gives a token for an amount, takes the
/// citizen's card on its own page, and confirms the payment to our server.
#[async_trait]
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// Its name in the records: `zarinpal`, `dev`.
    fn name(&self) -> &'static str;

    /// Asks for a token to pay an order; the citizen goes to [`GatewayToken::pay_url`].
    async fn request(&self, order: &PaymentOrder) -> Result<GatewayToken, GatewayError>;

    /// Asks the gateway's server whether the payment under `authority` was made for
    /// `amount_rials`. A gateway that does not know, or knows another amount, says not.
    async fn verify(
        &self,
        authority: &str,
        amount_rials: u64,
    ) -> Result<Verification, GatewayError>;
}

/// What is to be paid, and where the gateway sends the citizen afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOrder {
    pub amount_rials: u64,
    /// Absolute; the gateway adds `Authority` and `Status` to its query.
    pub return_url: String,
    /// Shown by the gateway; never personal data.
    pub description: String,
}

/// A gateway's token for an order, and the page where the citizen pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayToken {
    pub authority: String,
    pub pay_url: String,
}

/// What the gateway's server says of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Paid (now, or confirmed before): the gateway's reference number and the card, as
    /// the gateway masks it.
    Paid {
        ref_id: String,
        card_pan: Option<String>,
    },
    /// Not paid, or not for this amount: the gateway's code.
    NotPaid { code: i64 },
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The gateway refused the request; its code.
    #[error("the gateway refused the request (code {0})")]
    Refused(i64),
    /// No answer, or one that cannot be read.
    #[error("the gateway did not answer: {0:#}")]
    Unavailable(anyhow::Error),
}
