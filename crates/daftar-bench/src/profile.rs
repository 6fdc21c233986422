//! `billing --profile`: where issuing's and importing's time goes, measured after the
//! benchmark's steps on the same database.
//!
//! - Issuing: the loop of `batch::issue_bills`, copied here with a clock on each phase
//!   (reading a page of properties, computing demands and bill numbers, inserting bills),
//!   run for another year (1404) so that it issues the same number of bills again.
//! - Reading: `billing_properties`' SQL fetched through sqlx alone into tuples, and
//!   `PropertyUse::parse` alone as often, and `billing_properties` alone with no writes
//!   between pages, to split the read phase into the driver's share, the decoding's and
//!   the cost of alternating with writes.
//! - Parsing the settlement file alone: `batch::import_payments` on the same file with a
//!   bad last row parses every row, then refuses the file and writes nothing; again with
//!   ISO `paid_at` times instead of Jalali ones.
//! - Recording payments: the statements of `BillingStore::record_payments`, copied here
//!   with a clock on each, paying the 1404 bills, 1,000 rows per round, one transaction
//!   per third: a third in barcode order, a third shuffled as a bank's file is, and on
//!   SQLite a third shuffled with a 256 MiB page cache.
//!
//! The copies follow crates/daftar-server/src/batch/bills.rs and
//! crates/daftar-store/src/shared_billing.rs; when those change, these must follow.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use daftar_core::billing::{BillNumbers, Demand, Tariff};
use daftar_core::calendar::JalaliDate;
use daftar_server::batch;
use daftar_store::{NewBill, Store};
use jiff::Timestamp;

use crate::raw::Raw;

const YEAR: i32 = 1404;
const PAGE: i64 = 10_000;
const CHUNK: usize = 1_000;

#[derive(Debug, Default)]
pub struct Phases {
    pub parts: Vec<(&'static str, Duration)>,
    pub rows: u64,
}

impl Phases {
    fn add(&mut self, name: &'static str, elapsed: Duration) {
        match self.parts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += elapsed,
            None => self.parts.push((name, elapsed)),
        }
    }

    pub fn markdown(&self, title: &str) -> String {
        let total: Duration = self.parts.iter().map(|(_, d)| *d).sum();
        let mut out = format!(
            "\n{title} ({} rows, {:.2} s in all):\n\n| phase | seconds | share |\n|---|---:|---:|\n",
            self.rows,
            total.as_secs_f64()
        );
        for (name, elapsed) in &self.parts {
            out.push_str(&format!(
                "| {name} | {:.2} | {:.0}% |\n",
                elapsed.as_secs_f64(),
                100.0 * elapsed.as_secs_f64() / total.as_secs_f64()
            ));
        }
        out
    }
}

/// A bill issued by the profile, for paying it.
#[derive(Debug)]
pub struct Issued {
    barcode: String,
    amount_rials: u64,
}

/// Issues the 1404 bills with a clock on each phase of `issue_bills`' loop.
pub async fn issuing(store: &dyn Store) -> anyhow::Result<(Phases, Vec<Issued>)> {
    let tariff = Tariff::built_in(YEAR).ok_or_else(|| anyhow::anyhow!("no 1404 tariff"))??;
    let due_date = JalaliDate::new(YEAR, 3, 31)?;
    let mut phases = Phases::default();
    let mut issued = Vec::new();
    let mut after = 0;
    loop {
        let started = Instant::now();
        let page = store.billing_properties(YEAR, None, after, PAGE).await?;
        phases.add(
            "read a page of properties (`billing_properties`)",
            started.elapsed(),
        );
        let Some(last) = page.last() else { break };
        after = last.id;

        let started = Instant::now();
        let mut bills = Vec::with_capacity(page.len());
        for property in &page {
            let demand = Demand::compute(
                &tariff,
                property.district,
                property.land_area,
                property.built_area,
                property.property_use,
                property.arrears_rials,
            );
            let amount = demand.total_rials();
            if amount == 0 {
                continue;
            }
            let numbers = BillNumbers::new(u64::try_from(property.id)?, 101, amount, YEAR, 1)
                .map_err(|e| anyhow::anyhow!("property {}: {e}", property.id))?;
            bills.push(NewBill {
                property_id: property.id,
                year: YEAR,
                period: 1,
                numbers,
                amount_rials: amount,
                lines_json: serde_json_lines(&demand)?,
                due_date,
            });
        }
        phases.add(
            "compute demands, bill numbers and lines JSON (no I/O)",
            started.elapsed(),
        );

        let started = Instant::now();
        store.insert_bills(&bills, Timestamp::now()).await?;
        phases.add("insert the bills (`insert_bills`)", started.elapsed());
        phases.rows += bills.len() as u64;
        issued.extend(bills.into_iter().map(|bill| Issued {
            barcode: bill.numbers.barcode.as_str().to_owned(),
            amount_rials: bill.amount_rials,
        }));
    }
    Ok((phases, issued))
}

fn serde_json_lines(demand: &Demand) -> anyhow::Result<String> {
    // What issue_bills stores: the demand's lines as JSON.
    Ok(serde_json::to_string(&demand.lines)?)
}

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

/// Every page of `billing_properties` for `year`, with no writes between them.
pub async fn store_reading(store: &dyn Store, year: i32) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut after = 0;
    loop {
        let page = store.billing_properties(year, None, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
    }
    Ok(started.elapsed())
}

/// `PropertyUse::parse` alone, as `billing_property` calls it for every row read.
pub fn use_parsing(calls: u64) -> Duration {
    use daftar_core::billing::PropertyUse;
    let slugs: Vec<&str> = PropertyUse::ALL.iter().map(|u| u.slug()).collect();
    let started = Instant::now();
    for i in 0..calls {
        let slug = slugs[(i % slugs.len() as u64) as usize];
        std::hint::black_box(PropertyUse::parse(std::hint::black_box(slug)));
    }
    started.elapsed()
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

macro_rules! record {
    ($pool:expr, $db:ty, $issued:expr, $phases:expr, $now:expr, $prefix:expr) => {{
        let mut tx = $pool.begin().await?;
        for (round, chunk) in $issued.chunks(CHUNK).enumerate() {
            let traces: Vec<String> = (0..chunk.len())
                .map(|i| format!("{}{:010}", $prefix, round * CHUNK + i))
                .collect();

            let started = Instant::now();
            let mut lookup = sqlx::QueryBuilder::<$db>::new(
                "SELECT id, barcode, amount_rials, paid_at, cancelled_at FROM bills WHERE barcode IN (",
            );
            let mut list = lookup.separated(", ");
            for bill in chunk {
                list.push_bind(bill.barcode.clone());
            }
            lookup.push(")");
            let bills: HashMap<String, i64> = lookup
                .build_query_as::<(i64, String, i64, Option<i64>, Option<i64>)>()
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, barcode, ..)| (barcode, id))
                .collect();
            $phases.add("look the bills up by barcode (SELECT … IN)", started.elapsed());

            let started = Instant::now();
            let mut known = sqlx::QueryBuilder::<$db>::new(
                "SELECT trace_number FROM payments WHERE trace_number IN (",
            );
            let mut list = known.separated(", ");
            for trace in &traces {
                list.push_bind(trace.clone());
            }
            known.push(")");
            let _: Vec<(String,)> = known.build_query_as().fetch_all(&mut *tx).await?;
            $phases.add("look the trace numbers up (SELECT … IN)", started.elapsed());

            let started = Instant::now();
            let mut insert = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO payments (trace_number, bill_row, barcode, amount_rials, paid_at, \
                 outcome, source, recorded_at) ",
            );
            insert.push_values(chunk.iter().zip(&traces), |mut row, (bill, trace)| {
                row.push_bind(trace.clone())
                    .push_bind(bills.get(&bill.barcode).copied())
                    .push_bind(bill.barcode.clone())
                    .push_bind(i64::try_from(bill.amount_rials).unwrap_or(i64::MAX))
                    .push_bind($now)
                    .push_bind("applied")
                    .push_bind("daftar-bench-profile")
                    .push_bind($now);
            });
            insert.build().execute(&mut *tx).await?;
            $phases.add("insert the payments (multi-row INSERT)", started.elapsed());

            let started = Instant::now();
            let mut update = sqlx::QueryBuilder::<$db>::new(
                "UPDATE bills SET paid_at = p.paid_at, trace_number = p.trace_number \
                 FROM payments p WHERE p.bill_row = bills.id AND p.trace_number IN (",
            );
            let mut list = update.separated(", ");
            for trace in traces {
                list.push_bind(trace);
            }
            update.push(")");
            update.build().execute(&mut *tx).await?;
            $phases.add("mark the bills paid (UPDATE … FROM payments)", started.elapsed());
        }
        let started = Instant::now();
        tx.commit().await?;
        $phases.add("commit", started.elapsed());
    }};
}

/// Pays `issued` with the statements of `record_payments`, timing each kind; trace
/// numbers start with `prefix`. `cache_mib`, on SQLite, sets the connection's page cache
/// first (SQLite's default is 2 MiB).
pub async fn recording(
    raw: &Raw,
    issued: &[Issued],
    prefix: &str,
    cache_mib: Option<u32>,
) -> anyhow::Result<Phases> {
    let mut phases = Phases {
        rows: issued.len() as u64,
        ..Phases::default()
    };
    let now = Timestamp::now().as_second();
    match raw {
        Raw::Sqlite(pool) => {
            let kib = i64::from(cache_mib.unwrap_or(2)) * 1024;
            sqlx::query(&format!("PRAGMA cache_size = -{kib}"))
                .execute(pool)
                .await?;
            record!(pool, sqlx::Sqlite, issued, phases, now, prefix)
        }
        Raw::Postgres(pool) => record!(pool, sqlx::Postgres, issued, phases, now, prefix),
    }
    Ok(phases)
}
