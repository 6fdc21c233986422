//! `daftar-bench usage`: the operator-usage report for a month over a case history of
//! 10,000,000 rows, against reading that month's history rows alone, in the same run on
//! the same database.
//!
//! The set-up (not measured) writes 60 staff members and a million cases of the catalog's
//! single-review services, ten history rows each (the application, eight marks to a
//! colleague, the completion), an hour to two days apart, the cases begun over the year
//! 1405, and a sign-in per staff member and day, directly through sqlx in multi-row
//! statements (so it follows the migrations' columns). Then the report for Azar 1405 is
//! made three times through `Usage::report_for`, as the page and the command make it: the
//! history rows of the month with each one's row before, the sign-ins, the overdue tasks,
//! the units from the workflows, the sums and medians. The baseline reads the same month's
//! history rows, their columns only, with no join and no row before (on SQLite through
//! rusqlite, as the report reads them; on PostgreSQL through sqlx); the report's own
//! history query is timed alone too, to tell the database's part from the program's.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::{OfficeCode, Role};
use daftar_store::Office;
use rand::{Rng, SeedableRng};

use crate::database::Scratch;
use crate::raw::Raw;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// History rows to write (ten a case).
    #[arg(long, default_value_t = 10_000_000)]
    history: u64,
    /// sqlite://PATH (a new file), postgres://USER@HOST:PORT (a new scratch database),
    /// or nothing: SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the database and print its URL, e.g. to try the report's queries by hand.
    #[arg(long)]
    keep_db: bool,
}

const STAFF: i64 = 60;
const FIRST_STAFF: i64 = 100_001;
const ROWS_PER_CASE: u64 = 10;
/// Cases per transaction (history rows: ten times as many, in statements of 1,000).
const CASES_PER_TRANSACTION: u64 = 5_000;

/// `daftar serve`'s configuration from its flags, for the services.
#[derive(Debug, Parser)]
struct Flags {
    #[command(flatten)]
    config: daftar_app::Config,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.database_url.as_deref()).await?;
    let result = measure(&args, &scratch).await;
    scratch.keep_or_remove(args.keep_db).await?;
    result
}

async fn measure(args: &Args, scratch: &Scratch) -> anyhow::Result<()> {
    let url = scratch.url();
    let office = OfficeCode::parse("0101").expect("a valid office code");
    let store = daftar_store::open(url).await?;
    store
        .upsert_office(&Office {
            code: office.clone(),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await?;
    let catalog = daftar_app::catalog::load(None)?;
    let services: Vec<String> = catalog
        .services()
        .iter()
        .filter(|service| service.workflow.as_deref() == Some("single_review"))
        .map(|service| service.identifier.clone())
        .collect();
    anyhow::ensure!(
        !services.is_empty(),
        "no single-review service in the catalog"
    );
    let raw = Raw::open(url).await?;
    let version = raw.version().await?;
    let setup = Instant::now();
    let first_day = JalaliDate::new(1405, 1, 1)?.start_in_tehran().as_second();
    let year = 365 * 86_400_i64;
    macro_rules! fill {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            let mut staff = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO staff_users (id, username, display_name, password_hash, created_at) ",
            );
            staff.push_values(0..STAFF, |mut row, n| {
                row.push_bind(FIRST_STAFF + n)
                    .push_bind(format!("bench_{n}"))
                    .push_bind(format!("کارمند {n}"))
                    .push_bind("-")
                    .push_bind(0_i64);
            });
            staff.build().execute(pool).await?;
            let mut roles = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO staff_roles (user_id, office_code, role) ",
            );
            roles.push_values(0..STAFF, |mut row, n| {
                row.push_bind(FIRST_STAFF + n)
                    .push_bind("0101")
                    .push_bind(Role::ALL[n as usize % 13].slug());
            });
            roles.build().execute(pool).await?;
            // A sign-in per member and day, at 07:30 Tehran time.
            let mut tx = pool.begin().await?;
            for day in 0..365_i64 {
                let mut sign_ins =
                    sqlx::QueryBuilder::<$db>::new("INSERT INTO staff_sign_ins (staff_id, at) ");
                sign_ins.push_values(0..STAFF, |mut row, n| {
                    row.push_bind(FIRST_STAFF + n)
                        .push_bind(first_day + day * 86_400 + 4 * 3600);
                });
                sign_ins.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;

            let mut rng = rand::rngs::StdRng::seed_from_u64(1405);
            let cases = args.history / ROWS_PER_CASE;
            let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
                .fetch_one(pool)
                .await?;
            let mut done = 0_u64;
            while done < cases {
                let count = CASES_PER_TRANSACTION.min(cases - done);
                let mut tx = pool.begin().await?;
                let mut rows: Vec<(i64, String, Vec<(i64, i64)>)> = Vec::new();
                for i in 0..count {
                    let id = first + (done + i) as i64;
                    let service = services[rng.random_range(0..services.len())].clone();
                    let mut at = first_day + rng.random_range(0..year);
                    let mut history = Vec::new();
                    for _ in 0..ROWS_PER_CASE {
                        history.push((at, FIRST_STAFF + rng.random_range(0..STAFF)));
                        at += rng.random_range(3_600..172_800);
                    }
                    rows.push((id, service, history));
                }
                for chunk in rows.chunks(1_000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO cases (id, tracking_code, service_id, workflow_id,
                         workflow_version, applicant_national_id, office_code, district, state,
                         position, fields, version, created_at, updated_at, closed_at) ",
                    );
                    insert.push_values(chunk, |mut row, (id, service, history)| {
                        let last = history.last().map(|(at, _)| *at).unwrap_or(0);
                        row.push_bind(*id)
                            .push_bind(format!("7{id:011}"))
                            .push_bind(service.clone())
                            .push_bind("single_review")
                            .push_bind(1_i64)
                            .push_bind("0499370899")
                            .push_bind("0101")
                            .push_bind(1_i64)
                            .push_bind("done")
                            .push_bind("{\"state\":\"done\"}")
                            .push_bind("{}")
                            .push_bind(ROWS_PER_CASE as i64)
                            .push_bind(history[0].0)
                            .push_bind(last)
                            .push_bind(last);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                let history: Vec<(i64, usize, i64, i64)> = rows
                    .iter()
                    .flat_map(|(id, _, history)| {
                        history
                            .iter()
                            .enumerate()
                            .map(move |(step, (at, staff))| (*id, step, *at, *staff))
                    })
                    .collect();
                for chunk in history.chunks(1_000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO case_history (case_id, at, actor_kind, actor_staff_id,
                         actor_name, action, from_state, to_state) ",
                    );
                    insert.push_values(chunk, |mut row, (id, step, at, staff)| {
                        let last = *step as u64 == ROWS_PER_CASE - 1;
                        let (kind, who, action, from, to) = match (step, last) {
                            (0, _) => ("applicant", None, "apply", None, "review"),
                            (_, true) => {
                                ("staff", Some(*staff), "complete", Some("review"), "done")
                            }
                            _ => ("staff", Some(*staff), "assign", Some("review"), "review"),
                        };
                        row.push_bind(*id)
                            .push_bind(*at)
                            .push_bind(kind)
                            .push_bind(who)
                            .push_bind(
                                who.map(|n| format!("کارمند {}", n - FIRST_STAFF))
                                    .unwrap_or_else(|| "متقاضی".into()),
                            )
                            .push_bind(action)
                            .push_bind(from)
                            .push_bind(to);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                done += count;
            }
        }};
    }
    match &raw {
        Raw::Sqlite(pool) => {
            fill!(pool, sqlx::Sqlite);
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Raw::Postgres(pool) => {
            fill!(pool, sqlx::Postgres);
            sqlx::query("VACUUM ANALYZE").execute(pool).await?;
        }
    }
    eprintln!(
        "Wrote {} history rows of {} cases in {:.1} s.",
        args.history,
        args.history / ROWS_PER_CASE,
        setup.elapsed().as_secs_f64()
    );

    let data_dir = tempfile::tempdir()?;
    let flags = Flags::parse_from([
        "daftar-bench",
        "--data-dir",
        data_dir.path().to_str().unwrap_or("."),
        "--database-url",
        url,
    ]);
    let services = daftar_app::Services::new(&flags.config, store.clone())?;
    let (from, to) = (JalaliDate::new(1405, 9, 1)?, JalaliDate::new(1405, 9, 30)?);
    let (start, end) = (
        from.start_in_tehran().as_second(),
        to.add_days(1).start_in_tehran().as_second(),
    );

    println!("# Usage report benchmark on {version}\n");
    println!(
        "2 cores; load average before: {}; {} history rows of {} cases, 60 staff; the report for Azar 1405.\n",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        args.history,
        args.history / ROWS_PER_CASE
    );
    println!("| run | what | rows | seconds |");
    println!("|---|---|---:|---:|");
    let mut times = Vec::new();
    for run in 1..=3 {
        let started = Instant::now();
        let rows = match &raw {
            // On SQLite through rusqlite, as the report reads: sqlx's hand-over of each
            // row from its connection's thread would be most of what is timed.
            Raw::Sqlite(_) => {
                let path = scratch
                    .sqlite_file()
                    .context("an SQLite database has a file")?
                    .to_owned();
                tokio::task::spawn_blocking(move || month_rows_rusqlite(&path, start, end))
                    .await??
            }
            Raw::Postgres(pool) => month_rows(pool, start, end).await?,
        };
        let baseline = started.elapsed();
        println!(
            "| {run} | baseline: the month's history rows read | {rows} | {:.2} |",
            baseline.as_secs_f64()
        );
        let started = Instant::now();
        let read = store
            .staff_actions(
                &office,
                from.start_in_tehran(),
                to.add_days(1).start_in_tehran(),
            )
            .await?;
        println!(
            "| {run} | the report's history query alone | {} | {:.2} |",
            read.len(),
            started.elapsed().as_secs_f64()
        );
        drop(read);
        let started = Instant::now();
        let report = services.usage.report_for(&office, from, to).await?;
        let took = started.elapsed();
        println!(
            "| {run} | the usage report | {} actions | {:.2} |",
            report.office.actions,
            took.as_secs_f64()
        );
        times.push(took);
    }
    raw.close().await;
    let seconds: Vec<String> = times
        .iter()
        .map(|t: &Duration| format!("{:.2}", t.as_secs_f64()))
        .collect();
    println!(
        "\nThe month's report in {} s, run by run (target: ≤ 5 s).",
        seconds.join(", ")
    );
    Ok(())
}

/// The SQLite baseline: the month's history rows as [`month_rows`] reads them, through
/// rusqlite on the calling thread, on a connection of its own (no memory map).
fn month_rows_rusqlite(path: &std::path::Path, start: i64, end: i64) -> anyhow::Result<u64> {
    let connection =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut statement = connection.prepare(
        "SELECT case_id, actor_staff_id, actor_name, action, at FROM case_history
         WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = statement.query([start, end])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let _: (i64, Option<i64>, String, String, i64) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        count += 1;
    }
    Ok(count)
}

/// The baseline: the month's history rows with the columns a row of the report names
/// (the actor's name as the history holds it, read from the table, not the time index),
/// counted as they arrive.
async fn month_rows<DB>(pool: &sqlx::Pool<DB>, start: i64, end: i64) -> anyhow::Result<u64>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> (i64, Option<i64>, String, String, i64): sqlx::FromRow<'r, DB::Row>,
{
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query_as::<_, (i64, Option<i64>, String, String, i64)>(
        "SELECT case_id, actor_staff_id, actor_name, action, at FROM case_history
         WHERE at >= $1 AND at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch(pool);
    let mut count = 0;
    while rows.try_next().await?.is_some() {
        count += 1;
    }
    Ok(count)
}
