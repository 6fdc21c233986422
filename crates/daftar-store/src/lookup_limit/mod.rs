//! The public look-up limit's counts, shared by every instance: per client address and
//! minute, how many look-ups the instances have claimed. An instance claims a lease of
//! several at once and spends it in memory, so a client costs a few statements a minute,
//! not one a request.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::Result;
use crate::sql::SqlBackend;

/// The look-up limit's side of storage. One method is one transaction.
#[async_trait]
pub trait LookupLimitStore: Send + Sync + std::fmt::Debug {
    /// Adds `amount` to what `client` has claimed in minute `window` (Unix minutes), and
    /// returns the minute's total after it with the minute before's total.
    async fn claim_lookups(&self, client: &str, window: i64, amount: i64) -> Result<(i64, i64)>;
    /// The salt client addresses are digested with, the same for every instance: the one
    /// stored, or `candidate`, stored now when there is none.
    async fn lookup_key_salt(&self, candidate: &str) -> Result<String>;
    /// Forgets the minutes before `window`; returns how many counts went.
    async fn forget_lookup_counts(&self, window: i64) -> Result<u64>;
}

#[async_trait]
impl<S> LookupLimitStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (String,): FromRow<'r, <S::Db as Database>::Row>,
{
    async fn claim_lookups(&self, client: &str, window: i64, amount: i64) -> Result<(i64, i64)> {
        // Counts a crash may lose (they are a minute's), so their commit does not wait for
        // the disk: a durable write for each new client was most of the limit's cost.
        let mut tx = self.scratch_writer().begin().await?;
        if !S::NOT_DURABLE.is_empty() {
            sqlx::query(S::NOT_DURABLE).execute(&mut *tx).await?;
        }
        let (now,): (i64,) = sqlx::query_as(
            "INSERT INTO lookup_counts (client, window_minute, claimed) VALUES ($1, $2, $3)
             ON CONFLICT (client, window_minute)
             DO UPDATE SET claimed = lookup_counts.claimed + excluded.claimed
             RETURNING claimed",
        )
        .bind(client)
        .bind(window)
        .bind(amount)
        .fetch_one(&mut *tx)
        .await?;
        let before: Option<(i64,)> = sqlx::query_as(
            "SELECT claimed FROM lookup_counts WHERE client = $1 AND window_minute = $2",
        )
        .bind(client)
        .bind(window - 1)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((now, before.map_or(0, |(claimed,)| claimed)))
    }

    async fn lookup_key_salt(&self, candidate: &str) -> Result<String> {
        crate::sql::shared_secret(self, "lookup_key_salt", candidate).await
    }

    async fn forget_lookup_counts(&self, window: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM lookup_counts WHERE window_minute < $1")
            .bind(window)
            .execute(self.scratch_writer())
            .await?;
        Ok(S::rows_affected(&done))
    }
}
