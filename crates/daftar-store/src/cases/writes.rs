//! The rows an open or an action adds in its transaction: tasks, history, documents and
//! notifications, each generic over the database.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

/// Writes a case's open tasks, replacing none: the caller deleted the old ones.
pub(super) async fn insert_tasks<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    office: &str,
    service_id: &str,
    district: Option<i64>,
    tasks: &[crate::NewTask],
    now: i64,
) -> crate::Result<()>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<DB as Database>::Row>,
{
    for task in tasks {
        sqlx::query(crate::cases::sql::INSERT_TASK)
            .bind(case)
            .bind(task.role.slug())
            .bind(&task.state)
            .bind(office)
            .bind(service_id)
            .bind(district)
            .bind(task.sla_due.iso_jalali())
            .bind(task.assignee.map(|a| a.0))
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(super) async fn insert_history<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    history: &crate::NewHistory,
    now: i64,
    hash: &str,
) -> crate::Result<()>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<DB as Database>::Row>,
{
    let (kind, staff_id, name) = crate::cases::sql::actor_columns(&history.actor);
    sqlx::query(crate::cases::sql::INSERT_HISTORY)
        .bind(case)
        .bind(now)
        .bind(kind)
        .bind(staff_id)
        .bind(name)
        .bind(&history.action)
        .bind(&history.from_state)
        .bind(&history.to_state)
        .bind(&history.comment)
        .bind(&history.changes)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) async fn insert_document<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    document: &crate::NewDocument,
    now: i64,
) -> crate::Result<crate::DocumentRecord>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<DB as Database>::Row>,
{
    let row: Result<crate::cases::sql::DocumentRow, sqlx::Error> = sqlx::query_as(&format!(
        "INSERT INTO documents (case_id, kind, version, file_name, content_type,
         size_bytes, sha256, storage_key, uploaded_by, uploaded_at)
     VALUES ($1, $2,
         (SELECT COALESCE(MAX(version), 0) + 1 FROM documents
          WHERE case_id = $1 AND kind = $2),
         $3, $4, $5, $6, $7, $8, $9)
     RETURNING {}",
        crate::cases::sql::DOCUMENT_COLUMNS
    ))
    .bind(case)
    .bind(&document.kind)
    .bind(&document.file_name)
    .bind(&document.content_type)
    .bind(i64::try_from(document.size_bytes).unwrap_or(i64::MAX))
    .bind(&document.sha256)
    .bind(&document.storage_key)
    .bind(&document.uploaded_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await;
    match row {
        Ok(row) => crate::cases::sql::document_record(row),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(crate::StoreError::Conflict("document version"))
        }
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(crate::StoreError::NotFound("case"))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn insert_notifications<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: Option<i64>,
    notifications: &[crate::NewNotification],
    now: i64,
) -> crate::Result<()>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<DB as Database>::Row>,
{
    for notification in notifications {
        let (kind, address) = crate::cases::sql::recipient_columns(&notification.to);
        sqlx::query(crate::cases::sql::INSERT_NOTIFICATION)
            .bind(case)
            .bind(kind)
            .bind(address)
            .bind(&notification.text)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Issues a bill against a case (a fine) and keeps it as one of the case's fine bills;
/// a bill whose numbers are taken is a conflict, and the action writes nothing.
pub(super) async fn insert_case_bill<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    bill: &crate::NewBill,
    now: i64,
) -> crate::Result<()>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    usize: ColumnIndex<<DB as Database>::Row>,
{
    let due_date = bill.due_date.iso_jalali();
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO bills (property_id, year, period, bill_id, payment_id, barcode,
             amount_rials, lines, due_date, issued_at, district, renewal_code)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, p.district, p.renewal_code
         FROM properties p WHERE p.id = $1
         RETURNING id",
    )
    .bind(bill.property_id)
    .bind(i64::from(bill.year))
    .bind(i64::from(bill.period))
    .bind(bill.numbers.bill_id.as_str())
    .bind(bill.numbers.payment_id.as_str())
    .bind(bill.numbers.barcode.as_str())
    .bind(i64::try_from(bill.amount_rials).unwrap_or(i64::MAX))
    .bind(bill.lines_json.as_str())
    .bind(due_date.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await;
    let (row,) = match inserted {
        Ok(row) => row,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(crate::StoreError::Conflict("bill numbers"));
        }
        Err(sqlx::Error::RowNotFound) => return Err(crate::StoreError::NotFound("property")),
        Err(e) => return Err(e.into()),
    };
    sqlx::query("INSERT INTO case_fine_bills (bill_row, case_id) VALUES ($1, $2)")
        .bind(row)
        .bind(case)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cancels the case's fine bills that are not paid: a payment arriving later for one is
/// refused as for any cancelled bill. Returns the statement's result: the caller counts
/// what was cancelled.
pub(super) async fn cancel_unpaid_case_bills<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    now: i64,
) -> crate::Result<<DB as Database>::QueryResult>
where
    DB: Database,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    Ok(sqlx::query(
        "UPDATE bills SET cancelled_at = $2
         WHERE id IN (SELECT f.bill_row FROM case_fine_bills f WHERE f.case_id = $1)
           AND cancelled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM bill_payments paid WHERE paid.bill_row = bills.id)",
    )
    .bind(case)
    .bind(now)
    .execute(&mut **tx)
    .await?)
}
