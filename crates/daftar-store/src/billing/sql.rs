//! The billing statements and rows more than one path shares: a bill as tracking shows it
//! (read by sqlx on both backends and by rusqlite in SQLite's look-up), the queries of a
//! page of properties to bill, and how a batch of payments is decided
//! ([`decide_payments`]). The bulk work itself differs by backend: `sqlite.rs` and
//! `postgres.rs`.

use std::collections::HashMap;
use std::sync::LazyLock;

use daftar_core::billing::{Area, BillFacts, PaymentOutcome, PropertyUse};
use daftar_core::calendar::JalaliDate;

use crate::decode::corrupt;
use crate::{BillView, BillingProperty, IncomingPayment, StoreError, from_db_time};

pub(crate) const BILL_VIEW_COLUMNS: &str = "b.bill_id, b.payment_id, b.barcode, b.renewal_code, \
     b.district, b.year, b.period, b.amount_rials, b.lines, b.due_date, paying.paid_at, \
     paying.trace_number, b.cancelled_at";

/// What [`BILL_VIEW_COLUMNS`] are read from: a bill (which carries its property's
/// district and renewal code) and its payment, if it is paid: two rows by their keys.
pub(crate) const BILL_VIEW_FROM: &str =
    "bills b LEFT JOIN bill_payments paying ON paying.bill_row = b.id";

/// A bill by its barcode (`$1`), as tracking shows it. Written once: the public look-up
/// runs it tens of thousands of times a second.
pub(crate) static BILL_BY_BARCODE: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {BILL_VIEW_COLUMNS} FROM {BILL_VIEW_FROM} WHERE b.barcode = $1")
});

/// What decides a payment of each bill ([`BillFactsRow`]), for the condition on
/// `b.barcode` that follows.
pub(crate) static BILL_FACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT b.id, b.barcode, b.amount_rials, paying.bill_row IS NOT NULL,
             b.cancelled_at IS NOT NULL
         FROM {BILL_VIEW_FROM} WHERE b.barcode"
    )
});

/// A row of [`BILL_FACTS`]: id, barcode, amount, paid, cancelled.
pub(crate) type BillFactsRow = (i64, String, i64, bool, bool);

/// A bill's row and what decides a payment of it, from a [`BILL_FACTS`] row's columns.
pub(crate) fn found_bill(id: i64, amount_rials: i64, paid: bool, cancelled: bool) -> FoundBill {
    let facts = BillFacts {
        amount_rials: u64::try_from(amount_rials).unwrap_or(0),
        paid,
        cancelled,
    };
    (id, facts)
}

/// The columns a settlement row is stored in, for the values that follow.
pub(crate) const INSERT_PAYMENT: &str = "INSERT INTO payments (trace_number, bill_row, barcode,
     amount_rials, paid_at, outcome, source, recorded_at)";

/// What marks a bill paid (an `Applied` row's bill, time and trace number), for the
/// values that follow.
pub(crate) const INSERT_BILL_PAYMENT: &str =
    "INSERT INTO bill_payments (bill_row, paid_at, trace_number)";

/// A bill as [`BILL_VIEW_COLUMNS`] read it, in their order.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct BillViewRow {
    bill_id: String,
    payment_id: String,
    barcode: String,
    renewal_code: String,
    district: i64,
    year: i64,
    period: i64,
    amount_rials: i64,
    lines: String,
    due_date: String,
    paid_at: Option<i64>,
    trace_number: Option<String>,
    cancelled_at: Option<i64>,
}

impl BillViewRow {
    /// The row as rusqlite reads it, by position: the look-up is hot, and names would be
    /// looked up column by column.
    pub(crate) fn from_rusqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<BillViewRow> {
        Ok(BillViewRow {
            bill_id: row.get(0)?,
            payment_id: row.get(1)?,
            barcode: row.get(2)?,
            renewal_code: row.get(3)?,
            district: row.get(4)?,
            year: row.get(5)?,
            period: row.get(6)?,
            amount_rials: row.get(7)?,
            lines: row.get(8)?,
            due_date: row.get(9)?,
            paid_at: row.get(10)?,
            trace_number: row.get(11)?,
            cancelled_at: row.get(12)?,
        })
    }
}

pub(crate) fn bill_view(row: BillViewRow) -> Result<BillView, StoreError> {
    Ok(BillView {
        bill_id: row.bill_id,
        payment_id: row.payment_id,
        barcode: row.barcode,
        renewal_code: row.renewal_code,
        district: u16::try_from(row.district).map_err(|_| corrupt("district"))?,
        year: i32::try_from(row.year).map_err(|_| corrupt("year"))?,
        period: u8::try_from(row.period).map_err(|_| corrupt("period"))?,
        amount_rials: u64::try_from(row.amount_rials).map_err(|_| corrupt("amount"))?,
        lines_json: row.lines,
        due_date: JalaliDate::parse(&row.due_date).map_err(|_| corrupt("due date"))?,
        paid_at: row.paid_at.map(from_db_time),
        trace_number: row.trace_number,
        cancelled: row.cancelled_at.is_some(),
    })
}

/// A page of properties to bill: `$1` the last id of the page before, `$2` a district
/// and `$3` true for every district, `$4` the page's size.
pub(crate) const BILLING_PROPERTIES: &str =
    "SELECT p.id, p.district, p.land_area_centi, p.built_area_centi, p.use_kind
     FROM properties p
     WHERE p.id > $1 AND (p.district = $2 OR $3)
     ORDER BY p.id LIMIT $4";

/// The unpaid bills of earlier years than `$3` of the properties with ids `$1` to `$2`,
/// summed per property: one range of the (property, year, period) index per page, instead
/// of a subquery per property. A commission's fine (period 10 and up) is owed on its own
/// bill and settles its case; it never rolls into the renewal bill.
pub(crate) const BILLING_ARREARS: &str =
    "SELECT b.property_id, CAST(SUM(b.amount_rials) AS BIGINT) FROM bills b
     WHERE b.property_id BETWEEN $1 AND $2 AND b.year < $3 AND b.cancelled_at IS NULL
       AND b.period < 10
       AND NOT EXISTS (SELECT 1 FROM bill_payments paying WHERE paying.bill_row = b.id)
     GROUP BY b.property_id";

pub(crate) type BillingPropertyRow = (i64, i64, i64, i64, String);

/// Joins a page of properties with their arrears.
pub(crate) fn billing_page(
    rows: Vec<BillingPropertyRow>,
    arrears: &HashMap<i64, i64>,
) -> Result<Vec<BillingProperty>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let owed = arrears.get(&row.0).copied().unwrap_or(0);
            billing_property(row, owed)
        })
        .collect()
}

pub(crate) fn billing_property(
    row: BillingPropertyRow,
    arrears: i64,
) -> Result<BillingProperty, StoreError> {
    let (id, district, land, built, property_use) = row;
    Ok(BillingProperty {
        id,
        district: u16::try_from(district).map_err(|_| corrupt("district"))?,
        land_area: Area::from_centi_m2(u64::try_from(land).map_err(|_| corrupt("area"))?),
        built_area: Area::from_centi_m2(u64::try_from(built).map_err(|_| corrupt("area"))?),
        property_use: PropertyUse::parse(&property_use).ok_or_else(|| corrupt("property use"))?,
        arrears_rials: u64::try_from(arrears).unwrap_or(0),
    })
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A bill a payment names: its row and what decides the payment.
pub(crate) type FoundBill = (i64, BillFacts);

/// A settlement row to record, with what became of it. An `Applied` row with a bill row
/// is what makes that bill paid.
pub(crate) struct PaymentRecord<'a> {
    pub payment: &'a IncomingPayment,
    pub bill_row: Option<i64>,
    pub outcome: PaymentOutcome,
}

impl PaymentRecord<'_> {
    /// The bill this row pays, if it pays one.
    pub(crate) fn pays(&self) -> Option<i64> {
        self.bill_row
            .filter(|_| self.outcome == PaymentOutcome::Applied)
    }
}

/// The payments' positions in barcode order, and in the order given among equal barcodes.
///
/// A bank's file comes in the order people paid, random with respect to the bills, which
/// were written (and so are stored) in barcode order: visited in file order, every bill is
/// on a different page; in barcode order, neighbours share pages (docs/PERFORMANCE.md).
pub(crate) fn barcode_order(payments: &[IncomingPayment]) -> Vec<usize> {
    // 26 digits fit a u128, and fixed-width digits sort as their numbers do.
    let mut keyed: Vec<(u128, usize)> = payments
        .iter()
        .enumerate()
        .map(|(index, p)| (p.barcode.as_str().parse().unwrap_or(u128::MAX), index))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, index)| index).collect()
}

/// Decides every payment as if in the order given: a trace number that comes again is a
/// duplicate, and a bill paid by an earlier row is already paid. Both backends decide
/// through it; they differ in how they look up and write.
///
/// The rows are visited in barcode order. `find_bill` looks a bill up by barcode; `record`
/// receives each row whose trace number is new to the batch and records it, unless its
/// trace number was recorded before the batch: then it records nothing and returns false,
/// and the row is a duplicate. Returns each row's outcome, in the order given.
pub(crate) fn decide_payments<'a, E>(
    payments: &'a [IncomingPayment],
    mut find_bill: impl FnMut(&str) -> Result<Option<FoundBill>, E>,
    mut record: impl FnMut(PaymentRecord<'a>) -> Result<bool, E>,
) -> Result<Vec<PaymentOutcome>, E> {
    // A trace number's first row, in the order given, is the one that counts.
    let mut first_row: HashMap<&str, usize> = HashMap::with_capacity(payments.len());
    for (index, payment) in payments.iter().enumerate() {
        first_row
            .entry(payment.trace_number.as_str())
            .or_insert(index);
    }
    let mut outcomes = vec![PaymentOutcome::Duplicate; payments.len()];
    // Rows of one bill are neighbours in barcode order, in the order given.
    let mut current: Option<(&str, Option<FoundBill>)> = None;
    for index in barcode_order(payments) {
        let payment = &payments[index];
        let barcode = payment.barcode.as_str();
        let mut bill = match current {
            Some((last, bill)) if last == barcode => bill,
            _ => find_bill(barcode)?,
        };
        let again_in_batch = first_row.get(payment.trace_number.as_str()) != Some(&index);
        let outcome = PaymentOutcome::decide(
            again_in_batch,
            bill.map(|(_, facts)| facts),
            payment.amount_rials,
        );
        let row = PaymentRecord {
            payment,
            bill_row: bill.map(|(id, _)| id),
            outcome,
        };
        let pays = row.pays();
        if outcome != PaymentOutcome::Duplicate && record(row)? {
            outcomes[index] = outcome;
            if pays.is_some() {
                bill = bill.map(|(id, facts)| {
                    (
                        id,
                        BillFacts {
                            paid: true,
                            ..facts
                        },
                    )
                });
            }
        }
        current = Some((barcode, bill));
    }
    Ok(outcomes)
}
