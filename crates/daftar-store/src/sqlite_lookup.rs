//! The SQLite backend's fast path for the public bill look-up.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every query to it
//! over channels, then returns the connection to its pool through a spawned task: a few
//! thread wake-ups per query, several times what the look-up itself costs. The public
//! tracking page is the one read that arrives by the tens of thousands per second, so it
//! reads through rusqlite (the same bundled SQLite), on the calling thread, from a small
//! pool of read-only connections with the statement prepared once per connection. WAL
//! keeps such readers from ever waiting on a writer; the query is one lookup by a unique
//! index, which keeps an async worker busy for microseconds.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::shared_billing::{BILL_BY_BARCODE, BillViewRow, bill_view};
use crate::{BillView, StoreError};

/// Idle connections kept; more are opened under load and closed when not needed.
const KEEP: usize = 8;

#[derive(Debug)]
pub(crate) struct LookupPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

pub(crate) fn failed(error: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("SQLite: {error}")))
}

impl LookupPool {
    pub(crate) fn new(path: PathBuf) -> LookupPool {
        LookupPool {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        }
    }

    /// Closes the idle connections; every later look-up fails, as with sqlx's pools.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    fn connection(&self) -> Result<Connection, StoreError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(connection) => Ok(connection),
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
                Ok(connection)
            }
        }
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < KEEP {
            idle.push(connection);
        }
    }

    /// Runs `read` on one of the pool's connections, on the calling thread.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let connection = self.connection()?;
        let result = read(&connection);
        self.give_back(connection);
        result
    }

    /// The bill with this barcode, read on the calling thread.
    pub(crate) fn bill_by_barcode(&self, barcode: &str) -> Result<Option<BillView>, StoreError> {
        let row = self.read(|connection| {
            let mut statement = connection
                .prepare_cached(BILL_BY_BARCODE.as_str())
                .map_err(failed)?;
            statement
                .query_row([barcode], |row| BillViewRow::try_from(row))
                .optional()
                .map_err(failed)
        })?;
        row.map(bill_view).transpose()
    }
}
