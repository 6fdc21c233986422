//! Billing: the property register, a year's bills, the bank's payments, the gateway's
//! payment callback, tracking a bill and the clearance a paid-up property gets.
//!
//! [`Billing`] is the service the pages and the API call; each use case parses its input
//! into domain types, refusing bad input before any look-up, and makes one store call
//! that writes (if any) in one transaction. The batch work (the register import, issuing
//! and exporting bills, the bank's settlement file) is shared by the CLI, the demo and the
//! benchmarks, and takes the store directly.

mod clearance;
mod csv_file;
mod gateway;
mod issue;
mod payment_file;
mod print;
mod register;
pub(crate) mod track;

use std::sync::Arc;

use daftar_core::billing::PaymentOutcome;
use daftar_core::ir::IdError;
use daftar_store::{BillingStore, StoreError};

use crate::codes::RandomCodes;
use crate::replica::PublicReads;

pub use clearance::ClearanceResult;
pub use csv_file::RejectedRow;
pub use gateway::GatewayPayment;
pub use issue::{EXPORT_HEADER, IssueOptions, IssueSummary, export_bills, issue_bills};
pub use payment_file::{PaymentFileError, PaymentImport, import_payments};
pub use print::{BILLS_PER_FILE, PrintReport, batch_file, print_bills};
pub use register::{PropertyImport, import_properties};
pub use track::{TrackQuery, Tracked, TrackedBill};

/// The billing use cases, over the billing store.
#[derive(Debug, Clone)]
pub struct Billing {
    store: Arc<dyn BillingStore>,
    /// Where clearance codes are drawn from.
    codes: RandomCodes,
    /// Signs each clearance as an issued document (its code is its serial).
    issuing: Option<crate::issued::Issuing>,
    /// Where the public look-ups (tracking, clearance verification) read.
    reads: PublicReads<dyn BillingStore>,
}

impl Billing {
    pub fn new(store: Arc<dyn BillingStore>) -> Billing {
        Billing::with_codes(store, RandomCodes::default())
    }

    /// Draws clearance codes from `codes` (a test makes two draws collide).
    pub fn with_codes(store: Arc<dyn BillingStore>, codes: RandomCodes) -> Billing {
        Billing {
            reads: PublicReads::primary_only(store.clone()),
            store,
            codes,
            issuing: None,
        }
    }

    /// Signs every clearance issued from now as an issued document, verifiable at
    /// `/verify/{code}` like any other.
    pub fn with_issuing(mut self, issuing: crate::issued::Issuing) -> Billing {
        self.issuing = Some(issuing);
        self
    }

    /// Lets the public look-ups read a replica (see [`crate::replica`]).
    pub fn with_public_reads(mut self, reads: &PublicReads) -> Billing {
        self.reads = reads.narrow(|store| store as Arc<dyn BillingStore>);
        self
    }
}

/// Why a billing use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// The input breaks a rule before anything is looked up; the code names it
    /// (`district.invalid`, `bill_id.check_digit`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// No bill, property or clearance has these numbers.
    #[error("no such bill, property or clearance")]
    NotFound,
    /// The user may not do this; the code says why (`clearance.not_owner`, …).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// The gateway's payment does not fit its bill (the amount differs, the bill is paid
    /// or cancelled); nothing was recorded.
    #[error("payment refused: {}", .0.slug())]
    PaymentRefused(PaymentOutcome),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<IdError> for BillingError {
    fn from(error: IdError) -> BillingError {
        BillingError::Invalid(error.code())
    }
}
