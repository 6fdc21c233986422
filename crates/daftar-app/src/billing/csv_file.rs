//! What the batch files have in common: CSV with a fixed header, a file whose header is
//! wrong refused whole, and refused rows reported by their line.

/// A row refused, by its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

/// Checks that a CSV file starts with exactly `expected` as its header.
pub(super) fn check_header(
    reader: &mut csv::Reader<&[u8]>,
    expected: &[&str],
) -> Result<(), String> {
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

pub(super) fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes())
}
