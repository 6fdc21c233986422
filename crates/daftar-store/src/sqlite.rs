//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of one connection, so they queue in the process instead of
//! failing with `SQLITE_BUSY`; reads run in parallel on their own pool, which WAL allows.
//! `synchronous=FULL` because a citizen who was told "saved" must find it saved after a
//! power cut.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Backend;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
}

const READERS: u32 = 8;

impl SqliteStore {
    /// Opens (creating when missing) the database file the URL names and migrates it.
    pub async fn open(url: &str) -> anyhow::Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "the SQLite database URL is not valid")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .with_context(|| "could not open the SQLite database")?;
        sqlx::migrate!("migrations/sqlite")
            .run(&writer)
            .await
            .context("could not migrate the SQLite database")?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.read_only(true))
            .await
            .context("could not open the SQLite database for reading")?;
        Ok(SqliteStore { reader, writer })
    }
}

shared_store_impl!(SqliteStore, Backend::Sqlite, for_update = "");
shared_billing_impl!(SqliteStore, sqlx::Sqlite);
shared_cases_impl!(SqliteStore, sqlx::Sqlite);
