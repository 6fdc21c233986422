//! `billing --profile`: how much of importing payments is parsing the file, measured after
//! the benchmark's steps on the same database. `batch::import_payments` on the same file
//! with a bad last row parses every row, then refuses the file and writes nothing; again
//! with ISO `paid_at` times instead of Jalali ones. Where the rest goes is for a profiler
//! (docs/PERFORMANCE.md shows how).

use std::time::{Duration, Instant};

use daftar_app::billing as batch;
use daftar_store::Store;

/// The settlement file with each Jalali `paid_at` (`1405-MM-DD HH:MM`, Tehran) replaced by
/// an ISO one (`2026-MM-DDTHH:MM:00Z`, not the same instant: for timing the parser only).
pub fn with_iso_times(settlement: &str) -> String {
    let mut out = String::with_capacity(settlement.len() + settlement.len() / 8);
    for (i, line) in settlement.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if i == 0 || fields.len() != 5 {
            out.push_str(line);
        } else {
            let jalali = fields[3];
            let month: u32 = jalali.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
            let day: u32 = jalali.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
            let time = jalali.get(11..16).unwrap_or("10:00");
            out.push_str(&format!(
                "{},{},{},2026-{:02}-{:02}T{time}:00Z,{}",
                fields[0],
                fields[1],
                fields[2],
                month + 3,
                day.min(28),
                fields[4]
            ));
        }
        out.push('\n');
    }
    out
}

/// The time `import_payments` takes to read and parse `settlement` without writing.
pub async fn parsing(store: &dyn Store, settlement: &str) -> anyhow::Result<Duration> {
    let mut refused = String::with_capacity(settlement.len() + 16);
    refused.push_str(settlement);
    refused.push_str("not,a,payment,row,x\n");
    let started = Instant::now();
    let outcome = batch::import_payments(store, &refused, "daftar-bench-profile").await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(outcome.is_err(), "the refused file was accepted");
    Ok(elapsed)
}
