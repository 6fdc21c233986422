//! `daftar report usage`: the operator-usage report of an office for a day or any Jalali
//! period, as CSV or XLSX, to a file or standard output (CSV only), with a progress line
//! on standard error.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use daftar_app::Config;
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::OfficeCode;
use indicatif::{ProgressBar, ProgressStyle};

use crate::open_store;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// How the office's staff used the desk from one Jalali day to another (both
    /// included): per staff member, unit and the office, sign-ins, active time, actions by
    /// kind and service, cases closed, the median wait to act, overdue tasks held. Read
    /// from the case history and sign-ins, never from logs.
    Usage {
        #[command(flatten)]
        config: Config,
        /// The first day, `1405-09-01` (Persian digits too).
        #[arg(long)]
        from: String,
        /// The last day, included.
        #[arg(long)]
        to: String,
        /// The office's code; may be left out when the database holds one office.
        #[arg(long)]
        office: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// The file to write; CSV goes to standard output without one.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

pub async fn run(command: ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::Usage {
        config,
        from,
        to,
        office,
        format,
        output,
    } = command;
    let day = |text: &str| {
        JalaliDate::parse(&daftar_core::fa::normalize_digits(text.trim()))
            .with_context(|| format!("{text:?} is not a Jalali day such as 1405-09-01"))
    };
    let (from, to) = (day(&from)?, day(&to)?);
    if format == Format::Xlsx && output.is_none() {
        anyhow::bail!("an XLSX report needs --output FILE");
    }
    let store = open_store(&config).await?;
    let office = match office {
        Some(code) => OfficeCode::parse(&code)
            .map_err(|_| anyhow::anyhow!("{code:?} is not an office code such as 0101"))?,
        None => {
            let offices = store.offices().await?;
            match offices.as_slice() {
                [only] => only.code.clone(),
                [] => anyhow::bail!("the database holds no office"),
                _ => anyhow::bail!("the database holds several offices: name one with --office"),
            }
        }
    };
    let services = daftar_app::Services::new(&config, store)?;
    let bar = ProgressBar::new(3).with_style(
        ProgressStyle::with_template("{bar:20} {pos}/{len} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("reading the case history and the sign-ins");
    let report = services.usage.report_for(&office, from, to).await?;
    bar.inc(1);
    bar.set_message("writing the report");
    let bytes = match format {
        Format::Csv => services.usage.to_csv(&report)?.into_bytes(),
        Format::Xlsx => services.usage.to_xlsx(&report)?,
    };
    bar.inc(1);
    match &output {
        Some(path) => {
            // Written whole, then renamed: a reader never sees half a report.
            let mut partial = path.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            std::fs::write(&partial, &bytes)
                .with_context(|| format!("could not write {}", partial.display()))?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    bar.inc(1);
    bar.finish_and_clear();
    if let Some(path) = output {
        eprintln!(
            "{}: {} to {}, {} staff, {} actions.",
            path.display(),
            from.iso_jalali(),
            to.iso_jalali(),
            report.staff.len(),
            report.office.actions
        );
    }
    Ok(())
}
