//! The cases' statements and rows that more than one writer shares: the shared store
//! (`store.rs`), SQLite's grouped transitions through rusqlite (`sqlite.rs`) and
//! PostgreSQL's one-statement groups (`postgres.rs`) all move a case with [`MOVE_CASE`],
//! and read the same rows.

use daftar_core::calendar::JalaliDate;

use crate::decode::{corrupt, legal_id, national_id, office_code, role};
use crate::{
    Actor, CaseId, CaseRecord, DocumentRecord, HistoryRecord, Recipient, StaffId, StoreError,
    TaskRecord, from_db_time,
};

pub(crate) const CASE_COLUMNS: &str = "id, tracking_code, service_id, workflow_id, \
     workflow_version, applicant_national_id, applicant_legal_id, office_code, district, state, \
     position, fields, version, sla_due, overdue_at, closed_at, created_at, updated_at, \
     applicant_verified, history_hash";

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    tracking_code: String,
    service_id: String,
    workflow_id: String,
    workflow_version: i64,
    applicant_national_id: String,
    applicant_legal_id: Option<String>,
    office_code: String,
    district: Option<i64>,
    state: String,
    position: String,
    fields: String,
    version: i64,
    sla_due: Option<String>,
    overdue_at: Option<i64>,
    closed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    applicant_verified: bool,
    history_hash: Option<String>,
}

fn jalali(raw: &str) -> Result<JalaliDate, StoreError> {
    JalaliDate::parse(raw).map_err(|_| corrupt("Jalali date"))
}

fn district(raw: Option<i64>) -> Result<Option<u16>, StoreError> {
    raw.map(|d| u16::try_from(d).map_err(|_| corrupt("district")))
        .transpose()
}

pub(crate) fn case_record(row: CaseRow) -> Result<CaseRecord, StoreError> {
    Ok(CaseRecord {
        id: CaseId(row.id),
        tracking_code: row.tracking_code,
        service_id: row.service_id,
        workflow_id: row.workflow_id,
        workflow_version: u32::try_from(row.workflow_version)
            .map_err(|_| corrupt("workflow version"))?,
        // An anonymous submission's column holds the empty string: the column predates
        // them, and SQLite cannot drop its NOT NULL.
        applicant: match row.applicant_national_id.as_str() {
            ANONYMOUS => None,
            id => Some(national_id(id)?),
        },
        applicant_verified: row.applicant_verified,
        history_hash: row.history_hash,
        acting_for: row
            .applicant_legal_id
            .as_deref()
            .map(legal_id)
            .transpose()?,
        office: office_code(&row.office_code)?,
        district: district(row.district)?,
        state: row.state,
        position_json: row.position,
        fields_json: row.fields,
        version: row.version,
        sla_due: row.sla_due.as_deref().map(jalali).transpose()?,
        overdue_at: row.overdue_at.map(from_db_time),
        closed_at: row.closed_at.map(from_db_time),
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
    })
}

/// An open task as `case_tasks` holds it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TaskRow {
    role: String,
    state: String,
    sla_due: String,
    assignee: Option<i64>,
    overdue_at: Option<i64>,
}

pub(crate) fn task_record(row: TaskRow) -> Result<TaskRecord, StoreError> {
    Ok(TaskRecord {
        role: role(&row.role)?,
        state: row.state,
        sla_due: jalali(&row.sla_due)?,
        assignee: row.assignee.map(StaffId),
        overdue_at: row.overdue_at.map(from_db_time),
    })
}

pub(crate) const ACTOR_APPLICANT: &str = "applicant";

/// What `cases.applicant_national_id` holds for an anonymous submission.
pub(crate) const ANONYMOUS: &str = "";
pub(crate) const ACTOR_STAFF: &str = "staff";
pub(crate) const ACTOR_SYSTEM: &str = "system";

/// The actor's columns: kind, staff id, name.
/// The hash of a history row about to be written for `case` at `now`, chained to
/// `previous` (the case's last row's, or the start of a chain).
pub(crate) fn history_hash(
    case: i64,
    now: i64,
    history: &crate::NewHistory,
    previous: Option<&str>,
) -> String {
    let (actor_kind, actor_staff_id, actor_name) = actor_columns(&history.actor);
    daftar_core::cases::HistoryLink {
        case_id: case,
        at: now,
        actor_kind,
        actor_staff_id,
        actor_name,
        action: &history.action,
        from_state: history.from_state.as_deref(),
        to_state: &history.to_state,
        comment: history.comment.as_deref(),
        changes: history.changes.as_deref(),
    }
    .hash(previous.unwrap_or(daftar_core::cases::GENESIS))
}

pub(crate) fn actor_columns(actor: &Actor) -> (&'static str, Option<i64>, &str) {
    match actor {
        Actor::Applicant => (ACTOR_APPLICANT, None, ""),
        Actor::Staff { id, name } => (ACTOR_STAFF, Some(id.0), name.as_str()),
        Actor::System => (ACTOR_SYSTEM, None, ""),
    }
}

/// A row of `case_history`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HistoryRow {
    at: i64,
    actor_kind: String,
    actor_staff_id: Option<i64>,
    actor_name: String,
    action: String,
    from_state: Option<String>,
    to_state: String,
    comment: Option<String>,
    changes: Option<String>,
}

pub(crate) fn history_record(row: HistoryRow) -> Result<HistoryRecord, StoreError> {
    let actor = match (row.actor_kind.as_str(), row.actor_staff_id) {
        (ACTOR_APPLICANT, _) => Actor::Applicant,
        (ACTOR_STAFF, Some(id)) => Actor::Staff {
            id: StaffId(id),
            name: row.actor_name,
        },
        (ACTOR_SYSTEM, _) => Actor::System,
        _ => return Err(corrupt("history actor")),
    };
    Ok(HistoryRecord {
        at: from_db_time(row.at),
        actor,
        action: row.action,
        from_state: row.from_state,
        to_state: row.to_state,
        comment: row.comment,
        changes: row.changes,
    })
}

/// A row of a queue page, as the queue's statement reads it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct QueueRow {
    case_id: i64,
    tracking_code: String,
    service_id: String,
    role: String,
    state: String,
    district: Option<i64>,
    sla_due: String,
    assignee: Option<i64>,
    assignee_name: Option<String>,
    applicant: String,
    applicant_name: Option<String>,
    received_at: i64,
    overdue_at: Option<i64>,
    version: i64,
    workflow_id: String,
    workflow_version: i64,
    violation_count: Option<i64>,
    violation_centi_m2: Option<i64>,
    fine_min_rials: Option<i64>,
    fine_max_rials: Option<i64>,
}

impl QueueRow {
    /// The item a clerk sees; overdue when due before `today` or marked by the sweep.
    pub(crate) fn item(self, today: JalaliDate) -> Result<crate::QueueItem, StoreError> {
        let due = JalaliDate::parse(&self.sla_due).map_err(|_| corrupt("SLA date"))?;
        Ok(crate::QueueItem {
            case: CaseId(self.case_id),
            tracking_code: self.tracking_code,
            service_id: self.service_id,
            role: role(&self.role)?,
            state: self.state,
            district: self
                .district
                .map(|d| u16::try_from(d).map_err(|_| corrupt("district")))
                .transpose()?,
            overdue: due < today || self.overdue_at.is_some(),
            sla_due: due,
            assignee: self.assignee.map(StaffId),
            assignee_name: self.assignee_name,
            applicant: self.applicant,
            applicant_name: self.applicant_name,
            received_at: crate::from_db_time(self.received_at),
            version: self.version,
            workflow_id: self.workflow_id,
            workflow_version: u32::try_from(self.workflow_version)
                .map_err(|_| corrupt("workflow version"))?,
            violations: match (
                self.violation_count,
                self.violation_centi_m2,
                self.fine_min_rials,
                self.fine_max_rials,
            ) {
                (Some(count), Some(total_centi_m2), Some(fine_min_rials), Some(fine_max_rials)) => {
                    Some(crate::ViolationSummary {
                        count,
                        total_centi_m2,
                        fine_min_rials,
                        fine_max_rials,
                    })
                }
                _ => None,
            },
        })
    }
}

pub(crate) const RECIPIENT_CITIZEN: &str = "citizen";
pub(crate) const RECIPIENT_ROLE: &str = "role";

/// The recipient's columns: kind and address (`national ID` or `office:role`).
pub(crate) fn recipient_columns(to: &Recipient) -> (&'static str, String) {
    match to {
        Recipient::Citizen(id) => (RECIPIENT_CITIZEN, id.as_str().to_owned()),
        Recipient::Role(office, held) => (
            RECIPIENT_ROLE,
            format!("{}:{}", office.as_str(), held.slug()),
        ),
    }
}

pub(crate) const DOCUMENT_COLUMNS: &str = "id, case_id, kind, version, file_name, content_type, \
     size_bytes, sha256, storage_key, uploaded_by, uploaded_at, approved_by, approved_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DocumentRow {
    id: i64,
    case_id: i64,
    kind: String,
    version: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    uploaded_by: String,
    uploaded_at: i64,
    approved_by: Option<String>,
    approved_at: Option<i64>,
}

pub(crate) fn document_record(row: DocumentRow) -> Result<DocumentRecord, StoreError> {
    Ok(DocumentRecord {
        id: row.id,
        case: CaseId(row.case_id),
        kind: row.kind,
        version: u32::try_from(row.version).map_err(|_| corrupt("document version"))?,
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: u64::try_from(row.size_bytes).map_err(|_| corrupt("document size"))?,
        sha256: row.sha256,
        storage_key: row.storage_key,
        uploaded_by: row.uploaded_by,
        uploaded_at: from_db_time(row.uploaded_at),
        approved_by: row.approved_by,
        approved_at: row.approved_at.map(from_db_time),
    })
}

/// A transition's compare-and-set: a concurrent action that committed first has moved the
/// version on, so this one updates nothing, and the transition writes nothing.
pub(crate) const MOVE_CASE: &str =
    "UPDATE cases SET state = $1, position = $2, fields = COALESCE($3, fields),
         sla_due = $4, closed_at = $5, updated_at = $6, version = version + 1,
         history_hash = $7
     WHERE id = $8 AND version = $9 AND closed_at IS NULL
     RETURNING id, office_code, service_id, district, version";

/// What [`MOVE_CASE`] returns: id, office, service, district, the new version.
pub(crate) type MovedCase = (i64, String, String, Option<i64>, i64);

/// [`MOVE_CASE`]'s parameters, `$1` to `$9`, in order (rusqlite binds a tuple by
/// position, and SQLite numbers parameters as they first appear in the statement): for sqlx ([`bind_move`]), for
/// rusqlite (a tuple is its parameters) and for PostgreSQL's group statement, whose arrays
/// take one of each per transition.
pub(crate) type MoveValues<'t> = (
    &'t str,
    &'t str,
    Option<&'t str>,
    Option<String>,
    Option<i64>,
    i64,
    String,
    i64,
    i64,
);

pub(crate) fn move_values(transition: &crate::Transition, now: i64) -> MoveValues<'_> {
    (
        transition.state.as_str(),
        transition.position_json.as_str(),
        transition.fields_json.as_deref(),
        transition.sla_due.map(|d| d.iso_jalali()),
        transition.closed.then_some(now),
        now,
        history_hash(
            transition.case.0,
            now,
            &transition.history,
            transition.previous_history_hash.as_deref(),
        ),
        transition.case.0,
        transition.expected_version,
    )
}

/// Binds [`MOVE_CASE`]'s parameters ([`move_values`]) for the transaction of a transition with
/// documents.
pub(crate) fn bind_move<'q, DB, O>(
    query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    values: MoveValues<'q>,
) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let (state, position, fields, sla_due, closed, now, hash, case, expected) = values;
    query
        .bind(state)
        .bind(position)
        .bind(fields)
        .bind(sla_due)
        .bind(closed)
        .bind(now)
        .bind(hash)
        .bind(case)
        .bind(expected)
}

pub(crate) const CLEAR_TASKS: &str = "DELETE FROM case_tasks WHERE case_id = $1";

pub(crate) const INSERT_TASK: &str =
    "INSERT INTO case_tasks (case_id, role, state, office_code, service_id,
         district, sla_due, assignee, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub(crate) const INSERT_HISTORY: &str =
    "INSERT INTO case_history (case_id, at, actor_kind, actor_staff_id,
         actor_name, action, from_state, to_state, comment, changes, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

pub(crate) const INSERT_NOTIFICATION: &str =
    "INSERT INTO outbox (case_id, recipient_kind, recipient, text, created_at)
     VALUES ($1, $2, $3, $4, $5)";
