//! Who among the office's staff reads a case: only those whose role takes part in its
//! workflow, and those who oversee the office; and every read on the record.

mod support;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    finding_12_staff_read_only_cases_their_role_takes_part_in,
    every_staff_read_is_recorded_and_internal_inspection_lists_it,
);

const PERMIT: &str = "10010101018th01";
const OWNER: (&str, &str) = ("0499370899", "09120000001");

/// A complete building-permit application.
fn permit_application(app: &TestApp) -> Value {
    let answers = support::required_answers(app, PERMIT);
    let service = app.state.services.catalog.get(PERMIT).unwrap();
    let documents: Vec<Value> = service
        .form
        .documents
        .iter()
        .filter(|d| d.required)
        .map(|d| {
            json!({
                "kind": d.id,
                "file_name": format!("{}.pdf", d.id),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7\n%%EOF\n"),
            })
        })
        .collect();
    json!({ "service_id": PERMIT, "answers": answers, "documents": documents })
}

/// Finding 12: every staff member of the office, whatever their role, read every case's
/// answers. Now a role with no part in the building permit (vehicle tolls, consulting,
/// the role-less trainee) is told the case does not exist, while the units it passes
/// through and those who oversee the office read it.
async fn finding_12_staff_read_only_cases_their_role_takes_part_in(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let opened = app
        .post_json("/api/v1/cases", permit_application(&app), Some(&citizen))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}");
    for reader in [
        "formation",
        "inspection",
        "plan_approval",
        "office_head",
        "office_manager",
        "follow_up",
        "internal_inspection",
    ] {
        let token = app.staff_token(reader).await;
        let answer = app.get(&path, Some(&token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{reader}: {}", answer.body);
    }
    for outsider in ["vehicle_tolls", "consulting", "renewal_clearance"] {
        let token = app.staff_token(outsider).await;
        let answer = app.get(&path, Some(&token)).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{outsider}: {}",
            answer.body
        );
    }
}

/// Every read of a case or of a document by staff is recorded (who, when, what), and
/// internal inspection lists them per case and per staff member; nobody else may.
async fn every_staff_read_is_recorded_and_internal_inspection_lists_it(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let opened = app
        .post_json("/api/v1/cases", permit_application(&app), Some(&citizen))
        .await
        .json();
    let id = opened["id"].as_i64().unwrap();
    let document = opened["documents"][0]["id"].as_i64().unwrap();
    let formation = app.staff_token("formation").await;
    assert_eq!(
        app.get(&format!("/api/v1/cases/{id}"), Some(&formation))
            .await
            .status,
        StatusCode::OK
    );
    let file = app
        .get(&format!("/api/v1/documents/{document}"), Some(&formation))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    // The applicant's own reads are not staff reads.
    app.get(&format!("/api/v1/cases/{id}"), Some(&citizen))
        .await;

    let inspection = app.staff_token("internal_inspection").await;
    let of_case = app
        .get(&format!("/api/v1/cases/{id}/reads"), Some(&inspection))
        .await;
    assert_eq!(of_case.status, StatusCode::OK, "{}", of_case.body);
    let reads = of_case.json()["reads"].as_array().unwrap().clone();
    let by_formation: Vec<&Value> = reads.iter().filter(|r| r["staff"] == "formation").collect();
    assert!(
        by_formation
            .iter()
            .any(|r| r["document_id"] == json!(document)),
        "{reads:?}"
    );
    assert!(
        by_formation.iter().any(|r| r["document_id"].is_null()),
        "{reads:?}"
    );
    assert!(reads.iter().all(|r| r["staff"] != "applicant"));
    let of_staff = app
        .get("/api/v1/staff/formation/reads", Some(&inspection))
        .await
        .json();
    assert!(
        of_staff["reads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["staff"] == "formation")
    );
    assert!(!of_staff["reads"].as_array().unwrap().is_empty());
    // Only internal inspection lists them.
    let refused = app
        .get(&format!("/api/v1/cases/{id}/reads"), Some(&formation))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
