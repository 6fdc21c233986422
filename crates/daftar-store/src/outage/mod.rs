//! Planned outages' storage: an announcement kept, withdrawn (kept, marked), and the
//! announcements not withdrawn, newest first.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{Result, StaffId, from_db_time, to_db_time};

/// The outages' side of storage. One method is one transaction.
#[async_trait]
pub trait OutageStore: Send + Sync + std::fmt::Debug {
    /// Keeps an announcement; returns its id.
    async fn announce_outage(&self, outage: &NewOutage) -> Result<i64>;
    /// Marks an announcement withdrawn; false when it is unknown or withdrawn already.
    async fn withdraw_outage(&self, id: i64, at: Timestamp) -> Result<bool>;
    /// The announcements not withdrawn that end after `ends_after`, the soonest start
    /// first, at most `limit`.
    async fn outages(&self, ends_after: Timestamp, limit: u32) -> Result<Vec<StoredOutage>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutage {
    pub from: Timestamp,
    pub to: Timestamp,
    pub affected_fa: String,
    pub affected_en: String,
    pub announced_by: StaffId,
    pub announced_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOutage {
    pub id: i64,
    pub from: Timestamp,
    pub to: Timestamp,
    pub affected_fa: String,
    pub affected_en: String,
    pub announced_at: Timestamp,
}

#[derive(Debug, FromRow)]
struct OutageRow {
    id: i64,
    starts_at: i64,
    ends_at: i64,
    affected_fa: String,
    affected_en: String,
    announced_at: i64,
}

#[async_trait]
impl<S> OutageStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> OutageRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn announce_outage(&self, outage: &NewOutage) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO planned_outages (starts_at, ends_at, affected_fa, affected_en,
                 announced_by, announced_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING id",
        )
        .bind(to_db_time(outage.from))
        .bind(to_db_time(outage.to))
        .bind(outage.affected_fa.as_str())
        .bind(outage.affected_en.as_str())
        .bind(outage.announced_by.0)
        .bind(to_db_time(outage.announced_at))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn withdraw_outage(&self, id: i64, at: Timestamp) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let withdrawn = sqlx::query(
            "UPDATE planned_outages SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL",
        )
        .bind(id)
        .bind(to_db_time(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(S::rows_affected(&withdrawn) == 1)
    }

    async fn outages(&self, ends_after: Timestamp, limit: u32) -> Result<Vec<StoredOutage>> {
        let rows: Vec<OutageRow> = sqlx::query_as(
            "SELECT id, starts_at, ends_at, affected_fa, affected_en, announced_at
             FROM planned_outages
             WHERE withdrawn_at IS NULL AND ends_at > $1
             ORDER BY starts_at, id
             LIMIT $2",
        )
        .bind(to_db_time(ends_after))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredOutage {
                id: row.id,
                from: from_db_time(row.starts_at),
                to: from_db_time(row.ends_at),
                affected_fa: row.affected_fa,
                affected_en: row.affected_en,
                announced_at: from_db_time(row.announced_at),
            })
            .collect())
    }
}
