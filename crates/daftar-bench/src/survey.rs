//! `daftar-bench surveys`: the set-up of the survey results benchmark (bench/surveys.sh).
//! Writes N closed cases of the catalog's services and one survey response each, spread
//! over the twelve months of 1405, with random scores, and the month tallies those
//! responses add up to, which is what answering them one by one keeps (the store's
//! `answer_survey`, tested in crates/daftar-server/tests/survey.rs), published. Written directly
//! through sqlx in multi-row statements, so it follows the columns of the migrations'
//! `cases`, `survey_responses` and `survey_tallies`. Prints the month to ask for.

use std::collections::HashMap;
use std::time::Instant;

use daftar_core::roles::OfficeCode;
use daftar_core::survey::SurveyForm;
use daftar_store::Office;
use rand::{Rng, SeedableRng};

use crate::raw::Raw;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite://PATH or postgres://USER@HOST/DB, migrated here if new.
    #[arg(long)]
    into: String,
    /// Survey responses to write (one closed case each).
    #[arg(long, default_value_t = 1_000_000)]
    responses: u64,
}

/// Rows per INSERT: well under PostgreSQL's 65,535 parameters.
const ROWS: usize = 1_000;

type TallyKey = (i64, String, String, String);

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
    let catalog = daftar_app::catalog::load(None)?;
    let services: Vec<(String, String)> = catalog
        .services()
        .iter()
        .map(|service| {
            (
                service.identifier.clone(),
                service.owner_unit.slug().to_owned(),
            )
        })
        .collect();
    let items: Vec<String> = SurveyForm::built_in()
        .items
        .into_iter()
        .map(|item| item.key)
        .collect();
    let raw = Raw::open(&args.into).await?;
    let started = Instant::now();
    macro_rules! fill {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            let mut rng = rand::rngs::StdRng::seed_from_u64(1405);
            let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
                .fetch_one(pool)
                .await?;
            let mut tallies: HashMap<TallyKey, [i64; 5]> = HashMap::new();
            let mut done = 0_u64;
            while done < args.responses {
                let count = (ROWS as u64).min(args.responses - done);
                let rows: Vec<(i64, usize, i64, Vec<u8>)> = (0..count)
                    .map(|i| {
                        let id = first + (done + i) as i64;
                        let service = rng.random_range(0..services.len());
                        let month = 140500 + rng.random_range(1..=12_i64);
                        // Skewed to the upper end, as satisfaction surveys are.
                        let scores = items
                            .iter()
                            .map(|_| [1, 2, 3, 3, 4, 4, 4, 5, 5, 5][rng.random_range(0..10)])
                            .collect();
                        (id, service, month, scores)
                    })
                    .collect();
                let mut tx = pool.begin().await?;
                let mut cases = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO cases (id, tracking_code, service_id, workflow_id, workflow_version,
                     applicant_national_id, office_code, district, state, position, fields, version,
                     created_at, updated_at, closed_at) ",
                );
                cases.push_values(&rows, |mut row, (id, service, _, _)| {
                    row.push_bind(*id)
                        .push_bind(format!("8{id:011}"))
                        .push_bind(services[*service].0.clone())
                        .push_bind("single_review")
                        .push_bind(1_i64)
                        .push_bind("0499370899")
                        .push_bind("0101")
                        .push_bind(1_i64)
                        .push_bind("withdrawn")
                        .push_bind("{\"state\":\"withdrawn\"}")
                        .push_bind("{}")
                        .push_bind(2_i64)
                        .push_bind(0_i64)
                        .push_bind(0_i64)
                        .push_bind(0_i64);
                });
                cases.build().execute(&mut *tx).await?;
                let mut responses = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO survey_responses (case_id, service_id, unit, month, scores,
                     remark, answered_at) ",
                );
                responses.push_values(&rows, |mut row, (id, service, month, scores)| {
                    let (service_id, unit) = &services[*service];
                    let text: Vec<String> = items
                        .iter()
                        .zip(scores)
                        .map(|(item, score)| format!("{item}={score}"))
                        .collect();
                    row.push_bind(*id)
                        .push_bind(service_id.clone())
                        .push_bind(unit.clone())
                        .push_bind(*month as i32)
                        .push_bind(text.join(","))
                        .push_bind(None::<String>)
                        .push_bind(0_i64);
                });
                responses.build().execute(&mut *tx).await?;
                tx.commit().await?;
                for (_, service, month, scores) in &rows {
                    let (service_id, unit) = &services[*service];
                    for (item, score) in items.iter().zip(scores) {
                        let key = (*month, service_id.clone(), unit.clone(), item.clone());
                        tallies.entry(key).or_default()[usize::from(*score) - 1] += 1;
                    }
                }
                done += count;
            }
            let tallies: Vec<(TallyKey, [i64; 5])> = tallies.into_iter().collect();
            let mut tx = pool.begin().await?;
            for chunk in tallies.chunks(ROWS) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO survey_tallies (month, service_id, unit, item,
                     score_1, score_2, score_3, score_4, score_5) ",
                );
                insert.push_values(chunk, |mut row, ((month, service, unit, item), counts)| {
                    row.push_bind(*month as i32)
                        .push_bind(service.clone())
                        .push_bind(unit.clone())
                        .push_bind(item.clone());
                    for count in counts {
                        row.push_bind(*count);
                    }
                });
                insert.build().execute(&mut *tx).await?;
            }
            // Published as they stand (answering publishes at each fifth response; the page
            // reads the published rows alone, as many as the tallies).
            sqlx::query("INSERT INTO survey_published SELECT * FROM survey_tallies")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
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
        "Wrote {} closed cases and their survey responses in {:.1} s.",
        args.responses,
        started.elapsed().as_secs_f64()
    );
    println!("1405-09");
    Ok(())
}
