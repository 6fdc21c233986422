//! The batch subcommands: read the file, run the use case, print a report.

use std::path::Path;

use anyhow::Context;
use daftar_app::Config;
use daftar_app::billing::{self, IssueOptions};
use daftar_core::billing::{PaymentOutcome, Tariff};
use daftar_core::calendar::JalaliDate;
use indicatif::{ProgressBar, ProgressStyle};

use crate::open_store;

fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))
}

pub async fn import_properties(config: &Config, file: &Path) -> anyhow::Result<()> {
    let text = read(file)?;
    let store = open_store(config).await?;
    let import = billing::import_properties(store.as_ref(), &text)
        .await
        .with_context(|| format!("{} was not imported", file.display()))?;
    for row in &import.rejected {
        println!("line {}: {}", row.line, row.reason);
    }
    println!(
        "{} properties added, {} updated, {} rows refused.",
        import.counts.inserted,
        import.counts.updated,
        import.rejected.len()
    );
    Ok(())
}

pub async fn issue_bills(
    config: &Config,
    year: i32,
    district: Option<u16>,
    due_date: Option<JalaliDate>,
    tariff_file: Option<&Path>,
) -> anyhow::Result<()> {
    let tariff = match tariff_file {
        Some(file) => Tariff::parse(&file.display().to_string(), &read(file)?)?,
        None => Tariff::built_in(year).ok_or_else(|| {
            anyhow::anyhow!("there is no built-in tariff for {year}; give one with --tariff")
        })??,
    };
    let due_date = match due_date {
        Some(date) => date,
        None => JalaliDate::new(year, 3, 31)?,
    };
    let options = IssueOptions {
        year,
        district,
        due_date,
        company_code: config.company_code,
    };
    let store = open_store(config).await?;
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} properties, {per_sec} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let summary = billing::issue_bills(store.as_ref(), &tariff, &options, &|done| {
        bar.set_position(done)
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "{year}: {} properties, {} bills issued, {} already issued, {} owe nothing.",
        summary.properties, summary.issued, summary.already_issued, summary.nothing_owed
    );
    Ok(())
}

pub async fn export_bills(
    config: &Config,
    year: i32,
    district: Option<u16>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let written = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("could not create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let written = billing::export_bills(store.as_ref(), year, district, &mut out).await?;
            eprintln!("{written} bills written to {}.", path.display());
            written
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout());
            billing::export_bills(store.as_ref(), year, district, &mut out).await?
        }
    };
    tracing::info!(bills.exported = written, "Exported bills.");
    Ok(())
}

pub async fn print_bills(
    config: &Config,
    year: i32,
    district: Option<u16>,
    output: &Path,
) -> anyhow::Result<()> {
    let base_url = config.public_url.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "give --public-url (the address citizens reach Daftar at): each bill's QR code leads to its tracking page there"
        )
    })?;
    let typesetter = daftar_app::issued::typeset::Typesetter::from_config(config)?;
    let store = open_store(config).await?;
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} bills printed, {per_sec} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let counter = bar.clone();
    let started = std::time::Instant::now();
    let report = billing::print_bills(
        store.as_ref(),
        &typesetter,
        year,
        district,
        output,
        base_url,
        std::sync::Arc::new(move |bills| counter.inc(bills)),
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "{} bills in {} files: {} written, {} kept from an earlier run ({:.1} s).",
        report.bills,
        report.files_written + report.files_kept,
        report.files_written,
        report.files_kept,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn import_payments(config: &Config, file: &Path) -> anyhow::Result<()> {
    let text = read(file)?;
    let store = open_store(config).await?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let import = match billing::import_payments(store.as_ref(), &text, &source).await? {
        Ok(import) => import,
        Err(refused) => anyhow::bail!(
            "{} was refused, and nothing of it applied: {refused}",
            file.display()
        ),
    };
    let outcomes = [
        (PaymentOutcome::Applied, "paid"),
        (PaymentOutcome::Unmatched, "unmatched (no such bill)"),
        (PaymentOutcome::AmountMismatch, "amount mismatched"),
        (PaymentOutcome::Duplicate, "duplicate trace number"),
        (PaymentOutcome::AlreadyPaid, "already paid"),
        (PaymentOutcome::BillCancelled, "bill cancelled"),
    ];
    for (outcome, label) in outcomes {
        let lines = import.lines_with(outcome);
        if lines.is_empty() {
            continue;
        }
        if outcome == PaymentOutcome::Applied {
            println!("{label}: {}", lines.len());
        } else {
            let shown: Vec<String> = lines.iter().take(50).map(u64::to_string).collect();
            let more = if lines.len() > 50 {
                format!(" and {} more", lines.len() - 50)
            } else {
                String::new()
            };
            println!(
                "{label}: {} — lines {}{more}",
                lines.len(),
                shown.join(", ")
            );
        }
    }
    Ok(())
}
