//! Zarinpal's payment gateway, by its published REST protocol (version 4):
//! - `POST {server}/pg/v4/payment/request.json` with the merchant ID, the amount in rials,
//!   the return address and a description, answered `data.code` 100 and `data.authority`;
//! - the citizen pays at `{server}/pg/StartPay/{authority}` and is sent back to the return
//!   address with `?Authority=…&Status=OK` (or `NOK`);
//! - `POST {server}/pg/v4/payment/verify.json` with the merchant ID, the amount and the
//!   authority, answered `data.code` 100 (verified now) or 101 (verified before), with
//!   `data.ref_id` and the card as `data.card_pan`. Any other code is not a payment.
//!
//! A refusal comes as `"data": []` and `"errors": {"code": -9, "message": …}`, so the
//! answers are read loosely, by the fields this needs.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::gateway::{GatewayError, GatewayToken, PaymentGateway, PaymentOrder, Verification};

/// Zarinpal, for one merchant.
#[derive(Debug, Clone)]
pub struct Zarinpal {
    server: String,
    merchant_id: String,
    client: reqwest::Client,
}

impl Zarinpal {
    /// `server` is `https://payment.zarinpal.com`, its sandbox, or a test's stand-in.
    pub fn new(server: &str, merchant_id: &str) -> anyhow::Result<Zarinpal> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Zarinpal {
            server: server.trim_end_matches('/').to_owned(),
            merchant_id: merchant_id.to_owned(),
            client,
        })
    }

    async fn call(&self, path: &str, body: Value) -> Result<Value, GatewayError> {
        let answer = self
            .client
            .post(format!("{}{path}", self.server))
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))?;
        // Refusals come with 4xx statuses and a body that says why: read it either way.
        answer
            .json::<Value>()
            .await
            .map_err(|e| GatewayError::Unavailable(e.into()))
    }
}

/// The answer's code: `data.code`, else the refusal's `errors.code`.
fn code(answer: &Value) -> Option<i64> {
    answer["data"]["code"]
        .as_i64()
        .or_else(|| answer["errors"]["code"].as_i64())
}

#[async_trait]
impl PaymentGateway for Zarinpal {
    fn name(&self) -> &'static str {
        "zarinpal"
    }

    async fn request(&self, order: &PaymentOrder) -> Result<GatewayToken, GatewayError> {
        let answer = self
            .call(
                "/pg/v4/payment/request.json",
                json!({
                    "merchant_id": self.merchant_id,
                    "amount": order.amount_rials,
                    "currency": "IRR",
                    "callback_url": order.return_url,
                    "description": order.description,
                }),
            )
            .await?;
        match (code(&answer), answer["data"]["authority"].as_str()) {
            (Some(100), Some(authority)) if !authority.is_empty() => Ok(GatewayToken {
                authority: authority.to_owned(),
                pay_url: format!("{}/pg/StartPay/{authority}", self.server),
            }),
            (Some(code), _) => Err(GatewayError::Refused(code)),
            (None, _) => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "an answer with no code"
            ))),
        }
    }

    async fn verify(
        &self,
        authority: &str,
        amount_rials: u64,
    ) -> Result<Verification, GatewayError> {
        let answer = self
            .call(
                "/pg/v4/payment/verify.json",
                json!({
                    "merchant_id": self.merchant_id,
                    "amount": amount_rials,
                    "authority": authority,
                }),
            )
            .await?;
        let ref_id = match &answer["data"]["ref_id"] {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        match (code(&answer), ref_id) {
            (Some(100 | 101), Some(ref_id)) => Ok(Verification::Paid {
                ref_id,
                card_pan: answer["data"]["card_pan"].as_str().map(str::to_owned),
            }),
            (Some(100 | 101), None) => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "a verified payment with no reference number"
            ))),
            (Some(code), _) => Ok(Verification::NotPaid { code }),
            (None, _) => Err(GatewayError::Unavailable(anyhow::anyhow!(
                "an answer with no code"
            ))),
        }
    }
}
