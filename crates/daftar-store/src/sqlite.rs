//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of one connection, so they queue in the process instead of
//! failing with `SQLITE_BUSY`; reads run in parallel on their own pool, which WAL allows.
//! `synchronous=FULL` because a citizen who was told "saved" must find it saved after a
//! power cut.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::sqlite_lookup::LookupPool;
use crate::{Backend, BillView, StoreError};

#[derive(Debug, Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    /// `None` for an in-memory database, which other connections cannot see.
    lookups: Option<Arc<LookupPool>>,
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
            .connect_with(options.clone().read_only(true))
            .await
            .context("could not open the SQLite database for reading")?;
        let file = options.get_filename();
        let lookups = (file != std::path::Path::new(":memory:"))
            .then(|| Arc::new(LookupPool::new(file.to_owned())));
        Ok(SqliteStore {
            reader,
            writer,
            lookups,
        })
    }
}

impl SqliteStore {
    fn close_lookups(&self) {
        if let Some(lookups) = &self.lookups {
            lookups.close();
        }
    }

    /// The public look-up's fast path (see [`crate::sqlite_lookup`]).
    fn fast_bill_by_barcode(&self, barcode: &str) -> Option<Result<Option<BillView>, StoreError>> {
        self.lookups
            .as_ref()
            .map(|lookups| lookups.bill_by_barcode(barcode))
    }
}

shared_store_impl!(SqliteStore, Backend::Sqlite, for_update = "");
shared_billing_impl!(SqliteStore, sqlx::Sqlite);
shared_cases_impl!(SqliteStore, sqlx::Sqlite);
