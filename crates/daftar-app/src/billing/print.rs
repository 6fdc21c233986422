//! Printing a year's bills for the print house: PDFs of [`BILLS_PER_FILE`] bills each, a
//! page a bill, rendered on every core. A file is written whole under another name and
//! then renamed, so a run stopped midway leaves only whole files, and the next run writes
//! only the files that are missing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use daftar_store::{BillView, BillingStore};

use crate::issued::typeset::Typesetter;

/// Bills in one file: a print house's batch.
pub const BILLS_PER_FILE: usize = 500;
const PAGE: i64 = 50_000;

/// What a print run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrintReport {
    pub bills: u64,
    pub files_written: u64,
    /// Files a run before this one wrote whole.
    pub files_kept: u64,
}

/// The file a batch goes to: `bills-1405-all-00001.pdf`, `bills-1405-d03-00001.pdf`.
pub fn batch_file(dir: &Path, year: i32, district: Option<u16>, index: usize) -> PathBuf {
    let scope = district.map_or_else(|| "all".to_owned(), |d| format!("d{d:02}"));
    dir.join(format!("bills-{year}-{scope}-{:05}.pdf", index + 1))
}

/// Writes the year's bills (of one district, or all) into `dir` as PDFs; `progress` is
/// told each batch's bill count as it is done (written or kept). Bills go in the order
/// they were issued, so the same bills make the same files.
pub async fn print_bills(
    store: &dyn BillingStore,
    typesetter: &Typesetter,
    year: i32,
    district: Option<u16>,
    dir: &Path,
    base_url: &str,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> anyhow::Result<PrintReport> {
    std::fs::create_dir_all(dir)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut running = tokio::task::JoinSet::new();
    let mut report = PrintReport::default();
    let mut batch: Vec<BillView> = Vec::with_capacity(BILLS_PER_FILE);
    let mut index = 0;
    let mut after = 0;
    loop {
        let page = store.bills_page(year, district, after, PAGE).await?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        for (_, bill) in page {
            batch.push(bill);
            if batch.len() == BILLS_PER_FILE {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BILLS_PER_FILE));
                let path = batch_file(dir, year, district, index);
                index += 1;
                report.bills += full.len() as u64;
                if path.exists() {
                    report.files_kept += 1;
                    progress(full.len() as u64);
                    continue;
                }
                while running.len() >= workers {
                    finished(&mut running, &mut report).await?;
                }
                spawn(
                    &mut running,
                    typesetter,
                    full,
                    path,
                    base_url,
                    progress.clone(),
                );
            }
        }
    }
    if !batch.is_empty() {
        let path = batch_file(dir, year, district, index);
        report.bills += batch.len() as u64;
        if path.exists() {
            report.files_kept += 1;
            progress(batch.len() as u64);
        } else {
            spawn(
                &mut running,
                typesetter,
                batch,
                path,
                base_url,
                progress.clone(),
            );
        }
    }
    while !running.is_empty() {
        finished(&mut running, &mut report).await?;
    }
    Ok(report)
}

fn spawn(
    running: &mut tokio::task::JoinSet<anyhow::Result<()>>,
    typesetter: &Typesetter,
    bills: Vec<BillView>,
    path: PathBuf,
    base_url: &str,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) {
    let typesetter = typesetter.clone();
    let base_url = base_url.to_owned();
    running.spawn_blocking(move || {
        let pdf = crate::issued::pdf::bills_pdf(&typesetter, &bills, &base_url)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let partial = path.with_extension("pdf.partial");
        std::fs::write(&partial, pdf)?;
        std::fs::rename(&partial, &path)?;
        progress(bills.len() as u64);
        Ok(())
    });
}

async fn finished(
    running: &mut tokio::task::JoinSet<anyhow::Result<()>>,
    report: &mut PrintReport,
) -> anyhow::Result<()> {
    if let Some(done) = running.join_next().await {
        done??;
        report.files_written += 1;
    }
    Ok(())
}
