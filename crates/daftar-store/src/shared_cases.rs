//! The cases SQL both backends run, written once (see [`crate::shared`] for how): opening
//! a case, applying one action under optimistic concurrency, queues, the SLA sweep, the
//! outbox, and documents.

use daftar_core::calendar::JalaliDate;

use crate::shared::{corrupt, legal_id, national_id, office_code, role};
use crate::{
    Actor, CaseId, CaseRecord, DocumentRecord, HistoryRecord, Recipient, StaffId, StoreError,
    TaskRecord, from_db_time,
};

pub(crate) const CASE_COLUMNS: &str = "id, tracking_code, service_id, workflow_id, \
     workflow_version, applicant_national_id, applicant_legal_id, office_code, district, state, \
     position, fields, version, sla_due, overdue_at, closed_at, created_at, updated_at";

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
        applicant: national_id(&row.applicant_national_id)?,
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

pub(crate) type TaskRow = (String, String, String, Option<i64>, Option<i64>);

pub(crate) fn task_record(row: TaskRow) -> Result<TaskRecord, StoreError> {
    let (task_role, state, sla_due, assignee, overdue_at) = row;
    Ok(TaskRecord {
        role: role(&task_role)?,
        state,
        sla_due: jalali(&sla_due)?,
        assignee: assignee.map(StaffId),
        overdue_at: overdue_at.map(from_db_time),
    })
}

pub(crate) const ACTOR_APPLICANT: &str = "applicant";
pub(crate) const ACTOR_STAFF: &str = "staff";
pub(crate) const ACTOR_SYSTEM: &str = "system";

/// The actor's columns: kind, staff id, name.
pub(crate) fn actor_columns(actor: &Actor) -> (&'static str, Option<i64>, &str) {
    match actor {
        Actor::Applicant => (ACTOR_APPLICANT, None, ""),
        Actor::Staff { id, name } => (ACTOR_STAFF, Some(id.0), name.as_str()),
        Actor::System => (ACTOR_SYSTEM, None, ""),
    }
}

pub(crate) type HistoryRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

pub(crate) fn history_record(row: HistoryRow) -> Result<HistoryRecord, StoreError> {
    let (at, kind, staff_id, name, action, from_state, to_state, comment) = row;
    let actor = match (kind.as_str(), staff_id) {
        (ACTOR_APPLICANT, _) => Actor::Applicant,
        (ACTOR_STAFF, Some(id)) => Actor::Staff {
            id: StaffId(id),
            name,
        },
        (ACTOR_SYSTEM, _) => Actor::System,
        _ => return Err(corrupt("history actor")),
    };
    Ok(HistoryRecord {
        at: from_db_time(at),
        actor,
        action,
        from_state,
        to_state,
        comment,
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
    overdue_at: Option<i64>,
    version: i64,
    workflow_id: String,
    workflow_version: i64,
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
            version: self.version,
            workflow_id: self.workflow_id,
            workflow_version: u32::try_from(self.workflow_version)
                .map_err(|_| corrupt("workflow version"))?,
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
         sla_due = $4, closed_at = $5, updated_at = $6, version = version + 1
     WHERE id = $7 AND version = $8 AND closed_at IS NULL
     RETURNING id, office_code, service_id, district, version";

/// What [`MOVE_CASE`] returns: id, office, service, district, the new version.
pub(crate) type MovedCase = (i64, String, String, Option<i64>, i64);

/// [`MOVE_CASE`]'s parameters, `$1` to `$8`, in order: for sqlx ([`bind_move`]), for
/// rusqlite (a tuple is its parameters) and for PostgreSQL's group statement, whose arrays
/// take one of each per transition.
pub(crate) type MoveValues<'t> = (
    &'t str,
    &'t str,
    Option<&'t str>,
    Option<String>,
    Option<i64>,
    i64,
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
        transition.case.0,
        transition.expected_version,
    )
}

/// Binds [`MOVE_CASE`]'s parameters for the transaction of a transition with documents.
pub(crate) fn bind_move<'q, DB, O>(
    query: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    transition: &'q crate::Transition,
    now: i64,
) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let (state, position, fields, sla_due, closed, now, case, expected) =
        move_values(transition, now);
    query
        .bind(state)
        .bind(position)
        .bind(fields)
        .bind(sla_due)
        .bind(closed)
        .bind(now)
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
         actor_name, action, from_state, to_state, comment)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub(crate) const INSERT_NOTIFICATION: &str =
    "INSERT INTO outbox (case_id, recipient_kind, recipient, text, created_at)
     VALUES ($1, $2, $3, $4, $5)";

macro_rules! shared_cases_impl {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Writes a case's open tasks, replacing none: the caller deleted the old ones.
            async fn insert_tasks(
                tx: &mut sqlx::Transaction<'_, $db>,
                case: i64,
                office: &str,
                service_id: &str,
                district: Option<i64>,
                tasks: &[$crate::NewTask],
                now: i64,
            ) -> $crate::Result<()> {
                for task in tasks {
                    sqlx::query($crate::shared_cases::INSERT_TASK)
                        .bind(case)
                        .bind(task.role.slug())
                        .bind(&task.state)
                        .bind(office)
                        .bind(service_id)
                        .bind(district)
                        .bind(task.sla_due.iso_jalali())
                        .bind(task.assignee.map(|a| a.0))
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            async fn insert_history(
                tx: &mut sqlx::Transaction<'_, $db>,
                case: i64,
                history: &$crate::NewHistory,
                now: i64,
            ) -> $crate::Result<()> {
                let (kind, staff_id, name) = $crate::shared_cases::actor_columns(&history.actor);
                sqlx::query($crate::shared_cases::INSERT_HISTORY)
                    .bind(case)
                    .bind(now)
                    .bind(kind)
                    .bind(staff_id)
                    .bind(name)
                    .bind(&history.action)
                    .bind(&history.from_state)
                    .bind(&history.to_state)
                    .bind(&history.comment)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn insert_document(
                tx: &mut sqlx::Transaction<'_, $db>,
                case: i64,
                document: &$crate::NewDocument,
                now: i64,
            ) -> $crate::Result<$crate::DocumentRecord> {
                let row: Result<$crate::shared_cases::DocumentRow, sqlx::Error> = sqlx::query_as(&format!(
                    "INSERT INTO documents (case_id, kind, version, file_name, content_type,
                         size_bytes, sha256, storage_key, uploaded_by, uploaded_at)
                     VALUES ($1, $2,
                         (SELECT COALESCE(MAX(version), 0) + 1 FROM documents
                          WHERE case_id = $1 AND kind = $2),
                         $3, $4, $5, $6, $7, $8, $9)
                     RETURNING {}",
                    $crate::shared_cases::DOCUMENT_COLUMNS
                ))
                .bind(case)
                .bind(&document.kind)
                .bind(&document.file_name)
                .bind(&document.content_type)
                .bind(i64::try_from(document.size_bytes).unwrap_or(i64::MAX))
                .bind(&document.sha256)
                .bind(&document.storage_key)
                .bind(&document.uploaded_by)
                .bind(now)
                .fetch_one(&mut **tx)
                .await;
                match row {
                    Ok(row) => $crate::shared_cases::document_record(row),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::StoreError::Conflict("document version"))
                    }
                    Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                        Err($crate::StoreError::NotFound("case"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn insert_notifications(
                tx: &mut sqlx::Transaction<'_, $db>,
                case: Option<i64>,
                notifications: &[$crate::NewNotification],
                now: i64,
            ) -> $crate::Result<()> {
                for notification in notifications {
                    let (kind, address) =
                        $crate::shared_cases::recipient_columns(&notification.to);
                    sqlx::query($crate::shared_cases::INSERT_NOTIFICATION)
                        .bind(case)
                        .bind(kind)
                        .bind(address)
                        .bind(&notification.text)
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::CaseStore for $store {
            async fn open_case(
                &self,
                case: &$crate::NewCase,
                tasks: &[$crate::NewTask],
                history: &$crate::NewHistory,
                notifications: &[$crate::NewNotification],
                documents: &[$crate::NewDocument],
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::CaseId> {
                let now = $crate::to_db_time(now);
                let district = case.district.map(i64::from);
                let mut tx = self.writer.begin().await?;
                let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO cases (tracking_code, service_id, workflow_id, workflow_version,
                         applicant_national_id, applicant_legal_id, office_code, district, state,
                         position, fields, version, sla_due, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13)
                     RETURNING id",
                )
                .bind(&case.tracking_code)
                .bind(&case.service_id)
                .bind(&case.workflow_id)
                .bind(i64::from(case.workflow_version))
                .bind(case.applicant.as_str())
                .bind(case.acting_for.as_ref().map(|l| l.as_str().to_owned()))
                .bind(case.office.as_str())
                .bind(district)
                .bind(&case.state)
                .bind(&case.position_json)
                .bind(&case.fields_json)
                .bind(case.sla_due.map(|d| d.iso_jalali()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await;
                let id = match inserted {
                    Ok((id,)) => id,
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        return Err($crate::StoreError::Conflict("tracking code"));
                    }
                    Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                        return Err($crate::StoreError::NotFound("office"));
                    }
                    Err(e) => return Err(e.into()),
                };
                Self::insert_tasks(
                    &mut tx,
                    id,
                    case.office.as_str(),
                    &case.service_id,
                    district,
                    tasks,
                    now,
                )
                .await?;
                Self::insert_history(&mut tx, id, history, now).await?;
                Self::insert_notifications(&mut tx, Some(id), notifications, now).await?;
                for document in documents {
                    Self::insert_document(&mut tx, id, document, now).await?;
                }
                tx.commit().await?;
                Ok($crate::CaseId(id))
            }

            async fn case(&self, id: $crate::CaseId) -> $crate::Result<Option<$crate::CaseRecord>> {
                let row: Option<$crate::shared_cases::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM cases WHERE id = $1",
                    $crate::shared_cases::CASE_COLUMNS
                ))
                .bind(id.0)
                .fetch_optional(&self.reader)
                .await?;
                row.map($crate::shared_cases::case_record).transpose()
            }

            async fn case_by_tracking_code(
                &self,
                code: &str,
            ) -> $crate::Result<Option<$crate::CaseRecord>> {
                let row: Option<$crate::shared_cases::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM cases WHERE tracking_code = $1",
                    $crate::shared_cases::CASE_COLUMNS
                ))
                .bind(code)
                .fetch_optional(&self.reader)
                .await?;
                row.map($crate::shared_cases::case_record).transpose()
            }

            async fn cases_of_applicant(
                &self,
                applicant: &daftar_core::ir::NationalId,
                acting_for: Option<&daftar_core::ir::LegalId>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::CaseRecord>> {
                // '' for "for themself": no legal ID is empty.
                let rows: Vec<$crate::shared_cases::CaseRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM cases
                     WHERE applicant_national_id = $1 AND COALESCE(applicant_legal_id, '') = $2
                     ORDER BY id DESC LIMIT $3",
                    $crate::shared_cases::CASE_COLUMNS
                ))
                .bind(applicant.as_str())
                .bind(acting_for.map_or("", |id| id.as_str()))
                .bind(limit)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_cases::case_record).collect()
            }

            async fn case_tasks(
                &self,
                id: $crate::CaseId,
            ) -> $crate::Result<Vec<$crate::TaskRecord>> {
                let rows: Vec<$crate::shared_cases::TaskRow> = sqlx::query_as(
                    "SELECT role, state, sla_due, assignee, overdue_at FROM case_tasks
                     WHERE case_id = $1 ORDER BY id",
                )
                .bind(id.0)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_cases::task_record).collect()
            }

            async fn case_history(
                &self,
                id: $crate::CaseId,
            ) -> $crate::Result<Vec<$crate::HistoryRecord>> {
                let rows: Vec<$crate::shared_cases::HistoryRow> = sqlx::query_as(
                    "SELECT at, actor_kind, actor_staff_id, actor_name, action, from_state,
                         to_state, comment
                     FROM case_history WHERE case_id = $1 ORDER BY id",
                )
                .bind(id.0)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_cases::history_record).collect()
            }

            async fn apply_transition(
                &self,
                transition: &$crate::Transition,
                now: jiff::Timestamp,
            ) -> $crate::Result<i64> {
                // Without documents, it is written with those arriving beside it
                // (crate::group_commit); documents' versions are numbered here.
                if transition.documents.is_empty() {
                    return self.transitions.apply(transition, now).await;
                }
                let now = $crate::to_db_time(now);
                let mut tx = self.writer.begin().await?;
                let updated: Option<$crate::shared_cases::MovedCase> =
                    $crate::shared_cases::bind_move(
                        sqlx::query_as($crate::shared_cases::MOVE_CASE),
                        transition,
                        now,
                    )
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((_, office, service_id, district, version)) = updated else {
                    return Err($crate::StoreError::Conflict("case version"));
                };
                sqlx::query($crate::shared_cases::CLEAR_TASKS)
                    .bind(transition.case.0)
                    .execute(&mut *tx)
                    .await?;
                Self::insert_tasks(
                    &mut tx,
                    transition.case.0,
                    &office,
                    &service_id,
                    district,
                    &transition.tasks,
                    now,
                )
                .await?;
                Self::insert_history(&mut tx, transition.case.0, &transition.history, now)
                    .await?;
                Self::insert_notifications(
                    &mut tx,
                    Some(transition.case.0),
                    &transition.notifications,
                    now,
                )
                .await?;
                for document in &transition.documents {
                    Self::insert_document(&mut tx, transition.case.0, document, now).await?;
                }
                tx.commit().await?;
                Ok(version)
            }

            async fn queue(
                &self,
                query: &$crate::QueueQuery,
                today: daftar_core::calendar::JalaliDate,
            ) -> $crate::Result<$crate::QueuePage> {
                let today_iso = today.iso_jalali();
                // The filters, written once for the page and for the two counts. Overdue
                // is past the due date; the follow-up unit's view across roles also takes
                // what the sweep marked.
                let filters = |builder: &mut sqlx::QueryBuilder<'_, $db>, overdue: bool| {
                    builder.push(" WHERE t.office_code IN (");
                    let mut offices = builder.separated(", ");
                    for office in &query.offices {
                        offices.push_bind(office.as_str().to_owned());
                    }
                    builder.push(")");
                    if let Some(held) = query.role {
                        builder.push(" AND t.role = ").push_bind(held.slug());
                    }
                    if let Some(assignee) = query.assignee {
                        builder.push(" AND t.assignee = ").push_bind(assignee.0);
                    }
                    if let Some(service) = &query.service_id {
                        builder.push(" AND t.service_id = ").push_bind(service.clone());
                    }
                    if let Some(district) = query.district {
                        builder.push(" AND t.district = ").push_bind(i64::from(district));
                    }
                    if overdue && query.role.is_some() {
                        builder.push(" AND t.sla_due < ").push_bind(today_iso.clone());
                    } else if overdue {
                        builder
                            .push(" AND (t.sla_due < ")
                            .push_bind(today_iso.clone())
                            .push(" OR t.overdue_at IS NOT NULL)");
                    }
                };
                if query.offices.is_empty() {
                    return Ok($crate::QueuePage {
                        items: Vec::new(),
                        total: 0,
                        overdue: 0,
                    });
                }
                let mut page = sqlx::QueryBuilder::<$db>::new(
                    "SELECT t.case_id, c.tracking_code, t.service_id, t.role, t.state, t.district,
                         t.sla_due, t.assignee, t.overdue_at, c.version, c.workflow_id,
                         c.workflow_version
                     FROM case_tasks t JOIN cases c ON c.id = t.case_id",
                );
                filters(&mut page, query.overdue_only);
                page.push(" ORDER BY t.sla_due, t.case_id LIMIT ")
                    .push_bind(query.limit)
                    .push(" OFFSET ")
                    .push_bind(query.offset);
                let rows: Vec<$crate::shared_cases::QueueRow> =
                    page.build_query_as().fetch_all(&self.reader).await?;
                // Two counts, each one range of an index rather than a pass over the rows.
                // Counted up to one past the cap: "more than 10,000" is all a clerk needs,
                // and a count stops costing more past it.
                let capped_count = |overdue: bool| {
                    let mut count = sqlx::QueryBuilder::<$db>::new(
                        "SELECT COUNT(*) FROM (SELECT 1 FROM case_tasks t",
                    );
                    filters(&mut count, overdue);
                    count
                        .push(" LIMIT ")
                        .push_bind($crate::QUEUE_COUNT_CAP as i64 + 1)
                        .push(") capped");
                    count
                };
                let (total,): (i64,) = capped_count(query.overdue_only)
                    .build_query_as()
                    .fetch_one(&self.reader)
                    .await?;
                let overdue = if query.overdue_only {
                    total
                } else {
                    let (late,): (i64,) =
                        capped_count(true).build_query_as().fetch_one(&self.reader).await?;
                    late
                };
                let items = rows
                    .into_iter()
                    .map(|row| row.item(today))
                    .collect::<$crate::Result<Vec<_>>>()?;
                Ok($crate::QueuePage {
                    items,
                    total: u64::try_from(total).unwrap_or(0),
                    overdue: u64::try_from(overdue).unwrap_or(0),
                })
            }

            async fn sweep_overdue(
                &self,
                today: daftar_core::calendar::JalaliDate,
                now: jiff::Timestamp,
                notify: &(dyn for<'t> Fn(&'t $crate::OverdueTask) -> Vec<$crate::NewNotification> + Send + Sync),
            ) -> $crate::Result<Vec<$crate::OverdueTask>> {
                let now = $crate::to_db_time(now);
                let mut tx = self.writer.begin().await?;
                // Marking and reading in one statement: on PostgreSQL a second instance
                // sweeping at once waits on the rows and then finds them marked.
                let marked: Vec<(i64, String, String, String)> = sqlx::query_as(
                    "UPDATE case_tasks SET overdue_at = $1
                     WHERE overdue_at IS NULL AND sla_due < $2
                     RETURNING case_id, office_code, role, state",
                )
                .bind(now)
                .bind(today.iso_jalali())
                .fetch_all(&mut *tx)
                .await?;
                let mut overdue = Vec::with_capacity(marked.len());
                for (case, office, held, state) in marked {
                    let (code,): (String,) = sqlx::query_as(
                        "UPDATE cases SET overdue_at = COALESCE(overdue_at, $1) WHERE id = $2
                         RETURNING tracking_code",
                    )
                    .bind(now)
                    .bind(case)
                    .fetch_one(&mut *tx)
                    .await?;
                    let task = $crate::OverdueTask {
                        case: $crate::CaseId(case),
                        tracking_code: code,
                        office: $crate::shared::office_code(&office)?,
                        role: $crate::shared::role(&held)?,
                        state,
                    };
                    Self::insert_notifications(&mut tx, Some(case), &notify(&task), now).await?;
                    overdue.push(task);
                }
                tx.commit().await?;
                Ok(overdue)
            }

            async fn add_document(
                &self,
                case: $crate::CaseId,
                document: &$crate::NewDocument,
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::DocumentRecord> {
                let mut tx = self.writer.begin().await?;
                let record =
                    Self::insert_document(&mut tx, case.0, document, $crate::to_db_time(now))
                        .await?;
                tx.commit().await?;
                Ok(record)
            }

            async fn documents_of_case(
                &self,
                case: $crate::CaseId,
            ) -> $crate::Result<Vec<$crate::DocumentRecord>> {
                let rows: Vec<$crate::shared_cases::DocumentRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM documents WHERE case_id = $1 ORDER BY kind, version",
                    $crate::shared_cases::DOCUMENT_COLUMNS
                ))
                .bind(case.0)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_cases::document_record).collect()
            }

            async fn document(&self, id: i64) -> $crate::Result<Option<$crate::DocumentRecord>> {
                let row: Option<$crate::shared_cases::DocumentRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM documents WHERE id = $1",
                    $crate::shared_cases::DOCUMENT_COLUMNS
                ))
                .bind(id)
                .fetch_optional(&self.reader)
                .await?;
                row.map($crate::shared_cases::document_record).transpose()
            }

            async fn record_document_view(
                &self,
                id: i64,
                viewer: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query("INSERT INTO document_views (document_id, viewer, at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(viewer)
                    .bind($crate::to_db_time(now))
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn document_views(
                &self,
                id: i64,
            ) -> $crate::Result<Vec<(String, jiff::Timestamp)>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT viewer, at FROM document_views WHERE document_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&self.reader)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(viewer, at)| (viewer, $crate::from_db_time(at)))
                    .collect())
            }

            async fn approve_document(
                &self,
                id: i64,
                approver: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<()> {
                let done = sqlx::query(
                    "UPDATE documents SET approved_by = $1, approved_at = $2 WHERE id = $3",
                )
                .bind(approver)
                .bind($crate::to_db_time(now))
                .bind(id)
                .execute(&self.writer)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("document"));
                }
                Ok(())
            }
        }
    };
}
