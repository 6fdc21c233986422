//! `daftar-bench`: Daftar's benchmarks. What each measures, how to run it and the results
//! are in docs/PERFORMANCE.md; the scripts under bench/ drive this binary.

mod bare;
mod billing;
mod cases;
mod database;
mod documents;
mod open311;
mod profile;
mod raw;
mod register;
mod survey;
mod usage;
mod violation;
mod zoning;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The same allocator as `daftar`, so the bare handler is measured on equal terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Daftar's benchmarks (see docs/PERFORMANCE.md).
#[derive(Debug, Parser)]
#[command(name = "daftar-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bill a year at scale: set up N synthetic properties (not measured), then measure
    /// issuing their bills, exporting them and importing the bank's payments, against the
    /// database's raw rate of inserting N minimal rows, in the same run on the same
    /// database. Prints a Markdown table.
    Billing(billing::Args),
    /// Durable case transitions per second against the raw single-row commit rate, and
    /// work-queue listings over a million open cases. Prints Markdown tables.
    Cases(cases::Args),
    /// A bare axum server whose one handler answers GET /api/v1/bills/track with a small
    /// fixed JSON object: the baseline of the tracking benchmark (bench/tracking.sh).
    Bare {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: SocketAddr,
    },
    /// The bare server again, taking `daftar serve`'s flags (all but --addr ignored), so
    /// that `bench/serve-until-healthy.sh target/release/daftar-bench` measures what
    /// starting a server costs without Daftar's own work (bench/startup.sh).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        addr: SocketAddr,
        /// Ignored.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Ignored.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The zoning look-up by point over a synthetic map (100,000 polygons by default)
    /// through the R-tree, against testing every polygon; and importing the map into a
    /// database. Prints Markdown tables.
    Zoning(zoning::Args),
    /// The survey results benchmark's set-up (bench/surveys.sh): N closed cases with a
    /// survey response each over the months of 1405, and their month tallies. Prints the
    /// month to ask for.
    Surveys(survey::Args),
    /// The Open311 list benchmark's set-up (bench/open311.sh): N complaints, each a case
    /// with its register row, filed over the last 360 days.
    Open311(open311::Args),
    /// The operator-usage report for a month over 10,000,000 history rows, against
    /// reading the month's history rows alone. Prints a Markdown table.
    Usage(usage::Args),
    /// Computing a 10-floor sketch's violations against checking the sketch, and the
    /// violation-review queue over 100,000 open violation cases against a queue of cases
    /// without. Prints Markdown tables.
    Violations(violation::Args),
    /// Rendering and signing a certificate's PDF, one at a time and on every core,
    /// against signing alone and a one-line Typst page; or, with `--issue-into`, the setup
    /// of bench/verify.sh. Prints a Markdown table.
    Documents(documents::Args),
    /// Scratch PostgreSQL databases for the scripts. Only databases whose name starts
    /// with `daftar_bench` are touched.
    Database {
        #[command(subcommand)]
        command: DatabaseCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DatabaseCommand {
    /// Drop the database if it exists and create it empty.
    Recreate {
        /// postgres://USER@HOST:PORT/daftar_bench_NAME
        url: String,
    },
    /// Drop the database if it exists (closing its connections).
    Drop {
        /// postgres://USER@HOST:PORT/daftar_bench_NAME
        url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Billing(args) => billing::run(args).await,
        Command::Cases(args) => cases::run(args).await,
        Command::Zoning(args) => zoning::run(args).await,
        Command::Surveys(args) => survey::run(args).await,
        Command::Open311(args) => open311::run(args).await,
        Command::Usage(args) => usage::run(args).await,
        Command::Violations(args) => violation::run(args).await,
        Command::Documents(args) => documents::run(args).await,
        Command::Bare { addr } | Command::Serve { addr, .. } => bare::serve(addr).await,
        Command::Database {
            command: DatabaseCommand::Recreate { url },
        } => {
            database::drop_postgres(&url).await?;
            database::create_postgres(&url).await
        }
        Command::Database {
            command: DatabaseCommand::Drop { url },
        } => database::drop_postgres(&url).await,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
