//! Cases through the JSON API on both databases: a building permit from the citizen's
//! application through every unit to "sent to district", with a return for a deficiency
//! and the parallel green-space and fire review; who may see what; and two staff acting
//! on the same case at once.

mod support;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    finding_6_an_action_sets_only_the_fields_it_names_and_the_history_shows_each_change,
    a_building_permit_goes_from_application_to_the_district,
    an_application_with_a_bad_answer_or_file_is_refused_and_changes_nothing,
    applicants_see_only_their_cases_and_the_public_only_status_and_dates,
    of_two_staff_acting_at_once_exactly_one_wins,
    queues_list_a_role_cases_with_counts_and_filters_and_cases_can_be_claimed,
    the_sla_sweep_marks_late_cases_once_and_tells_the_office_head,
);

const PERMIT: &str = "10010101018th01";
/// The water and sewage connection, whose booking takes a typed date.
const WATER: &str = "10010101009th01";
const OWNER: (&str, &str) = ("0499370899", "09120000001");
const OTHER: (&str, &str) = ("0790419904", "09120000002");
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n";

fn pdf(kind: &str) -> Value {
    json!({
        "kind": kind,
        "file_name": format!("{kind}.pdf"),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF),
    })
}

/// A complete application for `service`: an answer of the right kind for every required
/// field and a PDF for every required document.
fn application(app: &TestApp, service: &str) -> Value {
    let answers = support::required_answers(app, service);
    let service = app.state.services.catalog.get(service).unwrap();
    let documents: Vec<Value> = service
        .form
        .documents
        .iter()
        .filter(|d| d.required)
        .map(|d| pdf(&d.id))
        .collect();
    json!({ "service_id": service.identifier, "answers": answers, "documents": documents })
}

async fn apply(app: &TestApp, token: &str) -> Value {
    let response = app
        .post_json("/api/v1/cases", application(app, PERMIT), Some(token))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

/// Finding 6: `act` merged every `fields` key into the case: the applicant's withdrawal
/// rewrote the mobile and added keys, and the history showed none of it. Now an action
/// sets only the fields it names (checked by kind), the applicant edits answers only by
/// resubmitting where editing is allowed, and the history lists each change.
async fn finding_6_an_action_sets_only_the_fields_it_names_and_the_history_shows_each_change(
    app: TestApp,
) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let formation = app.staff_token("formation").await;
    // The water and sewage connection: its booking takes a typed date.
    let case = app
        .post_json("/api/v1/cases", application(&app, WATER), Some(&citizen))
        .await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
    let case = case.json();
    let before = case["fields"].clone();
    let withdraw = app
        .act(
            &citizen,
            &case,
            json!({"action": "withdraw", "fields": {"mobile": "not-a-mobile", "extra": "x"}}),
        )
        .await;
    assert_eq!(
        withdraw.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        withdraw.body
    );
    assert_eq!(withdraw.error_code(), "field.not_for_action");
    let unchanged = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&citizen))
        .await
        .json();
    assert_eq!(unchanged["fields"], before);
    assert_eq!(unchanged["version"], case["version"]);
    // Returned for a deficiency, the applicant corrects an answer by resubmitting.
    let returned = app
        .acted(
            &formation,
            &case,
            json!({"action": "return_for_deficiency", "comment": "شماره همراه را اصلاح کنید"}),
        )
        .await;
    let corrected = app
        .acted(
            &citizen,
            &returned,
            json!({"action": "resubmit", "fields": {"mobile": "09120000009"}}),
        )
        .await;
    assert_eq!(corrected["fields"]["mobile"], "09120000009");
    let last = corrected["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["changes"][0]["old"], OWNER.1);
    assert_eq!(last["changes"][0]["new"], "09120000009");
    // A field the action names, but wrong for its kind.
    let bad_date = app
        .act(
            &formation,
            &corrected,
            json!({"action": "book_inspection", "fields": {"inspection_date": "soon"}}),
        )
        .await;
    assert_eq!(bad_date.error_code(), "field.date");
    // The right field: set, normalised, and recorded with its old and new value.
    let booked = app
        .acted(
            &formation,
            &corrected,
            json!({"action": "book_inspection", "fields": {"inspection_date": "۱۴۰۵/۰۳/۰۵"}}),
        )
        .await;
    assert_eq!(booked["fields"]["inspection_date"], "1405-03-05");
    let last = booked["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["changes"],
        json!([{"field": "inspection_date", "old": null, "new": "1405-03-05"}])
    );
}

async fn a_building_permit_goes_from_application_to_the_district(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let staff = |role: &'static str| {
        let app = &app;
        async move { app.staff_token(role).await }
    };
    let formation = staff("formation").await;
    let mut case = apply(&app, &citizen).await;
    assert_eq!(case["state"], "file_opening");
    let code = case["tracking_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 12);

    // Formation finds a deficiency; the applicant answers with a new deed.
    let refused = app
        .act(
            &formation,
            &case,
            json!({"action": "return_for_deficiency"}),
        )
        .await;
    assert_eq!(refused.error_code(), "case.comment_required");
    case = app
        .acted(
            &formation,
            &case,
            json!({"action": "return_for_deficiency", "comment": "سند خوانا نیست"}),
        )
        .await;
    assert_eq!(case["state"], "awaiting_applicant");
    let as_applicant = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&citizen))
        .await
        .json();
    let offered: Vec<&str> = as_applicant["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(offered, vec!["resubmit", "withdraw"]);
    case = app
        .acted(
            &citizen,
            &case,
            json!({"action": "resubmit", "documents": [pdf("title_deed")]}),
        )
        .await;
    assert_eq!(
        case["state"], "file_opening",
        "back where it was returned from"
    );
    let deeds: Vec<&Value> = case["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "title_deed")
        .collect();
    assert_eq!(deeds.len(), 2, "both versions are kept");

    // Formation may not refer the file on before the inquiry and the visit.
    let early = app
        .act(&formation, &case, json!({"action": "book_inspection"}))
        .await;
    assert_eq!(early.error_code(), "case.needs_inquiry", "{}", early.body);
    case = support::ready_for_inspection(&app, &case).await;
    let steps: [(&str, Value); 10] = [
        ("formation", json!({"action": "book_inspection"})),
        (
            "inspection",
            json!({"action": "record_inspection", "fields": {"built_area_m2": "150"}}),
        ),
        ("office_head", json!({"action": "head_approves"})),
        ("office_manager", json!({"action": "manager_approves"})),
        ("plan_approval", json!({"action": "approve_plans"})),
        (
            "municipal_liaison",
            json!({"action": "decide", "decision": "approved_with_conditions", "comment": "دو درخت حفظ شود"}),
        ),
        (
            "technical_manager",
            json!({"action": "decide", "decision": "approved"}),
        ),
        (
            "permit_drafting",
            json!({"action": "issue_permit", "fields": {"permit_number": "1405-0001",
                   "supervisor_code": "1-23-4567"}}),
        ),
        ("office_head", json!({"action": "send_to_district"})),
        ("office_head", json!({"action": "head_approves"})),
    ];
    for (role, body) in &steps[..9] {
        let token = staff(role).await;
        let before = case["state"].clone();
        if body["action"] == "issue_permit" {
            case = support::permit_checklist_done(&app, &case).await;
        }
        if body["action"] == "record_inspection" {
            // The inspection needs the building's sketch first.
            let early = app.act(&token, &case, body.clone()).await;
            assert_eq!(
                early.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                early.body
            );
            assert_eq!(early.error_code(), "case.needs_sketch");
            let square = json!([
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 15.0],
                [0.0, 15.0],
                [0.0, 0.0]
            ]);
            let sketch = json!({"version": case["version"], "floors": [{"level": 0, "parts": [{"use": "residential", "corners": square}]}]});
            let drawn = app
                .post_json(
                    &format!("/api/v1/cases/{}/sketch", case["id"]),
                    sketch,
                    Some(&token),
                )
                .await;
            assert_eq!(drawn.status, StatusCode::CREATED, "{}", drawn.body);
            case["version"] = drawn.json()["case_version"].clone();
        }
        case = app.acted(&token, &case, body.clone()).await;
        if *role == "municipal_liaison" {
            assert_eq!(
                case["state"], "specialist_review",
                "waits for the fire department"
            );
            let tasks = case["tasks"].as_array().unwrap();
            assert_eq!(tasks.len(), 1);
            assert_eq!(tasks[0]["role"], "technical_manager");
        } else {
            assert_ne!(case["state"], before, "{role}");
        }
    }
    assert_eq!(case["state"], "sent_to_district");
    assert_eq!(case["closed"], true);
    let (role, body) = &steps[9];
    let closed = app.act(&staff(role).await, &case, body.clone()).await;
    assert_eq!(closed.status, StatusCode::CONFLICT);
    assert_eq!(closed.error_code(), "case.closed");

    let history = case["history"].as_array().unwrap();
    assert_eq!(
        history.len(),
        13,
        "apply, return, resubmit, nine actions and the permit's fee bill"
    );
    assert_eq!(history[1]["comment"], "سند خوانا نیست");
    assert!(
        history
            .iter()
            .any(|h| h["action"] == "decide:green_space:approved_with_conditions")
    );

    // Every status change told the applicant, through the outbox.
    app.state.services.outbox.deliver_pending().await.unwrap();
    let to_applicant = app
        .messages()
        .into_iter()
        .filter(|m| m["to"] == "+989120000001" && m["text"].as_str().unwrap().contains("پرونده"))
        .count();
    assert_eq!(
        to_applicant, 12,
        "the application, the return, the resubmission, the visit's day and eight moves"
    );
}

async fn an_application_with_a_bad_answer_or_file_is_refused_and_changes_nothing(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let mut bad_answer = application(&app, PERMIT);
    bad_answer["answers"]["applicant_national_id"] = json!("1234567890");
    let refused = app
        .post_json("/api/v1/cases", bad_answer, Some(&citizen))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_code(), "national_id.invalid");

    let mut missing = application(&app, PERMIT);
    missing["answers"]
        .as_object_mut()
        .unwrap()
        .remove("renewal_code");
    let refused = app
        .post_json("/api/v1/cases", missing, Some(&citizen))
        .await;
    assert_eq!(refused.error_code(), "field.required");
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("renewal_code"), "{message}");

    let mut renamed = application(&app, PERMIT);
    renamed["documents"][0]["content_base64"] =
        json!(base64::engine::general_purpose::STANDARD.encode(b"MZ not a pdf"));
    let refused = app
        .post_json("/api/v1/cases", renamed, Some(&citizen))
        .await;
    assert_eq!(refused.error_code(), "document.type");

    let mut no_deed = application(&app, PERMIT);
    no_deed["documents"] = json!([]);
    let refused = app
        .post_json("/api/v1/cases", no_deed, Some(&citizen))
        .await;
    assert_eq!(refused.error_code(), "document.required");

    let instant = app
        .post_json(
            "/api/v1/cases",
            json!({"service_id": "10012656000sh13", "answers": {}}),
            Some(&citizen),
        )
        .await;
    assert_eq!(instant.error_code(), "service.instant");
    let staff = app.staff_token("formation").await;
    let as_staff = app
        .post_json("/api/v1/cases", application(&app, PERMIT), Some(&staff))
        .await;
    assert_eq!(as_staff.status, StatusCode::FORBIDDEN);

    let mine = app.get("/api/v1/cases", Some(&citizen)).await.json();
    assert_eq!(
        mine["cases"].as_array().unwrap().len(),
        0,
        "nothing was opened"
    );
}

async fn applicants_see_only_their_cases_and_the_public_only_status_and_dates(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let case = apply(&app, &citizen).await;
    let other = app.citizen_token(OTHER.0, OTHER.1).await;
    let theirs = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&other))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/cases", Some(&other)).await.json()["cases"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let mine = app.get("/api/v1/cases", Some(&citizen)).await.json();
    assert_eq!(mine["cases"][0]["id"], case["id"]);

    let code = case["tracking_code"].as_str().unwrap();
    let public = app.get(&format!("/api/v1/cases/track/{code}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    let status = public.json();
    assert_eq!(
        status["state_name"]["en"],
        "File opening and document check"
    );
    assert!(status["opened_at"].is_string());
    for private in [
        OWNER.0,
        OWNER.1,
        "01-101-12-0",
        "fields",
        "documents",
        "history",
    ] {
        assert!(
            !public.body.contains(private),
            "{private} in {}",
            public.body
        );
    }
    let mut mistyped = code.to_owned();
    let last = mistyped.pop().unwrap().to_digit(10).unwrap();
    mistyped.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let refused = app
        .get(&format!("/api/v1/cases/track/{mistyped}"), None)
        .await;
    assert_eq!(refused.error_code(), "tracking_code.check_digit");

    // Documents: the applicant and the units that act on the case, not others.
    let document = case["documents"][0]["id"].as_i64().unwrap();
    let own = app
        .get(&format!("/api/v1/documents/{document}"), Some(&citizen))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body.as_bytes(), PDF);
    let stranger = app
        .get(&format!("/api/v1/documents/{document}"), Some(&other))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let vehicle_tolls = app.staff_token("vehicle_tolls").await;
    let unrelated = app
        .get(
            &format!("/api/v1/documents/{document}"),
            Some(&vehicle_tolls),
        )
        .await;
    // A unit with no part in the case is told it does not exist (need to know).
    assert_eq!(unrelated.status, StatusCode::NOT_FOUND);
    let formation = app.staff_token("formation").await;
    let approved = app
        .post_json(
            &format!("/api/v1/documents/{document}/approval"),
            json!({}),
            Some(&formation),
        )
        .await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT);
    let viewed = app
        .store
        .document_views(document)
        .await
        .unwrap()
        .into_iter()
        .map(|(viewer, _)| viewer)
        .collect::<Vec<_>>();
    assert_eq!(viewed, vec!["applicant".to_owned()]);
    let record = app.store.document(document).await.unwrap().unwrap();
    assert_eq!(record.approved_by.as_deref(), Some("staff:formation"));
}

async fn of_two_staff_acting_at_once_exactly_one_wins(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let case = apply(&app, &citizen).await;
    let case = support::ready_for_inspection(&app, &case).await;
    let formation = app.staff_token("formation").await;
    let book = json!({"action": "book_inspection"});
    let back = json!({"action": "return_for_deficiency", "comment": "کسری مدارک"});
    let (a, b) = tokio::join!(
        app.act(&formation, &case, book),
        app.act(&formation, &case, back)
    );
    let statuses = [a.status, b.status];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let loser = if a.status == StatusCode::CONFLICT {
        &a
    } else {
        &b
    };
    assert_eq!(loser.error_code(), "case.changed");
    let now = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&formation))
        .await
        .json();
    assert_eq!(now["version"], case["version"].as_i64().unwrap() + 1);
    assert_eq!(
        now["history"].as_array().unwrap().len(),
        2,
        "one action, written once"
    );
}

async fn queues_list_a_role_cases_with_counts_and_filters_and_cases_can_be_claimed(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let first = apply(&app, &citizen).await;
    apply(&app, &citizen).await;
    let formation = app.staff_token("formation").await;
    let queue = app.get("/api/v1/queues/formation", Some(&formation)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let queue = queue.json();
    assert_eq!(queue["total"], 2);
    assert_eq!(queue["items"].as_array().unwrap().len(), 2);
    let other_service = app
        .get(
            "/api/v1/queues/formation?service=10010101009th01",
            Some(&formation),
        )
        .await
        .json();
    assert_eq!(other_service["total"], 0);
    let district_two = app
        .get("/api/v1/queues/formation?district=2", Some(&formation))
        .await
        .json();
    assert_eq!(district_two["total"], 0);
    let overdue = app
        .get("/api/v1/queues/formation?overdue=true", Some(&formation))
        .await
        .json();
    assert_eq!(overdue["total"], 0, "nothing is late yet");

    let inspection = app.staff_token("inspection").await;
    let forbidden = app.get("/api/v1/queues/formation", Some(&inspection)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let trainee = app.staff_token("trainee").await;
    assert_eq!(
        app.get("/api/v1/queues/formation", Some(&trainee))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let claimed = app
        .post_json(
            &format!("/api/v1/cases/{}/assignment", first["id"]),
            json!({"version": first["version"], "assignee": "formation"}),
            Some(&formation),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    let mine = app
        .get("/api/v1/queues/formation?mine=true", Some(&formation))
        .await
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["case_id"], first["id"]);
    let wrong_colleague = app
        .post_json(
            &format!("/api/v1/cases/{}/assignment", first["id"]),
            json!({"version": claimed.json()["version"], "assignee": "inspection"}),
            Some(&formation),
        )
        .await;
    assert_eq!(wrong_colleague.error_code(), "case.assignee");
}

/// The SLA sweep, run as if a month had passed: the case is marked overdue once, shows
/// in the follow-up unit's queue, and the office head is told once, however often the
/// sweep runs.
async fn the_sla_sweep_marks_late_cases_once_and_tells_the_office_head(app: TestApp) {
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let case = apply(&app, &citizen).await;
    let head = app
        .store
        .staff_by_username("office_head")
        .await
        .unwrap()
        .unwrap();
    let head_mobile = daftar_core::ir::Mobile::parse("09121110000").unwrap();
    app.store
        .set_staff_mobile(head.id, Some(&head_mobile))
        .await
        .unwrap();
    let follow_up = app.staff_token("follow_up").await;
    let before = app
        .get("/api/v1/queues/follow_up", Some(&follow_up))
        .await
        .json();
    assert_eq!(before["total"], 0);

    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30);
    let marked = app.state.services.cases.sweep_overdue(later).await.unwrap();
    assert_eq!(marked.len(), 1);
    assert_eq!(
        marked[0].tracking_code,
        case["tracking_code"].as_str().unwrap()
    );
    let again = app.state.services.cases.sweep_overdue(later).await.unwrap();
    assert!(again.is_empty(), "the sweep is idempotent");
    let after = app
        .get("/api/v1/queues/follow_up", Some(&follow_up))
        .await
        .json();
    assert_eq!(after["total"], 1, "the follow-up unit sees the late case");
    assert_eq!(after["items"][0]["overdue"], true);

    let record = app
        .store
        .case(daftar_store::CaseId(case["id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert!(record.overdue_at.is_some());
    app.state.services.outbox.deliver_pending().await.unwrap();
    let to_head: Vec<Value> = app
        .messages()
        .into_iter()
        .filter(|m| m["to"] == "+989121110000")
        .collect();
    assert_eq!(to_head.len(), 1, "{to_head:?}");
    let digits = daftar_core::fa::to_persian_digits(case["tracking_code"].as_str().unwrap());
    assert!(to_head[0]["text"].as_str().unwrap().contains(&digits));
}
