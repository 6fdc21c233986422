//! Permit drafting (unit 6) through the API, on SQLite and PostgreSQL: its checklist
//! ticked item by item by a named person (with a document where one is needed), the
//! permit's fees billed from the sketch and ticked by their payment alone, and the
//! permit refused while any item is open, naming it, then issued signed.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::TestApp;

on_both_databases!(permit_drafting_ticks_its_checklist_bills_the_fees_and_issues_the_signed_permit,);

async fn permit_drafting_ticks_its_checklist_bills_the_fees_and_issues_the_signed_permit(
    app: TestApp,
) {
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let case = support::apply_for_permit(&app).await;
    let mut case = support::to_permit_drafting(&app, &case).await;
    let drafting = app.staff_token("permit_drafting").await;
    let path = format!("/api/v1/cases/{}/checklist", case["id"]);
    let permit = json!({"action": "issue_permit", "fields": {
        "permit_number": "1405/3/77", "supervisor_code": "1-23-4567"}});

    // Not while the checklist is open: the refusal names what is left.
    let early = app.act(&drafting, &case, permit.clone()).await;
    assert_eq!(early.error_code(), "case.checklist_open", "{}", early.body);
    assert!(
        early.body.contains("نقشه‌های برق بررسی شد"),
        "{}",
        early.body
    );

    // Only the unit working the state ticks; a document item needs its document; the
    // fee item is nobody's to tick; an item is ticked once.
    let formation = app.staff_token("formation").await;
    let refused = app
        .post_json(
            &format!("{path}/electrical_sheets"),
            json!({}),
            Some(&formation),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let refused = app
        .post_json(&format!("{path}/commitments"), json!({}), Some(&drafting))
        .await;
    assert_eq!(refused.error_code(), "checklist.document_required");
    let refused = app
        .post_json(&format!("{path}/permit_fees"), json!({}), Some(&drafting))
        .await;
    assert_eq!(refused.error_code(), "checklist.settled_by_fees");
    let refused = app
        .post_json(&format!("{path}/no_such_item"), json!({}), Some(&drafting))
        .await;
    assert_eq!(refused.error_code(), "checklist.no_item");
    let ticked = app
        .post_json(
            &format!("{path}/electrical_sheets"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
    let entry = ticked.json()["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == "electrical_sheets")
        .cloned()
        .unwrap();
    assert_eq!(entry["done"], true);
    assert!(
        entry["ticked_by"]
            .as_str()
            .is_some_and(|name| !name.is_empty())
    );
    let again = app
        .post_json(
            &format!("{path}/electrical_sheets"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(again.error_code(), "checklist.ticked");
    // The applicant sees no checklist.
    let seen = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&citizen))
        .await
        .json();
    assert_eq!(seen["checklist"], json!([]));

    for item in ["mechanical_sheets", "structural_sheets"] {
        let ticked = app
            .post_json(&format!("{path}/{item}"), json!({}), Some(&drafting))
            .await;
        assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
    }
    for item in ["commitments", "technical_id_card", "architecture_sheets"] {
        let ticked = app
            .post_json(
                &format!("{path}/{item}"),
                json!({"document": support::pdf_document(item)}),
                Some(&drafting),
            )
            .await;
        assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
        let answer = ticked.json();
        let entry = answer["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["id"] == item)
            .unwrap()
            .clone();
        assert!(entry["document"].is_i64(), "{entry}");
    }

    // The fees: the sketch's 150 m² of housing at the 1405 rate; parking is free.
    case = app.reread(&case).await;
    let left = app.act(&drafting, &case, permit.clone()).await;
    assert_eq!(left.error_code(), "case.checklist_open");
    assert!(
        left.body.contains("عوارض پروانه پرداخت شد"),
        "{}",
        left.body
    );
    case = app
        .acted(&drafting, &case, json!({"action": "issue_fee_bills"}))
        .await;
    let bills = app
        .store
        .fine_bills(daftar_store::CaseId(case["id"].as_i64().unwrap()))
        .await
        .unwrap();
    assert_eq!(bills.len(), 1);
    assert_eq!(bills[0].amount_rials, 150 * 180_000);
    assert!(
        daftar_core::ir::BillId::parse(&bills[0].bill_id).is_ok(),
        "a national bill ID: {}",
        bills[0].bill_id
    );
    let twice = app
        .act(&drafting, &case, json!({"action": "issue_fee_bills"}))
        .await;
    assert_eq!(twice.error_code(), "permit.fees_billed");
    let unpaid = app.act(&drafting, &case, permit.clone()).await;
    assert_eq!(unpaid.error_code(), "case.checklist_open");

    // Paid by the bank's file: the fee item is done, and the permit is issued, signed;
    // a permit number too long to print is refused by name.
    support::pay_case_bills(&app, &case).await;
    case = app.reread(&case).await;
    let long = app
        .act(
            &drafting,
            &case,
            json!({"action": "issue_permit", "fields": {"permit_number": "۱".repeat(41), "supervisor_code": "1"}}),
        )
        .await;
    assert_eq!(long.error_code(), "permit.field_too_long", "{}", long.body);
    case = app.acted(&drafting, &case, permit).await;
    assert_eq!(case["state"], "dispatch");
    // The inspection report, signed when the inspection was recorded, and the permit.
    // (Both may be issued within one second, the issue time's grain: found by kind.)
    let issued = case["issued"].as_array().unwrap();
    let mut kinds: Vec<&str> = issued.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["building_permit", "inspection_report"], "{case}");
    let of_kind = |kind: &str| {
        issued
            .iter()
            .find(|d| d["kind"] == kind)
            .and_then(|d| d["serial"].as_str())
            .unwrap()
    };
    let report = of_kind("inspection_report");
    let report = app
        .get(&format!("/api/v1/issued/{report}"), None)
        .await
        .json();
    assert_eq!(report["facts"]["built_area_m2"], "300");
    assert_eq!(report["facts"]["total_area_m2"], "300");
    let serial = of_kind("building_permit");
    let found = app
        .get(&format!("/api/v1/issued/{serial}"), None)
        .await
        .json();
    let facts = &found["facts"];
    assert_eq!(facts["permit_number"], "1405/3/77");
    assert_eq!(
        facts["floors"], "1",
        "the basement is not a floor above ground"
    );
    assert_eq!(facts["total_area_m2"], "300");
    assert_eq!(facts["area_residential_m2"], "150");
    assert_eq!(facts["area_parking_m2"], "150");
    assert_eq!(facts["supervisor_code"], "1-23-4567");
    assert_eq!(facts["extension"], "1x12");
    assert!(
        facts["allowed_floors"].is_string(),
        "the map order: {facts}"
    );
    let issued_on =
        daftar_core::calendar::JalaliDate::parse(found["issued_at"].as_str().unwrap_or("")).ok();
    let until =
        daftar_core::calendar::JalaliDate::parse(found["valid_until"].as_str().unwrap()).unwrap();
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    assert_eq!(until.year(), today.year() + 3, "{issued_on:?} {until}");

    // The applicant downloads it; it verifies offline.
    let pdf = app
        .get(&format!("/api/v1/issued/{serial}/pdf"), Some(&citizen))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    let keys = app.state.services.issuing.published_keys().await.unwrap();
    assert!(matches!(
        daftar_app::issued::pdf::check_pdf(&pdf.bytes, &keys),
        daftar_app::issued::pdf::PdfCheck::Signed(_)
    ));

    // Extended once by permit drafting, before its term ends: a new permit, twelve months
    // longer, that supersedes it; a second extension is refused by name.
    let extended = app
        .post_json(
            &format!("/api/v1/issued/{serial}/extension"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(extended.status, StatusCode::CREATED, "{}", extended.body);
    let extended = extended.json();
    assert_eq!(
        extended["valid_until"],
        until.checked_add_months(12).unwrap().iso_jalali()
    );
    let longer = extended["serial"].as_str().unwrap();
    let found = app
        .get(&format!("/api/v1/issued/{longer}"), None)
        .await
        .json();
    assert_eq!(found["facts"]["extended"], "1");
    assert_eq!(found["facts"]["permit_number"], "1405/3/77");
    assert_eq!(found["facts"]["replaces"], serial);
    let old = app
        .get(&format!("/api/v1/issued/{serial}"), None)
        .await
        .json();
    assert_eq!(old["status"], "superseded");
    let twice = app
        .post_json(
            &format!("/api/v1/issued/{longer}/extension"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(
        twice.error_code(),
        "issued.extensions_used",
        "{}",
        twice.body
    );

    // On the case page: permit drafting has the forms, the applicant does not; a revocation
    // without a reason comes back at the permit's card, and one with a reason holds.
    let page = format!("/cases/{}", case["id"]);
    let cookie = format!("daftar_session={drafting}");
    let staff_page = app.get_page(&page, &cookie).await;
    let revocation = format!("/cases/{}/issued/{longer}/revocation", case["id"]);
    assert!(staff_page.body.contains(&revocation), "{}", staff_page.body);
    assert!(
        !staff_page
            .body
            .contains(&format!("/issued/{serial}/revocation")),
        "a superseded permit offers nothing to do"
    );
    let applicant_page = app
        .get_page(&page, &format!("daftar_session={citizen}"))
        .await;
    assert!(applicant_page.body.contains(longer));
    assert!(!applicant_page.body.contains(&revocation));
    // A signed-in session's own token, as its forms carry it.
    let csrf = staff_page.hidden("csrf");
    let cookies = cookie.clone();
    let no_reason = app
        .post_form(&revocation, &[("csrf", &csrf), ("reason", " ")], &cookies)
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason
            .body
            .contains(&format!("id=\"issued-error-{longer}\"")),
        "{}",
        no_reason.body
    );
    let revoked = app
        .post_form(
            &revocation,
            &[("csrf", &csrf), ("reason", "پروانه به اشتباه صادر شد.")],
            &cookies,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let found = app
        .get(&format!("/api/v1/issued/{longer}"), None)
        .await
        .json();
    assert_eq!(found["status"], "revoked");
    assert_eq!(found["revoked"]["reason"], "پروانه به اشتباه صادر شد.");
}
