//! The outbox: notifications written in the same transaction as the change they
//! announce, and handed out afterwards to whoever delivers them.
//!
//! Delivery is at least once and never twice at the same time: a worker *claims* the rows
//! it is about to send for a lease, and no other worker, in this process or another
//! instance, is handed a claimed row until the lease runs out or the row is marked. A
//! failed try is marked with the time of the next (the worker's backoff), and only by the
//! worker that still holds the claim: one whose lease ran out meanwhile changes nothing.
//! A row tried [`MAX_ATTEMPTS`] times is given up and stays in the table; it is never
//! handed out again, so it cannot crowd the rows still to send out of a claim.
//!
//! The claim is one `UPDATE … RETURNING`. On SQLite it runs on the one writer
//! connection, so two claims are two transactions one after the other; on PostgreSQL its
//! rows are chosen `FOR UPDATE SKIP LOCKED`, so instances claiming at the same moment
//! each take rows the other has not locked, and neither waits.

use async_trait::async_trait;
use daftar_core::ir::NationalId;
use jiff::{SignedDuration, Timestamp};
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::cases::sql::{RECIPIENT_CITIZEN, RECIPIENT_ROLE};
use crate::decode::{corrupt, office_code, role};
use crate::sql::SqlBackend;
use crate::{PendingNotification, Recipient, Result, StoreError, from_db_time, to_db_time};

/// Attempts after which a notification is given up. The partial index `outbox_to_send`
/// (migration 0006) holds the same number.
pub const MAX_ATTEMPTS: u32 = 10;

/// The outbox's side of delivery. One method is one transaction.
#[async_trait]
pub trait OutboxStore: Send + Sync + std::fmt::Debug {
    /// Notifications not yet sent, oldest first, given up ones included: what an
    /// operator (or a test) sees waiting.
    async fn pending_notifications(&self, limit: i64) -> Result<Vec<PendingNotification>>;
    /// Claims up to `limit` of the oldest notifications still to send (not sent, tried
    /// fewer than [`MAX_ATTEMPTS`] times, not claimed by a live lease) until `now +
    /// lease`, and returns them oldest first. Two claims at once never share a row.
    async fn claim_notifications(
        &self,
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<PendingNotification>>;
    /// Records an attempt to send a claimed notification. A sent one is never handed out
    /// again. A failed one waits until `retry_at`, but only while the claim it was sent
    /// under is still the row's: returns false, changing nothing, when it is not.
    async fn mark_notification(
        &self,
        notification: &PendingNotification,
        attempt: Attempt,
        now: Timestamp,
    ) -> Result<bool>;
    /// How many notifications are still to send (not given up), and when the oldest of
    /// them was written: the backlog an operator watches.
    async fn outbox_backlog(&self) -> Result<(i64, Option<Timestamp>)>;
}

/// What became of an attempt to send a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    Failed { retry_at: Timestamp },
}

/// The columns every read of a notification returns, in [`NotificationRow`]'s order.
const COLUMNS: &str = "id, recipient_kind, recipient, text, attempts, claimed_until";

const PENDING: &str = "SELECT id, recipient_kind, recipient, text, attempts, claimed_until
     FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1";

/// Rows a claim may take: `$1` is now.
const CLAIMABLE: &str = "sent_at IS NULL AND attempts < 10
     AND (claimed_until IS NULL OR claimed_until <= $1)";

/// A sent row (`$2`) is sent, whoever holds it now: sending it again would only repeat it.
const MARK_SENT: &str =
    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL
     WHERE id = $2 AND sent_at IS NULL";

/// A failed row (`$1`) waits until `$2`, if the claim it was sent under (`$3`, 0 for
/// none) is still the row's.
const MARK_FAILED: &str = "UPDATE outbox SET attempts = attempts + 1, claimed_until = $2
     WHERE id = $1 AND sent_at IS NULL AND COALESCE(claimed_until, 0) = $3";

#[derive(Debug, sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    recipient_kind: String,
    recipient: String,
    text: String,
    attempts: i64,
    claimed_until: Option<i64>,
}

impl TryFrom<NotificationRow> for PendingNotification {
    type Error = StoreError;

    fn try_from(row: NotificationRow) -> Result<PendingNotification> {
        let to = match row.recipient_kind.as_str() {
            RECIPIENT_CITIZEN => Recipient::Citizen(
                NationalId::parse(&row.recipient).map_err(|_| corrupt("recipient"))?,
            ),
            RECIPIENT_ROLE => {
                let (office, held) = row
                    .recipient
                    .split_once(':')
                    .ok_or_else(|| corrupt("recipient"))?;
                Recipient::Role(office_code(office)?, role(held)?)
            }
            _ => return Err(corrupt("recipient")),
        };
        Ok(PendingNotification {
            id: row.id,
            to,
            text: row.text,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            claimed_until: row.claimed_until.map(from_db_time),
        })
    }
}

/// Rows as read, oldest first (`RETURNING` promises no order).
fn notifications(mut rows: Vec<NotificationRow>) -> Result<Vec<PendingNotification>> {
    rows.sort_by_key(|row| row.id);
    rows.into_iter()
        .map(PendingNotification::try_from)
        .collect()
}

/// The claim statement: `$1` now, `$2` the lease's end, `$3` the limit; `lock` is what
/// the backend adds to the choice of rows.
fn claim_sql(lock: &str) -> String {
    format!(
        "UPDATE outbox SET claimed_until = $2
         WHERE id IN (SELECT id FROM outbox WHERE {CLAIMABLE} ORDER BY id LIMIT $3{lock})
         RETURNING {COLUMNS}"
    )
}

#[async_trait]
impl<S> OutboxStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'r> NotificationRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64, Option<i64>): FromRow<'r, <S::Db as Database>::Row>,
{
    async fn outbox_backlog(&self) -> Result<(i64, Option<Timestamp>)> {
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL AND attempts < 10",
        )
        .fetch_one(self.reader())
        .await?;
        Ok((count, oldest.map(from_db_time)))
    }

    async fn pending_notifications(&self, limit: i64) -> Result<Vec<PendingNotification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(PENDING)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        notifications(rows)
    }

    async fn claim_notifications(
        &self,
        limit: i64,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<PendingNotification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(&claim_sql(S::SKIP_LOCKED))
            .bind(to_db_time(now))
            .bind(to_db_time(now + lease))
            .bind(limit)
            .fetch_all(self.writer())
            .await?;
        notifications(rows)
    }

    async fn mark_notification(
        &self,
        notification: &PendingNotification,
        attempt: Attempt,
        now: Timestamp,
    ) -> Result<bool> {
        let mark = match attempt {
            Attempt::Sent => sqlx::query(MARK_SENT)
                .bind(to_db_time(now))
                .bind(notification.id),
            Attempt::Failed { retry_at } => sqlx::query(MARK_FAILED)
                .bind(notification.id)
                .bind(to_db_time(retry_at))
                .bind(notification.claimed_until.map_or(0, to_db_time)),
        };
        let done = mark.execute(self.writer()).await?;
        Ok(S::rows_affected(&done) == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claim_skips_rows_given_up_in_the_same_words_as_the_index() {
        let limit = format!("attempts < {MAX_ATTEMPTS}");
        assert!(CLAIMABLE.contains(&limit));
        for index in [
            include_str!("../../migrations/postgres/0006_outbox_claims.sql"),
            include_str!("../../migrations/sqlite/0006_outbox_claims.sql"),
        ] {
            assert!(index.contains(&limit));
        }
    }
}
