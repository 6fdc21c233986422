//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of one connection, so they queue in the process instead of
//! failing with `SQLITE_BUSY`; reads run in parallel on their own pool, which WAL allows.
//! `synchronous=FULL` because a citizen who was told "saved" must find it saved after a
//! power cut. Bulk writes and case transitions run through rusqlite on one more
//! connection, used only while the writer is held.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::billing::lookup::LookupPool;
use crate::billing::sqlite::BatchWriter;
use crate::cases::group_commit::TransitionQueue;
use crate::cases::sqlite::SqliteGroups;
use crate::sqlite_commits::count_sqlx_commits;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) reader: SqlitePool,
    pub(crate) writer: SqlitePool,
    /// A writer whose commits do not wait for the disk, for counts a crash may lose.
    pub(crate) scratch_writer: SqlitePool,
    pub(crate) lookups: Arc<LookupPool>,
    /// The rusqlite connection for bulk writes and grouped transitions.
    pub(crate) batch_writer: BatchWriter,
    pub(crate) transitions: TransitionQueue,
}

const READERS: u32 = 8;

impl SqliteStore {
    /// Opens (creating when missing) the database file the URL names and migrates it.
    /// An in-memory database is refused: the office's records must outlive the process,
    /// and the look-ups and bulk writes open the file on connections of their own.
    pub async fn open(url: &str) -> anyhow::Result<SqliteStore> {
        /// How much of the file each reader maps: 1 GiB of address space.
        const MMAP_BYTES: u64 = 1 << 30;
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "the SQLite database URL is not valid")?;
        let path = options.get_filename().to_owned();
        anyhow::ensure!(
            !path.as_os_str().is_empty()
                && !url.contains(":memory:")
                && !url.contains("mode=memory"),
            "the SQLite database must be a file, not in memory"
        );
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_connect(|connection, _| Box::pin(count_sqlx_commits(connection)))
            .connect_with(options.clone())
            .await
            .with_context(|| "could not open the SQLite database")?;
        let migrator = sqlx::migrate!("migrations/sqlite");
        let (recorded,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&writer)
        .await
        .context("could not read the SQLite schema")?;
        if recorded > 0 {
            let (applied,): (Option<i64>,) =
                sqlx::query_as("SELECT max(version) FROM _sqlx_migrations")
                    .fetch_one(&writer)
                    .await
                    .context("could not read the SQLite schema's version")?;
            crate::schema::refuse_newer(applied, &migrator)?;
        }
        migrator
            .run(&writer)
            .await
            .context("could not migrate the SQLite database")?;
        // Readers map the file into memory: a page read is a memory read, not a system
        // call (the Open311 list touches a few hundred scattered pages a request).
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(
                options
                    .clone()
                    .read_only(true)
                    .pragma("mmap_size", MMAP_BYTES.to_string()),
            )
            .await
            .context("could not open the SQLite database for reading")?;
        let scratch_writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().synchronous(SqliteSynchronous::Off))
            .await
            .context("could not open the SQLite database for the look-up counts")?;
        let lookups = LookupPool::new(path.clone());
        let batch_writer = BatchWriter::new(path);
        // SQLite writes one transaction at a time: one committing task.
        let transitions = TransitionQueue::start(
            SqliteGroups {
                writer: writer.clone(),
                batch_writer: batch_writer.clone(),
            },
            1,
        );
        Ok(SqliteStore {
            reader,
            writer,
            scratch_writer,
            lookups,
            batch_writer,
            transitions,
        })
    }
}
