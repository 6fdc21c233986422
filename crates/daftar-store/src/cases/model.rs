//! The records of cases: a file for one service, its open work items, its history, the
//! notifications it sends and its documents.
//!
//! The store does not know the workflow engine: states are names, the engine's position
//! is JSON, and the server says which roles may act now by the tasks it writes.

use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{LegalId, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use jiff::Timestamp;

use crate::StaffId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(pub i64);

/// A case as an application opens it.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub tracking_code: String,
    pub service_id: String,
    pub workflow_id: String,
    pub workflow_version: u32,
    /// `None` for an anonymous submission (a suggestion, or a report an Open311 client
    /// sent): no one follows it but by its tracking code.
    pub applicant: Option<NationalId>,
    /// See [`CaseRecord::applicant_verified`].
    pub applicant_verified: bool,
    pub acting_for: Option<LegalId>,
    pub office: OfficeCode,
    pub district: Option<u16>,
    /// The property the case is about, when its form names one (with `district`).
    pub renewal_code: Option<String>,
    pub state: String,
    pub position_json: String,
    pub fields_json: String,
    pub sla_due: Option<JalaliDate>,
    /// A complaint's register row, written with the case.
    pub complaint: Option<crate::NewComplaint>,
}

/// An open work item: `role` may act on the case in `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub role: Role,
    pub state: String,
    pub sla_due: JalaliDate,
    pub assignee: Option<StaffId>,
}

/// Who did something to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Applicant,
    Staff {
        id: StaffId,
        name: String,
    },
    /// The SLA sweep and other background work.
    System,
}

/// One row of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHistory {
    pub actor: Actor,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: Option<String>,
    /// The answers the action changed, as JSON (`[{"field","old","new"}]`), if any.
    pub changes: Option<String>,
}

/// Who a notification goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A citizen, by national ID; the dispatcher finds their mobile.
    Citizen(NationalId),
    /// Everyone holding a role in an office.
    Role(OfficeCode, Role),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub to: Recipient,
    pub text: String,
}

/// One action on a case, written in one transaction: the new state and position, the
/// open tasks replaced, a history row, and the notifications. It applies only if the
/// case is still at `expected_version`; otherwise nothing is written and the store
/// answers [`crate::StoreError::Conflict`].
#[derive(Debug, Clone)]
pub struct Transition {
    pub case: CaseId,
    pub expected_version: i64,
    pub state: String,
    pub position_json: String,
    /// New application values (an applicant's answer to a return), if any.
    pub fields_json: Option<String>,
    pub sla_due: Option<JalaliDate>,
    pub closed: bool,
    pub tasks: Vec<NewTask>,
    pub history: NewHistory,
    /// The hash of the case's last history row as the actor saw it
    /// ([`CaseRecord::history_hash`]): the new row chains to it. The compare-and-set on
    /// the version makes sure nothing was written in between.
    pub previous_history_hash: Option<String>,
    pub notifications: Vec<NewNotification>,
    /// Documents uploaded with the action (an applicant's answer to a return).
    pub documents: Vec<NewDocument>,
    /// Bills the action issues against the case (a final ruling's fines), each kept as
    /// one of the case's fine bills.
    pub bills: Vec<crate::NewBill>,
    /// Cancels the case's fine bills not yet paid (the case goes back to the commission,
    /// whose new ruling bills anew).
    pub cancel_unpaid_bills: bool,
    /// Cancels whatever of the case's bills is still unpaid, if anything (a withdrawn or
    /// rejected permit's fee bill).
    pub cancel_any_unpaid_bills: bool,
    /// Documents the action issues (a certificate), signed, kept in its transaction.
    pub issued: Vec<crate::NewIssued>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: CaseId,
    pub tracking_code: String,
    pub service_id: String,
    pub workflow_id: String,
    pub workflow_version: u32,
    /// `None` for an anonymous submission ([`NewCase::applicant`]).
    pub applicant: Option<NationalId>,
    /// Filed in a sign-in from a mobile the ownership inquiry confirmed; when not,
    /// formation checks the applicant's identity at the first look at the documents.
    pub applicant_verified: bool,
    /// The hash of the case's last history row (`None` for a case whose history predates
    /// the chain).
    pub history_hash: Option<String>,
    pub acting_for: Option<LegalId>,
    pub office: OfficeCode,
    pub district: Option<u16>,
    pub state: String,
    pub position_json: String,
    pub fields_json: String,
    pub version: i64,
    pub sla_due: Option<JalaliDate>,
    pub overdue_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub role: Role,
    pub state: String,
    pub sla_due: JalaliDate,
    pub assignee: Option<StaffId>,
    pub overdue_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    pub at: Timestamp,
    pub actor: Actor,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: Option<String>,
    /// See [`NewHistory::changes`].
    pub changes: Option<String>,
}

/// Which open tasks a queue lists.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    /// The role whose tasks are listed; `None` lists every role's (the follow-up unit's
    /// view, with `overdue_only`).
    pub role: Option<Role>,
    pub offices: Vec<OfficeCode>,
    /// Only the tasks marked to this person.
    pub assignee: Option<StaffId>,
    /// Who reads the queue: the complaints naming them are left out.
    pub viewer: Option<StaffId>,
    pub service_id: Option<String>,
    pub district: Option<u16>,
    pub overdue_only: bool,
    /// One case looked up, by its tracking code or its applicant.
    pub search: Option<QueueSearch>,
    pub order: QueueOrder,
    pub descending: bool,
    /// Rows a page; 0 asks for the total alone (no rows, and `overdue` is not counted).
    pub limit: i64,
    pub offset: i64,
}

/// A case a clerk looks for in a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueSearch {
    TrackingCode(String),
    /// The applicant's national ID.
    Applicant(String),
}

/// What a queue is sorted by; ties go by case, in the same direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueOrder {
    /// The stage's due date: what a clerk works by.
    #[default]
    Due,
    /// When the task reached the queue.
    Received,
    TrackingCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub case: CaseId,
    pub tracking_code: String,
    pub service_id: String,
    pub role: Role,
    pub state: String,
    pub district: Option<u16>,
    pub sla_due: JalaliDate,
    pub overdue: bool,
    pub assignee: Option<StaffId>,
    /// The colleague it is marked to, by name.
    pub assignee_name: Option<String>,
    /// The applicant's national ID, and name when the register knows it.
    pub applicant: String,
    pub applicant_name: Option<String>,
    /// When the task reached the queue.
    pub received_at: Timestamp,
    /// The case's version, for acting on it from the queue.
    pub version: i64,
    /// The workflow the case follows, in the version it started with: the one that names
    /// its state.
    pub workflow_id: String,
    pub workflow_version: u32,
    /// The violations computed from the case's sketch, when it has one.
    pub violations: Option<ViolationSummary>,
}

/// What the violation-review queue shows of a case's computed violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViolationSummary {
    pub count: i64,
    pub total_centi_m2: i64,
    pub fine_min_rials: i64,
    pub fine_max_rials: i64,
}

/// Queue counts are exact up to this; above it, they read "more than" it.
pub const QUEUE_COUNT_CAP: u64 = 10_000;

/// A page of a queue, sorted by SLA due date, with the counts of the whole queue: each
/// exact up to [`QUEUE_COUNT_CAP`], and `QUEUE_COUNT_CAP + 1` for anything more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub total: u64,
    pub overdue: u64,
}

impl QueuePage {
    /// Whether a count is past the cap, so only a lower bound.
    pub fn is_more_than_cap(count: u64) -> bool {
        count > QUEUE_COUNT_CAP
    }
}

/// A task the SLA sweep found overdue (and marked, once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueTask {
    pub case: CaseId,
    pub tracking_code: String,
    pub office: OfficeCode,
    pub role: Role,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotification {
    pub id: i64,
    pub to: Recipient,
    pub text: String,
    pub attempts: u32,
    /// Until when it is claimed, or waits for its next try; `None` when neither.
    pub claimed_until: Option<Timestamp>,
}

/// A document version as uploaded; the bytes are stored elsewhere under `storage_key`.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: i64,
    pub case: CaseId,
    pub kind: String,
    pub version: u32,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
    pub approved_by: Option<String>,
    pub approved_at: Option<Timestamp>,
}

/// Whose reads to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadsOf {
    Case(CaseId),
    Staff(StaffId),
}

/// One read of a case by staff.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffRead {
    pub case_id: i64,
    pub tracking_code: String,
    /// The case's office.
    pub office_code: String,
    pub staff_id: i64,
    pub staff_username: String,
    /// The document read, when it was one.
    pub document_id: Option<i64>,
    /// Seconds since the Unix epoch (UTC).
    pub at: i64,
}

/// A history row with its chain hash, and the hash its case keeps of its last row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryLinkRow {
    pub id: i64,
    pub case_id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_staff_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: Option<String>,
    pub changes: Option<String>,
    pub hash: Option<String>,
    pub case_hash: Option<String>,
}

/// A checklist item ticked: by whom (their name as shown), when, with which document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistTick {
    pub item: String,
    pub staff_name: String,
    pub at: Timestamp,
    pub document: Option<i64>,
}
