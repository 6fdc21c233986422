//! The operator-usage report's reads: the staff actions of an office's case history in a
//! period (each with when its case reached the state it was taken in), the staff
//! sign-ins, the office's members, and the overdue tasks each holds now.

use async_trait::async_trait;
use daftar_core::roles::OfficeCode;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{Result, from_db_time, to_db_time};

mod sqlite;
pub(crate) use sqlite::staff_actions_by_rusqlite;

/// The report's side of storage: reads only.
#[async_trait]
pub trait UsageStore: Send + Sync + std::fmt::Debug {
    /// The staff actions on the office's cases from `from` (included) to `to` (not), in
    /// no order.
    async fn staff_actions(
        &self,
        office: &OfficeCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StaffActionRow>>;
    /// Every staff sign-in from `from` to `to`, with the member's name now.
    async fn staff_sign_ins(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SignInRow>>;
    /// The staff who hold a role in the office now.
    async fn office_members(&self, office: &OfficeCode) -> Result<Vec<i64>>;
    /// Per staff member, the open tasks of the office's cases marked to them whose due day
    /// (`1405-09-13`) is before `today`.
    async fn overdue_held(&self, office: &OfficeCode, today: &str) -> Result<Vec<(i64, u64)>>;
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StaffActionRow {
    pub staff_id: i64,
    pub actor_name: String,
    pub service_id: String,
    pub workflow_id: String,
    pub workflow_version: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub at: i64,
    /// The time of the case's history row before this one.
    pub reached_at: Option<i64>,
}

impl StaffActionRow {
    pub fn at(&self) -> Timestamp {
        from_db_time(self.at)
    }

    pub fn reached(&self) -> Option<Timestamp> {
        self.reached_at.map(from_db_time)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SignInRow {
    pub staff_id: i64,
    pub display_name: String,
    pub at: i64,
}

impl SignInRow {
    pub fn at(&self) -> Timestamp {
        from_db_time(self.at)
    }
}

/// The staff actions of a period (PostgreSQL's; SQLite's are read in `sqlite.rs`). The
/// period's rows come from the time index alone; each one's predecessor is the row before
/// it in the period (LAG), or for a case's first row in the period, the row before that,
/// looked up once a case; each case is joined once.
const STAFF_ACTIONS: &str = "WITH month AS (
         SELECT case_id, id, at, actor_staff_id, action, from_state, to_state,
             LAG(at) OVER (PARTITION BY case_id ORDER BY id) AS previous_at
         FROM case_history WHERE at >= $1 AND at < $2
     ),
     firsts AS (
         SELECT case_id, MIN(id) AS first_id FROM month GROUP BY case_id
     ),
     month_cases AS (
         SELECT f.case_id, c.service_id, c.workflow_id, c.workflow_version,
             (SELECT p.at FROM case_history p
              WHERE p.case_id = f.case_id AND p.id < f.first_id
              ORDER BY p.id DESC LIMIT 1) AS before_at
         FROM firsts f JOIN cases c ON c.id = f.case_id
         WHERE c.office_code = $3
     )
     SELECT m.actor_staff_id AS staff_id, u.display_name AS actor_name, mc.service_id,
         mc.workflow_id, mc.workflow_version, m.action, m.from_state, m.to_state,
         m.at, COALESCE(m.previous_at, mc.before_at) AS reached_at
     FROM month m
     JOIN month_cases mc ON mc.case_id = m.case_id
     JOIN staff_users u ON u.id = m.actor_staff_id";

#[async_trait]
impl<S> UsageStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64, i64): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> StaffActionRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> SignInRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn staff_actions(
        &self,
        office: &OfficeCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StaffActionRow>> {
        let (from, to) = (to_db_time(from), to_db_time(to));
        if let Some(rows) = self.fast_staff_actions(office, from, to).await {
            return rows;
        }
        Ok(sqlx::query_as(STAFF_ACTIONS)
            .bind(from)
            .bind(to)
            .bind(office.as_str())
            .fetch_all(self.reader())
            .await?)
    }

    async fn staff_sign_ins(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SignInRow>> {
        Ok(sqlx::query_as(
            "SELECT s.staff_id, u.display_name, s.at
             FROM staff_sign_ins s JOIN staff_users u ON u.id = s.staff_id
             WHERE s.at >= $1 AND s.at < $2
             ORDER BY s.at, s.id",
        )
        .bind(to_db_time(from))
        .bind(to_db_time(to))
        .fetch_all(self.reader())
        .await?)
    }

    async fn office_members(&self, office: &OfficeCode) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT DISTINCT user_id FROM staff_roles WHERE office_code = $1")
                .bind(office.as_str())
                .fetch_all(self.reader())
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn overdue_held(&self, office: &OfficeCode, today: &str) -> Result<Vec<(i64, u64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT assignee, COUNT(*) FROM case_tasks
             WHERE assignee IS NOT NULL AND office_code = $1 AND sla_due < $2
             GROUP BY assignee",
        )
        .bind(office.as_str())
        .bind(today)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(staff, count)| (staff, u64::try_from(count).unwrap_or(0)))
            .collect())
    }
}
