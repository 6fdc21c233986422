//! The edge: what a client can hold open, the headers every answer carries, where a
//! `next` may lead, and that every refusal speaks our error format. Each finding of the
//! hardening probe has a test named after it.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::{Value, json};
use support::{Db, TestApp};

/// Serves `app` on a real socket (the timeouts and connection limits live in `serve`).
async fn listen(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(daftar_server::serve(listener, app.state.clone()));
    addr
}

/// A client that sends half a header is cut off after the header timeout, and so is a
/// kept-alive connection left idle.
#[tokio::test]
async fn a_header_that_never_ends_is_cut_off() {
    let app = TestApp::spawn_with(Db::Sqlite, |config| config.header_timeout_secs = 1).await;
    let addr = listen(&app).await;
    let closed_after = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        started.elapsed()
    })
    .await
    .unwrap();
    assert!(
        closed_after < Duration::from_secs(3),
        "held for {closed_after:?}"
    );
}

/// The header timeout counts from each head, not from the connection's first: a
/// kept-alive client asking every 400 ms for longer than the timeout gets every answer
/// (the connection's timer, set at its first head, rings in the middle and must not end
/// it), and is cut off once it falls idle.
#[tokio::test]
async fn a_kept_alive_connection_lives_past_the_header_timeout_while_it_asks() {
    let app = TestApp::spawn_with(Db::Sqlite, |config| config.header_timeout_secs = 1).await;
    let addr = listen(&app).await;
    let (answers, closed_after) = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answers = 0;
        for _ in 0..7 {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut buffer = [0u8; 4096];
            let read = stream.read(&mut buffer).unwrap();
            if buffer[..read].starts_with(b"HTTP/1.1 200") {
                answers += 1;
            }
            std::thread::sleep(Duration::from_millis(400));
        }
        let started = Instant::now();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        (answers, started.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(
        answers, 7,
        "every request over 2.8 s on one connection answered"
    );
    assert!(
        closed_after < Duration::from_secs(3),
        "the idle connection was held for {closed_after:?}"
    );
}

/// A staff member signed in through the pages: the session cookie.
async fn staff_cookie(app: &TestApp, username: &str) -> String {
    let form = app.get_page("/staff/sign-in", "").await;
    let csrf = form.cookie("daftar_csrf").expect("a CSRF cookie");
    let signed_in = app
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", daftar_app::demo::DEMO_PASSWORD),
            ],
            &format!("daftar_csrf={csrf}"),
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    format!(
        "daftar_session={}",
        signed_in.cookie("daftar_session").unwrap()
    )
}

/// An application for the permit whose first document is a PDF of `bytes` bytes.
fn application_with_a_pdf_of(app: &TestApp, bytes: usize) -> Value {
    support::application_with_a_pdf_of(app, PERMIT, bytes)
}

const PERMIT: &str = "10010101018th01";
const OWNER: (&str, &str) = ("0499370899", "09120000001");

/// Finding 7: the documented 10 MB per file can be reached through the API, whose files
/// travel in base64: a 9 MB scan is taken, an 11 MB one is refused by name with 413.
async fn finding_7_a_9_mb_document_is_taken_and_an_11_mb_one_is_413(app: TestApp) {
    let token = app.citizen_token(OWNER.0, OWNER.1).await;
    let taken = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(&app, 9 * 1024 * 1024),
            Some(&token),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let refused = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(&app, 11 * 1024 * 1024),
            Some(&token),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "document.too_large");
    // A request far beyond any upload is refused before it is read whole.
    let huge = "x".repeat(70 * 1024 * 1024);
    let refused = app
        .post_json("/api/v1/cases", json!({ "service_id": huge }), Some(&token))
        .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(refused.error_code(), "request.too_large");
}

/// Finding 9: a browser sends the session cookie with any request, a foreign site's too;
/// the API, which has no CSRF token, does not take a cookie as signing in.
async fn finding_9_the_api_takes_no_session_cookie(app: TestApp) {
    let cookie = staff_cookie(&app, "formation").await;
    for path in ["/api/v1/documents/1/approval", "/api/v1/auth/sign-out"] {
        let request = Request::post(path)
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, "https://elsewhere.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let answer = app.send(request).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            answer.body
        );
    }
    // The session was not ended by the cookie-borne sign-out.
    let still = app.get_page("/staff", &cookie).await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.body);
}

/// Finding 10: `next` leads only to a path on this site; backslashes, tabs, control
/// characters and scheme-relative forms go home instead, and none is a 500.
async fn finding_10_next_never_leads_off_the_site(app: TestApp) {
    for next in [
        "/%5Chost",
        "/%09/host",
        "//host",
        "/%0D%0ALocation:%20x",
        "https://host",
        "/%5C%5Chost",
        "%2F%2Fhost",
        "/%E2%80%AE",
        "\\host",
        "/ok%00",
    ] {
        let answer = app.get_page(&format!("/lang/en?next={next}"), "").await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{next}: {}",
            answer.body
        );
        assert_eq!(answer.headers["location"], "/", "{next}");
    }
    let kept = app.get_page("/lang/en?next=/services%3Fq%3Dx", "").await;
    assert_eq!(kept.headers["location"], "/services?q=x");
    let unreadable = app.get_page("/lang/en?next=%FF%FE", "").await;
    assert_eq!(unreadable.headers["location"], "/");
}

/// Finding 11: every answer carries a strict Content-Security-Policy, a
/// Permissions-Policy and `Cache-Control: no-store` (personal data stays out of caches).
async fn finding_11_every_answer_carries_the_security_headers(app: TestApp) {
    let token = app.citizen_token(OWNER.0, OWNER.1).await;
    for answer in [
        app.get_page("/", "").await,
        app.get_page("/cases", "").await,
        app.get("/api/v1/auth/me", Some(&token)).await,
        app.get("/api/v1/no-such-call", None).await,
    ] {
        let csp = answer.headers["content-security-policy"].to_str().unwrap();
        // Pages load only this site's files; anything else, nothing at all.
        assert!(
            csp.contains("default-src 'self'") || csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(answer.headers.contains_key("permissions-policy"));
        assert_eq!(answer.headers["cache-control"], "no-store");
        assert!(!answer.headers.contains_key("strict-transport-security"));
    }
    let stylesheet = app.get_page("/static/daftar.css", "").await;
    assert!(
        stylesheet.headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
}

/// Finding 11, over HTTPS: HSTS, and every cookie `Secure`, the CSRF and language
/// cookies too.
async fn finding_11_under_secure_cookies_every_cookie_is_secure_and_hsts_is_sent(db: Db) {
    let app = TestApp::spawn_with(db, |config| config.secure_cookies = true).await;
    let form = app.get_page("/staff/sign-in", "").await;
    assert!(
        form.headers["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let lang = app.get_page("/lang/en?next=/", "").await;
    let csrf = form.cookie("daftar_csrf").unwrap();
    let signed_in = app
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf", &csrf),
                ("username", "formation"),
                ("password", daftar_app::demo::DEMO_PASSWORD),
            ],
            &format!("daftar_csrf={csrf}"),
        )
        .await;
    let mut seen = 0;
    for answer in [&form, &lang, &signed_in] {
        for cookie in answer.headers.get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap();
            assert!(cookie.contains("; Secure"), "{cookie}");
            seen += 1;
        }
    }
    assert!(seen >= 3, "the csrf, lang and session cookies were set");
}

/// Finding 14: a form axum cannot read is our localized error page, and a JSON call
/// axum cannot read is our `{"error":{"code","message"}}`, never axum's English text.
async fn finding_14_unreadable_forms_and_bodies_get_our_error(app: TestApp) {
    let form = app.get_page("/staff/sign-in", "").await;
    let csrf = form.cookie("daftar_csrf").unwrap();
    // A field missing.
    let page = app
        .post_form(
            "/staff/sign-in",
            &[("csrf", &csrf)],
            &format!("daftar_csrf={csrf}"),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("dir=\"rtl\""), "{}", page.body);
    assert!(
        !page.body.contains("Failed to deserialize"),
        "{}",
        page.body
    );
    // Not multipart at all, where multipart is expected, from a signed-in citizen.
    let token = app.citizen_token(OWNER.0, OWNER.1).await;
    let request = Request::post(format!("/services/{PERMIT}/apply"))
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::COOKIE, format!("daftar_session={token}"))
        .body(Body::from("hello"))
        .unwrap();
    let page = app.send(request).await;
    assert!(page.body.contains("dir=\"rtl\""), "{}", page.body);
    assert!(page.status.is_client_error());
    // A JSON call with a field missing, and one with no JSON content type.
    let api = app.post_json("/api/v1/auth/otp", json!({}), None).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.error_code(), "request.invalid");
    let request = Request::post("/api/v1/auth/otp")
        .body(Body::from("national_id=1"))
        .unwrap();
    let api = app.send(request).await;
    assert!(api.json()["error"]["message"].is_string(), "{}", api.body);
}

/// The files stored under the data directory's `documents/`.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .map(|entry| entry.unwrap().path())
                .map(|path| if path.is_dir() { count(&path) } else { 1 })
                .sum()
        })
    }
    count(&app.data_dir.path().join("documents"))
}

/// Finding 8: refused requests left their files on disk (19 orphans of 20), and one
/// citizen put 1,000 documents into one application. Now every check comes before the
/// first file is written, and the documents per case and per applicant per day are
/// limited.
async fn finding_8_refused_requests_leave_no_files_and_documents_are_limited(db: Db) {
    let required = daftar_core::catalog::built_in()
        .unwrap()
        .get(PERMIT)
        .unwrap()
        .form
        .documents
        .iter()
        .filter(|d| d.required)
        .count();
    // Room for one application's documents in a day, not two.
    let app = TestApp::spawn_with(db, |config| {
        config.documents_per_applicant_per_day = 2 * required - 1;
    })
    .await;
    let token = app.citizen_token(OWNER.0, OWNER.1).await;
    assert!(required >= 2);
    let before = stored_files(&app);
    for i in 0..20 {
        let mut application = application_with_a_pdf_of(&app, 1_000 + i);
        // The last document is not a PDF, JPEG or PNG: refused, after good ones.
        let documents = application["documents"].as_array_mut().unwrap();
        let last = documents.len() - 1;
        documents[last]["content_base64"] =
            json!(base64::engine::general_purpose::STANDARD.encode(b"not a document"));
        let refused = app
            .post_json("/api/v1/cases", application, Some(&token))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
    }
    assert_eq!(
        stored_files(&app),
        before,
        "a refused request left files behind"
    );
    // Two applications' worth of documents is more than this day allows.
    let first = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(&app, 3_000),
            Some(&token),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let files_after_first = stored_files(&app);
    let second = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(&app, 3_001),
            Some(&token),
        )
        .await;
    assert_eq!(
        second.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        second.body
    );
    assert_eq!(second.error_code(), "document.too_many_today");
    assert_eq!(stored_files(&app), files_after_first);
    // One case holds only so many.
    let small = TestApp::spawn_with(Db::Sqlite, |config| config.documents_per_case = 1).await;
    let token = small.citizen_token(OWNER.0, OWNER.1).await;
    let refused = small
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(&small, 2_000),
            Some(&token),
        )
        .await;
    assert_eq!(refused.error_code(), "document.too_many_for_case");
    assert_eq!(stored_files(&small), 0);
}

#[tokio::test]
async fn finding_8_on_sqlite() {
    finding_8_refused_requests_leave_no_files_and_documents_are_limited(Db::Sqlite).await;
}

#[tokio::test]
async fn finding_8_on_postgres() {
    finding_8_refused_requests_leave_no_files_and_documents_are_limited(Db::Postgres).await;
}

on_both_databases!(
    finding_7_a_9_mb_document_is_taken_and_an_11_mb_one_is_413,
    finding_9_the_api_takes_no_session_cookie,
    finding_10_next_never_leads_off_the_site,
    finding_11_every_answer_carries_the_security_headers,
    finding_14_unreadable_forms_and_bodies_get_our_error,
);

#[tokio::test]
async fn finding_11_secure_cookies_on_sqlite() {
    finding_11_under_secure_cookies_every_cookie_is_secure_and_hsts_is_sent(Db::Sqlite).await;
}

#[tokio::test]
async fn finding_11_secure_cookies_on_postgres() {
    finding_11_under_secure_cookies_every_cookie_is_secure_and_hsts_is_sent(Db::Postgres).await;
}
