//! [`CaseStore`] for both backends: plain SQL over [`SqlBackend`].

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use super::writes::{
    cancel_unpaid_case_bills, insert_case_bill, insert_document, insert_history,
    insert_notifications, insert_tasks,
};
use crate::sql::{SqlBackend, Statement};
use crate::*;

#[async_trait]
impl<S> CaseStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> bool: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<S::Db as Database>::Row>,
{
    async fn open_case(
        &self,
        case: &crate::NewCase,
        tasks: &[crate::NewTask],
        history: &crate::NewHistory,
        notifications: &[crate::NewNotification],
        documents: &[crate::NewDocument],
        now: jiff::Timestamp,
    ) -> crate::Result<crate::CaseId> {
        let now = crate::to_db_time(now);
        let district = case.district.map(i64::from);
        let mut tx = self.writer().begin().await?;
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO cases (tracking_code, service_id, workflow_id, workflow_version,
                 applicant_national_id, applicant_legal_id, office_code, district, state,
                 position, fields, version, sla_due, created_at, updated_at, applicant_verified,
                 renewal_code)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13, $14, $15)
             RETURNING id",
        )
        .bind(&case.tracking_code)
        .bind(&case.service_id)
        .bind(&case.workflow_id)
        .bind(i64::from(case.workflow_version))
        .bind(
            case.applicant
                .as_ref()
                .map_or(super::sql::ANONYMOUS, |id| id.as_str()),
        )
        .bind(case.acting_for.as_ref().map(|l| l.as_str().to_owned()))
        .bind(case.office.as_str())
        .bind(district)
        .bind(&case.state)
        .bind(&case.position_json)
        .bind(&case.fields_json)
        .bind(case.sla_due.map(|d| d.iso_jalali()))
        .bind(now)
        .bind(case.applicant_verified)
        .bind(case.renewal_code.as_deref())
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok((id,)) => id,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(crate::StoreError::Conflict("tracking code"));
            }
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                return Err(crate::StoreError::NotFound("office"));
            }
            Err(e) => return Err(e.into()),
        };
        insert_tasks::<S::Db>(
            &mut tx,
            id,
            case.office.as_str(),
            &case.service_id,
            district,
            tasks,
            now,
        )
        .await?;
        if let Some(complaint) = &case.complaint {
            crate::complaint::insert_complaint::<S::Db>(&mut tx, id, complaint, now).await?;
        }
        // The first row of the case's chain.
        let hash = crate::cases::sql::history_hash(id, now, history, None);
        insert_history::<S::Db>(&mut tx, id, history, now, &hash).await?;
        sqlx::query("UPDATE cases SET history_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_notifications::<S::Db>(&mut tx, Some(id), notifications, now).await?;
        for document in documents {
            insert_document::<S::Db>(&mut tx, id, document, now).await?;
        }
        tx.commit().await?;
        Ok(crate::CaseId(id))
    }

    async fn case(&self, id: crate::CaseId) -> crate::Result<Option<crate::CaseRecord>> {
        let row: Option<crate::cases::sql::CaseRow> = sqlx::query_as(&format!(
            "SELECT {} FROM cases WHERE id = $1",
            crate::cases::sql::CASE_COLUMNS
        ))
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?;
        row.map(crate::cases::sql::case_record).transpose()
    }

    async fn case_by_tracking_code(&self, code: &str) -> crate::Result<Option<crate::CaseRecord>> {
        let row: Option<crate::cases::sql::CaseRow> = sqlx::query_as(&format!(
            "SELECT {} FROM cases WHERE tracking_code = $1",
            crate::cases::sql::CASE_COLUMNS
        ))
        .bind(code)
        .fetch_optional(self.reader())
        .await?;
        row.map(crate::cases::sql::case_record).transpose()
    }

    async fn cases_of_applicant(
        &self,
        applicant: &daftar_core::ir::NationalId,
        acting_for: Option<&daftar_core::ir::LegalId>,
        limit: i64,
    ) -> crate::Result<Vec<crate::CaseRecord>> {
        // '' for "for themself": no legal ID is empty.
        let rows: Vec<crate::cases::sql::CaseRow> = sqlx::query_as(&format!(
            "SELECT {} FROM cases
             WHERE applicant_national_id = $1 AND COALESCE(applicant_legal_id, '') = $2
             ORDER BY id DESC LIMIT $3",
            crate::cases::sql::CASE_COLUMNS
        ))
        .bind(applicant.as_str())
        .bind(acting_for.map_or("", |id| id.as_str()))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::cases::sql::case_record)
            .collect()
    }

    async fn case_tasks(&self, id: crate::CaseId) -> crate::Result<Vec<crate::TaskRecord>> {
        let rows: Vec<crate::cases::sql::TaskRow> = sqlx::query_as(
            "SELECT role, state, sla_due, assignee, overdue_at FROM case_tasks
             WHERE case_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::cases::sql::task_record)
            .collect()
    }

    async fn case_history(&self, id: crate::CaseId) -> crate::Result<Vec<crate::HistoryRecord>> {
        let rows: Vec<crate::cases::sql::HistoryRow> = sqlx::query_as(
            "SELECT at, actor_kind, actor_staff_id, actor_name, action, from_state,
                 to_state, comment, changes
             FROM case_history WHERE case_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::cases::sql::history_record)
            .collect()
    }

    async fn apply_transition(
        &self,
        transition: &crate::Transition,
        now: jiff::Timestamp,
    ) -> crate::Result<i64> {
        // Without documents, it is written with those arriving beside it
        // (crate::cases::group_commit); documents' versions are numbered here.
        if transition.documents.is_empty()
            && transition.bills.is_empty()
            && !transition.cancel_unpaid_bills
            && !transition.cancel_any_unpaid_bills
            && transition.issued.is_empty()
        {
            return self.transitions().apply(transition, now).await;
        }
        let now = crate::to_db_time(now);
        let mut tx = self.writer().begin().await?;
        // The move's values carry the new history row's hash, written with the row below.
        let values = crate::cases::sql::move_values(transition, now);
        let hash = values.6.clone();
        let updated: Option<crate::cases::sql::MovedCase> =
            crate::cases::sql::bind_move(sqlx::query_as(crate::cases::sql::MOVE_CASE), values)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((_, office, service_id, district, version)) = updated else {
            return Err(crate::StoreError::Conflict("case version"));
        };
        sqlx::query(crate::cases::sql::CLEAR_TASKS)
            .bind(transition.case.0)
            .execute(&mut *tx)
            .await?;
        insert_tasks::<S::Db>(
            &mut tx,
            transition.case.0,
            &office,
            &service_id,
            district,
            &transition.tasks,
            now,
        )
        .await?;
        insert_history::<S::Db>(&mut tx, transition.case.0, &transition.history, now, &hash)
            .await?;
        insert_notifications::<S::Db>(
            &mut tx,
            Some(transition.case.0),
            &transition.notifications,
            now,
        )
        .await?;
        for document in &transition.documents {
            insert_document::<S::Db>(&mut tx, transition.case.0, document, now).await?;
        }
        if transition.cancel_unpaid_bills {
            let cancelled =
                cancel_unpaid_case_bills::<S::Db>(&mut tx, transition.case.0, now).await?;
            // Paid between the action's check and now: nothing goes back, nothing is written.
            if S::rows_affected(&cancelled) == 0 {
                return Err(crate::StoreError::Conflict("fine bills paid meanwhile"));
            }
        }
        if transition.cancel_any_unpaid_bills {
            cancel_unpaid_case_bills::<S::Db>(&mut tx, transition.case.0, now).await?;
        }
        for bill in &transition.bills {
            insert_case_bill::<S::Db>(&mut tx, transition.case.0, bill, now).await?;
        }
        for issued in &transition.issued {
            crate::issued::insert_issued::<S::Db>(&mut tx, issued).await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    async fn queue(
        &self,
        query: &crate::QueueQuery,
        today: daftar_core::calendar::JalaliDate,
    ) -> crate::Result<crate::QueuePage> {
        let today_iso = today.iso_jalali();
        // The filters, written once for the page and for the two counts. Overdue
        // is past the due date; the follow-up unit's view across roles also takes
        // what the sweep marked.
        let filters = |statement: &mut Statement, overdue: bool| {
            statement.push(" WHERE t.office_code IN (");
            for (n, office) in query.offices.iter().enumerate() {
                if n > 0 {
                    statement.push(", ");
                }
                statement.bind(office.as_str());
            }
            statement.push(")");
            if let Some(held) = query.role {
                statement.push(" AND t.role = ").bind(held.slug());
            }
            if let Some(assignee) = query.assignee {
                statement.push(" AND t.assignee = ").bind(assignee.0);
            }
            if let Some(service) = &query.service_id {
                statement
                    .push(" AND t.service_id = ")
                    .bind(service.as_str());
            }
            if let Some(district) = query.district {
                statement
                    .push(" AND t.district = ")
                    .bind(i64::from(district));
            }
            match &query.search {
                Some(crate::QueueSearch::TrackingCode(code)) => {
                    statement
                        .push(" AND c.tracking_code = ")
                        .bind(code.as_str());
                }
                Some(crate::QueueSearch::Applicant(national_id)) => {
                    statement
                        .push(" AND c.applicant_national_id = ")
                        .bind(national_id.as_str());
                }
                None => {}
            }
            // A complaint is kept from the staff member it names (docs/SLA.md).
            if let Some(viewer) = query.viewer {
                statement
                    .push(
                        " AND NOT EXISTS (SELECT 1 FROM complaints k \
                         WHERE k.case_id = t.case_id AND k.named_staff = ",
                    )
                    .bind(viewer.0)
                    .push(")");
            }
            if overdue && query.role.is_some() {
                statement.push(" AND t.sla_due < ").bind(today_iso.as_str());
            } else if overdue {
                statement
                    .push(" AND (t.sla_due < ")
                    .bind(today_iso.as_str())
                    .push(" OR t.overdue_at IS NOT NULL)");
            }
        };
        if query.offices.is_empty() {
            return Ok(crate::QueuePage {
                items: Vec::new(),
                total: 0,
                overdue: 0,
            });
        }
        let mut page = Statement::new(
            "SELECT t.case_id, c.tracking_code, t.service_id, t.role, t.state, t.district,
                 t.sla_due, t.assignee, s.display_name AS assignee_name,
                 c.applicant_national_id AS applicant, ci.display_name AS applicant_name,
                 t.created_at AS received_at, t.overdue_at, c.version, c.workflow_id,
                 c.workflow_version, v.violation_count, v.total_centi_m2 AS violation_centi_m2,
                 v.fine_min_rials, v.fine_max_rials
             FROM case_tasks t JOIN cases c ON c.id = t.case_id
             LEFT JOIN citizens ci ON ci.national_id = c.applicant_national_id
             LEFT JOIN staff_users s ON s.id = t.assignee
             LEFT JOIN case_violations v ON v.case_id = t.case_id",
        );
        filters(&mut page, query.overdue_only);
        let direction = if query.descending { "DESC" } else { "ASC" };
        let order = match query.order {
            crate::QueueOrder::Due => format!("t.sla_due {direction}, t.case_id {direction}"),
            crate::QueueOrder::Received => {
                format!("t.created_at {direction}, t.case_id {direction}")
            }
            crate::QueueOrder::TrackingCode => format!("c.tracking_code {direction}"),
        };
        page.push(" ORDER BY ")
            .push(&order)
            .push(" LIMIT ")
            .bind(query.limit)
            .push(" OFFSET ")
            .bind(query.offset);
        // A count alone (the navigation's) reads no rows.
        let rows: Vec<crate::cases::sql::QueueRow> = if query.limit > 0 {
            page.query_as().fetch_all(self.reader()).await?
        } else {
            Vec::new()
        };
        // Two counts, each one range of an index rather than a pass over the rows.
        // Counted up to one past the cap: "more than 10,000" is all a clerk needs,
        // and a count stops costing more past it.
        let capped_count = |overdue: bool| {
            // Only a search reads the cases: the counts of a queue are a range of an index.
            let mut count = Statement::new(if query.search.is_some() {
                "SELECT COUNT(*) FROM (SELECT 1 FROM case_tasks t JOIN cases c ON c.id = t.case_id"
            } else {
                "SELECT COUNT(*) FROM (SELECT 1 FROM case_tasks t"
            });
            filters(&mut count, overdue);
            count
                .push(" LIMIT ")
                .bind(crate::QUEUE_COUNT_CAP as i64 + 1)
                .push(") capped");
            count
        };
        let total_count = capped_count(query.overdue_only);
        let (total,): (i64,) = total_count.query_as().fetch_one(self.reader()).await?;
        let overdue = if query.overdue_only {
            total
        } else if query.limit == 0 {
            // The total alone (the navigation's count): the overdue count is not asked.
            0
        } else {
            let late_count = capped_count(true);
            let (late,): (i64,) = late_count.query_as().fetch_one(self.reader()).await?;
            late
        };
        let items = rows
            .into_iter()
            .map(|row| row.item(today))
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(crate::QueuePage {
            items,
            total: u64::try_from(total).unwrap_or(0),
            overdue: u64::try_from(overdue).unwrap_or(0),
        })
    }

    async fn sweep_overdue(
        &self,
        today: daftar_core::calendar::JalaliDate,
        now: jiff::Timestamp,
        notify: &(
             dyn for<'t> Fn(&'t crate::OverdueTask) -> Vec<crate::NewNotification> + Send + Sync
         ),
    ) -> crate::Result<Vec<crate::OverdueTask>> {
        let now = crate::to_db_time(now);
        let mut tx = self.writer().begin().await?;
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
            let task = crate::OverdueTask {
                case: crate::CaseId(case),
                tracking_code: code,
                office: crate::decode::office_code(&office)?,
                role: crate::decode::role(&held)?,
                state,
            };
            insert_notifications::<S::Db>(&mut tx, Some(case), &notify(&task), now).await?;
            overdue.push(task);
        }
        tx.commit().await?;
        Ok(overdue)
    }

    async fn add_document(
        &self,
        case: crate::CaseId,
        document: &crate::NewDocument,
        now: jiff::Timestamp,
    ) -> crate::Result<crate::DocumentRecord> {
        let mut tx = self.writer().begin().await?;
        let record =
            insert_document::<S::Db>(&mut tx, case.0, document, crate::to_db_time(now)).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn tick_checklist(
        &self,
        case: crate::CaseId,
        item: &str,
        staff: crate::StaffId,
        document: Option<&crate::NewDocument>,
        now: jiff::Timestamp,
    ) -> crate::Result<()> {
        let now = crate::to_db_time(now);
        let mut tx = self.writer().begin().await?;
        let document = match document {
            Some(document) => Some(
                insert_document::<S::Db>(&mut tx, case.0, document, now)
                    .await?
                    .id,
            ),
            None => None,
        };
        let inserted = sqlx::query(
            "INSERT INTO checklist_ticks (case_id, item, staff_id, document_id, at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, item) DO NOTHING",
        )
        .bind(case.0)
        .bind(item)
        .bind(staff.0)
        .bind(document)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if S::rows_affected(&inserted) == 0 {
            // Ticked by someone else meanwhile: the document goes with no tick either.
            return Err(crate::StoreError::Conflict("checklist item ticked already"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn checklist_ticks(
        &self,
        case: crate::CaseId,
    ) -> crate::Result<Vec<crate::ChecklistTick>> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT t.item, s.display_name, t.at, t.document_id
             FROM checklist_ticks t JOIN staff_users s ON s.id = t.staff_id
             WHERE t.case_id = $1 ORDER BY t.at, t.item",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, staff_name, at, document)| crate::ChecklistTick {
                item,
                staff_name,
                at: crate::from_db_time(at),
                document,
            })
            .collect())
    }

    async fn record_staff_read(
        &self,
        case: crate::CaseId,
        staff: crate::StaffId,
        document: Option<i64>,
        at: jiff::Timestamp,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO staff_reads (case_id, staff_id, document_id, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(case.0)
        .bind(staff.0)
        .bind(document)
        .bind(crate::to_db_time(at))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn history_links(
        &self,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> crate::Result<Vec<crate::HistoryLinkRow>> {
        let (case, id) = after.unwrap_or((i64::MIN, i64::MIN));
        let rows: Vec<crate::HistoryLinkRow> = sqlx::query_as(
            "SELECT h.id, h.case_id, h.at, h.actor_kind, h.actor_staff_id, h.actor_name,
                 h.action, h.from_state, h.to_state, h.comment, h.changes, h.hash,
                 c.history_hash AS case_hash
             FROM case_history h JOIN cases c ON c.id = h.case_id
             WHERE h.case_id > $1 OR (h.case_id = $1 AND h.id > $2)
             ORDER BY h.case_id, h.id LIMIT $3",
        )
        .bind(case)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        Ok(rows)
    }

    async fn case_with_a_head_and_no_history(&self) -> crate::Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT c.id FROM cases c WHERE c.history_hash IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id)
             LIMIT 1",
        )
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    async fn staff_reads(
        &self,
        of: crate::ReadsOf,
        limit: u32,
    ) -> crate::Result<Vec<crate::StaffRead>> {
        let (filter, key) = match of {
            crate::ReadsOf::Case(case) => ("r.case_id", case.0),
            crate::ReadsOf::Staff(staff) => ("r.staff_id", staff.0),
        };
        let reads: Vec<crate::StaffRead> = sqlx::query_as(&format!(
            "SELECT r.case_id, c.tracking_code, c.office_code, r.staff_id,
                 u.username AS staff_username,
                 r.document_id, r.at
             FROM staff_reads r
             JOIN cases c ON c.id = r.case_id
             JOIN staff_users u ON u.id = r.staff_id
             WHERE {filter} = $1 ORDER BY r.id DESC LIMIT $2"
        ))
        .bind(key)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        Ok(reads)
    }

    async fn draft_owner_key(&self, candidate: &str) -> crate::Result<String> {
        crate::sql::shared_secret(self, "draft_owner_key", candidate).await
    }

    async fn storage_keys_in_use(&self, keys: &[String]) -> crate::Result<Vec<String>> {
        let mut in_use = Vec::new();
        for key in keys {
            let named: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM documents WHERE storage_key = $1 LIMIT 1")
                    .bind(key)
                    .fetch_optional(self.reader())
                    .await?;
            if named.is_some() {
                in_use.push(key.clone());
            }
        }
        Ok(in_use)
    }

    async fn documents_uploaded_by_applicant_since(
        &self,
        applicant: &daftar_core::ir::NationalId,
        since: jiff::Timestamp,
    ) -> crate::Result<u64> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM documents d JOIN cases c ON c.id = d.case_id
             WHERE c.applicant_national_id = $1 AND d.uploaded_by = 'applicant'
                 AND d.uploaded_at >= $2",
        )
        .bind(applicant.as_str())
        .bind(crate::to_db_time(since))
        .fetch_one(self.reader())
        .await?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn documents_of_case(
        &self,
        case: crate::CaseId,
    ) -> crate::Result<Vec<crate::DocumentRecord>> {
        let rows: Vec<crate::cases::sql::DocumentRow> = sqlx::query_as(&format!(
            "SELECT {} FROM documents WHERE case_id = $1 ORDER BY kind, version",
            crate::cases::sql::DOCUMENT_COLUMNS
        ))
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::cases::sql::document_record)
            .collect()
    }

    async fn document(&self, id: i64) -> crate::Result<Option<crate::DocumentRecord>> {
        let row: Option<crate::cases::sql::DocumentRow> = sqlx::query_as(&format!(
            "SELECT {} FROM documents WHERE id = $1",
            crate::cases::sql::DOCUMENT_COLUMNS
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(crate::cases::sql::document_record).transpose()
    }

    async fn record_document_view(
        &self,
        id: i64,
        viewer: &str,
        now: jiff::Timestamp,
    ) -> crate::Result<()> {
        sqlx::query("INSERT INTO document_views (document_id, viewer, at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(viewer)
            .bind(crate::to_db_time(now))
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn document_views(&self, id: i64) -> crate::Result<Vec<(String, jiff::Timestamp)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT viewer, at FROM document_views WHERE document_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(viewer, at)| (viewer, crate::from_db_time(at)))
            .collect())
    }

    async fn approve_document(
        &self,
        id: i64,
        approver: &str,
        now: jiff::Timestamp,
    ) -> crate::Result<()> {
        let done =
            sqlx::query("UPDATE documents SET approved_by = $1, approved_at = $2 WHERE id = $3")
                .bind(approver)
                .bind(crate::to_db_time(now))
                .bind(id)
                .execute(self.writer())
                .await?;
        if S::rows_affected(&done) == 0 {
            return Err(crate::StoreError::NotFound("document"));
        }
        Ok(())
    }
}
