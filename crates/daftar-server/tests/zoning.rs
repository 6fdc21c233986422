//! The zoning inquiry through the API, on SQLite and PostgreSQL, over the demo's map
//! (made up for the demo, and the answer says so).

mod support;

use axum::http::{StatusCode, header};
use daftar_server::auth::SESSION_COOKIE;
use support::TestApp;

on_both_databases!(
    staff_ask_the_plan_at_a_point,
    a_point_off_the_map_has_no_zone,
    a_citizen_or_nobody_may_not_ask_at_a_point,
    a_bad_point_is_refused_with_a_code,
    the_inquiry_page_answers_staff_and_refuses_others,
);

const IN_R111: &str = "/api/v1/zoning/inquiry?lon=51.425&lat=35.805";

async fn staff_ask_the_plan_at_a_point(app: TestApp) {
    let token = app.staff_token("formation").await;
    let answer = app.get(IN_R111, Some(&token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["zoning_version"], 1);
    assert_eq!(json["rules_version"], "demo-1");
    assert_eq!(json["made_for_demo"], true);
    let zone = &json["zones"][0];
    assert_eq!(zone["code"], "R111");
    assert_eq!(zone["family"], "housing");
    assert_eq!(zone["share"], 1.0);
    assert_eq!(zone["max_density_pct"], 180);
    assert_eq!(zone["max_occupancy_pct"], 60);
    assert_eq!(zone["max_floors"], 3);
    assert_eq!(zone["parking_m2_per_space"], 100);
    assert_eq!(json["flags"], serde_json::json!(["worn_out_fabric"]));
    // Persian digits and the Persian decimal separator are read too.
    let persian = app
        .get("/api/v1/zoning/inquiry?lon=۵۱٫۴۳۵&lat=۳۵٫۷۹۵", Some(&token))
        .await;
    assert_eq!(persian.json()["zones"][0]["code"], "G111");
    assert_eq!(persian.json()["flags"], serde_json::json!(["heritage"]));
}

async fn a_point_off_the_map_has_no_zone(app: TestApp) {
    let token = app.staff_token("inspection").await;
    let answer = app
        .get("/api/v1/zoning/inquiry?lon=51.0&lat=35.0", Some(&token))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["zones"], serde_json::json!([]));
}

async fn a_citizen_or_nobody_may_not_ask_at_a_point(app: TestApp) {
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let refused = app.get(IN_R111, Some(&citizen)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "zoning.staff_only");
    assert_eq!(
        app.get(IN_R111, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_bad_point_is_refused_with_a_code(app: TestApp) {
    let token = app.staff_token("formation").await;
    for query in [
        "lon=181&lat=35",
        "lon=east&lat=35",
        "lon=51",
        "lon=NaN&lat=35",
    ] {
        let answer = app
            .get(&format!("/api/v1/zoning/inquiry?{query}"), Some(&token))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
    }
    let answer = app
        .get("/api/v1/zoning/inquiry?lon=999&lat=35", Some(&token))
        .await;
    assert_eq!(answer.error_code(), "zoning.point");
}

async fn the_inquiry_page_answers_staff_and_refuses_others(app: TestApp) {
    let clerk = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);
    let page = app
        .get_page("/staff/zoning?lon=51.425&lat=35.805", &clerk)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<bdi dir=\"ltr\" class=\"code\">R111</bdi>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("ساختگی، برای نسخهٔ نمایشی"),
        "the demo's plan says so"
    );
    assert!(page.body.contains("بافت فرسوده"));
    // With a plot, its map order: 300 m², the street taking 1.5 m along 12 m.
    let ordered = app
        .get_page(
            "/staff/zoning?lon=51.425&lat=35.805&area=300&depth=1.5&frontage=12",
            &clerk,
        )
        .await;
    let order = ordered
        .body
        .split("id=\"map-order\"")
        .nth(1)
        .expect("a map order");
    for figure in [
        "۱۸٫۰۰ مترمربع",
        "۲۸۲٫۰۰ مترمربع",
        "۱۶۹٫۲۰ مترمربع",
        "۵۰۷٫۶۰ مترمربع",
    ] {
        assert!(order.contains(figure), "{figure}: {order}");
    }
    let bad_area = app
        .get_page("/staff/zoning?lon=51.425&lat=35.805&area=-3", &clerk)
        .await;
    assert_eq!(bad_area.status, StatusCode::UNPROCESSABLE_ENTITY);
    let empty = app.get_page("/staff/zoning", &clerk).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.body.contains("id=\"answer\""));
    let bad = app.get_page("/staff/zoning?lon=abc&lat=35", &clerk).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(bad.body.contains("طول و عرض جغرافیایی باید عدد باشند"));

    let citizen = format!(
        "{SESSION_COOKIE}={}",
        app.citizen_token("0499370899", "09120000001").await
    );
    let refused = app
        .get_page("/staff/zoning?lon=51.425&lat=35.805", &citizen)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("R111"));
    let anonymous = app.get_page("/staff/zoning", "").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/staff/sign-in")
    );
}
