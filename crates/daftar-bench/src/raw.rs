//! Work done through sqlx alone, beside the store: the baseline, and the fast set-up of a
//! register (which writes the store's `properties` and `property_owners` tables directly,
//! so it follows their columns in crates/daftar-store/migrations).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::register::Property;

/// Rows per INSERT and per transaction in the baseline: what `insert_bills` does.
pub const BASELINE_STATEMENT: i64 = 1_000;
pub const BASELINE_TRANSACTION: i64 = 10_000;
/// Properties per INSERT in the fast set-up (with their owners, up to 2,000 rows).
const REGISTER_STATEMENT: usize = 1_000;

/// One connection to the benchmark's database, with the store's own settings.
#[derive(Debug)]
pub enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Inserts `n` minimal rows into a scratch table in multi-row statements inside
/// transactions, as issuing does, and drops the table; evaluates to the inserts' time.
macro_rules! baseline_insert {
    ($pool:expr, $db:ty, $n:expr) => {{
        let pool = $pool;
        let n = i64::try_from($n)?;
        sqlx::query("DROP TABLE IF EXISTS bench_baseline")
            .execute(pool)
            .await?;
        sqlx::query("CREATE TABLE bench_baseline (id BIGINT, a TEXT, b BIGINT)")
            .execute(pool)
            .await?;
        let started = Instant::now();
        let mut id: i64 = 0;
        while id < n {
            let mut tx = pool.begin().await?;
            let tx_end = (id + BASELINE_TRANSACTION).min(n);
            while id < tx_end {
                let end = (id + BASELINE_STATEMENT).min(tx_end);
                let mut insert =
                    sqlx::QueryBuilder::<$db>::new("INSERT INTO bench_baseline (id, a, b) ");
                insert.push_values(id..end, |mut row, i| {
                    // `a` is as long as a barcode.
                    row.push_bind(i)
                        .push_bind(format!("{:026}", i.wrapping_mul(7919)))
                        .push_bind(i.wrapping_mul(3));
                });
                insert.build().execute(&mut *tx).await?;
                id = end;
            }
            tx.commit().await?;
        }
        let elapsed = started.elapsed();
        sqlx::query("DROP TABLE bench_baseline")
            .execute(pool)
            .await?;
        elapsed
    }};
}

/// Inserts properties and their owners in multi-row statements, in one transaction, as
/// `import_properties` would store them (normalised text, E.164 mobiles).
macro_rules! insert_register {
    ($pool:expr, $db:ty, $properties:expr, $now:expr) => {{
        let pool = $pool;
        let now: i64 = $now;
        let mut tx = pool.begin().await?;
        for chunk in $properties.chunks(REGISTER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO properties (renewal_code, district, address, postal_code, \
                 land_area_centi, built_area_centi, use_kind, updated_at) ",
            );
            insert.push_values(chunk, |mut row, p: &Property| {
                row.push_bind(p.renewal_code.clone())
                    .push_bind(i64::from(p.district))
                    .push_bind(daftar_core::fa::normalize_text(&p.address))
                    .push_bind(p.postal_code.clone())
                    .push_bind(i64::try_from(p.land_centi_m2).unwrap_or(i64::MAX))
                    .push_bind(i64::try_from(p.built_centi_m2).unwrap_or(i64::MAX))
                    .push_bind(p.use_kind)
                    .push_bind(now);
            });
            insert.push(" RETURNING id, renewal_code");
            let ids: HashMap<String, i64> = insert
                .build_query_as::<(i64, String)>()
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, code)| (code, id))
                .collect();
            let mut owners = Vec::new();
            for p in chunk {
                let id = *ids
                    .get(&p.renewal_code)
                    .ok_or_else(|| anyhow::anyhow!("{} was not inserted", p.renewal_code))?;
                owners.extend(p.owners.iter().map(|owner| (id, owner)));
            }
            let mut insert = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO property_owners (property_id, national_id, name, mobile, \
                 share_hundredths) ",
            );
            insert.push_values(owners, |mut row, (id, owner)| {
                row.push_bind(id)
                    .push_bind(owner.national_id.clone())
                    .push_bind(daftar_core::fa::normalize_text(&owner.name))
                    .push_bind(format!("+98{}", &owner.mobile[1..]))
                    .push_bind(i64::from(owner.share_hundredths));
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }};
}

impl Raw {
    pub async fn open(url: &str) -> anyhow::Result<Raw> {
        if url.starts_with("sqlite:") {
            // The store's settings: WAL, synchronous=FULL, one writer.
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            Ok(Raw::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?,
            ))
        } else {
            Ok(Raw::Postgres(
                PgPoolOptions::new().max_connections(1).connect(url).await?,
            ))
        }
    }

    /// The database and its version, e.g. "SQLite 3.46.0".
    pub async fn version(&self) -> anyhow::Result<String> {
        Ok(match self {
            Raw::Sqlite(pool) => format!(
                "SQLite {}",
                sqlx::query_scalar::<_, String>("SELECT sqlite_version()")
                    .fetch_one(pool)
                    .await?
            ),
            Raw::Postgres(pool) => format!(
                "PostgreSQL {}",
                sqlx::query_scalar::<_, String>("SHOW server_version")
                    .fetch_one(pool)
                    .await?
            ),
        })
    }

    /// The baseline: the time to insert `n` minimal rows.
    pub async fn baseline(&self, n: u64) -> anyhow::Result<Duration> {
        Ok(match self {
            Raw::Sqlite(pool) => baseline_insert!(pool, sqlx::Sqlite, n),
            Raw::Postgres(pool) => baseline_insert!(pool, sqlx::Postgres, n),
        })
    }

    pub async fn insert_register(&self, properties: &[Property]) -> anyhow::Result<()> {
        let now = jiff::Timestamp::now().as_second();
        match self {
            Raw::Sqlite(pool) => insert_register!(pool, sqlx::Sqlite, properties, now),
            Raw::Postgres(pool) => insert_register!(pool, sqlx::Postgres, properties, now),
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Raw::Sqlite(pool) => pool.close().await,
            Raw::Postgres(pool) => pool.close().await,
        }
    }
}
