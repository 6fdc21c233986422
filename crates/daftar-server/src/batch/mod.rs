//! The office's batch work, shared by the CLI, the demo and the benchmarks: importing the
//! property register, issuing a year's bills, exporting them for the bank and the print
//! house, and importing the bank's settlement file.
//!
//! Files are CSV with a fixed header. A file whose header is wrong is refused whole.

mod bills;
mod payments;
mod properties;

pub use bills::{EXPORT_HEADER, IssueOptions, IssueSummary, export_bills, issue_bills};
pub use payments::{PaymentFileError, PaymentImport, import_payments};
pub use properties::{PropertyImport, import_properties};

/// A row refused, by its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

/// Checks that a CSV file starts with exactly `expected` as its header.
fn check_header(reader: &mut csv::Reader<&[u8]>, expected: &[&str]) -> Result<(), String> {
    let header = reader
        .headers()
        .map_err(|e| format!("the header cannot be read: {e}"))?;
    let found: Vec<&str> = header.iter().map(str::trim).collect();
    if found == expected {
        Ok(())
    } else {
        Err(format!(
            "the header must be {}, not {}",
            expected.join(","),
            found.join(",")
        ))
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes())
}
