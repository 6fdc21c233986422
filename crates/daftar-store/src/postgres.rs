//! The production backend: PostgreSQL, shared by every `daftar serve` instance.
//!
//! Reads and writes use the same pool; concurrent read-then-write transactions take a
//! row lock (`FOR UPDATE`) so two instances cannot both decide on the same row.

use std::str::FromStr;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::cases::group_commit::TransitionQueue;
use crate::cases::postgres::PgGroups;

#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) reader: PgPool,
    pub(crate) writer: PgPool,
    /// Where transitions without documents wait to be written as a group.
    pub(crate) transitions: TransitionQueue,
    /// The groups' own connections (see `open`).
    pub(crate) group_writer: PgPool,
}

/// PostgreSQL 13 is the oldest release still receiving fixes when Daftar began.
const MIN_SERVER_VERSION: i64 = 130_000;
/// Groups of case transitions written at once: while one waits for its commit, the next
/// is written.
const GROUPS_IN_FLIGHT: usize = 2;

impl PgStore {
    /// Connects, creating the database when it does not exist, checks the server's
    /// version and migrates.
    pub async fn open(url: &str, connections: u32) -> anyhow::Result<PgStore> {
        let options =
            PgConnectOptions::from_str(url).context("the PostgreSQL database URL is not valid")?;
        if !Postgres::database_exists(url)
            .await
            .context("could not reach PostgreSQL")?
        {
            // Instances started together each try; the one that loses finds it made.
            match Postgres::create_database(url).await {
                Ok(()) => tracing::info!("Created the PostgreSQL database."),
                Err(_) if Postgres::database_exists(url).await.unwrap_or(false) => {}
                Err(error) => {
                    return Err(error).context("could not create the PostgreSQL database");
                }
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(connections.max(1))
            .connect(url)
            .await
            .context("could not connect to PostgreSQL")?;
        let (version,): (String,) = sqlx::query_as("SHOW server_version_num")
            .fetch_one(&pool)
            .await
            .context("could not read the PostgreSQL version")?;
        let version: i64 = version.trim().parse().unwrap_or(0);
        anyhow::ensure!(
            version >= MIN_SERVER_VERSION,
            "PostgreSQL {version} is too old: Daftar needs 13 or newer"
        );
        let migrator = sqlx::migrate!("migrations/postgres");
        let (recorded,): (bool,) =
            sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&pool)
                .await
                .context("could not read the PostgreSQL schema")?;
        if recorded {
            let (applied,): (Option<i64>,) =
                sqlx::query_as("SELECT max(version) FROM _sqlx_migrations")
                    .fetch_one(&pool)
                    .await
                    .context("could not read the PostgreSQL schema's version")?;
            crate::schema::refuse_newer(applied, &migrator)?;
        }
        // sqlx's migrator takes an advisory lock: of instances started together, one
        // migrates and the others wait, then find nothing left to do.
        migrator
            .run(&pool)
            .await
            .context("could not migrate the PostgreSQL database")?;
        // The group statement's custom plans cost more to make than to run (its arrays'
        // lengths are all a custom plan learns), so its own connections keep one
        // generic plan, made once.
        let group_writer = PgPoolOptions::new()
            .max_connections(GROUPS_IN_FLIGHT as u32)
            .connect_with(options.options([("plan_cache_mode", "force_generic_plan")]))
            .await
            .context("could not connect to PostgreSQL")?;
        let transitions = TransitionQueue::start(
            PgGroups {
                writer: group_writer.clone(),
            },
            GROUPS_IN_FLIGHT,
        );
        Ok(PgStore {
            reader: pool.clone(),
            writer: pool,
            transitions,
            group_writer,
        })
    }
}
