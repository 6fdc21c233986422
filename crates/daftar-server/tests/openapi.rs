//! The published OpenAPI document describes the API that is served.

mod support;

use axum::http::StatusCode;
use support::{Db, TestApp};

#[tokio::test]
async fn every_documented_path_is_served_and_every_served_call_is_documented() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(response.status, StatusCode::OK);
    let doc = response.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, operations) in paths {
        let concrete = path
            .replace("{role}", "formation")
            .replace("{id}", "1")
            .replace("{code}", "000000000018");
        // No call of the API takes DELETE: a path that exists answers it 405, one that
        // does not falls through to the 404 of unknown paths.
        assert!(!operations.as_object().unwrap().contains_key("delete"));
        let request = axum::http::Request::builder()
            .method("DELETE")
            .uri(format!("/api/v1{concrete}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let answer = app.send(request).await;
        assert_eq!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is documented but not served"
        );
    }
    for served in [
        "/auth/otp",
        "/bills/track",
        "/payments",
        "/clearances",
        "/cases",
        "/cases/{id}/actions",
        "/queues/{role}",
    ] {
        assert!(paths.contains_key(served), "{served} is not documented");
    }
}
