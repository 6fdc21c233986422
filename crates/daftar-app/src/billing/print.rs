//! Printing a year's bills for the print house: PDFs of [`BILLS_PER_FILE`] bills each, a
//! page a bill, rendered on every core: the renewal-toll and waste bills still to pay (a
//! cancelled or paid bill, or a case's own bill of fines or fees, is not sent out). A
//! file is written whole under another name, synced and then renamed, so a run stopped
//! midway leaves only whole files. A file's name carries a digest of the bills it holds:
//! the next run keeps a file whose bills are the same and writes the rest, and a batch
//! whose bills changed meanwhile is written anew (its old file is removed).

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

/// The last period a renewal bill takes; a case's own bills (fines, fees) take 10 on.
const LAST_RENEWAL_PERIOD: u8 = 9;

/// The start of a batch's file name: `bills-1405-all-00001`, `bills-1405-d03-00001`.
fn batch_stem(year: i32, district: Option<u16>, index: usize) -> String {
    let scope = district.map_or_else(|| "all".to_owned(), |d| format!("d{d:02}"));
    format!("bills-{year}-{scope}-{:05}", index + 1)
}

/// The file a batch of bills goes to: its stem and a digest of its bills' IDs
/// (`bills-1405-all-00001-3f2a9c1e.pdf`).
pub fn batch_file(
    dir: &Path,
    year: i32,
    district: Option<u16>,
    index: usize,
    bills: &[BillView],
) -> PathBuf {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for bill in bills {
        digest.update(bill.bill_id.as_bytes());
        digest.update(b",");
        digest.update(bill.payment_id.as_bytes());
        digest.update(b"\n");
    }
    let digest = hex::encode(&digest.finalize()[..4]);
    dir.join(format!(
        "{}-{digest}.pdf",
        batch_stem(year, district, index)
    ))
}

/// Whether a bill goes to the print house.
fn printed(bill: &BillView) -> bool {
    !bill.cancelled && bill.paid_at.is_none() && bill.period <= LAST_RENEWAL_PERIOD
}

/// Removes the files of batch `index` other than `keep` (written for bills since changed).
fn remove_stale(dir: &Path, year: i32, district: Option<u16>, index: usize, keep: &Path) {
    let stem = batch_stem(year, district, index);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path != keep && name.starts_with(&format!("{stem}-")) && name.ends_with(".pdf") {
            let _ = std::fs::remove_file(&path);
        }
    }
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
            if !printed(&bill) {
                continue;
            }
            batch.push(bill);
            if batch.len() == BILLS_PER_FILE {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BILLS_PER_FILE));
                let path = batch_file(dir, year, district, index, &full);
                remove_stale(dir, year, district, index, &path);
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
        let path = batch_file(dir, year, district, index, &batch);
        remove_stale(dir, year, district, index, &path);
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
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&partial)?;
            file.write_all(&pdf)?;
            file.sync_all()?;
        }
        std::fs::rename(&partial, &path)?;
        // The rename itself lasts once the directory is synced.
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
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
