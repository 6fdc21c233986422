//! The `daftar` program: one binary for the server and the office's batch work.

mod backup_cli;
mod batch_cli;
mod documents_cli;
mod office_cli;
mod open311_cli;
mod progress;
mod property_cli;
mod report_cli;
mod zoning_cli;

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use daftar_app::{Config, demo};
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::Mobile;
use daftar_core::roles::{OfficeCode, Role};
use daftar_server::AppState;
use daftar_store::NewStaff;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: a request allocates and frees dozens of small
/// buffers, and glibc's malloc was a tenth of the server's time under load
/// (docs/PERFORMANCE.md, tracking).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Daftar runs a municipality's electronic city-services office.
#[derive(Debug, Parser)]
#[command(name = "daftar", version, about)]
struct Cli {
    /// How log lines are written to standard error: text (coloured on a terminal) or json,
    /// one object a line, for log collectors.
    #[arg(long, global = true, env = "DAFTAR_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the public desk, the back office and the API.
    Serve {
        #[command(flatten)]
        config: Config,
        /// Load the demo office, staff and citizens before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the database schema, then exit.
    Migrate {
        #[command(flatten)]
        config: Config,
    },
    /// Load the demo office, staff and citizens, then exit.
    Demo {
        #[command(flatten)]
        config: Config,
    },
    /// The city-services offices: set one up before granting roles in it.
    Office {
        #[command(subcommand)]
        command: office_cli::OfficeCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The property register.
    Properties {
        #[command(subcommand)]
        command: PropertiesCommand,
    },
    /// Renewal-toll and waste bills.
    Bills {
        #[command(subcommand)]
        command: BillsCommand,
    },
    /// The bank's settlement files.
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// The service catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Documents: checking templates, checking a PDF offline, moving uploads elsewhere.
    Documents {
        #[command(subcommand)]
        command: documents_cli::DocumentsCommand,
    },
    /// Back up the office while it works: the database (SQLite's online backup, or
    /// pg_dump), the documents and the signing key, into a new directory with a
    /// manifest of every file's SHA-256. Every write acknowledged before it began is in it.
    Backup {
        #[command(flatten)]
        config: Config,
        /// A new (or empty) directory to write the backup into.
        #[arg(long)]
        output: PathBuf,
    },
    /// Restore a backup into an empty database and data directory (the documents into
    /// --documents-url), after checking every file against the manifest; then walk the
    /// audit trail, as `daftar audit verify` does.
    Restore {
        #[command(flatten)]
        config: Config,
        /// The backup's directory, as `daftar backup` wrote it.
        dir: PathBuf,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Open311 clients' API keys.
    Open311 {
        #[command(subcommand)]
        command: open311_cli::Open311Command,
    },
    /// Reports: how the office's staff used the desk.
    Report {
        #[command(subcommand)]
        command: report_cli::ReportCommand,
    },
    /// The property files: their plots from the GIS.
    Property {
        #[command(subcommand)]
        command: property_cli::PropertyCommand,
    },
    /// The detailed plan: its zone rules and its zoning map.
    Zoning {
        #[command(subcommand)]
        command: zoning_cli::ZoningCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk every case's history as a hash chain and name the first row that does not
    /// hold (edited, removed or slipped in behind the program's back); exits 1 then.
    /// Prints a digest of every chain's head: keep it elsewhere to compare later.
    Verify {
        #[command(flatten)]
        config: Config,
    },
}

#[derive(Debug, Subcommand)]
enum PropertiesCommand {
    /// Import a register CSV (header: renewal_code,district,address,postal_code,
    /// land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share),
    /// one row per owner. Bad rows are reported and the good ones kept; importing again
    /// updates.
    Import {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum BillsCommand {
    /// Issue a year's bills for every property; running it again issues nothing twice.
    Issue {
        #[command(flatten)]
        config: Config,
        /// The Jalali year, e.g. 1405.
        #[arg(long)]
        year: i32,
        /// Only this district.
        #[arg(long)]
        district: Option<u16>,
        /// The due date, Jalali (default: the last day of the year's third month).
        #[arg(long, value_parser = parse_jalali)]
        due_date: Option<JalaliDate>,
        /// A tariff file to use instead of the built-in one for the year.
        #[arg(long)]
        tariff: Option<PathBuf>,
    },
    /// Write a year's bills as PDFs for the print house, 500 bills a file, a page a bill,
    /// with their barcodes and QR codes (to the tracking page at --public-url). A second
    /// run writes only the files that are missing.
    Print {
        #[command(flatten)]
        config: Config,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        district: Option<u16>,
        /// The directory to write into.
        #[arg(long)]
        output: PathBuf,
    },
    /// Write a year's bills as CSV for the bank and the print house.
    Export {
        #[command(flatten)]
        config: Config,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        district: Option<u16>,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum PaymentsCommand {
    /// Import the bank's settlement CSV (header: bill_id,payment_id,amount_rials,paid_at,
    /// trace_number). Idempotent on the trace number; a bad file applies nothing.
    Import {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Check a directory of service files as `serve` would load them.
    Check { dir: PathBuf },
}

fn parse_jalali(input: &str) -> Result<JalaliDate, String> {
    JalaliDate::parse(input).map_err(|e| format!("{e} (write a Jalali date like 1405-03-31)"))
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff account. The password is read from the first line of standard input.
    Add {
        #[command(flatten)]
        config: Config,
        /// The sign-in name.
        #[arg(long)]
        username: String,
        /// The name shown on pages.
        #[arg(long)]
        name: String,
        /// The mobile number notices for this staff member go to (an overdue file).
        #[arg(long, value_parser = parse_mobile)]
        mobile: Option<Mobile>,
        /// A role to grant, as OFFICE:ROLE (e.g. 0101:formation); may be repeated.
        /// A system administrator gets a second factor at once (see `user totp`).
        #[arg(long = "role", value_parser = parse_grant)]
        roles: Vec<(OfficeCode, Role)>,
    },
    /// Set up (or replace) a staff account's second factor: prints the secret and the
    /// otpauth:// address to add to an authenticator app.
    Totp {
        #[command(flatten)]
        config: Config,
        #[arg(long)]
        username: String,
        /// Remove the second factor instead (not allowed for system administrators).
        #[arg(long)]
        remove: bool,
    },
}

fn parse_mobile(input: &str) -> Result<Mobile, String> {
    Mobile::parse(input).map_err(|e| e.to_string())
}

fn parse_grant(input: &str) -> Result<(OfficeCode, Role), String> {
    let (office, role) = input
        .split_once(':')
        .ok_or_else(|| "write a role as OFFICE:ROLE, e.g. 0101:formation".to_owned())?;
    let office = OfficeCode::parse(office).map_err(|e| e.to_string())?;
    let role = Role::from_slug(role).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.slug()).collect();
        format!("unknown role {role:?}; the roles are: {}", known.join(", "))
    })?;
    Ok((office, role))
}

/// Runs the command; on failure prints one line saying what went wrong (with its causes,
/// never a backtrace) to standard error and exits with 1.
fn main() -> std::process::ExitCode {
    // Everything the program creates (the database, its journal, documents, the message
    // log with live sign-in codes) is for the account that runs it alone: 0600 and 0700.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("daftar: could not start: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("daftar: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Log lines go to standard error, so that standard output carries only a command's
/// output (a CSV, a report); colour only when standard error is a terminal.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_ansi(false).init(),
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { config, demo } => serve(config, demo).await,
        Command::Migrate { config } => {
            open_store(&config).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Demo { config } => {
            let store = open_store(&config).await?;
            demo::load(store.as_ref()).await?;
            print!("The demo is loaded.\n{}", demo::credentials());
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    config,
                    username,
                    name,
                    mobile,
                    roles,
                },
        } => add_user(config, username, name, mobile, roles).await,
        Command::User {
            command:
                UserCommand::Totp {
                    config,
                    username,
                    remove,
                },
        } => set_totp(config, &username, remove).await,
        Command::Properties {
            command: PropertiesCommand::Import { config, file },
        } => batch_cli::import_properties(&config, &file).await,
        Command::Property { command } => property_cli::run(command).await,
        Command::Zoning { command } => zoning_cli::run(command).await,
        Command::Open311 { command } => open311_cli::run(command).await,
        Command::Office { command } => office_cli::run(command).await,
        Command::Report { command } => report_cli::run(command).await,
        Command::Bills {
            command:
                BillsCommand::Issue {
                    config,
                    year,
                    district,
                    due_date,
                    tariff,
                },
        } => batch_cli::issue_bills(&config, year, district, due_date, tariff.as_deref()).await,
        Command::Bills {
            command:
                BillsCommand::Export {
                    config,
                    year,
                    district,
                    output,
                },
        } => batch_cli::export_bills(&config, year, district, output.as_deref()).await,
        Command::Bills {
            command:
                BillsCommand::Print {
                    config,
                    year,
                    district,
                    output,
                },
        } => batch_cli::print_bills(&config, year, district, &output).await,
        Command::Payments {
            command: PaymentsCommand::Import { config, file },
        } => batch_cli::import_payments(&config, &file).await,
        Command::Audit {
            command: AuditCommand::Verify { config },
        } => verify_history(config).await,
        Command::Documents { command } => documents_cli::run(command).await,
        Command::Backup { config, output } => backup_cli::back_up(&config, &output).await,
        Command::Restore { config, dir } => {
            backup_cli::restore(&config, &dir).await?;
            verify_history(config).await
        }
        Command::Catalog {
            command: CatalogCommand::Check { dir },
        } => {
            let catalog = daftar_app::catalog::load_dir(&dir)?;
            println!("{}: {} services, all valid.", dir.display(), catalog.len());
            Ok(())
        }
    }
}

pub(crate) async fn open_store(
    config: &Config,
) -> anyhow::Result<std::sync::Arc<dyn daftar_store::Store>> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("could not create {}", config.data_dir.display()))?;
    // A data directory made by an earlier version may be open to others; what is inside
    // (the database, documents, the message log) is not theirs to read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config.data_dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("could not make {} private", config.data_dir.display()))?;
    }
    daftar_store::open_with(&config.database_url(), config.database_connections).await
}

async fn serve(mut config: Config, load_demo: bool) -> anyhow::Result<()> {
    // The demo pays its bills through the development gateway, marked on every page.
    config.dev_payment_gateway |= load_demo;
    let store = open_store(&config).await?;
    if load_demo {
        demo::load(store.as_ref()).await?;
        print!("{}", demo::credentials());
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("could not listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let admin = match config.admin_addr {
        Some(admin_addr) => {
            let handle = daftar_server::metrics::install()?;
            let admin = tokio::net::TcpListener::bind(admin_addr)
                .await
                .with_context(|| format!("could not listen on {admin_addr}"))?;
            Some((admin, handle))
        }
        None => None,
    };
    let backend = store.backend();
    let reads = public_reads(&config, &store).await?;
    let state = AppState::with_reads(config, store, reads.clone())?;
    tokio::spawn(reads.watch());
    // A map that does not load leaves the inquiry answering 503, not the office closed.
    if let Err(error) = state.services.zoning.refresh().await {
        tracing::warn!(%error, "The zoning map did not load; the inquiry is unavailable.");
    }
    daftar_server::app::spawn_session_sweeper(state.clone());
    // What crashes and abandoned forms leave: at start, then every hour; and the files of
    // refused requests once their grace has passed, every five minutes.
    let cases = state.services.cases.clone();
    tokio::spawn(async move {
        let mut every_five_minutes = tokio::time::interval(std::time::Duration::from_secs(300));
        for tick in 0_u64.. {
            every_five_minutes.tick().await;
            if tick % 12 == 0 {
                cases.clear_abandoned_uploads().await;
            }
            cases
                .discard_refused_uploads(daftar_app::cases::REFUSED_FILES_GRACE)
                .await;
        }
    });
    let worker = daftar_app::outbox::spawn_worker(
        state.services.outbox.clone(),
        state.services.cases.clone(),
    );
    if let Some((admin, handle)) = admin {
        let admin_addr = admin.local_addr()?;
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = daftar_server::metrics::serve_admin(admin, handle, state).await {
                tracing::error!(error = format!("{error:#}"), "The admin address stopped.");
            }
        });
        println!("Metrics for operators at http://{admin_addr}/metrics.");
    }
    println!("Daftar is serving on http://{addr} ({backend:?}).");
    let served = daftar_server::serve(listener, state).await;
    // After the requests in flight: the worker's round under way ends (what it claimed is
    // sent, not left to wait out its lease), and it claims no more; what is still in the
    // outbox is sent by the other instances, or this one when it starts again.
    worker.stop().await;
    served
}

/// Where the public look-ups read: the replica `--database-read-url` names, or the
/// primary.
async fn public_reads(
    config: &Config,
    store: &std::sync::Arc<dyn daftar_store::Store>,
) -> anyhow::Result<daftar_app::replica::PublicReads> {
    let Some(read_url) = &config.database_read_url else {
        return Ok(daftar_app::replica::PublicReads::primary_only(
            store.clone(),
        ));
    };
    anyhow::ensure!(
        store.backend() == daftar_store::Backend::Postgres,
        "--database-read-url needs PostgreSQL: a read replica is a PostgreSQL streaming \
         replica of --database-url"
    );
    let replica = daftar_store::ReadReplica::open(read_url, &config.database_url()).await?;
    Ok(daftar_app::replica::PublicReads::with_replica(
        store.clone(),
        replica,
        std::time::Duration::from_secs(config.replica_max_lag_secs),
    ))
}

async fn add_user(
    config: Config,
    username: String,
    display_name: String,
    mobile: Option<Mobile>,
    roles: Vec<(OfficeCode, Role)>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("could not read the password")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if let Some(weakness) = daftar_app::accounts::weakness(password) {
        anyhow::bail!("{weakness} (nothing was added)");
    }
    let store = open_store(&config).await?;
    let offices = store.offices().await?;
    if let Some((missing, _)) = roles
        .iter()
        .find(|(office, _)| !offices.iter().any(|o| &o.code == office))
    {
        anyhow::bail!(
            "office {missing} is not set up: set it up first with `daftar office add {missing} \
             --name-fa … --name-en …` (nothing was added)"
        );
    }
    let password_hash = daftar_app::accounts::hash_password(password)?;
    let count = roles.len();
    let staff = NewStaff {
        username: username.clone(),
        display_name,
        password_hash,
        mobile,
        roles,
    };
    store
        .create_staff(&staff, jiff::Timestamp::now())
        .await
        .map_err(|e| anyhow::anyhow!("could not add {username}: {e} (nothing was added)"))?;
    println!("Added {username} with {} role(s).", count);
    if staff
        .roles
        .iter()
        .any(|(_, role)| *role == Role::SystemAdmin)
    {
        print_new_totp(store.as_ref(), &username).await?;
    }
    Ok(())
}

async fn verify_history(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let services = daftar_app::Services::new(&config, store)?;
    let report = services.cases.verify_history().await?;
    if let Some(broken) = report.broken {
        anyhow::bail!(
            "case {}: history row {} does not hold; it, or the row before it, was changed \
             behind the program's back ({} cases, {} rows read up to it)",
            broken.case_id,
            broken.history_id,
            report.cases,
            report.rows
        );
    }
    println!(
        "Checked {} cases and {} history rows: every chain holds.",
        report.cases, report.rows
    );
    println!("Heads digest: {}", report.heads_digest);
    Ok(())
}

async fn set_totp(config: Config, username: &str, remove: bool) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let account = store
        .staff_by_username(username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("there is no staff account {username}"))?;
    if remove {
        anyhow::ensure!(
            !account.has_role(Role::SystemAdmin),
            "a system administrator must keep a second factor"
        );
        store.set_staff_totp(username, None).await?;
        println!("{username} signs in with the password alone now.");
        return Ok(());
    }
    print_new_totp(store.as_ref(), username).await
}

/// Gives the account a new TOTP secret and prints it for the authenticator app.
async fn print_new_totp(store: &dyn daftar_store::Store, username: &str) -> anyhow::Result<()> {
    let (secret, url) = daftar_app::accounts::second_factor::new_secret(username)?;
    store.set_staff_totp(username, Some(&secret)).await?;
    println!("Second factor for {username}: add it to an authenticator app.");
    println!("  secret: {secret}");
    println!("  address: {url}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn roles_are_granted_as_office_and_role() {
        assert_eq!(parse_grant("0101:formation").unwrap().1, Role::Formation);
        assert!(parse_grant("0101").is_err());
        assert!(parse_grant("0101:mayor").unwrap_err().contains("formation"));
    }
}
