//! `daftar payments import`: the bank's settlement file.

use daftar_core::billing::{PaymentOutcome, parse_paid_at};
use daftar_core::ir::{Barcode, BillId, PaymentId};
use daftar_store::{IncomingPayment, PaymentReport, Store};
use jiff::Timestamp;

use super::{check_header, reader};

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

/// The outcome of each row, by its line.
#[derive(Debug, Default)]
pub struct PaymentImport {
    pub lines: Vec<u64>,
    pub report: PaymentReport,
}

impl PaymentImport {
    /// The lines of the rows with this outcome.
    pub fn lines_with(&self, outcome: PaymentOutcome) -> Vec<u64> {
        self.lines
            .iter()
            .zip(&self.report.outcomes)
            .filter(|(_, o)| **o == outcome)
            .map(|(line, _)| *line)
            .collect()
    }
}

/// Reads the whole file first: a row that does not parse refuses the file, so nothing is
/// half-applied. Then records every row in one transaction.
pub async fn import_payments(
    store: &dyn Store,
    text: &str,
    source: &str,
) -> anyhow::Result<Result<PaymentImport, PaymentFileError>> {
    let mut csv = reader(text);
    if let Err(reason) = check_header(&mut csv, &PAYMENT_HEADER) {
        return Ok(Err(PaymentFileError { line: 1, reason }));
    }
    let mut payments = Vec::new();
    let mut lines = Vec::new();
    for (index, row) in csv.records().enumerate() {
        let line = index as u64 + 2;
        match row
            .map_err(|e| format!("unreadable row: {e}"))
            .and_then(|row| parse_row(&row))
        {
            Ok(payment) => {
                payments.push(payment);
                lines.push(line);
            }
            Err(reason) => return Ok(Err(PaymentFileError { line, reason })),
        }
    }
    let report = store
        .record_payments(&payments, source, Timestamp::now())
        .await?;
    Ok(Ok(PaymentImport { lines, report }))
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
