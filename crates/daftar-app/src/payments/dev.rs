//! A payment gateway that is a page of Daftar itself (`/dev-gateway/<authority>`), for the
//! demo and for trials: no money moves, and every page of the program says so while it
//! is in use. It behaves as Zarinpal does: a token per order, the citizen sent back with
//! `Authority` and `Status`, and a verification that confirms only a payment made, for
//! its own amount, once and again (as Zarinpal's 101).
//!
//! Its orders live in memory: a restart forgets them, and its hand-overs then fail.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::gateway::{GatewayError, GatewayToken, PaymentGateway, PaymentOrder, Verification};

/// The most orders the development gateway keeps in memory.
const MAX_ORDERS: usize = 10_000;

/// The development gateway.
#[derive(Debug, Default)]
pub struct DevGateway {
    orders: Mutex<HashMap<String, DevOrder>>,
}

/// An order as the development gateway's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevOrder {
    pub amount_rials: u64,
    pub description: String,
    pub return_url: String,
    pub state: DevOrderState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevOrderState {
    Waiting,
    Paid { ref_id: String },
    Cancelled,
}

impl DevGateway {
    /// An order waiting on its page, by its authority.
    pub fn order(&self, authority: &str) -> Option<DevOrder> {
        self.orders().get(authority).cloned()
    }

    /// The citizen pays (or cancels) on the page; returns where to send them: the order's
    /// return address with `Authority` and `Status`. An order decided already is not
    /// decided again.
    pub fn decide(&self, authority: &str, pay: bool) -> Option<String> {
        let mut orders = self.orders();
        let order = orders.get_mut(authority)?;
        if order.state == DevOrderState::Waiting {
            order.state = if pay {
                DevOrderState::Paid {
                    ref_id: (rand::random::<u64>() % 9_000_000_000 + 1_000_000_000).to_string(),
                }
            } else {
                DevOrderState::Cancelled
            };
        }
        let status = match order.state {
            DevOrderState::Paid { .. } => "OK",
            _ => "NOK",
        };
        let separator = if order.return_url.contains('?') {
            '&'
        } else {
            '?'
        };
        Some(format!(
            "{}{separator}Authority={authority}&Status={status}",
            order.return_url
        ))
    }

    fn orders(&self) -> std::sync::MutexGuard<'_, HashMap<String, DevOrder>> {
        // A panic while the lock was held leaves the map as it was: keep using it.
        self.orders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl PaymentGateway for DevGateway {
    fn name(&self) -> &'static str {
        "dev"
    }

    async fn request(&self, order: &PaymentOrder) -> Result<GatewayToken, GatewayError> {
        let authority = format!("DEV{:032x}", rand::random::<u128>());
        let mut orders = self.orders();
        // Trials only: a bounded book, the decided orders dropped first.
        if orders.len() >= MAX_ORDERS {
            orders.retain(|_, order| order.state == DevOrderState::Waiting);
            if orders.len() >= MAX_ORDERS {
                orders.clear();
            }
        }
        orders.insert(
            authority.clone(),
            DevOrder {
                amount_rials: order.amount_rials,
                description: order.description.clone(),
                return_url: order.return_url.clone(),
                state: DevOrderState::Waiting,
            },
        );
        drop(orders);
        Ok(GatewayToken {
            pay_url: format!("/dev-gateway/{authority}"),
            authority,
        })
    }

    async fn verify(
        &self,
        authority: &str,
        amount_rials: u64,
    ) -> Result<Verification, GatewayError> {
        Ok(match self.order(authority) {
            Some(DevOrder {
                amount_rials: paid,
                state: DevOrderState::Paid { ref_id },
                ..
            }) if paid == amount_rials => Verification::Paid {
                ref_id,
                card_pan: Some("603799******0000".to_owned()),
            },
            // Zarinpal's codes: -50 the amount differs, -51 not paid.
            Some(DevOrder {
                state: DevOrderState::Paid { .. },
                ..
            }) => Verification::NotPaid { code: -50 },
            _ => Verification::NotPaid { code: -51 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(amount_rials: u64) -> PaymentOrder {
        PaymentOrder {
            amount_rials,
            return_url: "http://127.0.0.1:8080/payments/r1/return".into(),
            description: "عوارض نوسازی و پسماند سال ۱۴۰۵، دوره ۱".into(),
        }
    }

    #[tokio::test]
    async fn only_a_payment_made_for_its_own_amount_is_verified() {
        let gateway = DevGateway::default();
        let token = gateway.request(&order(3_850_000)).await.unwrap();
        assert_eq!(token.pay_url, format!("/dev-gateway/{}", token.authority));
        let not_yet = gateway.verify(&token.authority, 3_850_000).await.unwrap();
        assert_eq!(not_yet, Verification::NotPaid { code: -51 });

        let back = gateway.decide(&token.authority, true).unwrap();
        assert_eq!(
            back,
            format!(
                "http://127.0.0.1:8080/payments/r1/return?Authority={}&Status=OK",
                token.authority
            )
        );
        let Verification::Paid { ref_id, .. } =
            gateway.verify(&token.authority, 3_850_000).await.unwrap()
        else {
            panic!("paid on the page, so verified");
        };
        assert_eq!(ref_id.len(), 10);
        let other_amount = gateway.verify(&token.authority, 3_000_000).await.unwrap();
        assert_eq!(other_amount, Verification::NotPaid { code: -50 });
        // Decided once: cancelling afterwards changes nothing.
        assert!(
            gateway
                .decide(&token.authority, false)
                .unwrap()
                .ends_with("Status=OK")
        );
        assert!(gateway.decide("DEV-unknown", true).is_none());
    }

    #[tokio::test]
    async fn a_cancelled_payment_is_never_verified() {
        let gateway = DevGateway::default();
        let token = gateway.request(&order(1_000)).await.unwrap();
        assert!(
            gateway
                .decide(&token.authority, false)
                .unwrap()
                .ends_with("Status=NOK")
        );
        assert!(
            gateway
                .decide(&token.authority, true)
                .unwrap()
                .ends_with("Status=NOK")
        );
        let verified = gateway.verify(&token.authority, 1_000).await.unwrap();
        assert_eq!(verified, Verification::NotPaid { code: -51 });
    }
}
