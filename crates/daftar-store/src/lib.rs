//! Daftar's storage: a trait per capability ([`AccountStore`], [`BillingStore`],
//! [`CaseStore`], [`OutboxStore`], [`PaymentStore`], [`SketchStore`], [`ZoningStore`]),
//! [`Store`] for all of them, and two backends.
//!
//! The traits are shaped by what the office does (request a sign-in code, open a case,
//! claim notifications), not by its tables. Each capability is a folder: its trait in
//! `mod.rs`, its SQL in `store.rs`, written once as a blanket implementation over
//! `SqlBackend` (`sql.rs`) with `$1`-style parameters that SQLite and PostgreSQL both
//! understand, its records in `model.rs`, and `sqlite.rs`/`postgres.rs` where a backend
//! writes something its own way. The backends themselves (pools, pragmas, opening) are
//! [`SqliteStore`] and [`PgStore`]. Each has its own migration set under `migrations/`,
//! kept in step table for table, and run at start by [`open`].
//!
//! Errors: [`StoreError`] belongs to this layer. A constraint the user can break (a
//! username taken, a tracking code drawn twice) is [`StoreError::Conflict`]; anything else
//! is the database's error, which callers log once and never show.

mod accounts;
pub mod backup;
mod billing;
mod cases;
mod complaint;
mod decode;
mod inspection;
pub(crate) mod issued;
mod lookup_limit;
mod outage;
pub mod outbox;
mod payments;
mod postgres;
mod property;
mod replica;
mod schema;
mod sketch;
mod sql;
mod sqlite;
mod sqlite_commits;
mod survey;
mod usage;
mod violation;
mod zoning;

use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

pub use accounts::AccountStore;
pub use accounts::model::*;
pub use billing::BillingStore;
pub use billing::model::*;
pub use cases::CaseStore;
pub use cases::model::*;
pub use complaint::{
    ComplaintStore, ConductEntry, NamedStaff, NewComplaint, NewOpen311Client, Open311Client,
    Open311Query, Open311Row, Open311Status, Open311Store, StoredComplaint,
};
pub use inspection::{DayVisit, InspectionStore, NewVisit, StoredVisit};
pub use issued::{
    IssuedStore, NewDelivery, NewIssued, NewKey, NewRevocation, StoredDelivery, StoredIssued,
    StoredKey,
};
pub use lookup_limit::LookupLimitStore;
pub use outage::{NewOutage, OutageStore, StoredOutage};
pub use outbox::{Attempt, OutboxStore};
pub use payments::{
    NewOnlinePayment, OnlinePayment, OnlinePaymentEnding, OnlinePaymentStatus, PaymentStore,
};
pub use postgres::PgStore;
pub use property::{
    ArchivedDocument, NewPlot, PropertyCase, PropertyOwner, PropertyRead, PropertyStore,
    RegisteredProperty, StoredPropertyFile,
};
pub use replica::ReadReplica;
pub use sketch::{NewSketch, SketchStore, StoredSketch};
pub use sqlite::SqliteStore;
pub use survey::{NewSurveyResponse, StoredTally, SurveyStore};
pub use usage::{SignInRow, StaffActionRow, UsageStore};
pub use violation::{
    ComputedViolations, NewFirm, NewPermit, NewReview, NewRuling, StoredFirm, StoredPermit,
    StoredReview, StoredRuling, StoredViolations, ViolationStore,
};
pub use zoning::{
    NewCaseInquiry, NewZoneFeature, StoredCaseInquiry, StoredZoneRules, StoredZoningMap,
    ZoningStore,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the string names what already exists.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A row the operation needs does not exist; the string names it.
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// SQLite's own error, on the paths that call it directly through rusqlite (the
    /// look-up, the bulk work, the grouped transitions).
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database refused a write that other writes shared (a group of transitions),
    /// told to each of them: the database's message, since its error cannot be copied.
    #[error("the database refused the write: {0}")]
    Refused(String),
    /// The blocking thread a piece of work ran on stopped before it finished.
    #[error("a blocking store task stopped: {0}")]
    TaskStopped(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything Daftar remembers: every capability's store, and what the places that open
/// a database need besides (which backend, whether it answers, closing it). A service
/// takes only its own capability's trait; `Arc<dyn Store>` coerces to any of them.
#[async_trait]
pub trait Store:
    AccountStore
    + BillingStore
    + CaseStore
    + ComplaintStore
    + Open311Store
    + InspectionStore
    + IssuedStore
    + LookupLimitStore
    + OutboxStore
    + OutageStore
    + PaymentStore
    + PropertyStore
    + SketchStore
    + SurveyStore
    + UsageStore
    + ViolationStore
    + ZoningStore
{
    /// Which backend this is, for logs and the health check.
    fn backend(&self) -> Backend;

    /// Answers when the database answers.
    async fn ping(&self) -> Result<()>;

    /// Each connection pool's name, connections open and of those idle, for metrics.
    fn pool_use(&self) -> Vec<(&'static str, u32, usize)>;

    /// Closes the connections; every later call fails. For shutdown.
    async fn close(&self);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL connections a process holds for requests unless told otherwise (the
/// group commit of case actions holds two more).
pub const DEFAULT_CONNECTIONS: u32 = 16;

/// Opens the database the URL names (`sqlite:` or `postgres:`), creating it when it does
/// not exist, and runs the migrations.
pub async fn open(database_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    open_with(database_url, DEFAULT_CONNECTIONS).await
}

/// As [`open`], with PostgreSQL's pool for requests holding at most `connections` (SQLite
/// has one writer and a reader a core whatever is asked).
pub async fn open_with(database_url: &str, connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match backup::backend_of(database_url)? {
        Backend::Sqlite => Arc::new(SqliteStore::open(database_url).await?),
        Backend::Postgres => Arc::new(PgStore::open(database_url, connections).await?),
    })
}

/// Converts a stored time (UTC seconds) back into a timestamp.
fn from_db_time(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn to_db_time(at: Timestamp) -> i64 {
    at.as_second()
}
