//! Complaints, criticisms and suggestions, on SQLite and PostgreSQL: the form routes each
//! kind (a staff member to internal inspection, a service to its unit, ideas to the office
//! head); the staff member named never sees the complaint nor acts on it, and it is left
//! out of their queue; the answer reaches the applicant by SMS; they rate it, or reopen it
//! once; an anonymous suggestion gets only its tracking code; a finding lands on the
//! conduct record, which only internal inspection and the office head read; refusals keep
//! nothing. Open311 (`/open311/v2`) lists the public kinds, takes a client's post with its
//! API key, and reads it back in JSON and XML, never with personal data.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::{TestApp, TestResponse};

on_both_databases!(
    a_staff_complaint_goes_to_internal_inspection_and_is_kept_from_the_named_staff_member,
    a_service_complaint_goes_to_the_services_unit_and_is_reopened_only_once,
    an_anonymous_suggestion_gets_its_tracking_code_and_an_anonymous_complaint_is_refused,
    bad_submissions_are_refused_by_name_and_keep_nothing,
    open311_lists_posts_and_reads_back_in_json_and_xml_with_an_api_key,
);

const CITIZEN: (&str, &str) = ("0499370899", "09120000001");
/// A single-review service of formation.
const FORMATION_SERVICE: &str = "10010101003th01";
/// A single-review service of the vehicle-tolls unit.
const TOLLS_SERVICE: &str = "10010101025th01";

/// The complaint form as `cookies` sees it, and its CSRF token.
async fn form(app: &TestApp, cookies: &str) -> (TestResponse, String) {
    let page = app.get_page("/complaints/new", cookies).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.hidden("csrf");
    (page, csrf)
}

/// Sends the form with these fields (and files) as `cookies`.
async fn file(
    app: &TestApp,
    cookies: &str,
    fields: &[(&str, &str)],
    files: &[(String, &str, &[u8])],
) -> TestResponse {
    let (_, csrf) = form(app, cookies).await;
    let mut text: Vec<(String, String)> = vec![("csrf".into(), csrf)];
    text.extend(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    support::post_multipart(
        app,
        "/complaints",
        cookies,
        support::multipart(&text, files),
    )
    .await
}

/// The case a signed-in filing redirected to.
async fn filed_case(app: &TestApp, token: &str, answer: &TestResponse) -> Value {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let location = answer.headers["location"].to_str().unwrap();
    let id = location
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap();
    let case = app.get(&format!("/api/v1/cases/{id}"), Some(token)).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    case.json()
}

fn session(token: &str) -> String {
    format!("daftar_session={token}")
}

async fn count_cases(app: &TestApp) -> usize {
    let head = app.staff_token("office_head").await;
    let queue = app
        .get("/api/v1/queues/office_head?limit=100", Some(&head))
        .await;
    let inspection = app.staff_token("internal_inspection").await;
    let other = app
        .get(
            "/api/v1/queues/internal_inspection?limit=100",
            Some(&inspection),
        )
        .await;
    queue.json()["total"].as_u64().unwrap_or(0) as usize
        + other.json()["total"].as_u64().unwrap_or(0) as usize
}

async fn staff_id(app: &TestApp, username: &str) -> i64 {
    daftar_store::AccountStore::staff_by_username(app.store.as_ref(), username)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

async fn a_staff_complaint_goes_to_internal_inspection_and_is_kept_from_the_named_staff_member(
    app: TestApp,
) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let formation = app.staff_token("formation").await;
    // Formation works one of the citizen's cases: the citizen has met them.
    let case = support::applied(&app, &token, FORMATION_SERVICE).await;
    app.acted(&formation, &case, json!({"action": "complete"}))
        .await;
    let formation_id = staff_id(&app, "formation").await;
    let (page, _) = form(&app, &session(&token)).await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{formation_id}\">")),
        "the staff met are offered: {}",
        page.body
    );
    let answer = file(
        &app,
        &session(&token),
        &[
            ("kind", "staff_complaint"),
            ("named_staff", &formation_id.to_string()),
            ("tracking_code", case["tracking_code"].as_str().unwrap()),
            (
                "description",
                "کارمند پاسخ تلفن را نداد و با بی‌احترامی رفتار کرد.",
            ),
        ],
        &[],
    )
    .await;
    let complaint = filed_case(&app, &token, &answer).await;
    assert_eq!(complaint["state"], "review");
    assert_eq!(complaint["fields"]["routed_to"], "internal_inspection");
    assert!(
        complaint["fields"].get("named_staff_id").is_none(),
        "the named staff member's id is never shown: {complaint}"
    );

    // The named staff member: not in their queue, not readable, not actionable, even
    // through a role that oversees every case.
    let path = format!("/api/v1/cases/{}", complaint["id"]);
    assert_eq!(
        app.get(&path, Some(&formation)).await.status,
        StatusCode::NOT_FOUND
    );
    let refused = app
        .act(
            &formation,
            &complaint,
            json!({"action": "answer", "fields": {"answer": "x"}}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    let page = app
        .get_page(&format!("/cases/{}", complaint["id"]), &session(&formation))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains(CITIZEN.0));

    // Internal inspection has it in its queue, and answers with a finding.
    let inspection = app.staff_token("internal_inspection").await;
    let queue = app
        .get("/api/v1/queues/internal_inspection", Some(&inspection))
        .await
        .json();
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["case_id"] == complaint["id"]),
        "{queue}"
    );
    // A finding is one of the form's choices.
    let bogus = app
        .act(
            &inspection,
            &complaint,
            json!({"action": "answer_with_finding", "fields": {"answer": "x", "finding": "guilty"}}),
        )
        .await;
    assert_eq!(
        bogus.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bogus.body
    );
    // Nor can it be marked to the clerk it names.
    let marked = app
        .post_json(
            &format!("/api/v1/cases/{}/assignment", complaint["id"]),
            json!({"assignee": "formation", "version": complaint["version"]}),
            Some(&inspection),
        )
        .await;
    assert_eq!(
        marked.error_code(),
        "complaint.assign_named",
        "{}",
        marked.body
    );
    let before = app.messages().len();
    let answered = app
        .acted(
            &inspection,
            &complaint,
            json!({"action": "answer_with_finding",
                   "fields": {"answer": "با کارمند گفتگو شد و تذکر کتبی گرفت.", "finding": "upheld"}}),
        )
        .await;
    assert_eq!(answered["state"], "answered");
    app.state.services.outbox.deliver_pending().await.unwrap();
    let told = app.messages_at_least(before + 1).await;
    assert!(
        told[before..]
            .iter()
            .any(|m| m["text"].as_str().unwrap().contains("پاسخ داده شد")),
        "the applicant is told by SMS: {told:?}"
    );

    // The finding is on the conduct record, which inspection and the head read, and
    // neither the staff member nor another unit.
    let record = app
        .get_page(
            &format!("/staff/conduct/{formation_id}"),
            &session(&inspection),
        )
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    assert!(
        record.body.contains("data-finding=\"upheld\""),
        "{}",
        record.body
    );
    assert!(record.body.contains("وارد است"));
    let head = app.staff_token("office_head").await;
    let listed = app.get_page("/staff/conduct", &session(&head)).await;
    assert!(
        listed
            .body
            .contains(&format!("/staff/conduct/{formation_id}"))
    );
    for outsider in ["formation", "vehicle_tolls"] {
        let outsider = app.staff_token(outsider).await;
        let refused = app
            .get_page(
                &format!("/staff/conduct/{formation_id}"),
                &session(&outsider),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }

    // The applicant rates the answer, which closes the complaint.
    let answered_view = app.get(&path, Some(&token)).await.json();
    assert_eq!(
        answered_view["fields"]["answer"],
        "با کارمند گفتگو شد و تذکر کتبی گرفت."
    );
    let rated = app
        .acted(
            &token,
            &answered_view,
            json!({"action": "rate", "fields": {"rating": "score_4"}}),
        )
        .await;
    assert_eq!(rated["state"], "closed");
    assert_eq!(rated["closed"], true);
}

async fn a_service_complaint_goes_to_the_services_unit_and_is_reopened_only_once(app: TestApp) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let answer = file(
        &app,
        &session(&token),
        &[
            ("kind", "service_complaint"),
            ("concerns_service", TOLLS_SERVICE),
            ("description", "عوارض خودرو دو بار از من گرفته شد."),
            ("latitude", "۳۲٫۳۲۵۶"),
            ("longitude", "50.8644"),
        ],
        &[("attachment".into(), "receipt.pdf", b"%PDF-1.4 a receipt")],
    )
    .await;
    let complaint = filed_case(&app, &token, &answer).await;
    assert_eq!(complaint["fields"]["routed_to"], "vehicle_tolls");
    assert_eq!(complaint["fields"]["location"], "32.325600,50.864400");
    assert_eq!(complaint["documents"].as_array().unwrap().len(), 1);
    // Routed to the unit owning the service, not to the complaint service's owner.
    let tolls = app.staff_token("vehicle_tolls").await;
    let formation = app.staff_token("formation").await;
    let path = format!("/api/v1/cases/{}", complaint["id"]);
    assert_eq!(
        app.get(&path, Some(&formation)).await.status,
        StatusCode::NOT_FOUND
    );
    let seen = app.get(&path, Some(&tolls)).await.json();
    assert!(
        seen["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "answer"),
        "{seen}"
    );
    let answered = app
        .acted(
            &tolls,
            &seen,
            json!({"action": "answer", "fields": {"answer": "مبلغ دوم بازگردانده می‌شود."}}),
        )
        .await;
    // Reopened once by the applicant…
    let reopened = app
        .acted(
            &token,
            &answered,
            json!({"action": "reopen", "comment": "هنوز بازنگشته است."}),
        )
        .await;
    assert_eq!(reopened["state"], "review");
    let seen = app.get(&path, Some(&tolls)).await.json();
    let again = app
        .acted(
            &tolls,
            &seen,
            json!({"action": "answer", "fields": {"answer": "بازگردانده شد."}}),
        )
        .await;
    // …and not twice.
    let refused = app
        .act(
            &token,
            &again,
            json!({"action": "reopen", "comment": "باز هم"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "case.action_spent");
    assert_eq!(
        app.get(&path, Some(&token)).await.json()["state"],
        "answered"
    );
    // The generic application form does not open a complaint around the routing.
    let mut application = support::required_answers(&app, "10010101029th01");
    application.insert("kind".into(), json!("staff_complaint"));
    let generic = app
        .post_json(
            "/api/v1/cases",
            json!({"service_id": "10010101029th01", "answers": application}),
            Some(&token),
        )
        .await;
    assert_eq!(
        generic.error_code(),
        "complaint.use_form",
        "{}",
        generic.body
    );
}

async fn an_anonymous_suggestion_gets_its_tracking_code_and_an_anonymous_complaint_is_refused(
    app: TestApp,
) {
    let (page, _) = form(&app, "").await;
    let csrf_cookie = page.cookie("daftar_csrf").unwrap();
    let cookies = format!("daftar_csrf={csrf_cookie}");
    let refused = file(
        &app,
        &cookies,
        &[("kind", "staff_complaint"), ("description", "شکایت بی‌نام")],
        &[],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("برای ثبت شکایت وارد شوید"),
        "{}",
        refused.body
    );
    let sms_before = app.messages().len();
    let answer = file(
        &app,
        &cookies,
        &[
            ("kind", "suggestion"),
            ("description", "ساعت کار دفتر را تا ۱۶ ادامه دهید."),
        ],
        &[],
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(answer.body.contains("id=\"complaint-filed\""));
    let head = app.staff_token("office_head").await;
    let queue = app
        .get("/api/v1/queues/office_head", Some(&head))
        .await
        .json();
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["service_id"] == "10010101030th01")
        .unwrap_or_else(|| panic!("the office head has it: {queue}"))
        .clone();
    let code = item["tracking_code"].as_str().unwrap();
    let digits: String = daftar_core::fa::normalize_digits(&answer.body)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    assert!(digits.contains(code), "the page shows its code {code}");
    // Anyone with the code follows it; nobody was sent an SMS.
    let tracked = app.get_page(&format!("/cases/track?code={code}"), "").await;
    assert_eq!(tracked.status, StatusCode::OK);
    assert_eq!(app.messages().len(), sms_before);
    let case = app
        .get(&format!("/api/v1/cases/{}", item["case_id"]), Some(&head))
        .await
        .json();
    let answered = app
        .acted(
            &head,
            &case,
            json!({"action": "answer", "fields": {"answer": "ساعت کار تا ۱۵ تمدید شد."}}),
        )
        .await;
    assert_eq!(answered["state"], "answered");
    app.state.services.outbox.deliver_pending().await.unwrap();
    assert_eq!(
        app.messages().len(),
        sms_before,
        "an anonymous filer has no mobile"
    );
    // The code is all its sender holds: the answer is on the tracking page.
    let tracked = app.get_page(&format!("/cases/track?code={code}"), "").await;
    assert!(
        tracked.body.contains("id=\"track-answer\""),
        "{}",
        tracked.body
    );
    assert!(tracked.body.contains("ساعت کار تا ۱۵ تمدید شد."));
}

/// A form's text fields, and its files (field, file name, bytes).
type Fields<'a> = Vec<(&'a str, &'a str)>;
type Files<'a> = Vec<(String, &'a str, &'a [u8])>;

async fn bad_submissions_are_refused_by_name_and_keep_nothing(app: TestApp) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let cookies = session(&token);
    let before = count_cases(&app).await;
    let long = "ب".repeat(4_001);
    let pdf: &[u8] = b"%PDF-1.4 x";
    let four: Vec<(String, &str, &[u8])> = (0..4)
        .map(|_| ("attachment".to_owned(), "a.pdf", pdf))
        .collect();
    let cases: Vec<(Fields, Files, &str)> = vec![
        (
            vec![("kind", "no_such_kind"), ("description", "متن")],
            vec![],
            "complaint.kind",
        ),
        (
            vec![("kind", "suggestion"), ("description", &long)],
            vec![],
            "complaint.text_too_long",
        ),
        (
            vec![("kind", "suggestion"), ("description", "  ")],
            vec![],
            "complaint.text_missing",
        ),
        (
            vec![("kind", "suggestion"), ("description", "متن")],
            four,
            "complaint.too_many_files",
        ),
        (
            vec![
                ("kind", "suggestion"),
                ("description", "متن"),
                ("latitude", "120"),
                ("longitude", "50"),
            ],
            vec![],
            "complaint.location",
        ),
        (
            vec![("kind", "service_complaint"), ("description", "متن")],
            vec![],
            "complaint.service_missing",
        ),
        (
            vec![
                ("kind", "service_complaint"),
                ("concerns_service", "99999999999xx99"),
                ("description", "متن"),
            ],
            vec![],
            "complaint.service_unknown",
        ),
        (
            vec![("kind", "staff_complaint"), ("description", "متن")],
            vec![],
            "complaint.staff_missing",
        ),
        (
            // The office head never worked on this citizen's cases.
            vec![
                ("kind", "staff_complaint"),
                ("named_staff", "1"),
                ("description", "متن"),
            ],
            vec![],
            "complaint.staff_unknown",
        ),
        (
            vec![("kind", "suggestion"), ("description", "متن")],
            vec![(
                "attachment".to_owned(),
                "a.pdf",
                b"not a pdf at all" as &[u8],
            )],
            "document",
        ),
    ];
    for (fields, files, code) in cases {
        let answer = file(&app, &cookies, &fields, &files).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            answer.body
        );
        let message = daftar_core::fa::to_persian_digits(&daftar_server::i18n::message(
            daftar_server::i18n::Lang::Fa,
            &format!("err-{}", code.replace(['.', '_'], "-")),
            &[],
        ));
        if !code.starts_with("document") {
            assert!(
                answer.body.contains(&message),
                "{code}: {message} in {}",
                answer.body
            );
        }
    }
    assert_eq!(count_cases(&app).await, before, "a refusal keeps nothing");
}

async fn open311_lists_posts_and_reads_back_in_json_and_xml_with_an_api_key(app: TestApp) {
    // The system admin issues a key on its page; it is shown once.
    let admin = app.admin_token().await;
    let page = app.get_page("/staff/open311", &session(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let issued = app
        .post_form(
            "/staff/open311",
            &[
                ("csrf", &page.hidden("csrf")),
                ("name", "FixMyStreet آزمون"),
            ],
            &session(&admin),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let key = issued
        .body
        .split("id=\"open311-key\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    // Nobody else manages keys.
    let head = app.staff_token("office_head").await;
    assert_eq!(
        app.get_page("/staff/open311", &session(&head)).await.status,
        StatusCode::FORBIDDEN
    );

    let services = app.get("/open311/v2/services.json", None).await;
    assert_eq!(services.status, StatusCode::OK);
    let codes: Vec<String> = services
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["service_complaint", "criticism", "suggestion"]);
    let xml = app.get("/open311/v2/services.xml", None).await;
    assert!(
        xml.body
            .contains("<services><service><service_code>service_complaint</service_code>")
    );
    let definition = app
        .get("/open311/v2/services/service_complaint.json", None)
        .await
        .json();
    assert_eq!(definition["attributes"][0]["code"], "concerns_service");
    assert_eq!(definition["attributes"][0]["required"], true);

    let post = |body: String| {
        let request = axum::http::Request::post("/open311/v2/requests.json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        app.send(request)
    };
    // Without a key, or with a wrong one: 403 in the standard's shape.
    let no_key = post("service_code=suggestion&description=x".into()).await;
    assert_eq!(no_key.status, StatusCode::FORBIDDEN);
    assert_eq!(no_key.json()[0]["code"], 403);
    let wrong = post("api_key=00&service_code=suggestion&description=x".into()).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // An unknown service code: 400; a staff complaint is not offered either.
    for code in ["pothole", "staff_complaint"] {
        let unknown = post(format!("api_key={key}&service_code={code}&description=x")).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
        assert_eq!(unknown.json()[0]["code"], 400);
    }
    let posted = post(format!(
        "api_key={key}&service_code=service_complaint&attribute%5Bconcerns_service%5D={TOLLS_SERVICE}\
         &description=%DA%86%D8%B1%D8%A7%D8%BA+%D8%AE%D8%A7%D9%85%D9%88%D8%B4+09123456789\
         &lat=32.3256&long=50.8644&first_name=Sara&email=sara%40example.com&phone=09121111111"
    ))
    .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let id = posted.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app
        .get(&format!("/open311/v2/requests/{id}.json"), None)
        .await;
    let request = &read.json()[0];
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "service_complaint");
    assert_eq!(request["lat"], 32.3256);
    assert_eq!(request["agency_responsible"], "Vehicle tolls");
    assert_eq!(
        request["description"], "چراغ خاموش …",
        "a mobile typed in is hidden"
    );
    for personal in ["Sara", "example.com", "09121111111", "09123456789"] {
        assert!(!read.body.contains(personal), "{personal} in {}", read.body);
    }
    let xml = app
        .get(&format!("/open311/v2/requests/{id}.xml"), None)
        .await;
    assert!(
        xml.body
            .contains(&format!("<service_request_id>{id}</service_request_id>"))
    );
    assert!(xml.body.contains("<status>open</status>"));
    let token = app
        .get(&format!("/open311/v2/tokens/{id}.json"), None)
        .await;
    assert_eq!(token.json()[0]["service_request_id"], id.as_str());

    // The list, with the standard's filters; a citizen's staff complaint is not in it.
    let citizen = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let formation = app.staff_token("formation").await;
    let case = support::applied(&app, &citizen, FORMATION_SERVICE).await;
    app.acted(&formation, &case, json!({"action": "complete"}))
        .await;
    let formation_id = staff_id(&app, "formation").await.to_string();
    let private = file(
        &app,
        &session(&citizen),
        &[
            ("kind", "staff_complaint"),
            ("named_staff", &formation_id),
            ("description", "بی‌احترامی"),
        ],
        &[],
    )
    .await;
    let private = filed_case(&app, &citizen, &private).await;
    // A citizen's own service complaint, signed in, is theirs: not listed either.
    let own = file(
        &app,
        &session(&citizen),
        &[
            ("kind", "service_complaint"),
            ("concerns_service", TOLLS_SERVICE),
            ("description", "مال من"),
        ],
        &[],
    )
    .await;
    let own = filed_case(&app, &citizen, &own).await;
    let listed = app
        .get(
            "/open311/v2/requests.json?service_code=service_complaint,suggestion&status=open",
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let ids: Vec<String> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![id.clone()]);
    let hidden = app
        .get(
            &format!(
                "/open311/v2/requests/{}.json",
                private["tracking_code"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let own = app
        .get(
            &format!(
                "/open311/v2/requests/{}.json",
                own["tracking_code"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::NOT_FOUND);
    assert!(!listed.body.contains(CITIZEN.0));
    let closed = app
        .get("/open311/v2/requests.xml?status=closed", None)
        .await;
    assert_eq!(
        closed.body,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests></service_requests>"
    );
    let window = app
        .get(
            "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(window.status, StatusCode::BAD_REQUEST, "more than 90 days");
    let bad_code = app
        .get("/open311/v2/requests.json?service_code=pothole", None)
        .await;
    assert_eq!(bad_code.status, StatusCode::BAD_REQUEST);

    // A revoked key is refused.
    let clients = daftar_store::Open311Store::open311_clients(app.store.as_ref())
        .await
        .unwrap();
    let revoke_page = app.get_page("/staff/open311", &session(&admin)).await;
    let revoked = app
        .post_form(
            &format!("/staff/open311/{}/revocation", clients[0].id),
            &[("csrf", &revoke_page.hidden("csrf"))],
            &session(&admin),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let after = post(format!(
        "api_key={key}&service_code=suggestion&description=x"
    ))
    .await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
}
