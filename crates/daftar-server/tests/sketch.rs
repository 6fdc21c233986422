//! The inspector's sketch through the API, on SQLite and PostgreSQL: recorded at the
//! inspection stage by an inspector only, checked by the server (a crossing or unclosed
//! outline is refused naming where, and nothing is kept), each version kept.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    an_inspector_records_a_two_floor_sketch_and_every_version_is_kept,
    a_sketch_that_does_not_hold_is_refused_naming_where_and_keeps_nothing,
    only_an_inspector_and_only_at_inspection_may_record,
    the_case_page_form_records_a_sketch_and_keeps_a_refused_one,
);

const PERMIT: &str = "10010101018th01";
const OWNER: (&str, &str) = ("0499370899", "09120000001");

/// A building-permit case, booked for inspection: where the inspector draws.
async fn case_at_inspection(app: &TestApp) -> Value {
    let applied = support::apply_for_permit(app).await;
    let case = support::ready_for_inspection(app, &applied).await;
    let formation = app.staff_token("formation").await;
    let booked = app
        .post_json(
            &format!("/api/v1/cases/{}/actions", case["id"]),
            json!({"action": "book_inspection", "version": case["version"]}),
            Some(&formation),
        )
        .await;
    assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
    booked.json()
}

fn rectangle(w: f64, h: f64) -> Value {
    json!([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h], [0.0, 0.0]])
}

fn two_floors(version: &Value) -> Value {
    json!({
        "version": version,
        "floors": [
            {"level": 0, "parts": [
                {"use": "parking", "corners": rectangle(12.0, 9.5), "edges_m": [12.02, 9.5, 12.0, 9.48]},
            ]},
            {"level": 1, "parts": [
                {"use": "residential", "corners": rectangle(8.0, 9.5)},
                {"use": "common", "corners": [[8.0, 0.0], [12.0, 0.0], [12.0, 9.5], [8.0, 9.5], [8.0, 0.0]]},
            ]},
        ],
        "location": {"lat": 35.805, "lon": 51.425},
    })
}

async fn an_inspector_records_a_two_floor_sketch_and_every_version_is_kept(app: TestApp) {
    let case = case_at_inspection(&app).await;
    let inspector = app.staff_token("inspection").await;
    let path = format!("/api/v1/cases/{}/sketch", case["id"]);
    let recorded = app
        .post_json(&path, two_floors(&case["version"]), Some(&inspector))
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let answer = recorded.json();
    assert_eq!(answer["sketch_version"], 1);
    assert_eq!(answer["total_area_m2"], "228.00");
    assert_eq!(answer["floors"][0]["area_m2"], "114.00");
    assert_eq!(answer["floors"][1]["parts"][0]["area_m2"], "76.00");
    assert_eq!(answer["floors"][1]["parts"][1]["area_m2"], "38.00");
    assert_eq!(
        answer["floors"][0]["parts"][0]["edges_m"],
        json!([12.0, 9.5, 12.0, 9.5])
    );
    assert_eq!(answer["location"]["lat"], 35.805);

    // Recording moves the case on: the same version again is stale (two inspectors, or a
    // form sent twice), and changes nothing.
    assert_eq!(
        answer["case_version"],
        case["version"].as_i64().unwrap() + 1
    );
    let twice = app
        .post_json(&path, two_floors(&case["version"]), Some(&inspector))
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let mut again = two_floors(&answer["case_version"]);
    again["floors"][1]["parts"][0]["use"] = json!("office");
    let second = app.post_json(&path, again, Some(&inspector)).await;
    assert_eq!(second.json()["sketch_version"], 2, "{}", second.body);

    // The applicant reads them too (their own case), newest first.
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let listed = app
        .get(
            &format!("/api/v1/cases/{}/sketches", case["id"]),
            Some(&citizen),
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let versions: Vec<i64> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|sketch| sketch["sketch_version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1]);
    assert_eq!(
        listed.json()[1]["floors"][1]["parts"][0]["use"],
        "residential"
    );
}

async fn a_sketch_that_does_not_hold_is_refused_naming_where_and_keeps_nothing(app: TestApp) {
    let case = case_at_inspection(&app).await;
    let inspector = app.staff_token("inspection").await;
    let path = format!("/api/v1/cases/{}/sketch", case["id"]);
    let mut crossing = two_floors(&case["version"]);
    crossing["floors"][1]["parts"][0]["corners"] =
        json!([[0.0, 0.0], [8.0, 9.5], [8.0, 0.0], [0.0, 9.5], [0.0, 0.0]]);
    let refused = app.post_json(&path, crossing, Some(&inspector)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "sketch.self_intersecting");
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    // The message names the floor, part and edges (in Persian digits, as every message).
    assert!(
        message.contains("floors[۱].parts[۰].edges[۰] × edges[۲]"),
        "{message}"
    );

    let mut open = two_floors(&case["version"]);
    open["floors"][0]["parts"][0]["corners"] =
        json!([[0.0, 0.0], [12.0, 0.0], [12.0, 9.5], [0.0, 9.5]]);
    let refused = app.post_json(&path, open, Some(&inspector)).await;
    assert_eq!(refused.error_code(), "sketch.not_closed");

    let mut mismeasured = two_floors(&case["version"]);
    mismeasured["floors"][0]["parts"][0]["edges_m"] = json!([12.0, 9.5, 11.0, 9.5]);
    let refused = app.post_json(&path, mismeasured, Some(&inspector)).await;
    assert_eq!(refused.error_code(), "sketch.edge_mismatch");
    assert!(refused.body.contains("edges_m[۲]"), "{}", refused.body);

    let listed = app
        .get(
            &format!("/api/v1/cases/{}/sketches", case["id"]),
            Some(&inspector),
        )
        .await;
    assert_eq!(listed.json(), json!([]), "nothing kept");
}

async fn only_an_inspector_and_only_at_inspection_may_record(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let applied = app
        .post_json(
            "/api/v1/cases",
            support::application_with_a_pdf_of(&app, PERMIT, 64),
            Some(&citizen),
        )
        .await;
    let fresh = applied.json();
    let inspector = app.staff_token("inspection").await;
    let early = app
        .post_json(
            &format!("/api/v1/cases/{}/sketch", fresh["id"]),
            two_floors(&fresh["version"]),
            Some(&inspector),
        )
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN, "{}", early.body);
    assert_eq!(early.error_code(), "sketch.not_now");

    let case = case_at_inspection(&app).await;
    let path = format!("/api/v1/cases/{}/sketch", case["id"]);
    let formation = app.staff_token("formation").await;
    let refused = app
        .post_json(&path, two_floors(&case["version"]), Some(&formation))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "sketch.inspectors_only");
    let by_applicant = app
        .post_json(&path, two_floors(&case["version"]), Some(&citizen))
        .await;
    assert_eq!(by_applicant.status, StatusCode::NOT_FOUND);
    let stale = app
        .post_json(&path, two_floors(&json!(0)), Some(&inspector))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Another citizen does not learn that the case exists.
    let stranger = app.citizen_token("0790419904", "09120000002").await;
    let hidden = app
        .get(
            &format!("/api/v1/cases/{}/sketches", case["id"]),
            Some(&stranger),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

/// The inspector's form on the case page works without JavaScript: one line a part; a
/// refused sketch comes back with the message at the form and the text kept.
async fn the_case_page_form_records_a_sketch_and_keeps_a_refused_one(app: TestApp) {
    let case = case_at_inspection(&app).await;
    let inspector = format!(
        "{}={}",
        daftar_server::auth::SESSION_COOKIE,
        app.staff_token("inspection").await
    );
    let path = format!("/cases/{}", case["id"]);
    let page = app.get_page(&path, &inspector).await;
    assert!(page.body.contains("action=\"/cases/"), "{}", page.body);
    assert!(page.body.contains("name=\"sketch\""), "the form is offered");
    let csrf = page.hidden("csrf");
    let version = page.hidden("version");
    let crossing = "0 parking: 0,0 12,9.5 12,0 0,9.5";
    let refused = app
        .post_form(
            &format!("{path}/sketch"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("sketch", crossing),
                ("lat", ""),
                ("lon", ""),
            ],
            &inspector,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("محیط خودش را قطع می‌کند"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(crossing), "what was typed is kept");
    assert!(refused.body.contains("aria-invalid=\"true\""));

    let drawn =
        "0 پارکینگ: ۰،۰ ۱۲،۰ ۱۲،۹٫۵ ۰،۹٫۵\n1 residential: 0,0 12,0 12,9.5 0,9.5 | 12 9.5 12 9.5";
    let recorded = app
        .post_form(
            &format!("{path}/sketch"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("sketch", drawn),
                ("lat", "35.805"),
                ("lon", "51.425"),
            ],
            &inspector,
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let shown = app.get_page(&path, &inspector).await;
    assert!(shown.body.contains("۲۲۸٫۰۰ مترمربع"), "{}", shown.body);
    assert!(
        shown.body.contains("0 parking: 0,0 12,0 12,9.5 0,9.5"),
        "the form starts from the latest sketch"
    );
}
