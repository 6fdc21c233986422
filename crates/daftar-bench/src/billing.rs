//! Billing a year at scale, against the database's raw write rate.
//!
//! Set-up (not a target): N synthetic properties (src/register.rs), written in multi-row
//! INSERTs or, with `--setup import`, through `batch::import_properties` in files of
//! `--batch` rows. Measured, each by wall clock:
//! - the baseline: N minimal rows (`bench_baseline(id BIGINT, a TEXT, b BIGINT)`) inserted
//!   through sqlx alone, 1,000 rows per INSERT and 10,000 per transaction, which is how
//!   issuing writes bills; the scratch table is dropped after;
//! - `batch::issue_bills` with the built-in 1405 tariff;
//! - `batch::export_bills` to a file;
//! - `batch::import_payments` of a settlement file made from the export (parsing
//!   included), its rows shuffled as a bank's file is in the order people paid.

use std::fmt::Write as _;
use std::io::BufWriter;
use std::time::{Duration, Instant};

use anyhow::Context;
use daftar_app::billing::{self as batch, IssueOptions, IssueSummary};
use daftar_core::billing::{PaymentOutcome, Tariff};
use daftar_core::calendar::JalaliDate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::database::{self, Scratch};
use crate::profile;
use crate::raw::Raw;
use crate::register::{self, Register};

const YEAR: i32 = 1405;
/// The issue's targets: a million bills issued, and a million payments imported, in 10 s.
const TARGET_SECONDS_PER_MILLION: f64 = 10.0;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to run. Omitted: an SQLite file in a temporary directory.
    /// `sqlite://PATH`: that file, which must not exist yet.
    /// `postgres://USER@HOST:PORT`: a fresh database `daftar_bench_<random>` on that
    /// server. `postgres://USER@HOST:PORT/daftar_bench_NAME`: that database, which must not
    /// exist yet. The database is removed at the end unless --keep-db.
    #[arg(long)]
    database_url: Option<String>,

    /// How many properties to bill.
    #[arg(long, default_value_t = 1_000_000)]
    properties: u64,

    /// How the register is set up: `sql` writes the properties and owners in multi-row
    /// INSERTs; `import` goes through `batch::import_properties`, as `daftar properties
    /// import` does (much slower; its time is reported).
    #[arg(long, value_enum, default_value_t = Setup::Sql)]
    setup: Setup,

    /// Properties per register file (or transaction) during set-up.
    #[arg(long, default_value_t = 50_000)]
    batch: u64,

    /// The share of bills the settlement file pays, in percent.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(0..=100))]
    pay_percent: u8,

    /// Keep the database (with its properties, bills and payments) and print its URL,
    /// e.g. to serve it for bench/tracking.sh.
    #[arg(long)]
    keep_db: bool,

    /// Skip the baseline (e.g. when only setting up data).
    #[arg(long)]
    no_baseline: bool,

    /// After the benchmark, time parsing the settlement file alone, with Jalali and with
    /// ISO times (see src/profile.rs).
    #[arg(long)]
    profile: bool,

    /// Experiment, PostgreSQL only: create the database with JIT compilation off
    /// (`ALTER DATABASE … SET jit = off`) before the store connects, to measure what JIT
    /// costs the billing queries.
    #[arg(long)]
    postgres_jit_off: bool,

    /// Seed of the synthetic register.
    #[arg(long, default_value_t = 1405)]
    seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Setup {
    Sql,
    Import,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.database_url.as_deref()).await?;
    let result = bench(&args, &scratch).await;
    scratch.keep_or_remove(args.keep_db).await?;
    result
}

#[derive(Debug)]
struct Row {
    step: &'static str,
    rows: u64,
    elapsed: Duration,
}

impl Row {
    fn rate(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64()
    }
}

async fn bench(args: &Args, scratch: &Scratch) -> anyhow::Result<()> {
    let n = args.properties;
    anyhow::ensure!(n > 0, "--properties must be at least 1");
    let load_before = load_average();
    let mut jit_note = "";
    if args.postgres_jit_off {
        let Scratch::Postgres { url } = scratch else {
            anyhow::bail!("--postgres-jit-off is for PostgreSQL");
        };
        database::create_postgres(url).await?;
        database::set_jit_off(url).await?;
        jit_note = " (experiment: jit = off)";
    }
    let store = daftar_store::open(scratch.url()).await?;
    let files = tempfile::Builder::new()
        .prefix("daftar-bench-files-")
        .tempdir()?;
    let mut rows = Vec::new();

    let raw = Raw::open(scratch.url()).await?;
    let version = raw.version().await?;

    // Set-up: the register.
    eprintln!("Setting up {n} properties...");
    let started = Instant::now();
    let mut register = Register::new(args.seed);
    let mut done = 0;
    while done < n {
        let count = args.batch.max(1).min(n - done);
        let properties = register.properties(count);
        match args.setup {
            Setup::Sql => raw.insert_register(&properties).await?,
            Setup::Import => {
                let csv = register::csv(&properties);
                let import = batch::import_properties(store.as_ref(), &csv).await?;
                anyhow::ensure!(
                    import.rejected.is_empty(),
                    "the synthetic register has bad rows: {:?}",
                    &import.rejected[..import.rejected.len().min(5)]
                );
            }
        }
        done += count;
        eprintln!("  {done} properties");
    }
    let setup = Row {
        step: match args.setup {
            Setup::Sql => "set-up: the register in multi-row INSERTs (sqlx alone), not a target",
            Setup::Import => {
                "set-up: import the register (`batch::import_properties`), not a target"
            }
        },
        rows: n,
        elapsed: started.elapsed(),
    };

    let baseline = if args.no_baseline {
        None
    } else {
        eprintln!("Baseline: inserting {n} minimal rows...");
        Some(raw.baseline(n).await?)
    };
    raw.close().await;
    if let Some(elapsed) = baseline {
        rows.push(Row {
            step: "baseline: INSERT minimal rows, 1,000 per statement, 10,000 per transaction (sqlx alone)",
            rows: n,
            elapsed,
        });
    }

    // Issuing.
    eprintln!("Issuing the {YEAR} bills...");
    let tariff = Tariff::built_in(YEAR).context("no built-in tariff for 1405")??;
    let options = IssueOptions {
        year: YEAR,
        district: None,
        due_date: JalaliDate::new(YEAR, 3, 31)?,
        company_code: 101,
    };
    let started = Instant::now();
    let summary = batch::issue_bills(store.as_ref(), &tariff, &options, &|_| {}).await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        summary.properties == n && summary.issued + summary.nothing_owed == n,
        "issuing went wrong: {summary:?}"
    );
    rows.push(Row {
        step: "issue the year's bills (`batch::issue_bills`)",
        rows: summary.issued,
        elapsed,
    });

    // Exporting.
    eprintln!("Exporting them...");
    let export_path = files.path().join("bills.csv");
    let started = Instant::now();
    let mut out = BufWriter::new(std::fs::File::create(&export_path)?);
    let exported = batch::export_bills(store.as_ref(), YEAR, None, &mut out).await?;
    drop(out);
    let elapsed = started.elapsed();
    anyhow::ensure!(exported == summary.issued, "exported {exported} bills");
    rows.push(Row {
        step: "export them to a file (`batch::export_bills`)",
        rows: exported,
        elapsed,
    });

    // The bank pays them.
    let export = std::fs::read_to_string(&export_path)?;
    let settlement = settlement_file(&export, args.pay_percent, args.seed);
    let payment_rows = settlement.lines().count() as u64 - 1;
    if payment_rows > 0 {
        eprintln!("Importing {payment_rows} payments...");
        let started = Instant::now();
        let import = batch::import_payments(store.as_ref(), &settlement, "daftar-bench")
            .await?
            .map_err(|e| anyhow::anyhow!("the settlement file was refused: {e}"))?;
        let elapsed = started.elapsed();
        let applied = import.report.count(PaymentOutcome::Applied) as u64;
        anyhow::ensure!(
            applied == payment_rows,
            "{applied} of {payment_rows} payments applied"
        );
        rows.push(Row {
            step: "import the bank's payments (`batch::import_payments`)",
            rows: payment_rows,
            elapsed,
        });
    }
    let mut profiled = String::new();
    if args.profile {
        eprintln!("Profiling: parsing the settlement file alone...");
        let parsing = profile::parsing(store.as_ref(), &settlement).await?;
        let _ = writeln!(
            profiled,
            "\nParsing the settlement file alone (`import_payments` on it with a bad last row): {:.2} s for {} rows.",
            parsing.as_secs_f64(),
            thousands(payment_rows)
        );
        let iso = profile::parsing(store.as_ref(), &profile::with_iso_times(&settlement)).await?;
        let _ = writeln!(
            profiled,
            "The same file with ISO `paid_at` times instead of Jalali ones: {:.2} s.",
            iso.as_secs_f64()
        );
    }
    store.close().await;

    rows.push(setup);
    let context = format!(
        "{version}{jit_note}, {} properties ({} bills, {} owe nothing), {} cores, load average {load_before} before and {} after.",
        thousands(n),
        thousands(summary.issued),
        thousands(summary.nothing_owed),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
    );
    print!(
        "{}{profiled}",
        report(&context, &rows, baseline.map(|b| (n, b)), &summary)
    );
    Ok(())
}

/// The bank's settlement file for `percent` of the exported bills, each paid in full with
/// a unique trace number at a Jalali time in Tehran, in shuffled order.
fn settlement_file(export: &str, percent: u8, seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5e77);
    let mut lines: Vec<String> = Vec::new();
    for line in export.lines().skip(1) {
        if rng.random_range(0..100) >= percent {
            continue;
        }
        // bill_id,payment_id,barcode,renewal_code,district,year,amount_rials,due_date
        let fields: Vec<&str> = line.split(',').collect();
        let (bill_id, payment_id, amount) = (fields[0], fields[1], fields[6]);
        let paid_at = format!(
            "1405-{:02}-{:02} {:02}:{:02}",
            rng.random_range(1..=3),
            rng.random_range(1..=31),
            rng.random_range(0..24),
            rng.random_range(0..60)
        );
        let trace = format!("BK{:010}", lines.len() + 1);
        lines.push(format!("{bill_id},{payment_id},{amount},{paid_at},{trace}"));
    }
    lines.shuffle(&mut rng);
    let mut file = String::with_capacity(lines.len() * 70 + 64);
    file.push_str("bill_id,payment_id,amount_rials,paid_at,trace_number\n");
    for line in lines {
        file.push_str(&line);
        file.push('\n');
    }
    file
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let head = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        n => n,
    };
    let mut out = digits[..head].to_owned();
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.extend(group.iter().map(|b| char::from(*b)));
    }
    out
}

/// The results as Markdown: a table of the steps, then the verdict on each target.
fn report(
    context: &str,
    rows: &[Row],
    baseline: Option<(u64, Duration)>,
    summary: &IssueSummary,
) -> String {
    let baseline_rate = baseline.map(|(n, elapsed)| n as f64 / elapsed.as_secs_f64());
    let mut out = format!("\n{context}\n\n");
    out.push_str(
        "| step | rows | seconds | rows/s | of the baseline's rate | time per 1,000,000 rows |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    for row in rows {
        let relative = match baseline_rate {
            Some(base) => format!("{:.0}%", 100.0 * row.rate() / base),
            None => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {} | {relative} | {:.1} s |",
            row.step,
            thousands(row.rows),
            row.elapsed.as_secs_f64(),
            thousands(row.rate() as u64),
            1_000_000.0 / row.rate(),
        );
    }
    out.push('\n');
    for (key, what) in [
        ("issue_bills", "issuing bills"),
        ("import_payments", "importing payments"),
    ] {
        let Some(row) = rows.iter().find(|r| r.step.contains(key)) else {
            continue;
        };
        let per_million = 1_000_000.0 / row.rate();
        let verdict = if per_million <= TARGET_SECONDS_PER_MILLION {
            "met"
        } else {
            "missed"
        };
        let _ = writeln!(
            out,
            "Target for {what}, 1,000,000 in ≤ {TARGET_SECONDS_PER_MILLION:.0} s: {verdict} ({per_million:.1} s per 1,000,000 at this rate)."
        );
    }
    if summary.already_issued > 0 {
        let _ = writeln!(
            out,
            "{} bills were already issued.",
            thousands(summary.already_issued)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        for (value, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (994_996, "994,996"),
        ] {
            assert_eq!(super::thousands(value), text);
        }
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
