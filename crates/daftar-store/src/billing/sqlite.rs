//! SQLite's bulk work: reading the properties to bill, and writing a year's bills and a
//! bank's settlement file.
//!
//! sqlx hands every SQLite statement and every row it returns across threads, which costs
//! more than SQLite's own work when the work is a million small statements or rows. The
//! bulk work therefore runs through rusqlite (the same bundled SQLite) on a blocking
//! thread, with each statement prepared once, each write in one transaction. The store's
//! own writer connection is held meanwhile, so the process's other writes wait their turn
//! behind the batch instead of meeting a locked database.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use crate::billing::BulkBilling;
use crate::billing::lookup::failed;
use crate::billing::sql::{
    BILL_FACTS, BILLING_ARREARS, BILLING_PROPERTIES, BillingPropertyRow, INSERT_BILL_PAYMENT,
    INSERT_PAYMENT, billing_page, decide_payments, found_bill, to_i64,
};
use crate::sqlite::SqliteStore;
use crate::sqlite_commits::count_commits;
use crate::{
    BillingProperty, IncomingPayment, NewBill, PaymentReport, Result, StoreError, to_db_time,
};

/// Bills per INSERT: a statement's own cost (binding, running, resetting) is shared by a
/// hundred rows, well under SQLite's limit of 32,766 parameters.
const BILLS_PER_INSERT: usize = 100;

/// The bills, with their property's district and renewal code copied on; a bill whose
/// property is not registered is not written. (`WHERE true` keeps SQLite from reading the
/// upsert's `ON` as the join's.)
fn insert_bills_sql(rows: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    format!(
        "INSERT INTO bills (property_id, year, period, bill_id, payment_id, barcode,
             amount_rials, lines, due_date, issued_at, district, renewal_code)
         SELECT v.*, p.district, p.renewal_code
         FROM (VALUES {}) AS v JOIN properties p ON p.id = v.column1
         WHERE true ON CONFLICT DO NOTHING",
        vec![row; rows].join(", ")
    )
}

fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

/// A bill's values, in [`insert_bills_sql`]'s order, its text borrowed.
fn bill_values(bill: &NewBill, now: Timestamp) -> [ToSqlOutput<'_>; 10] {
    let integer = |value: i64| ToSqlOutput::Owned(Value::Integer(value));
    [
        integer(bill.property_id),
        integer(i64::from(bill.year)),
        integer(i64::from(bill.period)),
        text(bill.numbers.bill_id.as_str()),
        text(bill.numbers.payment_id.as_str()),
        text(bill.numbers.barcode.as_str()),
        integer(to_i64(bill.amount_rials)),
        text(&bill.lines_json),
        ToSqlOutput::Owned(Value::Text(bill.due_date.iso_jalali())),
        integer(to_db_time(now)),
    ]
}

/// The store's rusqlite connection for writes, opened on first use and kept: the bulk
/// work and the grouped case transitions run on it. Used only while the store's sqlx
/// writer is held, so the lock is never contended; it exists to hand the connection to
/// whichever blocking thread does the work.
#[derive(Debug, Clone)]
pub(crate) struct BatchWriter {
    path: PathBuf,
    connection: Arc<Mutex<Option<Connection>>>,
}

impl BatchWriter {
    pub(crate) fn new(path: PathBuf) -> BatchWriter {
        BatchWriter {
            path,
            connection: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `work` on a blocking thread with the connection, holding the store's sqlx
    /// writer (`held`) until the work ends. The blocking thread goes on when the caller
    /// stops waiting (a dropped future), so the writer goes with it: released earlier,
    /// the next write would meet the database locked by this one.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        held: PoolConnection<Sqlite>,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let this = self.clone();
        run_blocking(move || {
            let _held = held;
            let mut slot = this
                .connection
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let connection = match &mut *slot {
                Some(connection) => connection,
                empty => empty.insert(open(&this.path)?),
            };
            work(connection)
        })
        .await
    }
}

/// A connection with the settings of the store's writer, its commits counted as the writer's are.
fn open(path: &PathBuf) -> Result<Connection> {
    let connection = Connection::open(path).map_err(failed)?;
    count_commits(&connection);
    connection
        .busy_timeout(Duration::from_secs(10))
        .map_err(failed)?;
    for (pragma, value) in [("synchronous", "FULL"), ("foreign_keys", "ON")] {
        connection
            .pragma_update(None, pragma, value)
            .map_err(failed)?;
    }
    Ok(connection)
}

/// Rows from which a write is given the large page cache: below it (a gateway's single
/// payment, a small page of bills) the cache would be set and dropped for nothing, and
/// dropping it also drops the pages the grouped case transitions keep warm.
const LARGE_WRITE: usize = 10_000;

/// Runs a bulk write of `rows` rows; a large one has room for its new pages until the
/// commit writes them once (256 MiB of page cache), then gives the memory back.
fn with_large_cache<T>(
    connection: &mut Connection,
    rows: usize,
    work: impl FnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    if rows < LARGE_WRITE {
        return work(connection);
    }
    connection
        .pragma_update(None, "cache_size", "-262144")
        .map_err(failed)?;
    let result = work(connection);
    connection
        .execute_batch("PRAGMA cache_size = -2000; PRAGMA shrink_memory;")
        .map_err(failed)?;
    result
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::TaskStopped(format!("SQLite batch: {e}")))?
}

impl SqliteStore {
    /// Runs `work`, a write of `rows` rows, on a blocking thread, holding the store's
    /// writer meanwhile.
    async fn with_bulk_writer<T: Send + 'static>(
        &self,
        rows: usize,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let writer = self.writer.acquire().await?;
        self.batch_writer
            .run(writer, move |connection| {
                with_large_cache(connection, rows, work)
            })
            .await
    }
}

#[async_trait::async_trait]
impl BulkBilling for SqliteStore {
    /// Read on a blocking thread from the look-ups' read-only connections, so that issuing
    /// reads the next page while the writer inserts the last one.
    async fn billing_properties_page(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<BillingProperty>> {
        let readers = Arc::clone(&self.lookups);
        run_blocking(move || {
            readers.read(|connection| {
                let tx = connection.unchecked_transaction().map_err(failed)?;
                let rows = tx
                    .prepare(BILLING_PROPERTIES)
                    .and_then(|mut page| {
                        let every_district = district.is_none();
                        let district = district.map(i64::from).unwrap_or(0);
                        page.query_map(params![after_id, district, every_district, limit], |row| {
                            BillingPropertyRow::try_from(row)
                        })?
                        .collect::<rusqlite::Result<Vec<BillingPropertyRow>>>()
                    })
                    .map_err(failed)?;
                let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                    return Ok(Vec::new());
                };
                let arrears: HashMap<i64, i64> = tx
                    .prepare(BILLING_ARREARS)
                    .and_then(|mut sums| {
                        sums.query_map(params![first.0, last.0, i64::from(year)], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })?
                        .collect()
                    })
                    .map_err(failed)?;
                billing_page(rows, &arrears)
            })
        })
        .await
    }

    async fn bulk_insert_bills(&self, bills: Vec<NewBill>, now: Timestamp) -> Result<u64> {
        self.with_bulk_writer(bills.len(), move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(failed)?;
            let mut inserted = 0;
            for chunk in bills.chunks(BILLS_PER_INSERT) {
                let mut insert = tx
                    .prepare_cached(&insert_bills_sql(chunk.len()))
                    .map_err(failed)?;
                let values = chunk.iter().flat_map(|bill| bill_values(bill, now));
                inserted += insert.execute(params_from_iter(values)).map_err(failed)? as u64;
            }
            tx.commit().map_err(failed)?;
            Ok(inserted)
        })
        .await
    }

    /// Looks each bill and trace number up and writes each row as it is decided.
    async fn bulk_record_payments(
        &self,
        payments: Vec<IncomingPayment>,
        source: &str,
        now: Timestamp,
    ) -> Result<PaymentReport> {
        let source = source.to_owned();
        self.with_bulk_writer(payments.len(), move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(failed)?;
            let outcomes = {
                let mut find_bill = tx
                    .prepare(&format!("{} = ?1", *BILL_FACTS))
                    .map_err(failed)?;
                let mut insert = tx
                    .prepare(&format!(
                        "{INSERT_PAYMENT} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (trace_number) DO NOTHING"
                    ))
                    .map_err(failed)?;
                let mut mark_paid = tx
                    .prepare(&format!("{INSERT_BILL_PAYMENT} VALUES (?1, ?2, ?3)"))
                    .map_err(failed)?;
                // Each row is written as soon as it is decided, and an applied one marks
                // its bill paid; a trace number already stored inserts nothing, which makes
                // the row a duplicate without a look-up of its own.
                decide_payments(
                    &payments,
                    |barcode| {
                        find_bill
                            .query_row([barcode], |row| {
                                Ok(found_bill(
                                    row.get(0)?,
                                    row.get(2)?,
                                    row.get(3)?,
                                    row.get(4)?,
                                ))
                            })
                            .optional()
                    },
                    |row| {
                        let inserted = insert.execute(params![
                            row.payment.trace_number,
                            row.bill_row,
                            row.payment.barcode.as_str(),
                            to_i64(row.payment.amount_rials),
                            to_db_time(row.payment.paid_at),
                            row.outcome.slug(),
                            source,
                            to_db_time(now),
                        ])?;
                        if let (1, Some(bill)) = (inserted, row.pays()) {
                            mark_paid.execute(params![
                                bill,
                                to_db_time(row.payment.paid_at),
                                row.payment.trace_number,
                            ])?;
                        }
                        Ok(inserted == 1)
                    },
                )
                .map_err(failed)?
            };
            tx.commit().map_err(failed)?;
            Ok(PaymentReport { outcomes })
        })
        .await
    }

    /// The public look-up's fast path (see [`crate::billing::lookup`]).
    fn fast_bill_by_barcode(&self, barcode: &str) -> Option<Result<Option<crate::BillView>>> {
        Some(self.lookups.bill_by_barcode(barcode))
    }
}
