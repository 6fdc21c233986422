//! Paying a bill online: the citizen is handed to an Iranian internet payment gateway
//! (IPG), comes back, and the payment is checked with the gateway server to server before
//! the bill is marked paid.
//!
//! The flow, [`Payments::pay`] then [`Payments::finish`]:
//! 1. the gateway gives a token (its *authority*) for the bill's amount, and the hand-over
//!    is recorded under a random reference of ours;
//! 2. the citizen pays on the gateway's page, which sends them back to
//!    `/payments/<reference>/return` with the authority and whether they paid;
//! 3. the return is believed only as far as it matches the record (its authority), and
//!    the payment only once the gateway's server confirms it for the recorded amount;
//! 4. the bill is paid through `BillingStore::record_payments`, the path the bank's
//!    settlement file takes: one payment per bill, idempotent, amount checked.
//!
//! A hand-over ends once, so a replayed return changes nothing. [`PaymentGateway`] is the
//! interface; [`zarinpal`] implements Zarinpal's published protocol, and [`dev`] is a
//! gateway that is a page of Daftar itself, for trials.

pub mod dev;
mod finish;
mod gateway;
mod pay;
pub mod zarinpal;

use std::sync::Arc;

use daftar_store::{BillingStore, PaymentStore, StoreError};

pub use gateway::{GatewayError, GatewayToken, PaymentGateway, PaymentOrder, Verification};

/// The online payment use cases.
#[derive(Debug, Clone)]
pub struct Payments {
    store: Arc<dyn PaymentStore>,
    bills: Arc<dyn BillingStore>,
    gateway: Option<Arc<dyn PaymentGateway>>,
    /// The development gateway, when it is the one in use: its pages need it.
    dev: Option<Arc<dev::DevGateway>>,
}

impl Payments {
    /// Online payment through `gateway`, or none offered.
    pub fn new(
        store: Arc<dyn PaymentStore>,
        bills: Arc<dyn BillingStore>,
        gateway: Option<Arc<dyn PaymentGateway>>,
    ) -> Payments {
        Payments {
            store,
            bills,
            gateway,
            dev: None,
        }
    }

    /// Online payment through the development gateway.
    pub fn with_dev_gateway(
        store: Arc<dyn PaymentStore>,
        bills: Arc<dyn BillingStore>,
        dev: Arc<dev::DevGateway>,
    ) -> Payments {
        Payments {
            store,
            bills,
            gateway: Some(dev.clone()),
            dev: Some(dev),
        }
    }

    /// Whether bills can be paid online here.
    pub fn offered(&self) -> bool {
        self.gateway.is_some()
    }

    /// The development gateway, when it is the one in use.
    pub fn dev_gateway(&self) -> Option<&dev::DevGateway> {
        self.dev.as_deref()
    }
}

/// Why a payment could not be started or finished.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// No gateway is configured.
    #[error("bills are not paid online here")]
    NotOffered,
    /// The input breaks a rule before anything is looked up (`bill_id.check_digit`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// No bill, or no hand-over, has these numbers.
    #[error("not found")]
    NotFound,
    /// The bill is paid already, or cancelled: there is nothing to pay.
    #[error("nothing to pay: {0}")]
    NothingToPay(&'static str),
    /// The return does not match the hand-over it names: nothing changed.
    #[error("the gateway's return does not match its payment")]
    Tampered,
    /// The gateway did not answer, or refused to start; the code is the gateway's.
    #[error("the payment gateway is unavailable")]
    GatewayDown,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}
