//! Issued documents' storage: the office's signing keys (public halves only) and each
//! issued document by its serial, with its signed record, its signature and its fate
//! (revoked, or superseded by a later one). The record is the domain's canonical JSON
//! (`daftar_core::issued::IssuedRecord`), stored as it was signed.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{CaseId, Result, StaffId, StoreError, from_db_time, to_db_time};

/// The issued documents' side of storage. One method is one transaction.
#[async_trait]
pub trait IssuedStore: Send + Sync + std::fmt::Debug {
    /// Lists a signing key's public half from `from`, unless it is listed already; a key
    /// newly listed ends the signing of the keys before it (they stay listed).
    async fn publish_key(&self, key: &NewKey) -> Result<()>;
    /// Every key ever published, oldest first.
    async fn keys(&self) -> Result<Vec<StoredKey>>;
    /// Keeps an issued document; a serial already taken is a [`StoreError::Conflict`],
    /// keeping nothing. A document it supersedes is marked so in the same transaction; one
    /// superseded, revoked or unknown already is a `Conflict("superseded")`.
    async fn save_issued(&self, issued: &NewIssued) -> Result<()>;
    async fn issued(&self, serial: &str) -> Result<Option<StoredIssued>>;
    /// The documents issued for a case, oldest first.
    async fn issued_of_case(&self, case: CaseId) -> Result<Vec<StoredIssued>>;
    /// Revokes a document that is not revoked yet; false when it already was (or is
    /// unknown).
    async fn revoke_issued(&self, revocation: &NewRevocation) -> Result<bool>;
    /// Records that a document was handed out as a PDF.
    async fn record_delivery(&self, delivery: &NewDelivery) -> Result<()>;
    /// The hand-outs of a case's documents, oldest first.
    async fn deliveries_of_case(&self, case: CaseId) -> Result<Vec<StoredDelivery>>;
}

/// A document handed out as a PDF: `purpose` is `download` or `print`; `actor_kind`
/// `staff`, `applicant` or `owner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub serial: String,
    pub purpose: String,
    pub actor_kind: String,
    pub staff: Option<StaffId>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    pub serial: String,
    pub purpose: String,
    pub actor_kind: String,
    /// The staff member's name, for a staff member's.
    pub staff_name: Option<String>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub id: String,
    /// Base64.
    pub public_key: String,
    pub from: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub id: String,
    pub public_key: String,
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssued {
    pub serial: String,
    pub kind: String,
    /// The canonical record, as signed.
    pub record: String,
    /// Base64.
    pub signature: String,
    pub case: Option<CaseId>,
    pub property: Option<(u16, String)>,
    pub issued_at: Timestamp,
    pub issued_by: Option<StaffId>,
    /// The role it was issued in, and the office: who may revoke it.
    pub issued_role: Option<String>,
    pub office: Option<String>,
    /// The document this one replaces.
    pub supersedes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIssued {
    pub serial: String,
    pub kind: String,
    pub record: String,
    pub signature: String,
    pub case: Option<CaseId>,
    pub issued_at: Timestamp,
    pub issued_role: Option<String>,
    pub office: Option<String>,
    pub revoked: Option<(Timestamp, String)>,
    pub superseded_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevocation {
    pub serial: String,
    pub by: StaffId,
    pub reason: String,
    pub at: Timestamp,
}

#[derive(Debug, FromRow)]
struct IssuedRow {
    serial: String,
    kind: String,
    record: String,
    signature: String,
    case_id: Option<i64>,
    issued_at: i64,
    issued_role: Option<String>,
    office_code: Option<String>,
    revoked_at: Option<i64>,
    revoke_reason: Option<String>,
    superseded_by: Option<String>,
}

#[derive(Debug, FromRow)]
struct DeliveryRow {
    serial: String,
    purpose: String,
    actor_kind: String,
    staff_name: Option<String>,
    at: i64,
}

#[derive(Debug, FromRow)]
struct KeyRow {
    id: String,
    public_key: String,
    valid_from: i64,
    valid_until: Option<i64>,
}

const ISSUED_COLUMNS: &str = "serial, kind, record, signature, case_id, issued_at, issued_role,
     office_code, revoked_at, revoke_reason, superseded_by";

static ISSUED_BY_SERIAL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {ISSUED_COLUMNS} FROM issued_documents WHERE serial = ?1")
});

/// An issued document read through the SQLite look-ups' own connections, on the calling
/// thread (the verify page is the public look-up of documents, as tracking is of bills).
pub(crate) fn issued_by_rusqlite(
    lookups: &crate::billing::lookup::LookupPool,
    serial: &str,
) -> Result<Option<StoredIssued>> {
    use rusqlite::OptionalExtension;
    let failed = crate::billing::lookup::failed;
    let row = lookups.read_fresh(|connection| {
        let mut statement = connection
            .prepare_cached(ISSUED_BY_SERIAL.as_str())
            .map_err(failed)?;
        statement
            .query_row([serial], |row| {
                Ok(IssuedRow {
                    serial: row.get(0)?,
                    kind: row.get(1)?,
                    record: row.get(2)?,
                    signature: row.get(3)?,
                    case_id: row.get(4)?,
                    issued_at: row.get(5)?,
                    issued_role: row.get(6)?,
                    office_code: row.get(7)?,
                    revoked_at: row.get(8)?,
                    revoke_reason: row.get(9)?,
                    superseded_by: row.get(10)?,
                })
            })
            .optional()
            .map_err(failed)
    })?;
    Ok(row.map(stored))
}

fn stored(row: IssuedRow) -> StoredIssued {
    StoredIssued {
        serial: row.serial,
        kind: row.kind,
        record: row.record,
        signature: row.signature,
        case: row.case_id.map(CaseId),
        issued_at: from_db_time(row.issued_at),
        issued_role: row.issued_role,
        office: row.office_code,
        revoked: row
            .revoked_at
            .map(|at| (from_db_time(at), row.revoke_reason.unwrap_or_default())),
        superseded_by: row.superseded_by,
    }
}

/// Keeps an issued document in `tx` (on its own, or with the action that issues it); a
/// serial already taken is a [`StoreError::Conflict`]. A document it supersedes is marked.
pub(crate) async fn insert_issued<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    issued: &NewIssued,
) -> Result<()>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
{
    let inserted = sqlx::query(
        "INSERT INTO issued_documents (serial, kind, record, signature, case_id, district,
             renewal_code, issued_at, issued_by, issued_role, office_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(issued.serial.as_str())
    .bind(issued.kind.as_str())
    .bind(issued.record.as_str())
    .bind(issued.signature.as_str())
    .bind(issued.case.map(|c| c.0))
    .bind(issued.property.as_ref().map(|(d, _)| i64::from(*d)))
    .bind(issued.property.as_ref().map(|(_, code)| code.as_str()))
    .bind(to_db_time(issued.issued_at))
    .bind(issued.issued_by.map(|s| s.0))
    .bind(issued.issued_role.as_deref())
    .bind(issued.office.as_deref())
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(StoreError::Conflict("serial"));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(old) = &issued.supersedes {
        sqlx::query(
            "UPDATE issued_documents SET superseded_by = $2
             WHERE serial = $1 AND superseded_by IS NULL AND revoked_at IS NULL",
        )
        .bind(old.as_str())
        .bind(issued.serial.as_str())
        .execute(&mut **tx)
        .await?;
        // Two re-issues of one document at once: the second finds it superseded already
        // (or revoked meanwhile) and keeps nothing.
        let by: Option<Option<String>> =
            sqlx::query_scalar("SELECT superseded_by FROM issued_documents WHERE serial = $1")
                .bind(old.as_str())
                .fetch_optional(&mut **tx)
                .await?;
        if by.flatten().as_deref() != Some(issued.serial.as_str()) {
            return Err(StoreError::Conflict("superseded"));
        }
    }
    Ok(())
}

#[async_trait]
impl<S> IssuedStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> IssuedRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> KeyRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> DeliveryRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn publish_key(&self, key: &NewKey) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO office_keys (id, public_key, valid_from) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(key.id.as_str())
        .bind(key.public_key.as_str())
        .bind(to_db_time(key.from))
        .execute(&mut *tx)
        .await?;
        if S::rows_affected(&inserted) == 0 {
            // Listed already (a restart): it ends no other key.
            tx.commit().await?;
            return Ok(());
        }
        // A key published after another ends the other's signing (it stays listed).
        sqlx::query(
            "UPDATE office_keys SET valid_until = $2
             WHERE id <> $1 AND valid_until IS NULL AND valid_from <= $2",
        )
        .bind(key.id.as_str())
        .bind(to_db_time(key.from))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn keys(&self) -> Result<Vec<StoredKey>> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, public_key, valid_from, valid_until FROM office_keys
             ORDER BY valid_from, id",
        )
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredKey {
                id: row.id,
                public_key: row.public_key,
                from: from_db_time(row.valid_from),
                until: row.valid_until.map(from_db_time),
            })
            .collect())
    }

    async fn save_issued(&self, issued: &NewIssued) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        insert_issued::<S::Db>(&mut tx, issued).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn issued(&self, serial: &str) -> Result<Option<StoredIssued>> {
        if let Some(found) = self.fast_issued(serial) {
            return found;
        }
        let row: Option<IssuedRow> = sqlx::query_as(&format!(
            "SELECT {ISSUED_COLUMNS} FROM issued_documents WHERE serial = $1"
        ))
        .bind(serial)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(stored))
    }

    async fn issued_of_case(&self, case: CaseId) -> Result<Vec<StoredIssued>> {
        let rows: Vec<IssuedRow> = sqlx::query_as(&format!(
            "SELECT {ISSUED_COLUMNS} FROM issued_documents WHERE case_id = $1
             ORDER BY issued_at, serial"
        ))
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(stored).collect())
    }

    async fn revoke_issued(&self, revocation: &NewRevocation) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let revoked = sqlx::query(
            "UPDATE issued_documents SET revoked_at = $2, revoked_by = $3, revoke_reason = $4
             WHERE serial = $1 AND revoked_at IS NULL",
        )
        .bind(revocation.serial.as_str())
        .bind(to_db_time(revocation.at))
        .bind(revocation.by.0)
        .bind(revocation.reason.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(S::rows_affected(&revoked) == 1)
    }

    async fn record_delivery(&self, delivery: &NewDelivery) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO issued_deliveries (serial, purpose, actor_kind, staff_id, at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(delivery.serial.as_str())
        .bind(delivery.purpose.as_str())
        .bind(delivery.actor_kind.as_str())
        .bind(delivery.staff.map(|id| id.0))
        .bind(to_db_time(delivery.at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn deliveries_of_case(&self, case: CaseId) -> Result<Vec<StoredDelivery>> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT d.serial, d.purpose, d.actor_kind, s.display_name AS staff_name, d.at
             FROM issued_deliveries d
             JOIN issued_documents i ON i.serial = d.serial
             LEFT JOIN staff_users s ON s.id = d.staff_id
             WHERE i.case_id = $1
             ORDER BY d.at, d.id",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredDelivery {
                serial: row.serial,
                purpose: row.purpose,
                actor_kind: row.actor_kind,
                staff_name: row.staff_name,
                at: from_db_time(row.at),
            })
            .collect())
    }
}
