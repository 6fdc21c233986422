//! What SQL written once for both backends sees of a backend: [`SqlBackend`].
//!
//! A capability's store is one blanket `impl<S: SqlBackend> …Store for S`, plain code
//! that rustfmt formats and the compiler points into. Its SQL uses `$1` parameters, which
//! both sqlx drivers accept. The few words of SQL that differ between SQLite and
//! PostgreSQL are constants of the backend here; a path the benchmarks justify writing
//! apart (rusqlite on SQLite, one statement over arrays on PostgreSQL) stays in its
//! backend's own file, behind the same trait.

use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use crate::billing::BulkBilling;
use crate::cases::group_commit::TransitionQueue;
use crate::{
    AccountStore, Backend, BillingStore, CaseStore, OutboxStore, PaymentStore, PgStore, Result,
    SqliteStore, Store,
};

#[async_trait::async_trait]
pub(crate) trait SqlBackend: Send + Sync + std::fmt::Debug {
    type Db: Database;

    /// Which backend this is.
    const BACKEND: Backend;

    /// Added to a read that a write in the same transaction decides on: PostgreSQL locks
    /// the row (`FOR UPDATE`); SQLite's one writer already holds the whole database.
    const FOR_UPDATE: &'static str;

    /// Added to a subquery that chooses rows to claim: rows another transaction holds
    /// are skipped, not waited for. SQLite has one writer, so nothing to add.
    const SKIP_LOCKED: &'static str;

    /// The pool for reads that need not see the latest write of another connection.
    fn reader(&self) -> &Pool<Self::Db>;
    /// The pool every write goes through.
    fn writer(&self) -> &Pool<Self::Db>;

    /// Writes whose loss in a crash costs nothing (the look-up limit's counts): their
    /// commits do not wait for the disk. SQLite's go through a connection of their own
    /// with `synchronous=OFF`; PostgreSQL's transactions begin with
    /// [`SqlBackend::NOT_DURABLE`].
    fn scratch_writer(&self) -> &Pool<Self::Db> {
        self.writer()
    }

    /// A transaction's first statement that lets its commit skip waiting for the disk;
    /// empty where [`SqlBackend::scratch_writer`] already does.
    const NOT_DURABLE: &'static str;

    /// How many rows a statement changed (not a method of sqlx's generic result).
    fn rows_affected(result: &<Self::Db as Database>::QueryResult) -> u64;

    /// Where actions without documents wait to be written as a group
    /// (`group_commit.rs`).
    fn transitions(&self) -> &TransitionQueue;

    /// Closes the connections the backend keeps besides its two pools.
    async fn close_own_connections(&self);

    /// An issued document by its serial read on a backend's own fast path, for the public
    /// verify page; `None` where the backend has none.
    fn fast_issued(&self, _serial: &str) -> Option<Result<Option<crate::StoredIssued>>> {
        None
    }

    /// The usage report's staff actions of a period (times as stored) read on a
    /// backend's own fast path; `None` where the backend has none.
    async fn fast_staff_actions(
        &self,
        _office: &daftar_core::roles::OfficeCode,
        _from: i64,
        _to: i64,
    ) -> Option<Result<Vec<crate::usage::StaffActionRow>>> {
        None
    }
}

#[async_trait::async_trait]
impl SqlBackend for SqliteStore {
    type Db = sqlx::Sqlite;
    const BACKEND: Backend = Backend::Sqlite;
    const FOR_UPDATE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    const NOT_DURABLE: &'static str = "";

    fn reader(&self) -> &Pool<sqlx::Sqlite> {
        &self.reader
    }

    fn writer(&self) -> &Pool<sqlx::Sqlite> {
        &self.writer
    }

    fn scratch_writer(&self) -> &Pool<sqlx::Sqlite> {
        &self.scratch_writer
    }

    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    fn transitions(&self) -> &TransitionQueue {
        &self.transitions
    }

    /// The look-ups' rusqlite connections.
    async fn close_own_connections(&self) {
        self.lookups.close();
        self.scratch_writer.close().await;
    }

    /// Read on the calling thread through the look-ups' connections
    /// ([`crate::billing::lookup`]).
    fn fast_issued(&self, serial: &str) -> Option<Result<Option<crate::StoredIssued>>> {
        Some(crate::issued::issued_by_rusqlite(&self.lookups, serial))
    }

    /// Read through rusqlite on a blocking thread ([`crate::usage`]).
    async fn fast_staff_actions(
        &self,
        office: &daftar_core::roles::OfficeCode,
        from: i64,
        to: i64,
    ) -> Option<Result<Vec<crate::usage::StaffActionRow>>> {
        Some(crate::usage::staff_actions_by_rusqlite(self.lookups.clone(), office, from, to).await)
    }
}

#[async_trait::async_trait]
impl SqlBackend for PgStore {
    type Db = sqlx::Postgres;
    const BACKEND: Backend = Backend::Postgres;
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const NOT_DURABLE: &'static str = "SET LOCAL synchronous_commit TO OFF";

    fn reader(&self) -> &Pool<sqlx::Postgres> {
        &self.reader
    }

    fn writer(&self) -> &Pool<sqlx::Postgres> {
        &self.writer
    }

    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn transitions(&self) -> &TransitionQueue {
        &self.transitions
    }

    /// The connections that write groups of case transitions.
    async fn close_own_connections(&self) {
        self.group_writer.close().await;
    }
}

/// The parts of [`Store`] that are the same on both backends.
#[async_trait::async_trait]
impl<S> Store for S
where
    S: SqlBackend + BulkBilling,
    S: AccountStore
        + BillingStore
        + CaseStore
        + crate::ComplaintStore
        + crate::Open311Store
        + crate::InspectionStore
        + crate::IssuedStore
        + crate::LookupLimitStore
        + OutboxStore
        + crate::OutageStore
        + PaymentStore
        + crate::PropertyStore
        + crate::SketchStore
        + crate::SurveyStore
        + crate::UsageStore
        + crate::ViolationStore
        + crate::ZoningStore,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: sqlx::IntoArguments<'q, S::Db>,
{
    fn backend(&self) -> Backend {
        S::BACKEND
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    fn pool_use(&self) -> Vec<(&'static str, u32, usize)> {
        [("reader", self.reader()), ("writer", self.writer())]
            .into_iter()
            .map(|(name, pool)| (name, pool.size(), pool.num_idle()))
            .collect()
    }

    async fn close(&self) {
        self.close_own_connections().await;
        self.writer().close().await;
        self.reader().close().await;
    }
}

/// A statement put together at run time (a queue's filters), its parameters numbered as
/// they are added. sqlx's `QueryBuilder` does this too, but in code generic over the
/// database its arguments cannot be borrowed for less than the builder lives.
#[derive(Debug, Default)]
pub(crate) struct Statement {
    text: String,
    params: Vec<Param>,
}

#[derive(Debug, Clone)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

impl From<i64> for Param {
    fn from(value: i64) -> Param {
        Param::Int(value)
    }
}

impl From<String> for Param {
    fn from(value: String) -> Param {
        Param::Text(value)
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Param {
        Param::Text(value.to_owned())
    }
}

impl Statement {
    pub(crate) fn new(text: &str) -> Statement {
        Statement {
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Statement {
        self.text.push_str(text);
        self
    }

    /// Appends the next parameter's placeholder and remembers its value.
    pub(crate) fn bind(&mut self, value: impl Into<Param>) -> &mut Statement {
        self.params.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.params.len().to_string());
        self
    }

    /// The statement as a query of `O` rows, its parameters bound.
    pub(crate) fn query_as<'q, DB, O>(
        &'q self,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
    where
        DB: Database,
        O: for<'r> sqlx::FromRow<'r, DB::Row>,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        self.params
            .iter()
            .fold(sqlx::query_as(&self.text), |query, param| match param {
                Param::Int(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.as_str()),
            })
    }
}

/// The secret stored under `name`, the same for every instance: the one stored, or
/// `candidate`, stored now when there is none (the first instance to ask wins): the
/// look-up limit's salt, the drafts' owner key.
pub(crate) async fn shared_secret<S>(store: &S, name: &str, candidate: &str) -> Result<String>
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'r> (String,): FromRow<'r, <S::Db as Database>::Row>,
{
    let mut tx = store.writer().begin().await?;
    sqlx::query(
        "INSERT INTO shared_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .execute(&mut *tx)
    .await?;
    let (secret,): (String,) = sqlx::query_as("SELECT value FROM shared_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(secret)
}
