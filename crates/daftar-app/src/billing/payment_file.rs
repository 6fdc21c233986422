//! `daftar payments import`: the bank's settlement file.

use daftar_core::billing::{PaymentOutcome, parse_paid_at};
use daftar_core::ir::{Barcode, BillId, PaymentId};
use daftar_store::{BillingStore, IncomingPayment, PaymentReport};
use jiff::Timestamp;

use super::csv_file::{check_header, reader};

pub const PAYMENT_HEADER: [&str; 5] = [
    "bill_id",
    "payment_id",
    "amount_rials",
    "paid_at",
    "trace_number",
];

/// Why a file was refused whole: nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct PaymentFileError {
    pub line: u64,
    pub reason: String,
}

/// The outcome of each row, in the file's order: every row of an accepted file is a
/// payment, so the row at index `i` is on line `i + 2`, after the header.
#[derive(Debug, Default)]
pub struct PaymentImport {
    pub report: PaymentReport,
}

impl PaymentImport {
    /// The lines of the rows with this outcome.
    pub fn lines_with(&self, outcome: PaymentOutcome) -> Vec<u64> {
        (2..)
            .zip(&self.report.outcomes)
            .filter(|(_, o)| **o == outcome)
            .map(|(line, _)| line)
            .collect()
    }
}

/// Reads the whole file first: a row that does not parse refuses the file, so nothing is
/// half-applied. Then records every row in one transaction. Parsing a large file keeps the
/// calling thread (and the machine's other cores) busy for a moment.
pub async fn import_payments(
    store: &dyn BillingStore,
    text: &str,
    source: &str,
) -> anyhow::Result<Result<PaymentImport, PaymentFileError>> {
    let mut csv = reader(text);
    if let Err(reason) = check_header(&mut csv, &PAYMENT_HEADER) {
        return Ok(Err(PaymentFileError { line: 1, reason }));
    }
    let mut rows = Vec::new();
    let mut unreadable = None;
    for (index, row) in csv.records().enumerate() {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => {
                let reason = format!("unreadable row: {e}");
                unreadable = Some(PaymentFileError {
                    line: index as u64 + 2,
                    reason,
                });
                break;
            }
        }
    }
    // The first bad line is reported, whether it does not parse or cannot be read.
    let payments = match (parse_rows(&rows), unreadable) {
        (Err(error), _) | (Ok(_), Some(error)) => return Ok(Err(error)),
        (Ok(payments), None) => payments,
    };
    drop(rows);
    let report = store
        .record_payments(payments, source, Timestamp::now())
        .await?;
    Ok(Ok(PaymentImport { report }))
}

/// Parses the rows on every core, a contiguous share each: a million rows take seconds on
/// one. The error is the first bad row's, as if parsed in turn.
fn parse_rows(rows: &[csv::StringRecord]) -> Result<Vec<IncomingPayment>, PaymentFileError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = rows.len().div_ceil(threads).max(1);
    let parsed: Vec<Result<Vec<IncomingPayment>, PaymentFileError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(share)
            .enumerate()
            .map(|(part, chunk)| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(index, row)| {
                            parse_row(row).map_err(|reason| PaymentFileError {
                                line: (part * share + index) as u64 + 2,
                                reason,
                            })
                        })
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut payments = Vec::with_capacity(rows.len());
    for part in parsed {
        payments.extend(part?);
    }
    Ok(payments)
}

fn parse_row(row: &csv::StringRecord) -> Result<IncomingPayment, String> {
    if row.len() != PAYMENT_HEADER.len() {
        return Err(format!(
            "expected {} fields, found {}",
            PAYMENT_HEADER.len(),
            row.len()
        ));
    }
    let field = |index: usize| row.get(index).unwrap_or("");
    let bill = BillId::parse(field(0)).map_err(|e| format!("bill_id: {e}"))?;
    let payment = PaymentId::parse(field(1)).map_err(|e| format!("payment_id: {e}"))?;
    let barcode = Barcode::new(&bill, &payment).map_err(|e| format!("payment_id: {e}"))?;
    let amount_rials: u64 = daftar_core::fa::normalize_digits(field(2))
        .parse()
        .map_err(|_| "amount_rials is not a whole number of rials".to_owned())?;
    let paid_at = parse_paid_at(field(3)).map_err(|e| format!("paid_at: {e}"))?;
    let trace_number = field(4).to_owned();
    if trace_number.is_empty() || trace_number.len() > 64 {
        return Err("trace_number must be 1 to 64 characters".into());
    }
    Ok(IncomingPayment {
        barcode,
        amount_rials,
        paid_at,
        trace_number,
    })
}
