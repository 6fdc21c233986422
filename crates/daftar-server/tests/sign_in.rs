//! Signing in through the API and the pages, on both databases.

mod support;

use axum::http::StatusCode;
use daftar_app::demo::{DEMO_CITIZENS, DEMO_COMPANY};
use serde_json::json;
use support::TestApp;

on_both_databases!(
    a_citizen_signs_in_with_a_one_time_code_and_uses_the_token,
    an_invalid_national_id_is_refused_with_a_persian_message_and_sends_nothing,
    an_invalid_mobile_is_refused_in_english_when_asked_and_sends_nothing,
    a_wrong_code_is_refused_and_the_sixth_is_locked_out_with_the_right_one,
    a_new_code_within_a_minute_is_not_sent,
    a_representative_signs_in_for_their_company_and_a_stranger_cannot,
    staff_get_a_token_with_their_password_and_not_without_it,
    signing_out_ends_the_session,
    a_citizen_signs_in_through_the_pages_with_csrf_protection,
    a_page_form_without_its_csrf_token_is_refused,
    a_wrong_code_on_the_page_shows_the_form_again_with_the_message,
);

async fn a_citizen_signs_in_with_a_one_time_code_and_uses_the_token(app: TestApp) {
    let (national_id, mobile, _) = DEMO_CITIZENS[1];
    let token = app.citizen_token(national_id, mobile).await;
    let messages = app.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["to"], "+989120000002");
    assert!(messages[0]["at"].is_string());
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json(),
        json!({"kind": "citizen", "national_id": national_id, "acting_for": null})
    );
    let anonymous = app.get("/api/v1/me", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.error_code(), "auth.required");
}

async fn an_invalid_national_id_is_refused_with_a_persian_message_and_sends_nothing(app: TestApp) {
    let response = app
        .post_json(
            "/api/v1/auth/otp",
            json!({"national_id": "1234567890", "mobile": "09120000001"}),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.error_code().starts_with("national_id."),
        "{}",
        response.body
    );
    assert_eq!(response.json()["error"]["message"], "کد ملی معتبر نیست.");
    assert!(app.messages().is_empty());
}

async fn an_invalid_mobile_is_refused_in_english_when_asked_and_sends_nothing(app: TestApp) {
    let response = app
        .post_json(
            "/api/v1/auth/otp?lang=en",
            json!({"national_id": "0499370899", "mobile": "0912"}),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.error_code(), "mobile.invalid");
    assert!(
        response.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("The mobile number")
    );
    assert!(app.messages().is_empty());
    let malformed = app
        .post_json("/api/v1/auth/otp", json!({"national_id": 5}), None)
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.error_code(), "request.invalid");
}

async fn a_wrong_code_is_refused_and_the_sixth_is_locked_out_with_the_right_one(app: TestApp) {
    let (national_id, mobile, _) = DEMO_CITIZENS[0];
    let sent = app
        .post_json(
            "/api/v1/auth/otp",
            json!({"national_id": national_id, "mobile": mobile}),
            None,
        )
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED);
    let right = app.code_in_message(1).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let verify = |code: &str| {
        app.post_json(
            "/api/v1/auth/otp/verify",
            json!({"national_id": national_id, "code": code}),
            None,
        )
    };
    for _ in 0..4 {
        let response = verify(wrong).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert_eq!(response.error_code(), "auth.wrong_code");
    }
    let fifth = verify(wrong).await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fifth.error_code(), "auth.now_locked");
    let sixth = verify(wrong).await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sixth.error_code(), "auth.locked");
    assert!(sixth.headers.get("retry-after").is_some());
    let right_but_locked = verify(&right).await;
    assert_eq!(right_but_locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(right_but_locked.error_code(), "auth.locked");
    let new_code = app
        .post_json(
            "/api/v1/auth/otp",
            json!({"national_id": national_id, "mobile": mobile}),
            None,
        )
        .await;
    // The same answer as ever (finding 5), and no code while locked.
    assert_eq!(new_code.status, StatusCode::ACCEPTED);
    assert_eq!(app.messages().len(), 1, "no code is sent while locked");
}

async fn a_new_code_within_a_minute_is_not_sent(app: TestApp) {
    let (national_id, mobile, _) = DEMO_CITIZENS[2];
    let body = json!({"national_id": national_id, "mobile": mobile});
    let first = app.post_json("/api/v1/auth/otp", body.clone(), None).await;
    let again = app.post_json("/api/v1/auth/otp", body, None).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    assert_eq!((again.status, again.body), (first.status, first.body));
    assert_eq!(app.messages().len(), 1);
}

async fn a_representative_signs_in_for_their_company_and_a_stranger_cannot(app: TestApp) {
    let (company, _) = DEMO_COMPANY;
    for (index, expected) in [(0, StatusCode::OK), (1, StatusCode::FORBIDDEN)] {
        let (national_id, mobile, _) = DEMO_CITIZENS[index];
        let sent = app
            .post_json(
                "/api/v1/auth/otp",
                json!({"national_id": national_id, "mobile": mobile}),
                None,
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED);
        let code = app.code_in_message(index + 1).await;
        let verified = app
            .post_json(
                "/api/v1/auth/otp/verify",
                json!({"national_id": national_id, "code": code, "legal_id": company}),
                None,
            )
            .await;
        assert_eq!(verified.status, expected, "{}", verified.body);
        if expected == StatusCode::OK {
            let token = verified.json()["token"].as_str().unwrap().to_owned();
            let me = app.get("/api/v1/me", Some(&token)).await;
            assert_eq!(me.json()["acting_for"], company);
        } else {
            assert_eq!(verified.error_code(), "auth.not_representative");
        }
    }
}

async fn staff_get_a_token_with_their_password_and_not_without_it(app: TestApp) {
    let token = app.staff_token("formation").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me.json()["roles"],
        json!([{"office": "0101", "role": "formation"}])
    );
    let wrong = app
        .post_json(
            "/api/v1/auth/token",
            json!({"username": "formation", "password": "nope"}),
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "auth.wrong_password");
    let unknown = app
        .post_json(
            "/api/v1/auth/token",
            json!({"username": "ghost", "password": "nope"}),
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let empty = app
        .post_json(
            "/api/v1/auth/token",
            json!({"username": "", "password": "x"}),
            None,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn signing_out_ends_the_session(app: TestApp) {
    let token = app.staff_token("inspection").await;
    let out = app
        .post_json("/api/v1/auth/sign-out", json!({}), Some(&token))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_citizen_signs_in_through_the_pages_with_csrf_protection(app: TestApp) {
    let (national_id, mobile, name) = DEMO_CITIZENS[0];
    // Going to «my cases» signed out leads to signing in, and back there after.
    let detour = app.get_page("/cases", "").await;
    assert_eq!(detour.status, StatusCode::SEE_OTHER);
    let to_sign_in = detour.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(to_sign_in, "/sign-in?next=%2Fcases");
    let form = app.get_page(&to_sign_in, "").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("id=\"why-sign-in\""), "it says why");
    assert_eq!(form.hidden("next"), "/cases");
    let off_site = app.get_page("/sign-in?next=//elsewhere.example", "").await;
    assert_eq!(
        off_site.hidden("next"),
        "",
        "a next off the site is dropped"
    );
    let csrf = form.cookie("daftar_csrf").expect("a CSRF cookie");
    assert_eq!(form.hidden("csrf"), csrf);
    let cookies = format!("daftar_csrf={csrf}");
    let code_page = app
        .post_form(
            "/sign-in",
            &[
                ("csrf", &csrf),
                ("next", "/cases"),
                ("national_id", "۰۴۹۹۳۷۰۸۹۹"),
                ("mobile", mobile),
                ("legal_id", ""),
            ],
            &cookies,
        )
        .await;
    assert_eq!(code_page.status, StatusCode::OK, "{}", code_page.body);
    assert_eq!(code_page.hidden("next"), "/cases");
    assert!(code_page.body.contains("name=\"code\""));
    let signed_in = app
        .post_form(
            "/sign-in/verify",
            &[
                ("csrf", &csrf),
                ("next", &code_page.hidden("next")),
                ("national_id", &code_page.hidden("national_id")),
                ("code", &app.code_in_message(1).await),
                ("legal_id", ""),
            ],
            &cookies,
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(
        signed_in.headers["location"], "/cases",
        "back where they were going"
    );
    let session = signed_in
        .cookie("daftar_session")
        .expect("a session cookie");
    let set_cookie = signed_in
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let home = app
        .get_page("/", &format!("daftar_session={session}"))
        .await;
    assert!(home.body.contains("<html lang=\"fa\" dir=\"rtl\">"));
    assert!(
        home.body.contains(name),
        "the home page greets the citizen by name"
    );
    assert!(
        !home.body.contains(national_id),
        "the full national ID is never shown"
    );
    let _ = national_id;
}

async fn a_page_form_without_its_csrf_token_is_refused(app: TestApp) {
    let response = app
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf", "forged"),
                ("username", "formation"),
                ("password", daftar_app::demo::DEMO_PASSWORD),
            ],
            "daftar_csrf=".to_owned().as_str(),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(
        response.body.contains("dir=\"rtl\""),
        "the error is a Persian page"
    );
    assert!(response.cookie("daftar_session").is_none());
}

async fn a_wrong_code_on_the_page_shows_the_form_again_with_the_message(app: TestApp) {
    let (_, mobile, _) = DEMO_CITIZENS[1];
    let form = app.get_page("/sign-in", "").await;
    let csrf = form.cookie("daftar_csrf").unwrap();
    let cookies = format!("daftar_csrf={csrf}");
    let invalid = app
        .post_form(
            "/sign-in",
            &[
                ("csrf", &csrf),
                ("national_id", "0684159415"),
                ("mobile", mobile),
            ],
            &cookies,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("کد ملی معتبر نیست."));
    assert!(
        invalid.body.contains("value=\"0684159415\""),
        "the form keeps what was typed"
    );
    app.post_form(
        "/sign-in",
        &[
            ("csrf", &csrf),
            ("national_id", "0790419904"),
            ("mobile", mobile),
        ],
        &cookies,
    )
    .await;
    let wrong = if app.code_in_message(1).await == "000000" {
        "111111"
    } else {
        "000000"
    };
    let again = app
        .post_form(
            "/sign-in/verify",
            &[
                ("csrf", &csrf),
                ("national_id", "0790419904"),
                ("code", wrong),
            ],
            &cookies,
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(again.body.contains("کد وارد شده درست نیست"));
    assert!(again.body.contains("name=\"code\""));
}

/// The SMS gateway is down: the answer is the same as ever (an outage must not tell a
/// stranger which national IDs have a code going out), and the code is withdrawn, so the
/// citizen may ask again at once rather than wait the minute between codes.
async fn a_code_the_gateway_cannot_take_changes_no_answer(db: support::Db) {
    // Nothing listens on the discard port of this machine.
    let app = TestApp::spawn_with(db, |config| {
        config.sms_gateway_url = Some("http://127.0.0.1:9/sms".into());
    })
    .await;
    let (national_id, mobile, _) = DEMO_CITIZENS[0];
    let request = json!({"national_id": national_id, "mobile": mobile});
    for _ in 0..2 {
        let answered = app
            .post_json("/api/v1/auth/otp", request.clone(), None)
            .await;
        assert_eq!(answered.status, StatusCode::ACCEPTED, "{}", answered.body);
    }
    assert!(app.messages().is_empty());
}

#[tokio::test]
async fn a_code_the_gateway_cannot_take_changes_no_answer_on_sqlite() {
    a_code_the_gateway_cannot_take_changes_no_answer(support::Db::Sqlite).await;
}

#[tokio::test]
async fn a_code_the_gateway_cannot_take_changes_no_answer_on_postgres() {
    a_code_the_gateway_cannot_take_changes_no_answer(support::Db::Postgres).await;
}
