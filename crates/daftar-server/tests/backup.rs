//! `daftar backup` and `daftar restore` (their use cases, `daftar_app::backup`), on both
//! databases: a backup taken while citizens keep filing holds every application
//! acknowledged before it began, with its documents and the office's key; restored into
//! an empty database and data directory, the office serves them as before and its audit
//! chain holds. A damaged backup, or a database that is not empty, is refused before
//! anything is written.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::StatusCode;
use base64::Engine;
use daftar_server::{AppState, Config};
use support::{Db, TestApp, application_with_a_pdf_of};
use tokio::sync::Mutex;

const PERMIT: &str = "10010101018th01";

/// The office restored from `backup` into a fresh database and data directory.
async fn restored(from: &TestApp, backup: &std::path::Path, db: &Db) -> (TestApp, Config) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = from.state.config.clone();
    config.data_dir = data_dir.path().to_owned();
    config.database_url = Some(db.fresh_url(data_dir.path()));
    daftar_app::backup::restore(&config, backup, |_, _| {})
        .await
        .expect("the backup restores");
    let store = daftar_store::open(&config.database_url()).await.unwrap();
    let state = AppState::new(config.clone(), store.clone()).unwrap();
    (
        TestApp {
            state,
            store,
            data_dir,
        },
        config,
    )
}

async fn a_backup_taken_while_the_office_works_restores_everything_acknowledged_before(db: Db) {
    let office = TestApp::spawn(db).await;
    let citizen = office.citizen_token("0499370899", "09120000001").await;
    let application = application_with_a_pdf_of(&office, PERMIT, 200_000);
    let kind = application["documents"][0]["kind"].clone();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(
            application["documents"][0]["content_base64"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let first = office
        .post_json("/api/v1/cases", application, Some(&citizen))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = first.json();

    // Citizens keep filing while the backup runs: each acknowledged code is noted with
    // whether the backup had begun when the acknowledgement came.
    let office = Arc::new(office);
    let began = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    // (tracking code, its document's id, whether acknowledged before the backup began)
    let acknowledged: Arc<Mutex<Vec<(String, i64, bool)>>> = Arc::default();
    let filing = {
        let (office, began, stop, acknowledged, citizen) = (
            office.clone(),
            began.clone(),
            stop.clone(),
            acknowledged.clone(),
            citizen.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let application = application_with_a_pdf_of(&office, PERMIT, 4_000);
                let filed = office
                    .post_json("/api/v1/cases", application, Some(&citizen))
                    .await;
                assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
                let before = !began.load(Ordering::SeqCst);
                let filed = filed.json();
                let code = filed["tracking_code"].as_str().unwrap().to_owned();
                let document = filed["documents"][0]["id"].as_i64().unwrap();
                acknowledged.lock().await.push((code, document, before));
            }
        })
    };
    while acknowledged.lock().await.len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let backup = tempfile::tempdir().unwrap();
    let into = backup.path().join("backup");
    began.store(true, Ordering::SeqCst);
    let manifest = daftar_app::backup::back_up(&office.state.config, &into, |_, _| {})
        .await
        .expect("the backup is taken");
    stop.store(true, Ordering::SeqCst);
    filing.await.unwrap();
    let filed: Vec<(String, i64, bool)> = acknowledged.lock().await.clone();
    let before: Vec<String> = filed
        .iter()
        .filter(|(_, _, before)| *before)
        .map(|(code, _, _)| code.clone())
        .collect();
    assert!(before.len() >= 5);
    assert!(manifest.signing_key.is_some(), "the office key is kept");
    let sent_key = {
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(&sent));
        format!("{}/{hash}", &hash[..2])
    };
    assert!(
        manifest.documents.contains(&sent_key),
        "{sent_key} in {:?}",
        manifest.documents
    );

    let (restored, config) = restored(&office, &into, &db).await;
    for code in before
        .iter()
        .chain([first["tracking_code"].as_str().unwrap().to_owned()].iter())
    {
        let status = restored
            .get(&format!("/api/v1/cases/track/{code}"), None)
            .await;
        assert_eq!(
            status.status,
            StatusCode::OK,
            "{code} was acknowledged before the backup"
        );
    }
    // The first application's document, read back by its citizen (whose session was in
    // the database too), has the bytes sent.
    let document = first["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|document| document["kind"] == kind)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let read = restored
        .get(&format!("/api/v1/documents/{document}"), Some(&citizen))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(read.bytes == sent, "{} bytes back", read.bytes.len());
    // Every document a restored case names is there.
    for (code, document, _) in &filed {
        if restored
            .get(&format!("/api/v1/cases/track/{code}"), None)
            .await
            .status
            == StatusCode::OK
        {
            let read = restored
                .get(&format!("/api/v1/documents/{document}"), Some(&citizen))
                .await;
            assert_eq!(read.status, StatusCode::OK, "{code}: {}", read.body);
        }
    }
    let report = restored
        .state
        .services
        .cases
        .verify_history()
        .await
        .unwrap();
    assert!(report.broken.is_none(), "the audit chain holds");
    assert!(report.cases as usize > before.len());
    assert_eq!(
        std::fs::read(config.data_dir.join(daftar_app::issued::KEY_FILE)).unwrap(),
        std::fs::read(office.data_dir.path().join(daftar_app::issued::KEY_FILE)).unwrap(),
        "the office signs with the same key"
    );

    // Restoring again over the restored database is refused, and changes nothing.
    let again = daftar_app::backup::restore(&config, &into, |_, _| {}).await;
    let refused = format!("{:#}", again.expect_err("the database is not empty"));
    assert!(
        refused.contains("exists") || refused.contains("tables"),
        "{refused}"
    );
    assert_eq!(
        restored
            .get(&format!("/api/v1/cases/track/{}", before[0]), None)
            .await
            .status,
        StatusCode::OK
    );
}

/// A backup whose database copy was changed after it was written is refused before
/// anything is restored.
async fn a_damaged_backup_is_refused_before_anything_is_written(db: Db) {
    let office = TestApp::spawn(db).await;
    let backup = tempfile::tempdir().unwrap();
    let into = backup.path().join("backup");
    let manifest = daftar_app::backup::back_up(&office.state.config, &into, |_, _| {})
        .await
        .unwrap();
    let copy = into.join(&manifest.database.path);
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&copy, bytes).unwrap();

    let target = tempfile::tempdir().unwrap();
    let mut config = office.state.config.clone();
    config.data_dir = target.path().join("data");
    let db = if manifest.backend == "postgres" {
        Db::Postgres
    } else {
        Db::Sqlite
    };
    config.database_url = Some(db.fresh_url(&config.data_dir));
    let refused = daftar_app::backup::restore(&config, &into, |_, _| {})
        .await
        .expect_err("a damaged copy");
    assert!(
        format!("{refused:#}").contains("not what the manifest says"),
        "{refused:#}"
    );
    assert!(!config.data_dir.exists(), "nothing was written");
    if manifest.backend == "postgres" {
        use sqlx::migrate::MigrateDatabase;
        let url = config.database_url();
        assert!(!sqlx::Postgres::database_exists(&url).await.unwrap());
    }
}

/// A backup whose document was changed after it was written is refused before the
/// database or any document is restored.
async fn a_damaged_document_is_refused_before_anything_is_written(db: Db) {
    let office = TestApp::spawn(db).await;
    let citizen = office.citizen_token("0499370899", "09120000001").await;
    let application = application_with_a_pdf_of(&office, PERMIT, 10_000);
    let filed = office
        .post_json("/api/v1/cases", application, Some(&citizen))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let backup = tempfile::tempdir().unwrap();
    let into = backup.path().join("backup");
    let manifest = daftar_app::backup::back_up(&office.state.config, &into, |_, _| {})
        .await
        .unwrap();
    let document = into.join("documents").join(&manifest.documents[0]);
    let mut bytes = std::fs::read(&document).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&document, bytes).unwrap();

    let target = tempfile::tempdir().unwrap();
    let mut config = office.state.config.clone();
    config.data_dir = target.path().join("data");
    config.database_url = Some(db.fresh_url(&config.data_dir));
    let refused = daftar_app::backup::restore(&config, &into, |_, _| {})
        .await
        .expect_err("a damaged document");
    assert!(format!("{refused:#}").contains("is damaged"), "{refused:#}");
    assert!(!config.data_dir.exists(), "nothing was written");
}

#[tokio::test]
async fn sqlite_a_damaged_document_is_refused_before_anything_is_written() {
    a_damaged_document_is_refused_before_anything_is_written(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_damaged_document_is_refused_before_anything_is_written() {
    a_damaged_document_is_refused_before_anything_is_written(Db::Postgres).await;
}

#[tokio::test]
async fn sqlite_a_backup_taken_while_the_office_works_restores_everything_acknowledged_before() {
    a_backup_taken_while_the_office_works_restores_everything_acknowledged_before(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_backup_taken_while_the_office_works_restores_everything_acknowledged_before() {
    a_backup_taken_while_the_office_works_restores_everything_acknowledged_before(Db::Postgres)
        .await;
}

#[tokio::test]
async fn sqlite_a_damaged_backup_is_refused_before_anything_is_written() {
    a_damaged_backup_is_refused_before_anything_is_written(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_damaged_backup_is_refused_before_anything_is_written() {
    a_damaged_backup_is_refused_before_anything_is_written(Db::Postgres).await;
}
