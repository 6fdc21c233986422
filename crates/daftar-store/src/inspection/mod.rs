//! Inspection visits' storage: a case's visit in an inspector's calendar, rescheduled by
//! cancelling the live one and booking another in the same transaction (every change
//! kept), the day's visits of an office, and the visits left unrecorded past their day.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::cases::writes::insert_notifications;
use crate::sql::SqlBackend;
use crate::{CaseId, NewNotification, Result, StaffId, StoreError, from_db_time, to_db_time};

/// The visits' side of storage. One method is one transaction.
#[async_trait]
pub trait InspectionStore: Send + Sync + std::fmt::Debug {
    /// Books a visit, in the transaction that checks the case is still at
    /// `expected_version`, open, with a task for formation or inspection, and moves its
    /// version on; a live visit of the case is cancelled first (a reschedule), and the
    /// applicant's SMS is queued. An inspector's slot already taken, or a case that moved
    /// on, is a [`StoreError::Conflict`] and keeps nothing. Returns the visit's id and
    /// the case's new version.
    async fn book_visit(
        &self,
        visit: &NewVisit,
        expected_version: i64,
        notification: &NewNotification,
    ) -> Result<(i64, i64)>;
    /// The case's visit in force, if one is booked.
    async fn live_visit(&self, case: CaseId) -> Result<Option<StoredVisit>>;
    /// Every visit booked for the case, the cancelled ones too, newest first.
    async fn visits_of_case(&self, case: CaseId) -> Result<Vec<StoredVisit>>;
    /// The live visits of an office on a Jalali day, by slot then inspector.
    async fn visits_on_day(&self, office: &str, day: &str) -> Result<Vec<DayVisit>>;
    /// The live visits of an office on a day before `today` whose case has no sketch
    /// drawn since the booking and is still open: overdue, oldest first.
    async fn overdue_visits(&self, office: &str, today: &str) -> Result<Vec<DayVisit>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub case: CaseId,
    pub office: String,
    pub inspector: StaffId,
    /// Jalali, `1405-03-10`.
    pub day: String,
    /// `09:00`.
    pub slot: String,
    pub booked_by: StaffId,
    pub booked_at: Timestamp,
    /// Why a live visit is moved, kept on the one cancelled.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVisit {
    pub id: i64,
    pub inspector: StaffId,
    pub inspector_name: String,
    pub day: String,
    pub slot: String,
    pub booked_by_name: String,
    pub booked_at: Timestamp,
    pub cancelled_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
}

/// A visit on an inspector's day, with the case and the place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayVisit {
    pub id: i64,
    pub case: CaseId,
    pub tracking_code: String,
    pub inspector: StaffId,
    pub inspector_name: String,
    pub day: String,
    pub slot: String,
    /// From the register, when the case names a registered property.
    pub address: Option<String>,
    pub renewal_code: Option<String>,
    /// A sketch was drawn since the booking.
    pub recorded: bool,
}

#[derive(Debug, FromRow)]
struct VisitRow {
    id: i64,
    inspector_id: i64,
    inspector_name: String,
    day: String,
    slot: String,
    booked_by_name: String,
    booked_at: i64,
    cancelled_at: Option<i64>,
    cancel_reason: Option<String>,
}

#[derive(Debug, FromRow)]
struct DayRow {
    id: i64,
    case_id: i64,
    tracking_code: String,
    inspector_id: i64,
    inspector_name: String,
    day: String,
    slot: String,
    address: Option<String>,
    renewal_code: Option<String>,
    recorded: i64,
}

const VISIT_SELECT: &str = "SELECT v.id, v.inspector_id, i.display_name AS inspector_name, v.day,
         v.slot, b.display_name AS booked_by_name, v.booked_at, v.cancelled_at, v.cancel_reason
     FROM inspection_visits v
     JOIN staff_users i ON i.id = v.inspector_id
     JOIN staff_users b ON b.id = v.booked_by";

const DAY_SELECT: &str = "SELECT v.id, v.case_id, c.tracking_code, v.inspector_id,
         i.display_name AS inspector_name, v.day, v.slot, p.address, c.renewal_code,
         CASE WHEN EXISTS (SELECT 1 FROM case_sketches k
                           WHERE k.case_id = v.case_id AND k.drawn_at >= v.booked_at)
              THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS recorded
     FROM inspection_visits v
     JOIN cases c ON c.id = v.case_id
     JOIN staff_users i ON i.id = v.inspector_id
     LEFT JOIN properties p ON p.district = c.district AND p.renewal_code = c.renewal_code";

fn visit_of(row: VisitRow) -> StoredVisit {
    StoredVisit {
        id: row.id,
        inspector: StaffId(row.inspector_id),
        inspector_name: row.inspector_name,
        day: row.day,
        slot: row.slot,
        booked_by_name: row.booked_by_name,
        booked_at: from_db_time(row.booked_at),
        cancelled_at: row.cancelled_at.map(from_db_time),
        cancel_reason: row.cancel_reason,
    }
}

fn day_visit_of(row: DayRow) -> DayVisit {
    DayVisit {
        id: row.id,
        case: CaseId(row.case_id),
        tracking_code: row.tracking_code,
        inspector: StaffId(row.inspector_id),
        inspector_name: row.inspector_name,
        day: row.day,
        slot: row.slot,
        address: row.address,
        renewal_code: row.renewal_code,
        recorded: row.recorded != 0,
    }
}

#[async_trait]
impl<S> InspectionStore for S
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
    for<'r> VisitRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> DayRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
{
    async fn book_visit(
        &self,
        visit: &NewVisit,
        expected_version: i64,
        notification: &NewNotification,
    ) -> Result<(i64, i64)> {
        let now = to_db_time(visit.booked_at);
        let mut tx = self.writer().begin().await?;
        let moved = sqlx::query(
            "UPDATE cases SET version = version + 1, updated_at = $3
             WHERE id = $1 AND version = $2 AND closed_at IS NULL
               AND EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = $1
                           AND t.role IN ('formation', 'inspection'))",
        )
        .bind(visit.case.0)
        .bind(expected_version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if S::rows_affected(&moved) != 1 {
            return Err(StoreError::Conflict("case version"));
        }
        sqlx::query(
            "UPDATE inspection_visits SET cancelled_at = $2, cancelled_by = $3, cancel_reason = $4
             WHERE case_id = $1 AND cancelled_at IS NULL",
        )
        .bind(visit.case.0)
        .bind(now)
        .bind(visit.booked_by.0)
        .bind(visit.reason.as_deref())
        .execute(&mut *tx)
        .await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO inspection_visits
                 (case_id, office_code, inspector_id, day, slot, booked_by, booked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(visit.case.0)
        .bind(visit.office.as_str())
        .bind(visit.inspector.0)
        .bind(visit.day.as_str())
        .bind(visit.slot.as_str())
        .bind(visit.booked_by.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict("inspector's slot"));
            }
            Err(error) => return Err(error.into()),
        };
        insert_notifications(
            &mut tx,
            Some(visit.case.0),
            std::slice::from_ref(notification),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((id, expected_version + 1))
    }

    async fn live_visit(&self, case: CaseId) -> Result<Option<StoredVisit>> {
        let row: Option<VisitRow> = sqlx::query_as(&format!(
            "{VISIT_SELECT} WHERE v.case_id = $1 AND v.cancelled_at IS NULL"
        ))
        .bind(case.0)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(visit_of))
    }

    async fn visits_of_case(&self, case: CaseId) -> Result<Vec<StoredVisit>> {
        let rows: Vec<VisitRow> = sqlx::query_as(&format!(
            "{VISIT_SELECT} WHERE v.case_id = $1 ORDER BY v.id DESC"
        ))
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(visit_of).collect())
    }

    async fn visits_on_day(&self, office: &str, day: &str) -> Result<Vec<DayVisit>> {
        let rows: Vec<DayRow> = sqlx::query_as(&format!(
            "{DAY_SELECT} WHERE v.office_code = $1 AND v.day = $2 AND v.cancelled_at IS NULL
             ORDER BY v.slot, i.display_name, v.id"
        ))
        .bind(office)
        .bind(day)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(day_visit_of).collect())
    }

    async fn overdue_visits(&self, office: &str, today: &str) -> Result<Vec<DayVisit>> {
        let rows: Vec<DayRow> = sqlx::query_as(&format!(
            "{DAY_SELECT} WHERE v.office_code = $1 AND v.day < $2 AND v.cancelled_at IS NULL
               AND c.closed_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM case_sketches k
                               WHERE k.case_id = v.case_id AND k.drawn_at >= v.booked_at)
             ORDER BY v.day, v.slot, v.id LIMIT 500"
        ))
        .bind(office)
        .bind(today)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(day_visit_of).collect())
    }
}
