//! `TestApp`: the real router over a fresh database, driven in-process with `oneshot`.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use daftar_server::{AppState, Config};
use daftar_store::Store;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    pub store: Arc<dyn Store>,
    pub data_dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (a PDF, say).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The value of a cookie the response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    /// The value of the hidden `name` input in a page.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    /// A database of this kind no test has used: a file in `data_dir`, or a new
    /// PostgreSQL database (created when first opened).
    pub fn fresh_url(self, data_dir: &std::path::Path) -> String {
        match self {
            Db::Sqlite => format!("sqlite://{}", data_dir.join("daftar.db").display()),
            Db::Postgres => {
                let server = std::env::var("DAFTAR_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
                format!("{server}/daftar_test_{:016x}", rand::random::<u64>())
            }
        }
    }
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        TestApp::spawn_with(db, |_| {}).await
    }

    /// A test app whose configuration `adjust` changes first.
    pub async fn spawn_with(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let url = db.fresh_url(data_dir.path());
        TestApp::spawn_at(url, data_dir, adjust).await
    }

    /// A test app over the database at `url` (created, with the demo office loaded).
    pub async fn spawn_at(
        url: String,
        data_dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let store = daftar_store::open(&url)
            .await
            .expect("the test database opens");
        daftar_app::demo::load(store.as_ref()).await.unwrap();
        TestApp::over(url, store, data_dir, adjust)
    }

    /// Another instance of `first`'s office: the same database, a data directory of its
    /// own, its configuration changed by `adjust` (to share documents, say).
    pub async fn beside(first: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let url = first.state.config.database_url();
        let store = daftar_store::open(&url)
            .await
            .expect("the test database opens");
        TestApp::over(url, store, tempfile::tempdir().unwrap(), adjust)
    }

    fn over(
        url: String,
        store: Arc<dyn Store>,
        data_dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config {
            database_url: Some(url),
            database_read_url: None,
            replica_max_lag_secs: 5,
            data_dir: data_dir.path().to_owned(),
            documents_url: None,
            object_store: Default::default(),
            addr: "127.0.0.1:0".parse().unwrap(),
            admin_addr: None,
            sms_gateway_url: None,
            sms_gateway_token: None,
            secure_cookies: false,
            session_hours: 12,
            catalog_dir: None,
            fine_schedule: None,
            signing_key: None,
            documents_dir: None,
            company_code: 101,
            // Every in-process request shares one address: only the rate-limit tests
            // set a low limit.
            lookup_rate_limit: 0,
            outbox_lease_secs: 300,
            drain_secs: 0,
            database_connections: daftar_store::DEFAULT_CONNECTIONS,
            outage_lead_hours: 48,
            trust_forwarded_for: false,
            sms_per_mobile: 3,
            sms_per_mobile_minutes: 10,
            // Every in-process request comes from one address.
            code_requests_per_address: 1_000,
            code_checks_per_address: 1_000,
            sms_daily_budget: 10_000,
            // Long enough for the file "gateway" to have written the code when the
            // answer comes.
            code_answer_ms: 100,
            mobile_ownership_url: None,
            mobile_ownership_token: None,
            documents_per_case: 50,
            documents_per_applicant_per_day: 100,
            visit_slots: vec!["09:00".into(), "10:30".into(), "12:00".into()],
            office_visit_slots: Vec::new(),
            map_tiles_url: None,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            max_connections: 8192,
            max_connections_per_address: 256,
            municipality_fa: "شهرداری آزمون".into(),
            municipality_en: "Test Municipality".into(),
            emblem: None,
            public_url: None,
            zarinpal_merchant_id: None,
            zarinpal_url: "https://payment.zarinpal.com".into(),
            dev_payment_gateway: false,
        };
        adjust(&mut config);
        let state = AppState::new(config, store.clone()).unwrap();
        TestApp {
            state,
            store,
            data_dir,
        }
    }

    /// Sends a request to the router. An answer of the API is checked against the
    /// OpenAPI document: its status must be documented for the call, and a JSON body must
    /// match the schema the document gives it.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let method = request.method().as_str().to_ascii_lowercase();
        let path = request.uri().path().to_owned();
        let response = daftar_server::router(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let answer = TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        };
        if path.starts_with("/api/") {
            openapi::check(&method, &path, &answer);
        }
        answer
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn get_page(&self, path: &str, cookies: &str) -> TestResponse {
        let request = Request::get(path).header(header::COOKIE, cookies);
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, body: Value, token: Option<&str>) -> TestResponse {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookies: &str,
    ) -> TestResponse {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies);
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    pub fn messages_log(&self) -> PathBuf {
        self.data_dir.path().join("messages.log")
    }

    /// The messages sent so far, as JSON lines.
    pub fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(self.messages_log())
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// The messages sent so far, once there are at least `count`: a code request is
    /// answered at a fixed moment, which a slow send can outlast (up to two seconds).
    pub async fn messages_at_least(&self, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.messages()
    }

    /// The six-digit code in the `n`-th message sent (from 1), once it is in.
    pub async fn code_in_message(&self, n: usize) -> String {
        let messages = self.messages_at_least(n).await;
        let text = messages.get(n - 1).expect("the message was sent")["text"]
            .as_str()
            .unwrap()
            .to_owned();
        let digits: String = daftar_core::fa::normalize_digits(&text)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.chars().take(6).collect()
    }

    /// Signs a demo citizen in through the API and returns the token.
    pub async fn citizen_token(&self, national_id: &str, mobile: &str) -> String {
        let before = self.messages().len();
        let sent = self
            .post_json(
                "/api/v1/auth/otp",
                serde_json::json!({"national_id": national_id, "mobile": mobile}),
                None,
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let code = self.code_in_message(before + 1).await;
        let verified = self
            .post_json(
                "/api/v1/auth/otp/verify",
                serde_json::json!({"national_id": national_id, "code": code}),
                None,
            )
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        verified.json()["token"].as_str().unwrap().to_owned()
    }

    /// Takes an action as `token`, at the case's current version; returns the answer.
    pub async fn act(&self, token: &str, case: &Value, body: Value) -> TestResponse {
        let mut body = body;
        body["version"] = case["version"].clone();
        self.post_json(
            &format!("/api/v1/cases/{}/actions", case["id"]),
            body,
            Some(token),
        )
        .await
    }

    /// The same, which must succeed; returns the case as it is after.
    pub async fn acted(&self, token: &str, case: &Value, body: Value) -> Value {
        let answer = self.act(token, case, body.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{body}: {}", answer.body);
        answer.json()
    }

    /// The case as the office head reads it now.
    pub async fn reread(&self, case: &Value) -> Value {
        let head = self.staff_token("office_head").await;
        self.get(&format!("/api/v1/cases/{}", case["id"]), Some(&head))
            .await
            .json()
    }

    pub async fn staff_token(&self, username: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/token",
                serde_json::json!({"username": username, "password": daftar_app::demo::DEMO_PASSWORD}),
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()["token"].as_str().unwrap().to_owned()
    }

    /// The demo's system admin signed in, with the code of its second factor.
    pub async fn admin_token(&self) -> String {
        let now = jiff::Timestamp::now().as_second().unsigned_abs();
        let code = daftar_app::accounts::second_factor::code_at(
            daftar_app::demo::DEMO_TOTP_SECRET,
            "system_admin",
            now,
        )
        .unwrap();
        let response = self
            .post_json(
                "/api/v1/auth/token",
                serde_json::json!({"username": "system_admin",
                    "password": daftar_app::demo::DEMO_PASSWORD, "second_factor": code}),
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()["token"].as_str().unwrap().to_owned()
    }
}

/// An answer of the right kind for every required field of `service`'s form, as a
/// demo owner (0499370899, 09120000001) of property 01-101-12-0 would give.
pub fn required_answers(app: &TestApp, service: &str) -> serde_json::Map<String, Value> {
    use daftar_core::catalog::FieldKind;
    let service = app.state.services.catalog.get(service).unwrap();
    let mut answers = serde_json::Map::new();
    for field in service.form.fields.iter().filter(|f| f.required) {
        let value = match &field.kind {
            FieldKind::NationalId => "0499370899".to_owned(),
            FieldKind::Mobile => "09120000001".to_owned(),
            FieldKind::RenewalCode => "01-101-12-0".to_owned(),
            FieldKind::District => "1".to_owned(),
            FieldKind::PostalCode => "1619735744".to_owned(),
            FieldKind::AreaM2 => "180".to_owned(),
            FieldKind::Number => "3".to_owned(),
            FieldKind::Date => "1405-03-01".to_owned(),
            FieldKind::Select { options } => options[0].value.clone(),
            _ => "پاسخ".to_owned(),
        };
        answers.insert(field.name.clone(), Value::String(value));
    }
    answers
}

/// A complete application for `service` as the API takes it: the required answers, and
/// a PDF for every required document, the first `bytes` long and the others small.
pub fn application_with_a_pdf_of(app: &TestApp, service: &str, bytes: usize) -> Value {
    use base64::Engine;
    let answers = required_answers(app, service);
    let form = &app.state.services.catalog.get(service).unwrap().form;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(bytes.max(64), b' ');
    let documents: Vec<Value> = form
        .documents
        .iter()
        .filter(|d| d.required)
        .enumerate()
        .map(|(i, d)| {
            let content = if i == 0 { &pdf[..bytes] } else { &pdf[..64] };
            serde_json::json!({
                "kind": d.id,
                "file_name": format!("{}.pdf", d.id),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(content),
            })
        })
        .collect();
    serde_json::json!({ "service_id": service, "answers": answers, "documents": documents })
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs each named async test function against the app on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestApp::spawn($crate::support::Db::Sqlite).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestApp::spawn($crate::support::Db::Postgres).await).await;
                }
            )*
        }
    };
}

/// Checking answers against the generated OpenAPI document.
pub mod openapi {
    use std::sync::LazyLock;

    use serde_json::Value;

    use super::TestResponse;

    static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
        serde_json::from_str(daftar_server::api::document_json()).expect("the document is JSON")
    });

    /// The document's path template for a request path: segments in braces match any.
    fn template(path: &str) -> Option<&'static str> {
        let asked: Vec<&str> = path.split('/').collect();
        DOCUMENT["paths"]
            .as_object()?
            .keys()
            .map(String::as_str)
            .find(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                parts.len() == asked.len()
                    && parts
                        .iter()
                        .zip(&asked)
                        .all(|(part, given)| part.starts_with('{') || part == given)
            })
    }

    /// Panics when a documented call answers with an undocumented status, or with JSON
    /// its schema does not describe.
    pub fn check(method: &str, path: &str, answer: &TestResponse) {
        let Some(template) = template(path) else {
            return;
        };
        let Some(operation) = DOCUMENT["paths"][template].get(method) else {
            return;
        };
        let status = answer.status.as_u16().to_string();
        let Some(response) = operation["responses"].get(&status) else {
            panic!(
                "{method} {template} answered {status}, which the OpenAPI document does not list: {}",
                answer.body
            );
        };
        let is_json = answer
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let Some(schema) = response["content"]["application/json"].get("schema") else {
            return;
        };
        assert!(
            is_json,
            "{method} {template} {status} is documented as JSON but is not"
        );
        let mut root = schema.clone();
        root["components"] = DOCUMENT["components"].clone();
        let validator = jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("the schema of {method} {template} {status}: {e}"));
        let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {template} {status} does not match the document: {errors:?}\n{}",
            answer.body
        );
    }
}

/// A building-permit case at file opening made ready for formation's `book_inspection`:
/// the detailed-plan inquiry recorded and a visit booked with the inspector `inspection`
/// at the first free slot. Returns the case as it then is.
#[allow(dead_code)]
pub async fn ready_for_inspection(app: &TestApp, case: &Value) -> Value {
    let formation = app.staff_token("formation").await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let now = app.get(&path, Some(&formation)).await.json();
    let recorded = app
        .post_json(
            &format!("{path}/inquiry"),
            serde_json::json!({"version": now["version"]}),
            Some(&formation),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let inspector = app
        .store
        .staff_by_username("inspection")
        .await
        .unwrap()
        .expect("the demo's inspector")
        .id
        .0;
    let mut version = recorded.json()["case_version"].clone();
    'booking: for day in app.state.services.cases.upcoming_working_days(20) {
        for slot in ["09:00", "10:30", "12:00"] {
            let booked = app
                .post_json(
                    &format!("{path}/visit"),
                    serde_json::json!({"version": version, "inspector_id": inspector,
                                       "day": day.iso_jalali(), "slot": slot}),
                    Some(&formation),
                )
                .await;
            if booked.status == StatusCode::CREATED {
                version = booked.json()["case_version"].clone();
                break 'booking;
            }
            assert_eq!(booked.error_code(), "visit.slot_taken", "{}", booked.body);
        }
    }
    let ready = app.get(&path, Some(&formation)).await.json();
    assert_eq!(ready["version"], version, "the visit was booked");
    ready
}

/// A complete application for `service` filed with `token`, as the API answers it.
#[allow(dead_code)]
pub async fn applied(app: &TestApp, token: &str, service: &str) -> Value {
    let filed = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(app, service, 64),
            Some(token),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    filed.json()
}

/// A building-permit application by the demo owner of `01-101-12-0`, as the API answers it.
#[allow(dead_code)]
pub async fn apply_for_permit(app: &TestApp) -> Value {
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let applied = app
        .post_json(
            "/api/v1/cases",
            application_with_a_pdf_of(app, "10010101018th01", 64),
            Some(&citizen),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    applied.json()
}

pub const BOUNDARY: &str = "daftar-test-boundary";

/// A multipart body of text fields and (name, file name, bytes) files.
pub fn multipart(text: &[(String, String)], files: &[(String, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in text {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart form (see [`multipart`]) with the session `cookies`.
pub async fn post_multipart(
    app: &TestApp,
    path: &str,
    cookies: &str,
    body: Vec<u8>,
) -> TestResponse {
    let request = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookies)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

/// A building-permit case taken from file opening to permit drafting: the inquiry and
/// visit, a sketch of a 10 × 15 m residential ground floor and a parking basement, and
/// every approval. Returns the case as it then is.
#[allow(dead_code)]
pub async fn to_permit_drafting(app: &TestApp, case: &Value) -> Value {
    let mut case = ready_for_inspection(app, case).await;
    case = app
        .acted(
            &app.staff_token("formation").await,
            &case,
            serde_json::json!({"action": "book_inspection"}),
        )
        .await;
    let inspection = app.staff_token("inspection").await;
    let ring =
        |w: f64, h: f64| serde_json::json!([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h], [0.0, 0.0]]);
    let sketch = serde_json::json!({"version": case["version"], "floors": [
        {"level": -1, "parts": [{"use": "parking", "corners": ring(10.0, 15.0)}]},
        {"level": 0, "parts": [{"use": "residential", "corners": ring(10.0, 15.0)}]},
    ]});
    let drawn = app
        .post_json(
            &format!("/api/v1/cases/{}/sketch", case["id"]),
            sketch,
            Some(&inspection),
        )
        .await;
    assert_eq!(drawn.status, StatusCode::CREATED, "{}", drawn.body);
    case["version"] = drawn.json()["case_version"].clone();
    let steps = [
        (
            "inspection",
            serde_json::json!({"action": "record_inspection", "fields": {"built_area_m2": "300"}}),
        ),
        (
            "office_head",
            serde_json::json!({"action": "head_approves"}),
        ),
        (
            "office_manager",
            serde_json::json!({"action": "manager_approves"}),
        ),
        (
            "plan_approval",
            serde_json::json!({"action": "approve_plans"}),
        ),
        (
            "municipal_liaison",
            serde_json::json!({"action": "decide", "decision": "approved"}),
        ),
        (
            "technical_manager",
            serde_json::json!({"action": "decide", "decision": "approved"}),
        ),
    ];
    for (user, body) in steps {
        case = app.acted(&app.staff_token(user).await, &case, body).await;
    }
    assert_eq!(case["state"], "permit_drafting");
    case
}

/// A small PDF as a base64 document of `kind`.
#[allow(dead_code)]
pub fn pdf_document(kind: &str) -> Value {
    use base64::Engine;
    serde_json::json!({
        "kind": kind,
        "file_name": format!("{kind}.pdf"),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7\n% a scan\n"),
    })
}

/// Pays every unpaid bill the case's own (fee or fine) bills hold, by the bank's file.
#[allow(dead_code)]
pub async fn pay_case_bills(app: &TestApp, case: &Value) {
    let bills = app
        .store
        .fine_bills(daftar_store::CaseId(case["id"].as_i64().unwrap()))
        .await
        .unwrap();
    let mut file = String::from("bill_id,payment_id,amount_rials,paid_at,trace_number\n");
    for (i, bill) in bills.iter().filter(|b| b.paid_at.is_none()).enumerate() {
        file.push_str(&format!(
            "{},{},{},1405-09-01 10:00,CASE-{}-{i}\n",
            bill.bill_id, bill.payment_id, bill.amount_rials, case["id"]
        ));
    }
    daftar_app::billing::import_payments(app.store.as_ref(), &file, "test")
        .await
        .unwrap()
        .unwrap();
}

/// Permit drafting works its whole checklist, bills the fees and the bank pays them.
#[allow(dead_code)]
pub async fn permit_checklist_done(app: &TestApp, case: &Value) -> Value {
    let drafting = app.staff_token("permit_drafting").await;
    let path = format!("/api/v1/cases/{}/checklist", case["id"]);
    for item in [
        "electrical_sheets",
        "mechanical_sheets",
        "structural_sheets",
    ] {
        let ticked = app
            .post_json(
                &format!("{path}/{item}"),
                serde_json::json!({}),
                Some(&drafting),
            )
            .await;
        assert_eq!(ticked.status, StatusCode::OK, "{item}: {}", ticked.body);
    }
    for item in ["commitments", "technical_id_card", "architecture_sheets"] {
        let ticked = app
            .post_json(
                &format!("{path}/{item}"),
                serde_json::json!({"document": pdf_document(item)}),
                Some(&drafting),
            )
            .await;
        assert_eq!(ticked.status, StatusCode::OK, "{item}: {}", ticked.body);
    }
    let case = app.reread(case).await;
    let billed = app
        .acted(
            &drafting,
            &case,
            serde_json::json!({"action": "issue_fee_bills"}),
        )
        .await;
    pay_case_bills(app, &billed).await;
    app.reread(&billed).await
}

/// A GET from `address` (`ip:port`), as `serve` sees it: the limits count its address.
pub fn request_from(address: &str, path: &str) -> Request<Body> {
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    let peer: std::net::SocketAddr = address.parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}
