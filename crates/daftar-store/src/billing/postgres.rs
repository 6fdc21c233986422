//! PostgreSQL's bulk work: reading the properties to bill, and writing a year's bills and a
//! bank's settlement file in multi-row statements of [`CHUNK`] rows, one round trip per
//! chunk instead of one per row.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;

use jiff::Timestamp;
use sqlx::{Postgres, QueryBuilder};

use crate::billing::BulkBilling;
use crate::billing::sql::{
    BILL_FACTS, BILLING_ARREARS, BILLING_PROPERTIES, BillFactsRow, BillingPropertyRow, FoundBill,
    INSERT_BILL_PAYMENT, INSERT_PAYMENT, PaymentRecord, barcode_order, billing_page,
    decide_payments, found_bill, to_i64,
};
use crate::postgres::PgStore;
use crate::{
    BillingProperty, IncomingPayment, NewBill, PaymentReport, Result, StoreError, to_db_time,
};

/// Rows per multi-row statement: well under PostgreSQL's limit of 65,535 parameters.
const CHUNK: usize = 1000;

/// Values per look-up by `IN (…)`: one parameter each, so more than [`CHUNK`] rows.
const LOOKUP_CHUNK: usize = 5000;

#[async_trait::async_trait]
impl BulkBilling for PgStore {
    async fn billing_properties_page(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<BillingProperty>> {
        let rows: Vec<BillingPropertyRow> = sqlx::query_as(BILLING_PROPERTIES)
            .bind(after_id)
            .bind(district.map(i64::from).unwrap_or(0))
            .bind(district.is_none())
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(Vec::new());
        };
        let arrears: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(BILLING_ARREARS)
            .bind(first.0)
            .bind(last.0)
            .bind(i64::from(year))
            .fetch_all(&self.reader)
            .await?
            .into_iter()
            .collect();
        billing_page(rows, &arrears)
    }

    async fn bulk_insert_bills(&self, bills: Vec<NewBill>, now: Timestamp) -> Result<u64> {
        let mut inserted = 0;
        let mut tx = self.writer.begin().await?;
        for chunk in bills.chunks(CHUNK) {
            // The bills, with their property's district and renewal code copied on; a bill
            // whose property is not registered is not written.
            let mut insert = QueryBuilder::<Postgres>::new(
                "INSERT INTO bills (property_id, year, period, bill_id, payment_id, barcode,
                     amount_rials, lines, due_date, issued_at, district, renewal_code)
                 SELECT v.*, p.district, p.renewal_code FROM (",
            );
            insert.push_values(chunk, |mut row, bill| {
                row.push_bind(bill.property_id)
                    .push_bind(i64::from(bill.year))
                    .push_bind(i64::from(bill.period))
                    .push_bind(bill.numbers.bill_id.as_str())
                    .push_bind(bill.numbers.payment_id.as_str())
                    .push_bind(bill.numbers.barcode.as_str())
                    .push_bind(to_i64(bill.amount_rials))
                    .push_bind(bill.lines_json.as_str())
                    .push_bind(bill.due_date.iso_jalali())
                    .push_bind(to_db_time(now));
            });
            insert.push(
                ") AS v (property_id, year, period, bill_id, payment_id, barcode, amount_rials,
                     lines, due_date, issued_at)
                 JOIN properties p ON p.id = v.property_id ON CONFLICT DO NOTHING",
            );
            inserted += insert.build().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Another instance may pay the same bill, or record the same trace number, between
    /// this one's look-ups and its writes (the look-ups lock nothing): the unique indexes
    /// refuse the second writer, whose batch is then decided again from what is stored.
    async fn bulk_record_payments(
        &self,
        payments: Vec<IncomingPayment>,
        source: &str,
        now: Timestamp,
    ) -> Result<PaymentReport> {
        let mut tries = 0;
        loop {
            match self.try_record_payments(&payments, source, now).await {
                Err(StoreError::Database(sqlx::Error::Database(e)))
                    if e.is_unique_violation() && tries < 3 =>
                {
                    tries += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// No fast path: sqlx's PostgreSQL driver already reads on the calling task.
    fn fast_bill_by_barcode(&self, _barcode: &str) -> Option<Result<Option<crate::BillView>>> {
        None
    }
}

impl PgStore {
    /// Looks every bill and trace number up first, in rounds of `IN (…)`, then decides
    /// from what was found and writes.
    async fn try_record_payments(
        &self,
        payments: &[IncomingPayment],
        source: &str,
        now: Timestamp,
    ) -> Result<PaymentReport> {
        let mut tx = self.writer.begin().await?;
        let mut barcodes: Vec<&str> = barcode_order(payments)
            .into_iter()
            .map(|index| payments[index].barcode.as_str())
            .collect();
        barcodes.dedup();
        let mut bills: HashMap<String, FoundBill> = HashMap::with_capacity(barcodes.len());
        for chunk in barcodes.chunks(LOOKUP_CHUNK) {
            let mut lookup = QueryBuilder::<Postgres>::new(BILL_FACTS.as_str());
            lookup.push(" IN (");
            let mut list = lookup.separated(", ");
            for barcode in chunk {
                list.push_bind(*barcode);
            }
            lookup.push(")");
            let rows = lookup
                .build_query_as::<BillFactsRow>()
                .fetch_all(&mut *tx)
                .await?;
            bills.extend(
                rows.into_iter()
                    .map(|(id, barcode, amount, paid, cancelled)| {
                        (barcode, found_bill(id, amount, paid, cancelled))
                    }),
            );
        }
        let mut recorded: HashSet<String> = HashSet::new();
        for chunk in payments.chunks(LOOKUP_CHUNK) {
            let mut known = QueryBuilder::<Postgres>::new(
                "SELECT trace_number FROM payments WHERE trace_number IN (",
            );
            let mut list = known.separated(", ");
            for payment in chunk {
                list.push_bind(payment.trace_number.as_str());
            }
            known.push(")");
            let rows = known
                .build_query_as::<(String,)>()
                .fetch_all(&mut *tx)
                .await?;
            recorded.extend(rows.into_iter().map(|(trace,)| trace));
        }

        let mut records = Vec::with_capacity(payments.len());
        let outcomes = decide_payments(
            payments,
            |barcode| Ok::<_, Infallible>(bills.get(barcode).copied()),
            |record| {
                let new = !recorded.contains(record.payment.trace_number.as_str());
                if new {
                    records.push(record);
                }
                Ok(new)
            },
        )
        .unwrap_or_else(|never| match never {});
        for chunk in records.chunks(CHUNK) {
            let mut insert = QueryBuilder::<Postgres>::new(INSERT_PAYMENT);
            insert.push(" ");
            insert.push_values(chunk, |mut row, record| {
                row.push_bind(record.payment.trace_number.as_str())
                    .push_bind(record.bill_row)
                    .push_bind(record.payment.barcode.as_str())
                    .push_bind(to_i64(record.payment.amount_rials))
                    .push_bind(to_db_time(record.payment.paid_at))
                    .push_bind(record.outcome.slug())
                    .push_bind(source)
                    .push_bind(to_db_time(now));
            });
            insert.build().execute(&mut *tx).await?;
        }
        let paying: Vec<(i64, &PaymentRecord)> = records
            .iter()
            .filter_map(|record| Some((record.pays()?, record)))
            .collect();
        for chunk in paying.chunks(CHUNK) {
            let mut mark_paid = QueryBuilder::<Postgres>::new(INSERT_BILL_PAYMENT);
            mark_paid.push(" ");
            mark_paid.push_values(chunk, |mut row, (bill, record)| {
                row.push_bind(*bill)
                    .push_bind(to_db_time(record.payment.paid_at))
                    .push_bind(record.payment.trace_number.as_str());
            });
            mark_paid.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(PaymentReport { outcomes })
    }
}
