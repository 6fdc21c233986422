//! The count of commits this process has made to SQLite, so that a look-up reading a
//! snapshot an earlier one began (see [`crate::billing::lookup`]) knows whether a write
//! it must see has happened since.
//!
//! SQLite calls a connection's WAL hook after each of its commits: the new rows are
//! already visible to any reader that begins after, and the COMMIT has not yet returned to
//! whoever asked for it. A count read before a snapshot begins therefore moves on for
//! every commit that snapshot may miss, and anyone told "saved" was told after the count
//! moved. The hook takes the place of SQLite's automatic checkpoint, which is a WAL hook
//! too, so it checkpoints as that one does, once the log holds a thousand pages.
//!
//! This is the store's one use of `unsafe`: neither rusqlite nor sqlx offers the WAL hook.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::ffi;
use sqlx::SqliteConnection;

static COMMITS: AtomicU64 = AtomicU64::new(0);

/// SQLite's default `wal_autocheckpoint`, which the store never changes.
const CHECKPOINT_PAGES: c_int = 1000;

/// Commits made so far by the connections given to [`count_commits`] or
/// [`count_sqlx_commits`].
pub(crate) fn commits() -> u64 {
    COMMITS.load(Ordering::Acquire)
}

unsafe extern "C" fn committed(
    _: *mut c_void,
    db: *mut ffi::sqlite3,
    name: *const c_char,
    pages: c_int,
) -> c_int {
    COMMITS.fetch_add(1, Ordering::AcqRel);
    if pages >= CHECKPOINT_PAGES {
        // SAFETY: SQLite hands the hook the committing connection and the database's name,
        // both valid for the call; its own automatic checkpoint makes this same call.
        unsafe { ffi::sqlite3_wal_checkpoint(db, name) };
    }
    ffi::SQLITE_OK
}

/// Counts the commits of a rusqlite connection.
pub(crate) fn count_commits(connection: &rusqlite::Connection) {
    // SAFETY: the handle is the open connection's own; the hook keeps no pointer of ours.
    unsafe { ffi::sqlite3_wal_hook(connection.handle(), Some(committed), ptr::null_mut()) };
}

/// Counts the commits of a sqlx connection (the store's writer).
pub(crate) async fn count_sqlx_commits(connection: &mut SqliteConnection) -> sqlx::Result<()> {
    let mut handle = connection.lock_handle().await?;
    let raw = handle.as_raw_handle();
    // SAFETY: as in `count_commits`; the handle is locked to us while the hook is set.
    unsafe { ffi::sqlite3_wal_hook(raw.as_ptr(), Some(committed), ptr::null_mut()) };
    Ok(())
}
