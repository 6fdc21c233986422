//! The Persian shell, role permissions and the health check, on both databases.

mod support;

use axum::http::StatusCode;
use support::TestApp;

on_both_databases!(
    the_home_page_is_persian_and_right_to_left_with_an_english_switch,
    staff_without_a_role_get_403_on_its_pages_and_api,
    a_staff_member_sees_their_roles_on_the_landing_page,
    an_unknown_address_is_a_404_page_or_json,
    every_answer_carries_the_security_headers,
    readiness_fails_when_the_database_is_gone_while_the_process_stays_alive,
);

async fn the_home_page_is_persian_and_right_to_left_with_an_english_switch(app: TestApp) {
    let home = app.get_page("/", "").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("<html lang=\"fa\" dir=\"rtl\">"));
    assert!(home.body.contains("میز خدمت الکترونیک شهرداری"));
    assert!(home.body.contains("/lang/en?next="));
    assert!(
        home.body.contains("۱۴"),
        "today's Jalali year is written in Persian digits"
    );
    let switch = app.get_page("/lang/en?next=/staff/sign-in", "").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.cookie("lang").as_deref(), Some("en"));
    assert_eq!(switch.headers["location"], "/staff/sign-in");
    let english = app.get_page("/", "lang=en").await;
    assert!(english.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    let elsewhere = app.get_page("/lang/en?next=//evil.example", "").await;
    assert_eq!(elsewhere.headers["location"], "/");
}

async fn staff_without_a_role_get_403_on_its_pages_and_api(app: TestApp) {
    let inspector = app.staff_token("inspection").await;
    let trainee = app.staff_token(daftar_app::demo::DEMO_NO_ROLE_USER).await;
    let own = app.get("/api/v1/units/inspection", Some(&inspector)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["offices"][0]["office"], "0101");
    for token in [&inspector, &trainee] {
        let api = app.get("/api/v1/units/formation", Some(token)).await;
        assert_eq!(api.status, StatusCode::FORBIDDEN);
        assert_eq!(api.error_code(), "auth.forbidden");
        let page = app
            .get_page("/staff/units/formation", &format!("daftar_session={token}"))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("نقش لازم"));
        // The error page keeps the signed-in header: their name and «خروج».
        assert!(page.body.contains("action=\"/sign-out\""), "{}", page.body);
        assert!(!page.body.contains("href=\"/staff/sign-in\""));
    }
    let own_page = app
        .get_page(
            "/staff/units/inspection",
            &format!("daftar_session={inspector}"),
        )
        .await;
    assert_eq!(own_page.status, StatusCode::OK);
    let anonymous = app.get("/api/v1/units/formation", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let citizen_api = app.get("/api/v1/units/formation", Some(&citizen)).await;
    assert_eq!(citizen_api.status, StatusCode::FORBIDDEN);
    let unknown_role = app.get("/api/v1/units/mayor", Some(&inspector)).await;
    assert_eq!(unknown_role.status, StatusCode::NOT_FOUND);
}

async fn a_staff_member_sees_their_roles_on_the_landing_page(app: TestApp) {
    let form = app.get_page("/staff/sign-in", "").await;
    let csrf = form.cookie("daftar_csrf").unwrap();
    let signed_in = app
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf", &csrf),
                ("username", "office_head"),
                ("password", daftar_app::demo::DEMO_PASSWORD),
            ],
            &format!("daftar_csrf={csrf}"),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers["location"], "/staff");
    let session = signed_in.cookie("daftar_session").unwrap();
    let landing = app
        .get_page("/staff", &format!("daftar_session={session}"))
        .await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.body.contains("رئیس دفتر"));
    assert!(landing.body.contains("href=\"/staff/units/office_head\""));
    assert!(landing.body.contains("۰۱۰۱"));
    let nobody = app.get_page("/staff", "").await;
    assert_eq!(nobody.status, StatusCode::SEE_OTHER);
}

async fn an_unknown_address_is_a_404_page_or_json(app: TestApp) {
    let page = app.get_page("/no/such/page", "").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("dir=\"rtl\""));
    let api = app.get("/api/v1/no-such-thing", None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), "not_found");
}

async fn every_answer_carries_the_security_headers(app: TestApp) {
    let answers = [
        ("a page", app.get_page("/", "").await),
        ("a missing page", app.get_page("/no/such/page", "").await),
        ("the API", app.get("/api/v1/services", None).await),
        ("an API error", app.get("/api/v1/no-such-thing", None).await),
        (
            "a refused look-up",
            app.get("/api/v1/bills/track?bill_id=1", None).await,
        ),
    ];
    for (what, answer) in answers {
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "same-origin"),
        ] {
            assert_eq!(answer.headers[name], value, "{name} on {what}");
        }
    }
}

async fn readiness_fails_when_the_database_is_gone_while_the_process_stays_alive(app: TestApp) {
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "database: ok\ndocuments: ok\n");
    app.store.close().await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body, "database: not ready\ndocuments: ok\n");
    assert_eq!(
        app.get("/healthz", None).await.status,
        StatusCode::OK,
        "alive"
    );
}
