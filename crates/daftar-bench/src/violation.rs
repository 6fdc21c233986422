//! `daftar-bench violations`: computing a 10-floor sketch's violations in process, against
//! checking the same sketch (what recording one already costs), in the same run; and the
//! violation-review queue over many open violation cases, each with its computed
//! violations joined in, against a unit's queue of as many cases with none, on the same
//! database. Prints Markdown tables.

use std::time::{Duration, Instant};

use daftar_core::calendar::JalaliDate;
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::sketch::{FloorInput, PartInput, PartUse, Sketch, SketchInput};
use daftar_core::violation::{
    Comparison, FineSchedule, PermitAllowance, PermitFloor, PlotFrame, compute,
};
use daftar_core::zoning::{MapOrder, Setback, Side};
use daftar_store::{Office, QueueOrder, QueueQuery};

use crate::database::Scratch;
use crate::raw::Raw;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Computations (and checks, the baseline) to time.
    #[arg(long, default_value_t = 100_000)]
    computations: usize,
    /// Open violation cases in the violation-review queue (and as many without violations
    /// in formation's, the baseline); 0 skips the queue benchmark.
    #[arg(long, default_value_t = 100_000)]
    queue_cases: u64,
    /// Queue listings to time, of each queue.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// sqlite://PATH, postgres://USER@HOST:PORT, or nothing: SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
}

fn rect(part_use: PartUse, x: f64, w: f64) -> PartInput {
    PartInput {
        part_use,
        corners: vec![[x, 0.0], [x + w, 0.0], [x + w, 12.0], [x, 12.0], [x, 0.0]],
        edges_m: Some(vec![w, 12.0, w, 12.0]),
    }
}

/// Ten floors: parking and a shop on the ground floor, then flats with their stairwell;
/// the permit allows eight of them and four spaces of the five due; the plot's north side
/// gives up a metre to the street.
fn ten_floors() -> (SketchInput, PermitAllowance, MapOrder, PlotFrame) {
    let floors: Vec<FloorInput> = (0..10)
        .map(|level| FloorInput {
            level,
            parts: if level == 0 {
                vec![
                    rect(PartUse::Parking, 0.0, 10.0),
                    rect(PartUse::Commercial, 10.0, 4.0),
                ]
            } else {
                vec![
                    rect(PartUse::Residential, 0.0, 11.0),
                    rect(PartUse::Common, 11.0, 3.0),
                ]
            },
        })
        .collect();
    let permit = PermitAllowance::new(
        "bench",
        (0..8)
            .map(|level| PermitFloor {
                level,
                area_centi_m2: 16_000,
                floor_use: if level == 0 {
                    PartUse::Parking
                } else {
                    PartUse::Residential
                },
            })
            .collect(),
        5,
    )
    .expect("the bench permit holds");
    let order = MapOrder {
        zones: vec![],
        deed_area_centi_m2: 25_000,
        setback_area_centi_m2: 1_400,
        remaining_area_centi_m2: 23_600,
        floor_area_centi_m2: 14_160,
        total_built_centi_m2: 113_280,
        floors: 8,
        parking_spaces: 5,
        below_min_plot: false,
        buildable: true,
    };
    let plot = PlotFrame {
        width_cm: 1_400,
        depth_cm: 1_300,
        setbacks: vec![Setback {
            side: Side::North,
            depth_cm: 100,
            frontage_cm: 1_400,
        }],
    };
    (SketchInput { floors }, permit, order, plot)
}

fn quantiles(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    (
        us(at(0.5)),
        us(at(0.99)),
        us(*times.last().unwrap_or(&Duration::ZERO)),
    )
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let schedule = FineSchedule::parse(include_str!("../../../fines/1405.toml"))?;
    let (input, permit, order, plot) = ten_floors();
    let sketch: Sketch = input.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    let comparison = Comparison {
        sketch: &sketch,
        permit: Some(&permit),
        order: Some(&order),
        plot: Some(&plot),
        values: (40_000_000, 150_000_000),
        schedule: &schedule,
    };
    let found = compute(&comparison);
    let mut checks = Vec::with_capacity(args.computations);
    let mut computations = Vec::with_capacity(args.computations);
    for _ in 0..args.computations {
        let started = Instant::now();
        std::hint::black_box(std::hint::black_box(&input).check().is_ok());
        checks.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(compute(std::hint::black_box(&comparison)).len());
        computations.push(started.elapsed());
    }
    println!("# Violations benchmark\n");
    println!(
        "A 10-floor sketch of 20 parts: {} violations found ({}).\n",
        found.len(),
        found
            .iter()
            .map(|v| v.kind.slug())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "| in process, one at a time | runs | p50 µs | p99 µs | max µs |\n|---|---:|---:|---:|---:|"
    );
    let (p50, p99, max) = quantiles(checks);
    println!(
        "| baseline: checking the sketch (closure, crossings, overlaps, areas) | {} | {p50:.1} | {p99:.1} | {max:.1} |",
        args.computations
    );
    let (p50, p99, max) = quantiles(computations);
    println!(
        "| computing its violations with their fine ranges | {} | {p50:.1} | {p99:.1} | {max:.1} |",
        args.computations
    );
    println!("\nTarget: computing, p99 ≤ 1 ms (1000 µs).");
    if args.queue_cases > 0 {
        let scratch = Scratch::new(args.database_url.as_deref()).await?;
        let result = queues(&args, scratch.url()).await;
        scratch.remove().await?;
        result?;
    }
    Ok(())
}

async fn queues(args: &Args, url: &str) -> anyhow::Result<()> {
    let store = daftar_store::open(url).await?;
    let office = OfficeCode::parse("0101")?;
    store
        .upsert_office(&Office {
            code: office.clone(),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await?;
    let raw = Raw::open(url).await?;
    let version = raw.version().await?;
    let n = args.queue_cases;
    let computed = r#"[{"kind":"extra_floor","floor":9,"quantity":1,"unit":"count","note":"note2","fined_centi_m2":16800,"fine":{"min_rials":3360000000,"max_rials":20160000000,"formula":"168.00 m² × 40,000,000 rials/m² × 0.5 … 3 × 100% = 3,360,000,000 … 20,160,000,000 rials"}}]"#;
    let setup = Instant::now();
    macro_rules! fill {
        ($pool:expr, $db:ty) => {{
            let chunk = 2000_u64;
            // Cases 1..=n wait on violation review with violations; n+1..=2n on formation
            // with none.
            for (first, role, with_violations) in [(1_u64, Role::ViolationReview, true), (n + 1, Role::Formation, false)] {
                let mut done = 0_u64;
                while done < n {
                    let count = chunk.min(n - done);
                    let ids: Vec<i64> = (0..count).map(|i| (first + done + i) as i64).collect();
                    let mut tx = $pool.begin().await?;
                    let mut cases = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO cases (id, tracking_code, service_id, workflow_id, workflow_version,
                         applicant_national_id, office_code, district, state, position, fields, version,
                         sla_due, created_at, updated_at) ",
                    );
                    cases.push_values(&ids, |mut row, id| {
                        row.push_bind(*id)
                            .push_bind(format!("8{id:011}"))
                            .push_bind("10010101011th01")
                            .push_bind("building_violation")
                            .push_bind(1_i64)
                            .push_bind("0499370899")
                            .push_bind("0101")
                            .push_bind(1_i64 + id % 22)
                            .push_bind(if with_violations { "violation_review" } else { "file_opening" })
                            .push_bind("{\"state\":\"violation_review\"}")
                            .push_bind("{}")
                            .push_bind(1_i64)
                            .push_bind(format!("1405-{:02}-{:02}", 1 + id % 12, 1 + id % 29))
                            .push_bind(0_i64)
                            .push_bind(0_i64);
                    });
                    cases.build().execute(&mut *tx).await?;
                    let mut tasks = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO case_tasks (case_id, role, state, office_code, service_id, district,
                         sla_due, created_at) ",
                    );
                    tasks.push_values(&ids, |mut row, id| {
                        row.push_bind(*id)
                            .push_bind(role.slug())
                            .push_bind("violation_review")
                            .push_bind("0101")
                            .push_bind("10010101011th01")
                            .push_bind(1_i64 + id % 22)
                            .push_bind(format!("1405-{:02}-{:02}", 1 + id % 12, 1 + id % 29))
                            .push_bind(0_i64);
                    });
                    tasks.build().execute(&mut *tx).await?;
                    if with_violations {
                        let mut rows = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO case_violations (case_id, computed, violation_count,
                             total_centi_m2, fine_min_rials, fine_max_rials, computed_at) ",
                        );
                        rows.push_values(&ids, |mut row, id| {
                            row.push_bind(*id)
                                .push_bind(computed)
                                .push_bind(1_i64)
                                .push_bind(16_800_i64)
                                .push_bind(3_360_000_000_i64)
                                .push_bind(20_160_000_000_i64)
                                .push_bind(0_i64);
                        });
                        rows.build().execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    done += count;
                }
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
    raw.close().await;
    eprintln!(
        "Wrote 2 × {n} open cases in {:.1} s.",
        setup.elapsed().as_secs_f64()
    );
    let today = JalaliDate::new(1405, 6, 15)?;
    let listings = |role: Role| {
        let store = &store;
        let office = office.clone();
        async move {
            let mut times = Vec::with_capacity(args.queries);
            let mut with_violations = 0_usize;
            for i in 0..args.queries {
                let query = QueueQuery {
                    viewer: None,
                    role: Some(role),
                    offices: vec![office.clone()],
                    assignee: None,
                    service_id: None,
                    district: (i % 2 == 1).then_some(1 + (i % 22) as u16),
                    overdue_only: i % 4 == 3,
                    search: None,
                    order: QueueOrder::Due,
                    descending: false,
                    limit: 50,
                    offset: 0,
                };
                let started = Instant::now();
                let page = store.queue(&query, today).await?;
                times.push(started.elapsed());
                with_violations += page
                    .items
                    .iter()
                    .filter(|item| item.violations.is_some())
                    .count();
            }
            anyhow::Ok((times, with_violations))
        }
    };
    let (baseline, none) = listings(Role::Formation).await?;
    let (measured, shown) = listings(Role::ViolationReview).await?;
    anyhow::ensure!(none == 0 && shown > 0, "the queues read their violations");
    let ms = |us: f64| us / 1000.0;
    println!("\n## Violation-review queue on {version}\n");
    println!(
        "| first page of 50 with its counts, {} listings each (by turns all, a district, overdue) | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|",
        args.queries
    );
    let (p50, p99, max) = quantiles(baseline);
    println!(
        "| baseline: formation's queue of {n} cases without violations | {:.2} | {:.2} | {:.2} |",
        ms(p50),
        ms(p99),
        ms(max)
    );
    let (p50, p99, max) = quantiles(measured);
    println!(
        "| violation review's queue of {n} cases, each row's violations joined | {:.2} | {:.2} | {:.2} |",
        ms(p50),
        ms(p99),
        ms(max)
    );
    println!("\n{shown} rows listed with their violations; target p99 ≤ 20 ms.");
    Ok(())
}
