//! A PostgreSQL streaming replica, for the public look-ups (`--database-read-url`).
//!
//! The replica is opened as a [`Store`] whose connections are made when first needed, so
//! an instance starts while its replica is down, and nothing is migrated there (the
//! replica replays the primary's schema; a write would be refused by the server). How far
//! behind it is, is read as two WAL positions: the primary's current one and the
//! replica's last replayed one, each as a plain number of bytes into the log.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::cases::group_commit::TransitionQueue;
use crate::cases::postgres::PgGroups;
use crate::{PgStore, Store};

/// The public look-ups are short: more connections than this to a replica would only
/// queue on its two cores.
const REPLICA_CONNECTIONS: u32 = 8;
/// A replica that cannot give a connection within this long is treated as down: the
/// look-up goes to the primary rather than wait (a query's own wait is bounded by the
/// caller, `daftar_app::replica`).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// A replica, and the one connection to the primary that reads how far ahead it is.
#[derive(Debug, Clone)]
pub struct ReadReplica {
    replica: Arc<PgStore>,
    primary: PgPool,
}

impl ReadReplica {
    /// Prepares connections to the replica at `replica_url` and to the primary at
    /// `primary_url`; nothing is connected until first used.
    pub async fn open(replica_url: &str, primary_url: &str) -> anyhow::Result<ReadReplica> {
        let replica_options = PgConnectOptions::from_str(replica_url)
            .context("the read replica's URL is not valid")?;
        let primary_options = PgConnectOptions::from_str(primary_url)
            .context("the PostgreSQL database URL is not valid")?;
        // A streaming replica copies the whole server: the URL must name the same
        // database on it, or every look-up would read another office's records.
        anyhow::ensure!(
            replica_options.get_database() == primary_options.get_database(),
            "the read replica's URL names the database {:?}, the primary's {:?}: name the \
             same database on the replica",
            replica_options.get_database().unwrap_or_default(),
            primary_options.get_database().unwrap_or_default()
        );
        let pool = PgPoolOptions::new()
            .max_connections(REPLICA_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(replica_options);
        // A replica takes no writes; the queue exists because the store's type has one,
        // and a transition sent to it would be refused by the server.
        let transitions = TransitionQueue::start(
            PgGroups {
                writer: pool.clone(),
            },
            1,
        );
        let replica = PgStore {
            reader: pool.clone(),
            writer: pool.clone(),
            transitions,
            group_writer: pool,
        };
        let primary = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(primary_options);
        Ok(ReadReplica {
            replica: Arc::new(replica),
            primary,
        })
    }

    /// The replica as a store, to read from.
    pub fn store(&self) -> Arc<dyn Store> {
        self.replica.clone()
    }

    /// The primary's WAL position now. Read it before [`Self::replayed`]: a replica that
    /// has replayed past it had everything written before this moment.
    pub async fn primary_position(&self) -> crate::Result<u64> {
        let (position,): (String,) = sqlx::query_as("SELECT pg_current_wal_lsn()::text")
            .fetch_one(&self.primary)
            .await?;
        Ok(parse_lsn(&position).unwrap_or(0))
    }

    /// The replica's last replayed WAL position, or `None` when the server is not
    /// replaying (it was promoted, or was never a replica): then it is not following the
    /// primary and must not be read as if it were.
    pub async fn replayed(&self) -> crate::Result<Option<u64>> {
        let (position,): (Option<String>,) = sqlx::query_as(
            "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END",
        )
        .fetch_one(&self.replica.reader)
        .await?;
        Ok(position.as_deref().and_then(parse_lsn))
    }
}

/// A WAL position as PostgreSQL writes it (`16/B374D848`: the high and low 32 bits in
/// hexadecimal), as bytes into the log.
fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

#[cfg(test)]
mod tests {
    use super::{ReadReplica, parse_lsn};

    #[tokio::test]
    async fn a_replica_url_naming_another_database_is_refused() {
        let refused = ReadReplica::open(
            "postgres://postgres@127.0.0.1:1/other_office",
            "postgres://postgres@127.0.0.1:1/daftar",
        )
        .await
        .expect_err("another database");
        assert!(
            refused.to_string().contains("names the database"),
            "{refused}"
        );
        // Nothing is connected to open it: a replica that is down does not stop a start.
        assert!(
            ReadReplica::open(
                "postgres://postgres@127.0.0.1:1/daftar",
                "postgres://postgres@127.0.0.1:1/daftar",
            )
            .await
            .is_ok()
        );
    }

    #[test]
    fn a_wal_position_is_read_as_bytes_into_the_log() {
        assert_eq!(parse_lsn("0/0"), Some(0));
        assert_eq!(parse_lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert!(parse_lsn("16/B374D848").unwrap() > parse_lsn("15/FFFFFFFF").unwrap());
        assert_eq!(parse_lsn("nonsense"), None);
        assert_eq!(parse_lsn("1/2/3"), None);
        assert_eq!(parse_lsn("100000000/0"), None);
    }
}
