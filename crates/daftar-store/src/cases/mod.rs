//! The cases' store: cases, their open tasks (the queues), history and documents, and the
//! notifications they write to the outbox: [`CaseStore`], written once for both backends
//! in `store.rs` (the rows a transaction adds in `writes.rs`). An action without documents
//! goes through the backend's group commit (`group_commit.rs`), which each backend writes
//! its own way (`sqlite.rs`, `postgres.rs`).

pub(crate) mod group_commit;
pub(crate) mod model;
pub(crate) mod postgres;
pub(crate) mod sql;
pub(crate) mod sqlite;
mod store;
pub(crate) mod writes;

use async_trait::async_trait;
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{LegalId, NationalId};
use jiff::Timestamp;

use crate::*;

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
    /// Ticks a checklist item of a case, with the document that goes with it (kept as
    /// the case's document of the item's kind) in the same transaction. An item ticked
    /// already is a [`StoreError::Conflict`], writing nothing.
    async fn tick_checklist(
        &self,
        case: CaseId,
        item: &str,
        staff: StaffId,
        document: Option<&NewDocument>,
        now: Timestamp,
    ) -> Result<()>;
    /// The checklist items ticked on a case, in the order they were.
    async fn checklist_ticks(&self, case: CaseId) -> Result<Vec<ChecklistTick>>;
    /// Records that a staff member read a case (`document`: one of its documents).
    async fn record_staff_read(
        &self,
        case: CaseId,
        staff: StaffId,
        document: Option<i64>,
        at: Timestamp,
    ) -> Result<()>;
    /// History rows in chain order (by case, then as written), after `after` (a case id
    /// and a row id), `limit` at most: for walking every chain.
    async fn history_links(
        &self,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> Result<Vec<HistoryLinkRow>>;
    /// A case that keeps the hash of a last history row but has no history row, if any.
    async fn case_with_a_head_and_no_history(&self) -> Result<Option<i64>>;
    /// The newest staff reads of a case, or by a staff member, newest first.
    async fn staff_reads(&self, of: ReadsOf, limit: u32) -> Result<Vec<StaffRead>>;
    /// The key a draft's owner is digested with, the same for every instance: the one
    /// stored, or `candidate`, stored now when there is none.
    async fn draft_owner_key(&self, candidate: &str) -> Result<String>;
    /// Which of these storage keys a document names.
    async fn storage_keys_in_use(&self, keys: &[String]) -> Result<Vec<String>>;
    /// How many documents an applicant uploaded to their cases since `since`.
    async fn documents_uploaded_by_applicant_since(
        &self,
        applicant: &NationalId,
        since: Timestamp,
    ) -> Result<u64>;
    async fn document(&self, id: i64) -> Result<Option<DocumentRecord>>;
    async fn record_document_view(&self, id: i64, viewer: &str, now: Timestamp) -> Result<()>;
    /// Who viewed a document, and when, oldest first.
    async fn document_views(&self, id: i64) -> Result<Vec<(String, Timestamp)>>;
    async fn approve_document(&self, id: i64, approver: &str, now: Timestamp) -> Result<()>;
}
