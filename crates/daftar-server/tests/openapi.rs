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
        // The one path outside the API's prefix is the well-known place of the keys.
        assert!(
            path.starts_with("/api/v1/") || path == "/.well-known/daftar-keys.json",
            "{path}"
        );
        // No call of the API takes DELETE: a path that exists answers it 405, one that
        // does not falls through to the 404 of unknown paths.
        assert!(!operations.as_object().unwrap().contains_key("delete"));
        let request = axum::http::Request::builder()
            .method("DELETE")
            .uri(concrete)
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
        "/api/v1/auth/otp",
        "/api/v1/bills/track",
        "/api/v1/payments",
        "/api/v1/clearances",
        "/api/v1/cases",
        "/api/v1/cases/{id}/actions",
        "/api/v1/queues/{role}",
    ] {
        assert!(paths.contains_key(served), "{served} is not documented");
    }
}
