//! Daftar's storage: the [`Store`] interface and its two implementations.
//!
//! The interface is shaped by what the office does (request a sign-in code, open a
//! session, grant a role), not by its tables. Both backends share one body of SQL,
//! written once in [`shared`] with `$1`-style parameters that SQLite and PostgreSQL
//! both understand; what differs (pragmas, pools, row locks) lives in [`sqlite`] and
//! [`postgres`]. Each backend has its own migration set under `migrations/`, kept in
//! step table for table, and run at start by [`open`].
//!
//! Errors: [`StoreError`] belongs to this layer. A constraint the user can break (a
//! username taken) is [`StoreError::Conflict`]; anything else is the database's error,
//! which callers log once and never show.

// `shared` and `shared_billing` come first: they define the macros the backends expand.
#[macro_use]
mod shared;
#[macro_use]
mod shared_billing;
#[macro_use]
mod shared_cases;
mod billing_model;
mod cases_model;
mod group_commit;
mod model;
pub mod outbox;
mod postgres;
mod postgres_bulk;
mod postgres_transitions;
mod sql;
mod sqlite;
mod sqlite_bulk;
mod sqlite_commits;
mod sqlite_lookup;
mod sqlite_transitions;

use std::sync::Arc;

use async_trait::async_trait;
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::Verdict;
use daftar_core::roles::{OfficeCode, Role};
use jiff::Timestamp;

pub use billing_model::*;
pub use cases_model::*;
pub use model::*;
pub use outbox::OutboxStore;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

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
pub trait Store: AccountStore + BillingStore + CaseStore + OutboxStore {
    /// Which backend this is, for logs and the health check.
    fn backend(&self) -> Backend;

    /// Answers when the database answers.
    async fn ping(&self) -> Result<()>;

    /// Closes the connections; every later call fails. For shutdown.
    async fn close(&self);
}

/// Offices, staff, citizens and the entities they represent, sign-in codes and sessions.
/// One method is one transaction.
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    async fn upsert_office(&self, office: &Office) -> Result<()>;
    async fn offices(&self) -> Result<Vec<Office>>;

    /// Creates a staff account with its roles; a taken username is a
    /// [`StoreError::Conflict`], an unknown office [`StoreError::NotFound`], and either
    /// leaves nothing behind.
    async fn create_staff(&self, staff: &NewStaff, now: Timestamp) -> Result<StaffId>;
    /// Sets the password hash of an existing account (`daftar user add` on a taken name
    /// with `--update`, and the demo loader).
    async fn set_staff_password(&self, username: &str, password_hash: &str) -> Result<()>;
    async fn grant_role(&self, staff: StaffId, office: &OfficeCode, role: Role) -> Result<()>;
    async fn staff_by_username(&self, username: &str) -> Result<Option<StaffAccount>>;
    async fn staff_by_id(&self, id: StaffId) -> Result<Option<StaffAccount>>;
    /// The active staff who hold `role` in `office`.
    async fn staff_in_role(&self, office: &OfficeCode, role: Role) -> Result<Vec<StaffSummary>>;

    async fn upsert_citizen(&self, citizen: &Citizen, now: Timestamp) -> Result<()>;
    async fn citizen(&self, national_id: &NationalId) -> Result<Option<Citizen>>;
    async fn upsert_legal_entity(
        &self,
        entity: &LegalEntity,
        representatives: &[NationalId],
        now: Timestamp,
    ) -> Result<()>;
    /// The legal entity, when `national_id` is one of its representatives.
    async fn represented_entity(
        &self,
        national_id: &NationalId,
        legal_id: &LegalId,
    ) -> Result<Option<LegalEntity>>;
    async fn entities_represented_by(&self, national_id: &NationalId) -> Result<Vec<LegalEntity>>;

    /// Records a new one-time code for `national_id` when the rules allow one now.
    /// A citizen already registered with another mobile gets no code.
    async fn request_sign_in_code(
        &self,
        national_id: &NationalId,
        mobile: &Mobile,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<CodeRequestOutcome>;
    /// Takes back a code that could not be sent: it no longer signs anyone in, and the
    /// next request need not wait the minute between codes. A newer code is left alone.
    async fn withdraw_sign_in_code(&self, national_id: &NationalId, code_hash: &str) -> Result<()>;
    /// Checks a presented code and counts it. On [`Verdict::SignedIn`] the citizen exists
    /// afterwards (registered with the mobile the code went to).
    async fn present_sign_in_code(
        &self,
        national_id: &NationalId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<Verdict>;

    async fn create_session(&self, session: &NewSession) -> Result<()>;
    /// The live session with this token hash.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Removes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64>;
    /// Sets or clears the mobile a staff member receives notices on.
    async fn set_staff_mobile(&self, staff: StaffId, mobile: Option<&Mobile>) -> Result<()>;
    /// The mobiles of the active staff who hold `role` in `office`.
    async fn staff_mobiles(&self, office: &OfficeCode, role: Role) -> Result<Vec<Mobile>>;
}

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
    async fn issue_clearance(
        &self,
        district: u16,
        renewal_code: &str,
        code: &str,
        issued_by: &str,
        now: Timestamp,
    ) -> Result<ClearanceOutcome>;
    async fn clearance(&self, code: &str) -> Result<Option<Clearance>>;
}

/// Cases, their work queues, history and documents; opening a case or acting on one also
/// writes the notifications it announces to the outbox. One method is one transaction.
#[async_trait]
pub trait CaseStore: Send + Sync + std::fmt::Debug {
    /// Opens a case with its first tasks, history row and notifications. A tracking code
    /// in use is a [`StoreError::Conflict`].
    async fn open_case(
        &self,
        case: &NewCase,
        tasks: &[NewTask],
        history: &NewHistory,
        notifications: &[NewNotification],
        documents: &[NewDocument],
        now: Timestamp,
    ) -> Result<CaseId>;
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>>;
    async fn case_by_tracking_code(&self, code: &str) -> Result<Option<CaseRecord>>;
    /// The cases an applicant filed acting for `acting_for` (for themself when `None`),
    /// newest first.
    async fn cases_of_applicant(
        &self,
        applicant: &NationalId,
        acting_for: Option<&LegalId>,
        limit: i64,
    ) -> Result<Vec<CaseRecord>>;
    /// Who may act on the case now.
    async fn case_tasks(&self, id: CaseId) -> Result<Vec<TaskRecord>>;
    /// The case's history, oldest first.
    async fn case_history(&self, id: CaseId) -> Result<Vec<HistoryRecord>>;
    /// Applies one action (see [`Transition`]); returns the case's new version. A case
    /// that moved on since `expected_version`, or is closed, is a
    /// [`StoreError::Conflict`] and nothing is written.
    async fn apply_transition(&self, transition: &Transition, now: Timestamp) -> Result<i64>;
    /// A page of open tasks, sorted by SLA due date, with the whole queue's counts.
    async fn queue(&self, query: &QueueQuery, today: JalaliDate) -> Result<QueuePage>;
    /// Marks the tasks due before `today` overdue, once each, with the notifications
    /// `notify` writes for each, in one transaction; returns the newly marked. Safe to
    /// run on several instances at once.
    async fn sweep_overdue(
        &self,
        today: JalaliDate,
        now: Timestamp,
        notify: &(dyn for<'t> Fn(&'t OverdueTask) -> Vec<NewNotification> + Send + Sync),
    ) -> Result<Vec<OverdueTask>>;
    /// Records a new version of a case's document of `kind`.
    async fn add_document(
        &self,
        case: CaseId,
        document: &NewDocument,
        now: Timestamp,
    ) -> Result<DocumentRecord>;
    /// Every version of every document of a case.
    async fn documents_of_case(&self, case: CaseId) -> Result<Vec<DocumentRecord>>;
    async fn document(&self, id: i64) -> Result<Option<DocumentRecord>>;
    async fn record_document_view(&self, id: i64, viewer: &str, now: Timestamp) -> Result<()>;
    /// Who viewed a document, and when, oldest first.
    async fn document_views(&self, id: i64) -> Result<Vec<(String, Timestamp)>>;
    async fn approve_document(&self, id: i64, approver: &str, now: Timestamp) -> Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the database the URL names (`sqlite:` or `postgres:`), creating it when it does
/// not exist, and runs the migrations.
pub async fn open(database_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(database_url).await?))
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::open(database_url).await?))
    } else {
        anyhow::bail!("the database URL must start with sqlite: or postgres:")
    }
}

/// Converts a stored time (UTC seconds) back into a timestamp.
fn from_db_time(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn to_db_time(at: Timestamp) -> i64 {
    at.as_second()
}
