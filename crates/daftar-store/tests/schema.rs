//! The schema with several instances: migrations run once however many start together,
//! and a program older than the schema it finds refuses to start.

mod support;

use support::{TestDb, postgres_server_url};

/// A row sqlx would write for a migration this program does not have; `checksum` is a
/// one-byte blob in the backend's spelling.
fn from_a_newer_release(checksum: &str) -> String {
    format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101, 'from a newer release', TRUE, {checksum}, 0)"
    )
}

async fn refused_after_a_newer_release(url: &str) {
    let error = match daftar_store::open(url).await {
        Ok(_) => panic!("a database migrated by a newer release was opened"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("newer than this program") && error.contains("99990101"),
        "{error}"
    );
}

#[tokio::test]
async fn sqlite_a_program_older_than_the_schema_refuses_to_start() {
    let db = TestDb::sqlite().await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query(&from_a_newer_release("X'00'"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    refused_after_a_newer_release(&db.url).await;
}

#[tokio::test]
async fn postgres_a_program_older_than_the_schema_refuses_to_start() {
    let db = TestDb::postgres().await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query(&from_a_newer_release("'\\x00'::bytea"))
        .execute(&pool)
        .await
        .unwrap();
    refused_after_a_newer_release(&db.url).await;
}

/// A PostgreSQL database no test has used, made by whoever opens it first.
fn fresh_postgres_url() -> String {
    format!(
        "{}/daftar_test_{:016x}",
        postgres_server_url(),
        rand::random::<u64>()
    )
}

#[tokio::test]
async fn postgres_instances_started_together_all_open_and_migrate_once() {
    let url = fresh_postgres_url();
    let opened = futures_util::future::join_all((0..4).map(|_| daftar_store::open(&url))).await;
    for outcome in &opened {
        if let Err(error) = outcome {
            panic!("an instance did not start: {error:#}");
        }
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (applied, distinct, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT version), count(*) FILTER (WHERE NOT success) \
         FROM _sqlx_migrations",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    assert_eq!((applied, distinct, failed), (files, files, 0));
}

/// The connections of the pool for requests, as the store reports them, after `waiting`
/// requests asked for one at the same moment.
async fn connections_opened(url: &str, given: u32, waiting: usize) -> u32 {
    let store = daftar_store::open_with(url, given).await.unwrap();
    let pings = futures_util::future::join_all((0..waiting).map(|_| store.ping())).await;
    assert!(pings.iter().all(Result::is_ok));
    let (_, open, _) = store
        .pool_use()
        .into_iter()
        .find(|(pool, _, _)| *pool == "reader")
        .unwrap();
    store.close().await;
    open
}

/// `--database-connections`: instances sharing a database server's cores hold no more
/// connections for requests than they are given, however many requests wait; by default
/// the same requests open more.
#[tokio::test]
async fn postgres_a_pool_holds_no_more_connections_than_it_is_given() {
    let url = fresh_postgres_url();
    let given = connections_opened(&url, 2, 12).await;
    assert!((1..=2).contains(&given), "{given} connections open");
    let by_default = connections_opened(&url, daftar_store::DEFAULT_CONNECTIONS, 12).await;
    assert!(by_default > 2, "{by_default} connections open by default");
}
