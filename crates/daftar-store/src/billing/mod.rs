//! The billing store: the property register, bills, payments and clearances:
//! [`BillingStore`], written once for both backends in `store.rs`, but for the work each
//! does its own way ([`BulkBilling`]): the million-row paths (`sqlite.rs`, `postgres.rs`)
//! and, on SQLite, the public look-up (`lookup.rs`).

pub(crate) mod lookup;
pub(crate) mod model;
pub(crate) mod postgres;
pub(crate) mod sql;
pub(crate) mod sqlite;
mod store;

use async_trait::async_trait;
use daftar_core::ir::NationalId;
use jiff::Timestamp;

use crate::*;

/// The property register, bills, payments and clearances. One method is one transaction.
#[async_trait]
pub trait BillingStore: Send + Sync + std::fmt::Debug {
    /// Inserts or updates properties by renewal code, replacing their owners.
    async fn upsert_properties(
        &self,
        records: &[PropertyRecord],
        now: Timestamp,
    ) -> Result<ImportCounts>;
    /// A page of properties (ids above `after_id`) with what earlier years still owe.
    async fn billing_properties(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<BillingProperty>>;
    /// Inserts bills; one that exists for the property, year and period is skipped.
    /// Returns how many were inserted.
    async fn insert_bills(&self, bills: Vec<NewBill>, now: Timestamp) -> Result<u64>;
    /// A page of a year's bills (ids above `after_id`), with their row ids.
    async fn bills_page(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, BillView)>>;
    async fn bill_by_barcode(&self, barcode: &str) -> Result<Option<BillView>>;
    /// A property's bills, newest first.
    async fn bills_of_property(&self, district: u16, renewal_code: &str) -> Result<Vec<BillView>>;
    /// Matches payments to bills and pays them; all or nothing. Idempotent on the trace
    /// number.
    async fn record_payments(
        &self,
        payments: Vec<IncomingPayment>,
        source: &str,
        now: Timestamp,
    ) -> Result<PaymentReport>;
    async fn properties_owned_by(&self, national_id: &NationalId) -> Result<Vec<OwnedProperty>>;
    /// Issues a clearance with `code` when the property owes nothing. A code in use is a
    /// [`StoreError::Conflict`] and writes nothing.
    /// Issues a clearance under `code` for a property that owes nothing, or returns the
    /// one issued for it since `valid_since` (still valid: one is not minted twice).
    async fn issue_clearance(
        &self,
        district: u16,
        renewal_code: &str,
        code: &str,
        issued_by: &str,
        now: Timestamp,
        valid_since: Timestamp,
    ) -> Result<ClearanceOutcome>;
    async fn clearance(&self, code: &str) -> Result<Option<Clearance>>;
    /// The clearances issued for the properties a citizen owns, newest first.
    async fn clearances_of_owner(&self, national_id: &NationalId) -> Result<Vec<Clearance>>;
}

/// A row of a page of bills: its row id, then the bill.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct BillPageRow {
    pub(crate) id: i64,
    #[sqlx(flatten)]
    pub(crate) view: sql::BillViewRow,
}

/// What each backend does its own way, for speed (docs/PERFORMANCE.md): reading the
/// properties to bill, writing bills and a bank's file, and (SQLite) the look-up.
#[async_trait]
pub(crate) trait BulkBilling {
    async fn billing_properties_page(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<BillingProperty>>;
    async fn bulk_insert_bills(&self, bills: Vec<NewBill>, now: Timestamp) -> Result<u64>;
    async fn bulk_record_payments(
        &self,
        payments: Vec<IncomingPayment>,
        source: &str,
        now: Timestamp,
    ) -> Result<PaymentReport>;
    /// The look-up by another path than sqlx's, when the backend has one.
    fn fast_bill_by_barcode(&self, barcode: &str) -> Option<Result<Option<BillView>>>;
}
