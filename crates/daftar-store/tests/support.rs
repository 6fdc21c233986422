//! Test databases for the contract suite: a fresh SQLite file or a fresh PostgreSQL
//! database per test, so tests run in parallel without seeing each other's rows.

use std::sync::Arc;

use daftar_store::Store;

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_server_url() -> String {
    std::env::var("DAFTAR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

pub struct TestDb {
    #[allow(dead_code)]
    pub store: Arc<dyn Store>,
    /// The database's URL, for a test that reaches past the store (to tamper with it);
    /// daftar-app's tests, which share this file, read it.
    #[allow(dead_code)]
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("daftar.db").display());
        let store = daftar_store::open(&url).await.expect("SQLite opens");
        TestDb {
            store,
            url,
            _dir: Some(dir),
        }
    }

    /// A new database named `daftar_test_<random>`; `.ci/run` drops them before a run.
    pub async fn postgres() -> TestDb {
        let name = format!("daftar_test_{:016x}", rand::random::<u64>());
        let url = format!("{}/{name}", postgres_server_url());
        let store = daftar_store::open(&url)
            .await
            .expect("PostgreSQL is running (set DAFTAR_TEST_POSTGRES_URL to point elsewhere)");
        TestDb {
            store,
            url,
            _dir: None,
        }
    }
}

/// Runs each named async test function against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::support::TestDb::sqlite().await;
                    super::$name(db.store.as_ref()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::support::TestDb::postgres().await;
                    super::$name(db.store.as_ref()).await;
                }
            )*
        }
    };
}
