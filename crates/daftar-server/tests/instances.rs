//! Several instances of one office on one database: what a citizen files through one is
//! served by any other, because documents live in an object store they share (moto's S3
//! server, started by the test), not on one instance's disk; and the public look-up
//! limit holds for a client however its requests are spread.

mod s3_server;
mod support;

use axum::http::StatusCode;
use base64::Engine;
use daftar_server::Config;
use s3_server::S3Server;
use support::{Db, TestApp, application_with_a_pdf_of, request_from};

const PERMIT: &str = "10010101018th01";

fn in_bucket(s3: &S3Server, bucket: &str) -> impl Fn(&mut Config) {
    let settings = s3.settings();
    let url = format!("s3://{bucket}/office-0101");
    move |config: &mut Config| {
        config.documents_url = Some(url.clone());
        config.object_store = settings.clone();
    }
}

/// Files under a directory, but not the `.incoming` directory uploads pass through.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().contains(".incoming") {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

async fn a_document_filed_through_one_instance_is_served_by_another(db: Db) {
    let s3 = S3Server::start();
    s3.bucket("city-documents");
    let a = TestApp::spawn_with(db, in_bucket(&s3, "city-documents")).await;
    let b = TestApp::beside(&a, in_bucket(&s3, "city-documents")).await;

    let citizen = a.citizen_token("0499370899", "09120000001").await;
    let application = application_with_a_pdf_of(&a, PERMIT, 1_000_000);
    let kind = application["documents"][0]["kind"].clone();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(
            application["documents"][0]["content_base64"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(sent.len(), 1_000_000);
    let filed = a
        .post_json("/api/v1/cases", application, Some(&citizen))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let filed = filed.json();
    let document = filed["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|document| document["kind"] == kind)
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    for (instance, app) in [("A", &a), ("B", &b)] {
        let read = app
            .get(&format!("/api/v1/documents/{document}"), Some(&citizen))
            .await;
        assert_eq!(
            read.status,
            StatusCode::OK,
            "through {instance}: {}",
            read.body
        );
        assert!(
            read.bytes == sent,
            "through {instance}: {} bytes back",
            read.bytes.len()
        );
        let ready = app.get("/readyz", None).await;
        assert_eq!(ready.body, "database: ok\ndocuments: ok\n", "{instance}");
    }
    // Nothing of the document stayed on either instance's disk.
    for (instance, app) in [("A", &a), ("B", &b)] {
        let documents = app.data_dir.path().join("documents");
        assert_eq!(files_under(&documents), Vec::<String>::new(), "{instance}");
    }

    // With the object store gone, neither instance is ready once the last answer it had
    // (taken as good for two seconds) is old, and both stay alive.
    drop(s3);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for app in [&a, &b] {
        let ready = app.get("/readyz", None).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.body, "database: ok\ndocuments: not ready\n");
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn sqlite_a_document_filed_through_one_instance_is_served_by_another() {
    a_document_filed_through_one_instance_is_served_by_another(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_document_filed_through_one_instance_is_served_by_another() {
    a_document_filed_through_one_instance_is_served_by_another(Db::Postgres).await;
}

async fn a_clients_look_ups_are_limited_once_however_spread_over_instances(db: Db) {
    let limit = |config: &mut Config| config.lookup_rate_limit = 4;
    let a = TestApp::spawn_with(db, limit).await;
    let b = TestApp::beside(&a, limit).await;
    let path = "/api/v1/cases/track/000000000018";
    let mut answered = Vec::new();
    for round in 0..8 {
        let app = if round % 2 == 0 { &a } else { &b };
        answered.push(
            app.send(request_from("203.0.113.7:4000", path))
                .await
                .status,
        );
    }
    let limited = answered
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        limited, 4,
        "four of eight let through, not four per instance: {answered:?}"
    );
    assert_ne!(
        b.send(request_from("203.0.113.8:4000", path)).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a neighbour has its own count"
    );
}

#[tokio::test]
async fn sqlite_a_clients_look_ups_are_limited_once_however_spread_over_instances() {
    a_clients_look_ups_are_limited_once_however_spread_over_instances(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_clients_look_ups_are_limited_once_however_spread_over_instances() {
    a_clients_look_ups_are_limited_once_however_spread_over_instances(Db::Postgres).await;
}
