//! The SQLite backend's fast path for the public look-ups: a bill by its IDs, and an
//! issued document by its serial (`crate::issued`, the verify page).
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every query to it
//! over channels, then returns the connection to its pool through a spawned task: a few
//! thread wake-ups per query, several times what the look-up itself costs. The public
//! tracking page is the one read that arrives by the tens of thousands per second, so it
//! reads through rusqlite (the same bundled SQLite), on the calling thread, from a small
//! pool of read-only connections with the statement prepared once per connection. WAL
//! keeps such readers from ever waiting on a writer; the query is one lookup by a unique
//! index, which keeps an async worker busy for microseconds.
//!
//! Beginning and ending a read transaction (WAL read locks, taken through `fcntl`) costs
//! more than the look-up it surrounds, so a connection keeps its snapshot for the next
//! look-up while that snapshot is fresh: nothing has been committed in this process since
//! it began ([`crate::sqlite_commits`]), and it is younger than [`SNAPSHOT_AGE`], within
//! which another process's commit (a `daftar payments import` beside the server) shows.
//! A sweep ends the snapshots of idle connections, which would otherwise keep the
//! checkpoints from emptying the log.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::billing::sql::{BILL_BY_BARCODE, BillViewRow, bill_view};
use crate::sqlite_commits::commits;
use crate::{BillView, StoreError};

/// Idle connections kept; more are opened under load and closed when not needed.
const KEEP: usize = 8;

/// The longest a look-up goes on reading a snapshot an earlier one began.
const SNAPSHOT_AGE: Duration = Duration::from_millis(10);

/// How often the snapshots of idle connections are ended.
const SWEEP_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub(crate) struct LookupPool {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    closed: AtomicBool,
    /// [`SNAPSHOT_AGE`], but for tests.
    snapshot_age: Duration,
}

/// A read-only connection and the read transaction it keeps open, if it keeps one.
#[derive(Debug)]
struct Reader {
    connection: Connection,
    snapshot: Option<Snapshot>,
}

#[derive(Debug, Clone, Copy)]
struct Snapshot {
    begun: Instant,
    /// The process's commit count read before the snapshot began.
    commits: u64,
}

impl Snapshot {
    fn is_fresh(&self, commits_now: u64, age: Duration) -> bool {
        self.commits == commits_now && self.begun.elapsed() < age
    }
}

impl Reader {
    fn end_snapshot(&mut self) -> Result<(), StoreError> {
        if self.snapshot.take().is_some() {
            self.connection.execute_batch("COMMIT").map_err(failed)?;
        }
        Ok(())
    }

    /// Makes sure the next statement reads a fresh snapshot.
    fn begin_fresh_snapshot(&mut self, age: Duration) -> Result<(), StoreError> {
        let commits_now = commits();
        if self.snapshot.is_some_and(|s| s.is_fresh(commits_now, age)) {
            return Ok(());
        }
        self.end_snapshot()?;
        // BEGIN takes no snapshot yet: the first statement after it does, after the count
        // was read.
        self.connection.execute_batch("BEGIN").map_err(failed)?;
        self.snapshot = Some(Snapshot {
            begun: Instant::now(),
            commits: commits_now,
        });
        Ok(())
    }
}

pub(crate) fn failed(error: rusqlite::Error) -> StoreError {
    StoreError::Sqlite(error)
}

impl LookupPool {
    /// A pool for the database at `path`, with a thread that sweeps it until it is
    /// dropped or closed.
    pub(crate) fn new(path: PathBuf) -> Arc<LookupPool> {
        LookupPool::with_timing(path, SNAPSHOT_AGE, SWEEP_EVERY)
    }

    fn with_timing(
        path: PathBuf,
        snapshot_age: Duration,
        sweep_every: Duration,
    ) -> Arc<LookupPool> {
        let pool = Arc::new(LookupPool {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            snapshot_age,
        });
        let swept = Arc::downgrade(&pool);
        let sweeper = std::thread::Builder::new()
            .name("daftar-lookup-sweep".into())
            .spawn(move || sweep_until_gone(&swept, sweep_every));
        if let Err(error) = sweeper {
            tracing::warn!(%error, "The look-ups' snapshots will not be swept.");
        }
        pool
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Reader>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes the idle connections; every later look-up fails, as with sqlx's pools.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.idle().clear();
    }

    fn reader(&self) -> Result<Reader, StoreError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let idle = self.idle().pop();
        match idle {
            Some(reader) => Ok(reader),
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(failed)?;
                connection
                    .busy_timeout(Duration::from_secs(1))
                    .map_err(failed)?;
                // Pages read through a memory map rather than a read() call each.
                connection
                    .pragma_update(None, "mmap_size", 268_435_456_i64)
                    .map_err(failed)?;
                Ok(Reader {
                    connection,
                    snapshot: None,
                })
            }
        }
    }

    fn give_back(&self, reader: Reader) {
        let mut idle = self.idle();
        if idle.len() < KEEP {
            idle.push(reader);
        }
    }

    /// Runs `read` on one of the pool's connections, on the calling thread, in a read
    /// transaction of its own.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut reader = self.reader()?;
        reader.end_snapshot()?;
        let result = read(&reader.connection);
        self.give_back(reader);
        result
    }

    /// Runs `read` on one of the pool's connections, on the calling thread, in a fresh
    /// snapshot, which it leaves for the next look-up.
    pub(crate) fn read_fresh<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut reader = self.reader()?;
        reader.begin_fresh_snapshot(self.snapshot_age)?;
        let result = read(&reader.connection);
        if result.is_err() {
            // Whatever went wrong, the next look-up starts from a new transaction.
            reader.end_snapshot()?;
        }
        self.give_back(reader);
        result
    }

    /// Ends the snapshots that idle connections have kept past their age.
    fn sweep(&self) {
        let aged = |reader: &&mut Reader| {
            (reader.snapshot).is_some_and(|s| s.begun.elapsed() >= self.snapshot_age)
        };
        for reader in self.idle().iter_mut().filter(aged) {
            if let Err(error) = reader.end_snapshot() {
                tracing::warn!(%error, "Could not end a look-up's snapshot.");
            }
        }
    }

    /// The bill with this barcode, read on the calling thread.
    pub(crate) fn bill_by_barcode(&self, barcode: &str) -> Result<Option<BillView>, StoreError> {
        let row = self.read_fresh(|connection| {
            let mut statement = connection
                .prepare_cached(BILL_BY_BARCODE.as_str())
                .map_err(failed)?;
            statement
                .query_row([barcode], BillViewRow::from_rusqlite)
                .optional()
                .map_err(failed)
        })?;
        row.map(bill_view).transpose()
    }
}

fn sweep_until_gone(pool: &Weak<LookupPool>, every: Duration) {
    loop {
        std::thread::sleep(every);
        match pool.upgrade() {
            Some(pool) if !pool.closed.load(Ordering::SeqCst) => pool.sweep(),
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite_commits::count_commits;

    /// The process's commit count is one for all: a test that needs it to stand still
    /// holds this while it commits and reads.
    static COUNTING: Mutex<()> = Mutex::new(());

    const NEVER: Duration = Duration::from_secs(3600);

    /// A database with one counter, a writer whose commits are counted, and one that is
    /// not: another process's, as far as the counting goes.
    fn database() -> (tempfile::TempDir, PathBuf, Connection, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daftar.db");
        let counted = Connection::open(&path).unwrap();
        counted
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE counter (value INTEGER NOT NULL);
                 INSERT INTO counter VALUES (0);",
            )
            .unwrap();
        count_commits(&counted);
        let uncounted = Connection::open(&path).unwrap();
        (dir, path, counted, uncounted)
    }

    fn value(pool: &LookupPool) -> i64 {
        pool.read_fresh(|connection| {
            connection
                .query_row("SELECT value FROM counter", [], |row| row.get(0))
                .map_err(failed)
        })
        .unwrap()
    }

    #[test]
    fn a_look_up_sees_every_commit_of_this_process_at_once() {
        let _counting = COUNTING.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, path, counted, _) = database();
        let pool = LookupPool::with_timing(path, NEVER, NEVER);
        assert_eq!(value(&pool), 0);
        counted.execute("UPDATE counter SET value = 1", []).unwrap();
        assert_eq!(value(&pool), 1, "a snapshot older than a commit was read");
    }

    #[test]
    fn a_look_up_sees_another_process_commit_once_the_snapshot_is_of_age() {
        let _counting = COUNTING.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, path, _, uncounted) = database();
        let age = Duration::from_millis(50);
        let pool = LookupPool::with_timing(path, age, NEVER);
        assert_eq!(value(&pool), 0);
        uncounted
            .execute("UPDATE counter SET value = 1", [])
            .unwrap();
        std::thread::sleep(age);
        assert_eq!(value(&pool), 1, "a snapshot past its age was read");
    }

    #[test]
    fn idle_snapshots_are_ended_so_the_log_can_be_checkpointed() {
        let _counting = COUNTING.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, path, counted, _) = database();
        let every = Duration::from_millis(20);
        let pool = LookupPool::with_timing(path, every, every);
        assert_eq!(value(&pool), 0);
        counted.execute("UPDATE counter SET value = 1", []).unwrap();
        std::thread::sleep(every * 5);
        // A checkpoint can copy back every frame of the log only when no reader holds a
        // snapshot older than the last commit.
        let (busy, log, copied): (i64, i64, i64) = counted
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(
            (busy, copied),
            (0, log),
            "an idle look-up still holds its snapshot"
        );
    }
}
