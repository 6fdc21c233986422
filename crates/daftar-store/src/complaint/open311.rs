//! Open311's side of the complaints' storage: the clients holding API keys (by the key's
//! hash), and the public complaints listed newest first, with their case's state.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::{SqlBackend, Statement};
use crate::{Result, from_db_time, to_db_time};

/// One method is one transaction.
#[async_trait]
pub trait Open311Store: Send + Sync + std::fmt::Debug {
    /// Keeps a client's key (its hash); returns the client's id.
    async fn add_open311_client(&self, client: &NewOpen311Client) -> Result<i64>;
    /// Revokes a client's key; false when unknown or revoked already.
    async fn revoke_open311_client(&self, id: i64, at: Timestamp) -> Result<bool>;
    /// Every client, the newest first.
    async fn open311_clients(&self) -> Result<Vec<Open311Client>>;
    /// The client holding a key, by its hash, unless revoked.
    async fn open311_client_by_key(&self, key_hash: &str) -> Result<Option<i64>>;
    /// The public complaints a query asks for, newest first.
    async fn open311_requests(&self, query: &Open311Query) -> Result<Vec<Open311Row>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpen311Client {
    pub name: String,
    /// The SHA-256 of the key, in hex: the key itself is shown once and never kept.
    pub key_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Client {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// Open311's status of a request: open while the office is looking into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open311Status {
    Open,
    Closed,
}

/// What `GET requests` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Query {
    /// Service codes (the kinds); empty for every public one.
    pub kinds: Vec<String>,
    /// Tracking codes (service_request_id); empty for any.
    pub tracking_codes: Vec<String>,
    pub status: Option<Open311Status>,
    /// Filed at or after.
    pub from: Timestamp,
    /// Filed before.
    pub to: Timestamp,
    pub limit: u32,
}

/// A public complaint as Open311 lists it: never who filed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Row {
    pub tracking_code: String,
    pub kind: String,
    pub description: String,
    pub location_micro: Option<(i64, i64)>,
    pub requested_at: Timestamp,
    pub updated_at: Timestamp,
    /// The case's state in the complaint workflow.
    pub state: String,
    /// The case's answers, as JSON: the answer and the unit it was routed to.
    pub fields_json: String,
}

/// The state a complaint is open in; any other is closed for Open311. The partial index
/// `cases_open_complaints` (migration 0025) names it too.
const OPEN_STATE: &str = "review";

#[derive(Debug, FromRow)]
pub(crate) struct ClientRow {
    id: i64,
    name: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

#[derive(Debug, FromRow)]
pub(crate) struct RequestRow {
    tracking_code: String,
    kind: String,
    description: String,
    latitude_micro: Option<i64>,
    longitude_micro: Option<i64>,
    created_at: i64,
    updated_at: i64,
    state: String,
    fields: String,
}

#[async_trait]
impl<S> Open311Store for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> bool: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> ClientRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> RequestRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn add_open311_client(&self, client: &NewOpen311Client) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO open311_clients (name, key_hash, created_at) VALUES ($1, $2, $3)
             RETURNING id",
        )
        .bind(client.name.as_str())
        .bind(client.key_hash.as_str())
        .bind(to_db_time(client.created_at))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn revoke_open311_client(&self, id: i64, at: Timestamp) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let revoked = sqlx::query(
            "UPDATE open311_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(to_db_time(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(S::rows_affected(&revoked) == 1)
    }

    async fn open311_clients(&self) -> Result<Vec<Open311Client>> {
        let rows: Vec<ClientRow> = sqlx::query_as(
            "SELECT id, name, created_at, revoked_at FROM open311_clients ORDER BY id DESC",
        )
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| Open311Client {
                id: row.id,
                name: row.name,
                created_at: from_db_time(row.created_at),
                revoked_at: row.revoked_at.map(from_db_time),
            })
            .collect())
    }

    async fn open311_client_by_key(&self, key_hash: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    async fn open311_requests(&self, query: &Open311Query) -> Result<Vec<Open311Row>> {
        // The open ones are walked from the partial index of open complaints (its
        // condition written out, as the planners need to see it), the rest from the
        // register's; a case and its register row share their filing time.
        let (mut statement, filed) = if query.status == Some(Open311Status::Open) {
            (
                Statement::new(&format!(
                    "SELECT c.tracking_code, k.kind, k.description, k.latitude_micro,
                         k.longitude_micro, k.created_at, c.updated_at, c.state, c.fields
                     FROM cases c JOIN complaints k ON k.case_id = c.id
                     WHERE c.workflow_id = 'complaint' AND c.state = '{OPEN_STATE}'
                         AND k.public = TRUE AND c.created_at >= "
                )),
                "c",
            )
        } else {
            (
                Statement::new(
                    "SELECT c.tracking_code, k.kind, k.description, k.latitude_micro,
                         k.longitude_micro, k.created_at, c.updated_at, c.state, c.fields
                     FROM complaints k JOIN cases c ON c.id = k.case_id
                     WHERE k.public = TRUE AND k.created_at >= ",
                ),
                "k",
            )
        };
        statement
            .bind(to_db_time(query.from))
            .push(&format!(" AND {filed}.created_at < "))
            .bind(to_db_time(query.to));
        in_list(&mut statement, "k.kind", &query.kinds);
        in_list(&mut statement, "c.tracking_code", &query.tracking_codes);
        if query.status == Some(Open311Status::Closed) {
            statement.push(" AND c.state <> ").bind(OPEN_STATE);
        }
        let order = if filed == "c" {
            " ORDER BY c.created_at DESC, c.id DESC LIMIT "
        } else {
            " ORDER BY k.created_at DESC, k.case_id DESC LIMIT "
        };
        statement.push(order).bind(i64::from(query.limit));
        let rows: Vec<RequestRow> = statement.query_as().fetch_all(self.reader()).await?;
        Ok(rows
            .into_iter()
            .map(|row| Open311Row {
                tracking_code: row.tracking_code,
                kind: row.kind,
                description: row.description,
                location_micro: row.latitude_micro.zip(row.longitude_micro),
                requested_at: from_db_time(row.created_at),
                updated_at: from_db_time(row.updated_at),
                state: row.state,
                fields_json: row.fields,
            })
            .collect())
    }
}

/// ` AND column IN (…)`, when there are values.
fn in_list(statement: &mut Statement, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    statement.push(" AND ").push(column).push(" IN (");
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            statement.push(", ");
        }
        statement.bind(value.as_str());
    }
    statement.push(")");
}
