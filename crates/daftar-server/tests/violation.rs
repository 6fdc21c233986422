//! Building violations and the Article 100 commission through the API, on SQLite and
//! PostgreSQL: the violations computed from the sketch against the permit, reviewed,
//! ruled on, objected to and appealed, the fine billed and paid by the bank's file, and
//! the certificate refused while the violation is open and possible once it is settled.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    a_violation_goes_from_the_sketch_through_the_commission_to_a_paid_fine,
    a_late_objection_is_refused_saying_the_deadline,
    only_permit_drafting_records_a_permit_and_a_bad_one_is_refused_by_rule,
    violation_review_registers_fire_safety_firms_and_an_expired_licence_shows,
    permit_drafting_records_a_permit_on_the_property_file_and_a_bad_line_is_named,
    a_draft_ruling_is_the_staffs_and_its_service_day_cannot_be_in_the_future,
    an_unpaid_commercial_fine_goes_back_to_the_commission_for_demolition,
    a_registry_letter_opens_a_violation_case_for_the_registered_owner,
    formation_registers_a_tenants_objection_with_their_national_id,
    a_district_the_fine_schedule_lacks_is_refused_at_review_naming_it,
    the_property_file_takes_a_registry_letter_and_shows_a_refusal_with_what_was_typed,
    a_late_defence_is_refused_saying_the_deadline,
    documents_go_only_with_actions_that_take_them,
);

const VIOLATION_REVIEW: &str = "10010101011th01";
const NO_VIOLATION_CERTIFICATE: &str = "10010101015th01";
const OWNER: (&str, &str) = ("0499370899", "09120000001");
const PROPERTY: &str = "/api/v1/properties/1/01-101-12-0";

fn rectangle(w: f64, h: f64) -> Value {
    json!([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h], [0.0, 0.0]])
}

/// The permit of the demo's 01-101-12-0: a parking ground floor and one residential
/// floor, 114 m² each, and five parking spaces.
async fn record_permit(app: &TestApp) {
    let drafting = app.staff_token("permit_drafting").await;
    let recorded = app
        .post_json(
            &format!("{PROPERTY}/permit"),
            json!({"number": "1404-0101-88", "parking_spaces": 5, "floors": [
                {"level": 0, "area_m2": 114, "use": "parking"},
                {"level": 1, "area_m2": 114, "use": "residential"},
            ]}),
            Some(&drafting),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::NO_CONTENT, "{}", recorded.body);
}

/// A violation-review case on the demo property, its sketch recorded with one floor more
/// than the permit and four spaces of parking where five are due, at violation review.
async fn case_at_review(app: &TestApp) -> Value {
    case_at_review_with(app, "residential").await
}

/// The same, with the extra floor in `extra_use` (`commercial` falls under Note 3).
async fn case_at_review_with(app: &TestApp, extra_use: &str) -> Value {
    record_permit(app).await;
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let applied = app
        .post_json(
            "/api/v1/cases",
            support::application_with_a_pdf_of(app, VIOLATION_REVIEW, 64),
            Some(&owner),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let case = applied.json();
    let formation = app.staff_token("formation").await;
    let inquired = app
        .post_json(
            &format!("/api/v1/cases/{}/inquiry", case["id"]),
            json!({"version": case["version"]}),
            Some(&formation),
        )
        .await;
    assert_eq!(inquired.status, StatusCode::CREATED, "{}", inquired.body);
    let case = app.reread(&case).await;
    let case = app
        .acted(&formation, &case, json!({"action": "book_inspection"}))
        .await;
    let inspector = app.staff_token("inspection").await;
    let sketched = app
        .post_json(
            &format!("/api/v1/cases/{}/sketch", case["id"]),
            json!({"version": case["version"], "floors": [
                {"level": 0, "parts": [{"use": "parking", "corners": rectangle(12.0, 9.5)}]},
                {"level": 1, "parts": [{"use": "residential", "corners": rectangle(12.0, 9.5)}]},
                {"level": 2, "parts": [{"use": extra_use, "corners": rectangle(12.0, 9.5)}]},
            ]}),
            Some(&inspector),
        )
        .await;
    assert_eq!(sketched.status, StatusCode::CREATED, "{}", sketched.body);
    let case = app.reread(&case).await;
    app.acted(&inspector, &case, json!({"action": "send_to_review"}))
        .await
}

async fn violations(app: &TestApp, token: &str, case: &Value) -> Value {
    let answer = app
        .get(
            &format!("/api/v1/cases/{}/violations", case["id"]),
            Some(token),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()
}

/// Reviews a case at review (correcting the parking shortfall to two spaces) and refers
/// it to the commission.
async fn refer_to_commission(app: &TestApp, case: Value) -> Value {
    let reviewer = app.staff_token("violation_review").await;
    let too_soon = app
        .act(&reviewer, &case, json!({"action": "refer_to_commission"}))
        .await;
    assert_eq!(too_soon.error_code(), "case.needs_violations_reviewed");
    let reviewed = app
        .post_json(
            &format!("/api/v1/cases/{}/violations/review", case["id"]),
            json!({"version": case["version"], "items": [
                {"decision": "confirmed"},
                {"decision": "corrected", "quantity": 2, "reason": "The basement ramp takes two spaces"},
            ]}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
    let case = app.reread(&case).await;
    app.acted(&reviewer, &case, json!({"action": "refer_to_commission"}))
        .await
}

/// How many days before today the session of [`schedule_session`] is.
const SESSION_DAYS_AGO: i64 = 12;

/// The day of the session [`schedule_session`] puts on the docket.
fn session_day() -> daftar_core::calendar::JalaliDate {
    daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now())
        .add_days(-SESSION_DAYS_AGO)
}

/// Lets the days pass as a real docket would: the case's referral moves 23 days back (its
/// defence period long over), and the secretary puts it on the docket with a session 12
/// days ago, so that a ruling of that day, served that day, is past its objection period.
async fn schedule_session(app: &TestApp, case: &Value) -> Value {
    on_the_database(
        app,
        &format!(
            "UPDATE case_history SET at = at - CAST($1 AS BIGINT)
             WHERE case_id = {} AND action IN ('refer_to_commission', 'back_to_commission')",
            case["id"].as_i64().unwrap()
        ),
        (23 * 24 * 3600).to_string(),
    )
    .await;
    let secretary = app.staff_token("commission_secretary").await;
    app.acted(&secretary,
        case,
        json!({"action": "schedule_session", "fields": {"session_date": session_day().to_string()}}),
    )
    .await
}

/// Records and issues the first ruling: the extra floor fined `floor` rials, the parking
/// `parking`.
async fn first_ruling(
    app: &TestApp,
    case: &Value,
    floor: i64,
    parking: i64,
    served: &str,
) -> Value {
    let secretary = app.staff_token("commission_secretary").await;
    let case = schedule_session(app, case).await;
    let ruled = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "۳/۰۵/۷۸۳۴", "date": session_day().to_string(),
            "items": [
                {"decision": "fine", "amount_rials": floor},
                {"decision": "fine", "amount_rials": parking},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(ruled.status, StatusCode::OK, "{}", ruled.body);
    let case = app.reread(&case).await;
    let case = app
        .acted(
            &secretary,
            &case,
            json!({"action": "issue_ruling", "fields": {"served_date": served}}),
        )
        .await;
    // Serving the ruling issues its notice, signed, stating what it orders.
    let notice = case["issued"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|document| document["kind"] == "ruling_notice")
        .expect("the ruling's notice");
    let found = app
        .get(
            &format!("/api/v1/issued/{}", notice["serial"].as_str().unwrap()),
            None,
        )
        .await
        .json();
    assert_eq!(found["facts"]["fines_rials"], (floor + parking).to_string());
    assert_eq!(found["facts"]["fined_items"], "2");
    assert_eq!(found["facts"]["ruling_number"], "3/05/7834");
    case
}

async fn a_violation_goes_from_the_sketch_through_the_commission_to_a_paid_fine(app: TestApp) {
    let case = case_at_review(&app).await;
    let reviewer = app.staff_token("violation_review").await;
    let found = violations(&app, &reviewer, &case).await;
    let computed = found["computed"].as_array().unwrap();
    assert_eq!(computed.len(), 2, "{found}");
    assert_eq!(
        (
            &computed[0]["kind"],
            &computed[0]["floor"],
            &computed[0]["note"]
        ),
        (&json!("extra_floor"), &json!(2), &json!("2"))
    );
    // 114 m² at ½ to 3 × 40,000,000 rials (district 1's demo value).
    assert_eq!(computed[0]["fine_min_rials"], 2_280_000_000i64);
    assert_eq!(computed[0]["fine_max_rials"], 13_680_000_000i64);
    assert_eq!(
        (
            &computed[1]["kind"],
            &computed[1]["quantity"],
            &computed[1]["unit"],
            &computed[1]["note"]
        ),
        (
            &json!("parking_shortfall"),
            &json!(1.0),
            &json!("count"),
            &json!("5")
        )
    );
    assert!(
        computed[1]["formula"]
            .as_str()
            .unwrap()
            .contains("25.00 m²")
    );

    let case = refer_to_commission(&app, case).await;
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let seen = violations(&app, &owner, &case).await;
    assert_eq!(seen["reviewed"][1]["decision"], "corrected");
    assert_eq!(seen["reviewed"][1]["quantity"], 2.0);
    assert_eq!(seen["reviewed"][1]["computed_quantity"], 1.0);
    // Two spaces of 25 m² at 1 to 2 ×.
    assert_eq!(seen["reviewed"][1]["fine_max_rials"], 4_000_000_000i64);
    assert!(seen["defence_deadline"].is_string(), "{seen}");

    // The owner's defence.
    let case = app
        .acted(
            &owner,
            &case,
            json!({"action": "send_defence", "comment": "The third floor was built before 1404."}),
        )
        .await;
    assert_eq!(case["state"], "commission");

    // A fine beyond the range with no reason is refused, and nothing is kept.
    let secretary = app.staff_token("commission_secretary").await;
    let beyond = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "3/05/7834", "date": "1405-01-20",
            "items": [
                {"decision": "fine", "amount_rials": 20_000_000_000i64},
                {"decision": "fine", "amount_rials": 3_000_000_000i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(beyond.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(beyond.error_code(), "ruling.outside_range");
    assert_eq!(app.reread(&case).await["version"], case["version"]);
    // Not issued before the case is on the docket; the session is after the defence period.
    let unscheduled = app
        .act(
            &secretary,
            &case,
            json!({"action": "issue_ruling", "fields": {"served_date": "1405-01-21"}}),
        )
        .await;
    assert_eq!(unscheduled.error_code(), "case.needs_session_held");
    // The owner's defence is in: the commission may sit before the period's end.
    let case = app
        .acted(
            &secretary,
            &case,
            json!({"action": "schedule_session", "fields": {"session_date": today.to_string()}}),
        )
        .await;
    let case = schedule_session(&app, &case).await;
    let seen = violations(&app, &owner, &case).await;
    assert_eq!(seen["session_date"], session_day().to_string(), "{seen}");
    // A first ruling dated before its session is refused.
    let before_session = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "3/05/7834",
            "date": session_day().add_days(-1).to_string(), "items": [
                {"decision": "fine", "amount_rials": 10_000_000_000i64},
                {"decision": "fine", "amount_rials": 3_000_000_000i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(before_session.error_code(), "ruling.before_session");
    let issue_early = app
        .act(
            &secretary,
            &case,
            json!({"action": "issue_ruling", "fields": {"served_date": "1405-01-21"}}),
        )
        .await;
    assert_eq!(issue_early.error_code(), "case.needs_first_ruling");

    let case = first_ruling(
        &app,
        &case,
        10_000_000_000,
        3_000_000_000,
        &today.to_string(),
    )
    .await;
    assert_eq!(case["state"], "objection_period");
    let seen = violations(&app, &owner, &case).await;
    assert_eq!(seen["rulings"][0]["number"], "3/05/7834");
    assert_eq!(seen["rulings"][0]["issued"], true);
    assert_eq!(seen["objection_deadline"], today.add_days(10).to_string());
    // The secretary cannot make it final while the owner may still object.
    let early = app
        .act(&secretary, &case, json!({"action": "finalise_ruling"}))
        .await;
    assert_eq!(early.error_code(), "case.needs_objection_closed");

    // The owner objects in time; the appeal lowers the floor's fine.
    let case = app
        .acted(
            &owner,
            &case,
            json!({"action": "object", "comment": "The fine is too high for a side street."}),
        )
        .await;
    assert_eq!(case["state"], "appeal");
    let appealed = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "7/05/112", "date": today.to_string(),
            "items": [
                {"decision": "fine", "amount_rials": 4_000_000_000i64},
                {"decision": "fine", "amount_rials": 2_000_000_000i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(appealed.status, StatusCode::OK, "{}", appealed.body);
    let case = app.reread(&case).await;
    let case = app
        .acted(&secretary, &case, json!({"action": "issue_appeal_ruling"}))
        .await;
    assert_eq!(case["state"], "enforcement");

    // The fine is a bill by the national rules, tracked publicly by its numbers.
    let seen = violations(&app, &owner, &case).await;
    let bills = seen["bills"].as_array().unwrap();
    assert_eq!(bills.len(), 1, "{seen}");
    assert_eq!(bills[0]["amount_rials"], 6_000_000_000i64);
    assert_eq!(bills[0]["paid"], false);
    let track = format!(
        "/api/v1/bills/track?bill_id={}&payment_id={}",
        bills[0]["bill_id"].as_str().unwrap(),
        bills[0]["payment_id"].as_str().unwrap()
    );
    let tracked = app.get(&track, None).await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert_eq!(tracked.json()["status"], "unpaid");

    // Note 8: no certificate while the violation is open, and it is not settled unpaid.
    let certificate = support::application_with_a_pdf_of(&app, NO_VIOLATION_CERTIFICATE, 64);
    let refused = app
        .post_json("/api/v1/cases", certificate.clone(), Some(&owner))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "case.open_violation");
    let unpaid = app.act(&reviewer, &case, json!({"action": "settle"})).await;
    assert_eq!(unpaid.error_code(), "case.needs_fines_settled");

    // The bank's settlement file pays it; the unit settles the violation.
    let file = format!(
        "bill_id,payment_id,amount_rials,paid_at,trace_number\n{},{},{},1405-02-10 14:30,BANK-FINE-1\n",
        bills[0]["bill_id"].as_str().unwrap(),
        bills[0]["payment_id"].as_str().unwrap(),
        bills[0]["amount_rials"]
    );
    let import = daftar_app::billing::import_payments(app.store.as_ref(), &file, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        import.report.outcomes,
        vec![daftar_core::billing::PaymentOutcome::Applied]
    );
    assert_eq!(app.get(&track, None).await.json()["status"], "paid");
    let case = app
        .acted(&reviewer, &case, json!({"action": "settle"}))
        .await;
    assert_eq!(case["state"], "settled");

    let applied = app
        .post_json("/api/v1/cases", certificate, Some(&owner))
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
}

async fn a_late_objection_is_refused_saying_the_deadline(app: TestApp) {
    let case = refer_to_commission(&app, case_at_review(&app).await).await;
    let served =
        daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).add_days(-11);
    let case = first_ruling(
        &app,
        &case,
        10_000_000_000,
        3_000_000_000,
        &served.to_string(),
    )
    .await;
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let late = app
        .act(
            &owner,
            &case,
            json!({"action": "object", "comment": "Too high."}),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(late.error_code(), "violation.objection_late");
    let deadline = daftar_core::fa::to_persian_digits(&served.add_days(10).to_string());
    assert!(
        late.body.contains(&deadline),
        "the message names the last day: {}",
        late.body
    );
    let unchanged = app.reread(&case).await;
    assert_eq!(unchanged["version"], case["version"]);
    assert_eq!(unchanged["state"], "objection_period");
    // Past the period, the secretary makes the ruling final and its fines are billed.
    let secretary = app.staff_token("commission_secretary").await;
    let case = app
        .acted(&secretary, &case, json!({"action": "finalise_ruling"}))
        .await;
    assert_eq!(case["state"], "enforcement");
    let seen = violations(&app, &secretary, &case).await;
    assert_eq!(seen["bills"][0]["amount_rials"], 13_000_000_000i64);
}

async fn only_permit_drafting_records_a_permit_and_a_bad_one_is_refused_by_rule(app: TestApp) {
    let permit = json!({"number": "P-1", "parking_spaces": 1, "floors": [
        {"level": 0, "area_m2": 100, "use": "residential"},
    ]});
    let inspector = app.staff_token("inspection").await;
    let refused = app
        .post_json(
            &format!("{PROPERTY}/permit"),
            permit.clone(),
            Some(&inspector),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let refused = app
        .post_json(&format!("{PROPERTY}/permit"), permit, Some(&owner))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let drafting = app.staff_token("permit_drafting").await;
    let same_level = app
        .post_json(
            &format!("{PROPERTY}/permit"),
            json!({"number": "P-1", "parking_spaces": 1, "floors": [
                {"level": 1, "area_m2": 100, "use": "residential"},
                {"level": 1, "area_m2": 90, "use": "residential"},
            ]}),
            Some(&drafting),
        )
        .await;
    assert_eq!(same_level.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same_level.error_code(), "permit.same_level");
    let bad_code = app
        .post_json(
            "/api/v1/properties/1/01-1x1-12-0/permit",
            json!({"number": "P-1", "parking_spaces": 1, "floors": [
                {"level": 0, "area_m2": 100, "use": "residential"}]}),
            Some(&drafting),
        )
        .await;
    assert_eq!(bad_code.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn violation_review_registers_fire_safety_firms_and_an_expired_licence_shows(app: TestApp) {
    let reviewer = app.staff_token("violation_review").await;
    let firm = |legal_id: &str, until: &str| {
        json!({"name": "ایمن‌سازان البرز", "legal_id": legal_id, "licence_number": "AF-1402-77",
               "licence_valid_until": until})
    };
    let registered = app
        .post_json(
            "/api/v1/fire-safety-firms",
            firm("10380284790", "1400-12-29"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let twice = app
        .post_json(
            "/api/v1/fire-safety-firms",
            firm("10380284790", "1499-01-01"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.error_code(), "firm.registered");
    let bad = app
        .post_json(
            "/api/v1/fire-safety-firms",
            firm("10380284791", "1499-01-01"),
            Some(&reviewer),
        )
        .await;
    assert_eq!(bad.error_code(), "firm.legal_id");
    let formation = app.staff_token("formation").await;
    let not_theirs = app
        .post_json(
            "/api/v1/fire-safety-firms",
            firm("14007650912", "1499-01-01"),
            Some(&formation),
        )
        .await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN);
    let listed = app.get("/api/v1/fire-safety-firms", Some(&formation)).await;
    assert_eq!(listed.status, StatusCode::OK);
    let firms = listed.json();
    assert_eq!(firms.as_array().unwrap().len(), 1, "{firms}");
    assert_eq!(firms[0]["expired"], true);
    assert_eq!(firms[0]["licence_valid_until"], "1400-12-29");
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let citizen = app.get("/api/v1/fire-safety-firms", Some(&owner)).await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN);
}

async fn permit_drafting_records_a_permit_on_the_property_file_and_a_bad_line_is_named(
    app: TestApp,
) {
    let drafting = format!(
        "{}={}",
        daftar_server::auth::SESSION_COOKIE,
        app.staff_token("permit_drafting").await
    );
    let file = "/properties/1/01-101-12-0";
    let page = app.get_page(file, &drafting).await;
    assert!(
        page.body.contains("id=\"record-permit\""),
        "the form is offered"
    );
    let csrf = page.hidden("csrf");
    let refused = app
        .post_form(
            &format!("{file}/permit"),
            &[
                ("csrf", &csrf),
                ("number", "1405-77"),
                ("parking", "2"),
                ("floors", "0 parking 100\n1 balcony 90"),
            ],
            &drafting,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"permit-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("1 balcony 90"),
        "what was typed is kept"
    );
    let recorded = app
        .post_form(
            &format!("{file}/permit"),
            &[
                ("csrf", &csrf),
                ("number", "1405-77"),
                ("parking", "۲"),
                ("floors", "0 parking 100\n۱ مسکونی ۹۰٫۵"),
            ],
            &drafting,
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let permit = app
        .state
        .services
        .violations
        .permit(
            1,
            &daftar_core::property::RenewalCode::parse("01-101-12-0").unwrap(),
        )
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(permit.number, "1405-77");
    assert_eq!(permit.parking_spaces, 2);
    assert_eq!(permit.floors[1].area_centi_m2, 9_050);
    assert_eq!(
        permit.floors[1].floor_use,
        daftar_core::sketch::PartUse::Residential
    );
    // The owner sees it on their file, without the form.
    let owner = format!(
        "{}={}",
        daftar_server::auth::SESSION_COOKIE,
        app.citizen_token(OWNER.0, OWNER.1).await
    );
    let seen = app.get_page(file, &owner).await;
    assert!(seen.body.contains("id=\"permit\""));
    assert!(!seen.body.contains("id=\"record-permit\""));
}

async fn a_draft_ruling_is_the_staffs_and_its_service_day_cannot_be_in_the_future(app: TestApp) {
    let case = refer_to_commission(&app, case_at_review(&app).await).await;
    let secretary = app.staff_token("commission_secretary").await;
    let ruled = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "3/05/9", "date": "1405-01-20",
            "items": [
                {"decision": "fine", "amount_rials": 5_000_000_000i64},
                {"decision": "fine", "amount_rials": 2_500_000_500i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(ruled.error_code(), "ruling.amount_thousands");
    let ruled = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "3/05/9", "date": "1405-01-20",
            "items": [
                {"decision": "fine", "amount_rials": 5_000_000_000i64},
                {"decision": "fine", "amount_rials": 2_500_000_000i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(ruled.status, StatusCode::OK, "{}", ruled.body);
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    assert_eq!(
        violations(&app, &owner, &case).await["rulings"],
        json!([]),
        "a draft is not the owner's"
    );
    let seen = violations(&app, &secretary, &case).await;
    assert_eq!(seen["rulings"][0]["issued"], false);
    let case = app.reread(&case).await;
    let case = schedule_session(&app, &case).await;
    let tomorrow =
        daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).add_days(1);
    let future = app
        .act(
            &secretary,
            &case,
            json!({"action": "issue_ruling",
        "fields": {"served_date": tomorrow.to_string()}}),
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.body
    );
    assert_eq!(future.error_code(), "violation.served_date");
    let before = app
        .act(
            &secretary,
            &case,
            json!({"action": "issue_ruling",
        "fields": {"served_date": "1405-01-19"}}),
        )
        .await;
    assert_eq!(
        before.error_code(),
        "violation.served_date",
        "not before the ruling's date"
    );
    assert_eq!(app.reread(&case).await["state"], "commission");
}

/// Runs `sql` with one text value on the test's database: how a test lets days pass.
async fn on_the_database(app: &TestApp, sql: &str, value: String) {
    let url = app.state.config.database_url.clone().unwrap();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query(sql).bind(value).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query(sql).bind(value).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// Moves every fine bill's due date to yesterday, as the days passing would.
async fn fine_bills_fall_due(app: &TestApp) {
    let yesterday = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now())
        .add_days(-1)
        .iso_jalali();
    let sql = "UPDATE bills SET due_date = $1
               WHERE id IN (SELECT bill_row FROM case_fine_bills)";
    on_the_database(app, sql, yesterday).await;
}

async fn a_late_defence_is_refused_saying_the_deadline(app: TestApp) {
    let case = refer_to_commission(&app, case_at_review(&app).await).await;
    // The referral eleven days ago: the ten days of the defence period have passed.
    let eleven_days = (11 * 24 * 3600).to_string();
    on_the_database(
        &app,
        "UPDATE case_history SET at = at - CAST($1 AS BIGINT)
         WHERE action = 'refer_to_commission'",
        eleven_days,
    )
    .await;
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let late = app
        .act(
            &owner,
            &case,
            json!({"action": "send_defence", "comment": "Built before 1404."}),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(late.error_code(), "violation.defence_late");
    let referred = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(11 * 24);
    let last_day = daftar_core::calendar::JalaliDate::from_timestamp(referred).add_days(10);
    assert!(
        late.body
            .contains(&daftar_core::fa::to_persian_digits(&last_day.to_string())),
        "the message names the last day: {}",
        late.body
    );
    assert_eq!(app.reread(&case).await["version"], case["version"]);
}

async fn an_unpaid_commercial_fine_goes_back_to_the_commission_for_demolition(app: TestApp) {
    let case = case_at_review_with(&app, "commercial").await;
    let reviewer = app.staff_token("violation_review").await;
    let found = violations(&app, &reviewer, &case).await;
    assert_eq!(found["computed"][0]["note"], "3", "{found}");
    // 114 m² at 2 to 4 × 40,000,000 rials.
    assert_eq!(found["computed"][0]["fine_min_rials"], 9_120_000_000i64);
    let case = refer_to_commission(&app, case).await;
    let served =
        daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).add_days(-11);
    let case = first_ruling(
        &app,
        &case,
        10_000_000_000,
        3_000_000_000,
        &served.to_string(),
    )
    .await;
    let secretary = app.staff_token("commission_secretary").await;
    let case = app
        .acted(&secretary, &case, json!({"action": "finalise_ruling"}))
        .await;
    assert_eq!(case["state"], "enforcement");

    // Not before the bill is due.
    let early = app
        .act(
            &reviewer,
            &case,
            json!({"action": "back_to_commission", "comment": "Unpaid."}),
        )
        .await;
    assert_eq!(
        early.error_code(),
        "case.needs_unpaid_commercial_fine",
        "{}",
        early.body
    );
    fine_bills_fall_due(&app).await;
    let case = app.acted(&reviewer,
        &case,
        json!({"action": "back_to_commission", "comment": "The Note 3 fine is unpaid past its due date."}),
    )
    .await;
    assert_eq!(case["state"], "commission");
    let seen = violations(&app, &reviewer, &case).await;
    let first_bill = seen["bills"][0].clone();
    assert_eq!(first_bill["cancelled"], true, "{seen}");
    let track = format!(
        "/api/v1/bills/track?bill_id={}&payment_id={}",
        first_bill["bill_id"].as_str().unwrap(),
        first_bill["payment_id"].as_str().unwrap()
    );
    assert_eq!(app.get(&track, None).await.json()["status"], "cancelled");
    assert_eq!(seen["rulings"].as_array().unwrap().len(), 1);
    assert_eq!(seen["rulings"][0]["round"], 1);

    // The second round: the first round's ruling does not count for it.
    let issue_early = app
        .act(
            &secretary,
            &case,
            json!({"action": "issue_ruling", "fields": {"served_date": served.to_string()}}),
        )
        .await;
    assert_eq!(issue_early.error_code(), "case.needs_session_held");
    let case = schedule_session(&app, &case).await;
    let served = session_day();
    let ruled = app
        .post_json(
            &format!("/api/v1/cases/{}/ruling", case["id"]),
            json!({"version": case["version"], "number": "3/05/9001", "date": served.to_string(),
            "items": [
                {"decision": "demolition"},
                {"decision": "fine", "amount_rials": 3_000_000_000i64},
            ]}),
            Some(&secretary),
        )
        .await;
    assert_eq!(ruled.status, StatusCode::OK, "{}", ruled.body);
    let case = app.reread(&case).await;
    let case = app
        .acted(
            &secretary,
            &case,
            json!({"action": "issue_ruling", "fields": {"served_date": served.to_string()}}),
        )
        .await;
    let case = app
        .acted(&secretary, &case, json!({"action": "finalise_ruling"}))
        .await;
    let seen = violations(&app, &reviewer, &case).await;
    let rounds: Vec<(i64, String)> = seen["rulings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["round"].as_i64().unwrap(),
                r["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rounds,
        vec![(1, "3/05/7834".to_owned()), (2, "3/05/9001".to_owned())]
    );
    let bills = seen["bills"].as_array().unwrap();
    assert_eq!(bills.len(), 2, "{seen}");
    assert_eq!(bills[1]["amount_rials"], 3_000_000_000i64);
    assert_eq!(bills[1]["cancelled"], false);

    // Settled once the new fine is paid and the demolition recorded.
    let file = format!(
        "bill_id,payment_id,amount_rials,paid_at,trace_number\n{},{},{},1405-02-10 14:30,BANK-FINE-2\n",
        bills[1]["bill_id"].as_str().unwrap(),
        bills[1]["payment_id"].as_str().unwrap(),
        bills[1]["amount_rials"]
    );
    daftar_app::billing::import_payments(app.store.as_ref(), &file, "test")
        .await
        .unwrap()
        .unwrap();
    let undemolished = app.act(&reviewer, &case, json!({"action": "settle"})).await;
    assert_eq!(undemolished.error_code(), "case.needs_fines_settled");
    let case = app
        .acted(
            &reviewer,
            &case,
            json!({"action": "record_demolition", "comment": "The third floor is taken down."}),
        )
        .await;
    let case = app
        .acted(&reviewer, &case, json!({"action": "settle"}))
        .await;
    assert_eq!(case["state"], "settled");
}

fn letter(date: &str) -> Value {
    use base64::Engine;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(2048, b' ');
    json!({
        "number": "۱۳۹/۴۵/۱۲۸۷۳",
        "date": date,
        "summary": "The completion certificate shows three floors; the council's drawings show two.",
        "scan_file_name": "letter.pdf",
        "scan_base64": base64::engine::general_purpose::STANDARD.encode(&pdf),
    })
}

async fn a_registry_letter_opens_a_violation_case_for_the_registered_owner(app: TestApp) {
    let letters = format!("{PROPERTY}/registry-letters");
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let citizen = app
        .post_json(&letters, letter(&today.to_string()), Some(&owner))
        .await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN, "{}", citizen.body);
    let inspector = app.staff_token("inspection").await;
    let other_unit = app
        .post_json(&letters, letter(&today.to_string()), Some(&inspector))
        .await;
    assert_eq!(other_unit.error_code(), "letter.not_allowed");

    let reviewer = app.staff_token("violation_review").await;
    let future = app
        .post_json(
            &letters,
            letter(&today.add_days(1).to_string()),
            Some(&reviewer),
        )
        .await;
    assert_eq!(future.error_code(), "letter.date");
    let unregistered = app
        .post_json(
            "/api/v1/properties/1/01-101-99-0/registry-letters",
            letter(&today.to_string()),
            Some(&reviewer),
        )
        .await;
    assert_eq!(unregistered.error_code(), "letter.property_not_registered");
    let mine = |answer: support::TestResponse| answer.json()["cases"].as_array().unwrap().len();
    let before = mine(app.get("/api/v1/cases", Some(&owner)).await);

    let opened = app
        .post_json(&letters, letter(&today.to_string()), Some(&reviewer))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let case = opened.json();
    assert_eq!(case["service_id"], VIOLATION_REVIEW);
    assert_eq!(case["state"], "file_opening");
    let history = case["history"].as_array().unwrap();
    assert_eq!(history[0]["action"], "open_from_registry_letter", "{case}");
    assert!(
        history[0]["comment"]
            .as_str()
            .unwrap()
            .contains("council's drawings")
    );
    let documents = case["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1, "{case}");
    assert_eq!(documents[0]["kind"], "registry_letter");
    // The register's owner follows it as its applicant.
    assert_eq!(
        mine(app.get("/api/v1/cases", Some(&owner)).await),
        before + 1
    );
    let owners_view = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&owner))
        .await;
    assert_eq!(owners_view.status, StatusCode::OK, "{}", owners_view.body);

    let again = app
        .post_json(&letters, letter(&today.to_string()), Some(&reviewer))
        .await;
    assert_eq!(again.error_code(), "letter.case_open");
}

async fn formation_registers_a_tenants_objection_with_their_national_id(app: TestApp) {
    let case = refer_to_commission(&app, case_at_review(&app).await).await;
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    // No defence yet: the session is not before the defence period's last day.
    let secretary = app.staff_token("commission_secretary").await;
    let too_early = app
        .act(
            &secretary,
            &case,
            json!({"action": "schedule_session",
               "fields": {"session_date": today.add_days(9).to_string()}}),
        )
        .await;
    assert_eq!(too_early.error_code(), "violation.session_after_defence");
    assert!(
        too_early.body.contains(&daftar_core::fa::to_persian_digits(
            &today.add_days(10).to_string()
        )),
        "the message names the period's last day: {}",
        too_early.body
    );
    let case = first_ruling(
        &app,
        &case,
        10_000_000_000,
        3_000_000_000,
        &today.to_string(),
    )
    .await;
    let formation = app.staff_token("formation").await;
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let by_owner = app
        .act(
            &owner,
            &case,
            json!({"action": "object_as_representative", "comment": "x",
               "fields": {"objector_national_id": "0013542419"}}),
        )
        .await;
    assert_eq!(by_owner.status, StatusCode::FORBIDDEN, "{}", by_owner.body);
    let bad_id = app
        .act(
            &formation,
            &case,
            json!({"action": "object_as_representative", "comment": "The tenant objects.",
               "fields": {"objector_national_id": "0013542418"}}),
        )
        .await;
    assert_eq!(
        bad_id.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad_id.body
    );
    assert_eq!(app.reread(&case).await["version"], case["version"]);
    let case = app
        .acted(
            &formation,
            &case,
            json!({"action": "object_as_representative",
               "comment": "The tenant of the ground floor objects on paper.",
               "fields": {"objector_national_id": "0013542419"}}),
        )
        .await;
    assert_eq!(case["state"], "appeal");
    assert_eq!(
        case["fields"]["objector_national_id"], "0013542419",
        "{case}"
    );
    // The representative's national ID is the office's to see, not the owner's.
    let owners = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&owner))
        .await;
    assert_eq!(owners.status, StatusCode::OK);
    assert!(!owners.body.contains("0013542419"), "{}", owners.body);
}

async fn a_district_the_fine_schedule_lacks_is_refused_at_review_naming_it(app: TestApp) {
    // The same app on a schedule of its own that covers district 2 only.
    let schedule = app.data_dir.path().join("fines-no-district-1.toml");
    let built_in = include_str!("../../../fines/1405.toml");
    let start = built_in.find("[[district]]").unwrap();
    let district_2 = built_in[start..].find("\n[[district]]").unwrap() + start + 1;
    std::fs::write(
        &schedule,
        format!("{}{}", &built_in[..start], &built_in[district_2..]),
    )
    .unwrap();
    let mut config = app.state.config.clone();
    config.fine_schedule = Some(schedule);
    let state = daftar_server::app::AppState::new(config, app.store.clone()).unwrap();
    let app = TestApp {
        state,
        store: app.store.clone(),
        data_dir: app.data_dir,
    };
    let case = case_at_review(&app).await;
    let reviewer = app.staff_token("violation_review").await;
    let reviewed = app
        .post_json(
            &format!("/api/v1/cases/{}/violations/review", case["id"]),
            json!({"version": case["version"], "items": [
                {"decision": "confirmed"}, {"decision": "confirmed"},
            ]}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(
        reviewed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reviewed.body
    );
    assert_eq!(reviewed.error_code(), "violation.no_fine_values");
    assert!(
        reviewed.body.contains("\u{2066}۱\u{2069}"),
        "{}",
        reviewed.body
    );
    assert_eq!(app.reread(&case).await["version"], case["version"]);
}

async fn the_property_file_takes_a_registry_letter_and_shows_a_refusal_with_what_was_typed(
    app: TestApp,
) {
    let file = "/properties/1/01-101-12-0";
    let cookie = |token: String| format!("{}={token}", daftar_server::auth::SESSION_COOKIE);
    let inspector = cookie(app.staff_token("inspection").await);
    let page = app.get_page(file, &inspector).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("registry-letter\""),
        "only the units that take letters"
    );

    let reviewer = cookie(app.staff_token("violation_review").await);
    let page = app.get_page(file, &reviewer).await;
    assert!(
        page.body.contains("id=\"registry-letter\""),
        "{}",
        page.body
    );
    let csrf = page.hidden("csrf");
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    let text = |date: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("number".to_owned(), "۱۳۹/۴۵/۱۲۸۷۳".to_owned()),
            ("date".to_owned(), date.to_owned()),
            (
                "summary".to_owned(),
                "سه طبقه در پایان‌کار، دو طبقه در نقشه".to_owned(),
            ),
        ]
    };
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(2048, b' ');
    let action = format!("{file}/registry-letter");

    // No scan: the file comes back saying so, with what was typed.
    let refused = support::post_multipart(
        &app,
        &action,
        &reviewer,
        support::multipart(&text("1405-09-01"), &[]),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("id=\"letter-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("سه طبقه در پایان‌کار"));
    let later = daftar_core::fa::to_persian_digits(&today.add_days(3).to_string());
    let future = support::post_multipart(
        &app,
        &action,
        &reviewer,
        support::multipart(&text(&later), &[("scan".to_owned(), "letter.pdf", &pdf)]),
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("id=\"letter-error\""));

    let opened = support::post_multipart(
        &app,
        &action,
        &reviewer,
        support::multipart(
            &text(&today.to_string()),
            &[("scan".to_owned(), "letter.pdf", &pdf)],
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let case_page = opened.headers["location"].to_str().unwrap().to_owned();
    let case = app.get_page(&case_page, &reviewer).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(
        case.body.contains("تشکیل پرونده از نامه اداره ثبت"),
        "{}",
        case.body
    );
    assert!(case.body.contains("letter.pdf"));
}

async fn documents_go_only_with_actions_that_take_them(app: TestApp) {
    let case = refer_to_commission(&app, case_at_review(&app).await).await;
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let document = |kind: &str| {
        let mut application = support::application_with_a_pdf_of(&app, VIOLATION_REVIEW, 64);
        let mut upload = application["documents"][0].take();
        upload["kind"] = json!(kind);
        upload
    };
    // Not with the secretary's docket entry, whoever sends it.
    let secretary = app.staff_token("commission_secretary").await;
    let refused = app
        .act(
            &secretary,
            &case,
            json!({"action": "schedule_session", "documents": [document("defence")],
               "fields": {"session_date": "1406-01-20"}}),
        )
        .await;
    assert_eq!(
        refused.error_code(),
        "case.no_documents_for_action",
        "{}",
        refused.body
    );
    assert_eq!(app.reread(&case).await["version"], case["version"]);
    // With the defence, they go in.
    let defended = app
        .acted(
            &owner,
            &case,
            json!({"action": "send_defence", "comment": "The evidence is attached.",
               "documents": [document("defence")]}),
        )
        .await;
    let kinds: Vec<&str> = defended["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"defence"), "{kinds:?}");
}
