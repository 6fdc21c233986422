//! `daftar-bench open311`: the set-up of the Open311 list benchmark (bench/open311.sh).
//! Writes N complaints, each a case of the complaint workflow with its register row, filed
//! over the last 360 days (so the standard's 90-day window holds a quarter of them): nine
//! in ten of a public kind, a fifth of those still open, the rest answered or closed with an
//! answer. Written directly through sqlx in multi-row statements, so it follows the columns
//! of the migrations' `cases` and `complaints`.

use std::time::Instant;

use daftar_core::roles::OfficeCode;
use daftar_store::Office;
use rand::{Rng, SeedableRng};

use crate::raw::Raw;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite://PATH or postgres://USER@HOST/DB, migrated here if new.
    #[arg(long)]
    into: String,
    /// Complaints to write.
    #[arg(long, default_value_t = 1_000_000)]
    requests: u64,
}

/// Rows per INSERT: well under PostgreSQL's 65,535 parameters.
const ROWS: usize = 1_000;

/// (kind, service, unit it was routed to, public)
const KINDS: [(&str, &str, &str, bool); 5] = [
    (
        "service_complaint",
        "10010101029th01",
        "vehicle_tolls",
        true,
    ),
    ("service_complaint", "10010101029th01", "formation", true),
    ("suggestion", "10010101030th01", "office_head", true),
    ("criticism", "10010101030th01", "office_head", true),
    (
        "staff_complaint",
        "10010101029th01",
        "internal_inspection",
        false,
    ),
];

pub async fn run(args: Args) -> anyhow::Result<()> {
    let store = daftar_store::open(&args.into).await?;
    store
        .upsert_office(&Office {
            code: OfficeCode::parse("0101").expect("a valid office code"),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await?;
    store.close().await;
    let raw = Raw::open(&args.into).await?;
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_second();
    let span = 360 * 86_400_i64;
    macro_rules! fill {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            let mut rng = rand::rngs::StdRng::seed_from_u64(311);
            let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
                .fetch_one(pool)
                .await?;
            let mut done = 0_u64;
            while done < args.requests {
                let count = (ROWS as u64).min(args.requests - done);
                // (id, kind, state, filed at)
                let rows: Vec<(i64, usize, &str, i64)> = (0..count)
                    .map(|i| {
                        let id = first + (done + i) as i64;
                        let kind = if rng.random_range(0..10) == 0 {
                            4
                        } else {
                            rng.random_range(0..4)
                        };
                        let state = match rng.random_range(0..10) {
                            0 | 1 => "review",
                            2..=6 => "answered",
                            _ => "closed",
                        };
                        (id, kind, state, now - rng.random_range(0..span))
                    })
                    .collect();
                let mut tx = pool.begin().await?;
                let mut cases = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO cases (id, tracking_code, service_id, workflow_id, workflow_version,
                     applicant_national_id, office_code, district, state, position, fields, version,
                     created_at, updated_at, closed_at) ",
                );
                cases.push_values(&rows, |mut row, (id, kind, state, at)| {
                    let (code, service, unit, _) = KINDS[*kind];
                    let mut fields = serde_json::json!({
                        "kind": code, "routed_to": unit,
                        "description": format!("شرح درخواست شمارهٔ {id}: چراغ خیابان خاموش است و کوچه تاریک است."),
                    });
                    if *state != "review" {
                        fields["answer"] = "بررسی شد و گروه روشنایی اعزام شد.".into();
                    }
                    row.push_bind(*id)
                        .push_bind(format!("7{id:011}"))
                        .push_bind(service)
                        .push_bind("complaint")
                        .push_bind(1_i64)
                        .push_bind("")
                        .push_bind("0101")
                        .push_bind(None::<i64>)
                        .push_bind(*state)
                        .push_bind(format!("{{\"state\":\"{state}\"}}"))
                        .push_bind(fields.to_string())
                        .push_bind(2_i64)
                        .push_bind(*at)
                        .push_bind(*at + 3_600)
                        .push_bind((*state == "closed").then_some(*at + 3_600));
                });
                cases.build().execute(&mut *tx).await?;
                let mut complaints = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO complaints (case_id, kind, public, description, latitude_micro,
                     longitude_micro, named_staff, client_id, created_at) ",
                );
                complaints.push_values(&rows, |mut row, (id, kind, _, at)| {
                    let (code, _, _, public) = KINDS[*kind];
                    row.push_bind(*id)
                        .push_bind(code)
                        .push_bind(public)
                        .push_bind(format!(
                            "شرح درخواست شمارهٔ {id}: چراغ خیابان خاموش است و کوچه تاریک است."
                        ))
                        .push_bind(32_325_600_i64 + id % 10_000)
                        .push_bind(50_864_400_i64 + id % 10_000)
                        .push_bind(None::<i64>)
                        .push_bind(None::<i64>)
                        .push_bind(*at);
                });
                complaints.build().execute(&mut *tx).await?;
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
    raw.close().await;
    eprintln!(
        "Wrote {} complaints in {:.1} s.",
        args.requests,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
