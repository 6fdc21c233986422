//! What SQL written once for both backends sees of a backend: [`SqlBackend`].
//!
//! A capability's store is one blanket `impl<S: SqlBackend> …Store for S`, plain code
//! that rustfmt formats and the compiler points into. Its SQL uses `$1` parameters, which
//! both sqlx drivers accept. The few words of SQL that differ between SQLite and
//! PostgreSQL are constants of the backend here; a path the benchmarks justify writing
//! apart (rusqlite on SQLite, one statement over arrays on PostgreSQL) stays in its
//! backend's own file, behind the same trait.

use sqlx::{Database, Pool};

use crate::{PgStore, SqliteStore};

pub(crate) trait SqlBackend: Send + Sync + std::fmt::Debug {
    type Db: Database;

    /// Added to a subquery that chooses rows to claim: rows another transaction holds
    /// are skipped, not waited for. SQLite has one writer, so nothing to add.
    const SKIP_LOCKED: &'static str;

    /// The pool for reads that need not see the latest write of another connection.
    fn reader(&self) -> &Pool<Self::Db>;
    /// The pool every write goes through.
    fn writer(&self) -> &Pool<Self::Db>;
}

impl SqlBackend for SqliteStore {
    type Db = sqlx::Sqlite;
    const SKIP_LOCKED: &'static str = "";

    fn reader(&self) -> &Pool<sqlx::Sqlite> {
        &self.reader
    }

    fn writer(&self) -> &Pool<sqlx::Sqlite> {
        &self.writer
    }
}

impl SqlBackend for PgStore {
    type Db = sqlx::Postgres;
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    fn reader(&self) -> &Pool<sqlx::Postgres> {
        &self.reader
    }

    fn writer(&self) -> &Pool<sqlx::Postgres> {
        &self.writer
    }
}
