//! Seed 000's service and what follows it, on both databases: tracking a bill by its
//! IDs or by its property, the payment gateway's callback, and issuing and verifying a
//! clearance; on the API and on the pages.

mod support;

use axum::http::{StatusCode, header};
use daftar_core::ir::{BillId, PaymentId};
use daftar_server::auth::SESSION_COOKIE;
use daftar_store::BillView;
use serde_json::json;
use support::{Db, TestApp, request_from};

on_both_databases!(
    tracking_by_ids_gives_status_amount_dates_and_barcode_but_no_owner,
    tracking_by_district_and_renewal_code_gives_the_property_bills,
    a_wrong_check_digit_is_refused_before_any_look_up,
    a_valid_pair_that_is_unknown_is_not_found,
    the_tracking_page_is_persian_and_shows_no_owner,
    the_gateway_callback_pays_a_bill_once_and_reports_the_rest,
    the_gateway_callback_is_only_for_the_renewal_unit,
    a_clearance_is_refused_with_the_unpaid_bills_then_issued_and_verified,
    only_an_owner_or_the_renewal_unit_may_ask_for_a_clearance,
    the_clearance_pages_issue_and_verify_a_certificate,
);

/// The demo's first property, owned by the first demo citizen.
const DISTRICT: u16 = 1;
const RENEWAL_CODE: &str = "01-101-12-0";
const OWNER: (&str, &str) = ("0499370899", "09120000001");
const OTHER_CITIZEN: (&str, &str) = ("0790419904", "09120000002");

async fn demo_bill(app: &TestApp) -> BillView {
    let mut bills = app
        .store
        .bills_of_property(DISTRICT, RENEWAL_CODE)
        .await
        .unwrap();
    assert_eq!(bills.len(), 1, "the demo bills each property once");
    bills.remove(0)
}

fn track_path(bill: &BillView) -> String {
    format!(
        "/api/v1/bills/track?bill_id={}&payment_id={}",
        bill.bill_id, bill.payment_id
    )
}

fn assert_no_owner_data(body: &str) {
    for personal in ["0499370899", "09120000001", "مریم", "احمدی", "owner"] {
        assert!(!body.contains(personal), "{personal} leaked: {body}");
    }
}

async fn tracking_by_ids_gives_status_amount_dates_and_barcode_but_no_owner(app: TestApp) {
    let bill = demo_bill(&app).await;
    let response = app.get(&track_path(&bill), None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let answer = response.json();
    assert_eq!(answer["status"], "unpaid");
    assert_eq!(answer["amount_rials"], bill.amount_rials);
    assert_eq!(answer["year"], 1405);
    assert_eq!(answer["period"], 1);
    assert_eq!(answer["due_date_jalali"], "1405-12-29");
    // 29 Esfand 1405 is 20 March 2027.
    assert_eq!(answer["due_date"], "2027-03-20");
    assert_eq!(answer["barcode"], bill.barcode.as_str());
    assert!(answer["paid_at"].is_null() && answer["trace_number"].is_null());
    let lines = answer["lines"].as_array().unwrap();
    assert_eq!(lines[0]["kind"], "renewal_toll");
    let total: i64 = lines
        .iter()
        .map(|l| l["amount_rials"].as_i64().unwrap())
        .sum();
    let rounded_off = total - bill.amount_rials as i64;
    assert!(
        (0..1000).contains(&rounded_off),
        "the lines add up to the bill"
    );
    assert_no_owner_data(&response.body);
}

async fn tracking_by_district_and_renewal_code_gives_the_property_bills(app: TestApp) {
    let bill = demo_bill(&app).await;
    // Persian digits, as typed on a Persian keyboard.
    let response = app
        .get(
            "/api/v1/bills/track?district=%DB%B1&renewal_code=%DB%B0%DB%B1-101-12-0",
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json()["bill_id"], bill.bill_id.as_str());
    assert_no_owner_data(&response.body);

    let unknown = app
        .get(
            "/api/v1/bills/track?district=9&renewal_code=09-999-99-9",
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = app
        .get(
            "/api/v1/bills/track?district=x&renewal_code=01-101-12-0",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_code(), "district.invalid");
    let empty = app.get("/api/v1/bills/track", None).await;
    assert_eq!(empty.error_code(), "track.query");
}

/// Changes the check digit (the last digit) of a number.
fn with_wrong_check_digit(number: &str) -> String {
    let (body, last) = number.split_at(number.len() - 1);
    let last = last.parse::<u8>().unwrap();
    format!("{body}{}", (last + 1) % 10)
}

async fn a_wrong_check_digit_is_refused_before_any_look_up(app: TestApp) {
    let bill = demo_bill(&app).await;
    // With the database gone, only a check made before any look-up can still answer.
    app.store.close().await;
    let bad_bill = app
        .get(
            &format!(
                "/api/v1/bills/track?bill_id={}&payment_id={}",
                with_wrong_check_digit(&bill.bill_id),
                bill.payment_id
            ),
            None,
        )
        .await;
    assert_eq!(bad_bill.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_bill.error_code(), "bill_id.check_digit");
    let message = bad_bill.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("شناسه قبض"), "{message}");

    let bad_payment = app
        .get(
            &format!(
                "/api/v1/bills/track?bill_id={}&payment_id={}",
                bill.bill_id,
                with_wrong_check_digit(&bill.payment_id)
            ),
            None,
        )
        .await;
    assert_eq!(bad_payment.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_payment.error_code().starts_with("payment_id."));

    let looked_up = app.get(&track_path(&bill), None).await;
    assert!(
        looked_up.status.is_server_error(),
        "the good pair needs the database"
    );
}

async fn a_valid_pair_that_is_unknown_is_not_found(app: TestApp) {
    let bill = BillId::new(987_654, 101, 6).unwrap();
    let payment = PaymentId::new(&bill, 1_234_000, 1405, 1).unwrap();
    let response = app
        .get(
            &format!(
                "/api/v1/bills/track?bill_id={}&payment_id={}",
                bill.as_str(),
                payment.as_str()
            ),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.error_code(), "not_found");
}

async fn the_tracking_page_is_persian_and_shows_no_owner(app: TestApp) {
    let bill = demo_bill(&app).await;
    let page = app
        .get(
            &format!(
                "/bills/track?bill_id={}&payment_id={}",
                bill.bill_id, bill.payment_id
            ),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dir=\"rtl\""));
    assert!(page.body.contains("پرداخت‌نشده"), "the status in Persian");
    assert!(
        page.body.contains("۲۹ اسفند ۱۴۰۵"),
        "the due date in Jalali"
    );
    let amount = daftar_core::fa::format_number(bill.amount_rials);
    assert!(page.body.contains(&amount), "the amount in Persian digits");
    assert!(page.body.contains("عوارض نوسازی"), "the demand's lines");
    assert_no_owner_data(&page.body);

    let refused = app
        .get(
            &format!(
                "/bills/track?bill_id={}&payment_id={}",
                with_wrong_check_digit(&bill.bill_id),
                bill.payment_id
            ),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("رقم کنترل"),
        "the message, in Persian"
    );
    assert!(
        refused.body.contains("name=\"bill_id\""),
        "with the form again"
    );
}

fn payment(bill: &BillView, amount: u64, trace: &str) -> serde_json::Value {
    json!({
        "bill_id": bill.bill_id,
        "payment_id": bill.payment_id,
        "amount_rials": amount,
        "paid_at": "1405-02-10 14:30",
        "trace_number": trace,
    })
}

async fn the_gateway_callback_pays_a_bill_once_and_reports_the_rest(app: TestApp) {
    let token = app.staff_token("renewal_clearance").await;
    let bill = demo_bill(&app).await;
    let wrong_amount = app
        .post_json(
            "/api/v1/payments",
            payment(&bill, bill.amount_rials + 1000, "T-0"),
            Some(&token),
        )
        .await;
    assert_eq!(wrong_amount.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_amount.error_code(), "payment.amount_mismatch");
    assert_eq!(
        app.get(&track_path(&bill), None).await.json()["status"],
        "unpaid"
    );

    let paid = app
        .post_json(
            "/api/v1/payments",
            payment(&bill, bill.amount_rials, "T-1"),
            Some(&token),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.json()["outcome"], "applied");
    let tracked = app.get(&track_path(&bill), None).await.json();
    assert_eq!(tracked["status"], "paid");
    assert_eq!(tracked["trace_number"], "T-1");
    // 10 Ordibehesht 1405, 14:30 in Tehran (UTC+3:30) is 30 April 2026, 11:00 UTC.
    assert_eq!(tracked["paid_at"], "2026-04-30T11:00:00Z");

    let retried = app
        .post_json(
            "/api/v1/payments",
            payment(&bill, bill.amount_rials, "T-1"),
            Some(&token),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK);
    assert_eq!(retried.json()["outcome"], "duplicate");
    let twice = app
        .post_json(
            "/api/v1/payments",
            payment(&bill, bill.amount_rials, "T-2"),
            Some(&token),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.error_code(), "payment.already_paid");

    let unknown_bill = BillId::new(987_654, 101, 6).unwrap();
    let unknown_payment = PaymentId::new(&unknown_bill, 5_000, 1405, 1).unwrap();
    let unknown = app
        .post_json(
            "/api/v1/payments",
            json!({"bill_id": unknown_bill.as_str(), "payment_id": unknown_payment.as_str(),
                   "amount_rials": 5000, "paid_at": "2026-04-30T11:00:00Z", "trace_number": "T-3"}),
            Some(&token),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let mut bad = payment(&bill, bill.amount_rials, "T-4");
    bad["bill_id"] = json!(with_wrong_check_digit(&bill.bill_id));
    let bad = app.post_json("/api/v1/payments", bad, Some(&token)).await;
    assert_eq!(bad.error_code(), "bill_id.check_digit");
    let mut bad_time = payment(&bill, bill.amount_rials, "T-5");
    bad_time["paid_at"] = json!("yesterday");
    let bad_time = app
        .post_json("/api/v1/payments", bad_time, Some(&token))
        .await;
    assert_eq!(bad_time.error_code(), "paid_at.invalid");
}

async fn the_gateway_callback_is_only_for_the_renewal_unit(app: TestApp) {
    let bill = demo_bill(&app).await;
    let body = payment(&bill, bill.amount_rials, "T-9");
    let anonymous = app.post_json("/api/v1/payments", body.clone(), None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let as_citizen = app
        .post_json("/api/v1/payments", body.clone(), Some(&citizen))
        .await;
    assert_eq!(as_citizen.status, StatusCode::FORBIDDEN);
    let formation = app.staff_token("formation").await;
    let as_formation = app
        .post_json("/api/v1/payments", body, Some(&formation))
        .await;
    assert_eq!(as_formation.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&track_path(&bill), None).await.json()["status"],
        "unpaid"
    );
}

/// Pays the demo property's bill through the bank's settlement file.
async fn pay_by_settlement_file(app: &TestApp, bill: &BillView) {
    let file = format!(
        "bill_id,payment_id,amount_rials,paid_at,trace_number\n{},{},{},1405-02-10 14:30,BANK-1\n",
        bill.bill_id, bill.payment_id, bill.amount_rials
    );
    let import = daftar_app::billing::import_payments(app.store.as_ref(), &file, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        import.report.outcomes,
        vec![daftar_core::billing::PaymentOutcome::Applied]
    );
}

fn clearance_request() -> serde_json::Value {
    json!({"district": DISTRICT, "renewal_code": RENEWAL_CODE})
}

async fn a_clearance_is_refused_with_the_unpaid_bills_then_issued_and_verified(app: TestApp) {
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let bill = demo_bill(&app).await;
    let refused = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&owner))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_code(), "clearance.unpaid_bills");
    let unpaid = refused.json()["error"]["unpaid_bills"].clone();
    assert_eq!(unpaid.as_array().unwrap().len(), 1);
    assert_eq!(unpaid[0]["bill_id"], bill.bill_id.as_str());

    pay_by_settlement_file(&app, &bill).await;
    let issued = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&owner))
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let code = issued.json()["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 12);

    // The clearance is an issued document under its code, signed and verifiable.
    assert_eq!(issued.json()["serial"], code.as_str());
    let document = app.get(&format!("/api/v1/issued/{code}"), None).await;
    assert_eq!(document.status, StatusCode::OK, "{}", document.body);
    assert_eq!(document.json()["kind"], "renewal_clearance");
    assert_eq!(document.json()["status"], "valid");

    // Its PDF goes to the property's owner, signed; to no other citizen.
    let pdf = app
        .get(&format!("/api/v1/issued/{code}/pdf"), Some(&owner))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    let keys = app.state.services.issuing.published_keys().await.unwrap();
    match daftar_app::issued::pdf::check_pdf(&pdf.bytes, &keys) {
        daftar_app::issued::pdf::PdfCheck::Signed(record) => {
            assert_eq!(record.serial, code);
            assert_eq!(record.facts["renewal_code"], RENEWAL_CODE);
        }
        other => panic!("the clearance's PDF does not verify: {other:?}"),
    }
    let stranger = app.citizen_token(OTHER_CITIZEN.0, OTHER_CITIZEN.1).await;
    let refused = app
        .get(&format!("/api/v1/issued/{code}/pdf"), Some(&stranger))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    assert_eq!(document.json()["facts"]["renewal_code"], RENEWAL_CODE);
    assert_no_owner_data(&document.body);
    // Asked again within its year: the same clearance, signed once.
    let again = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&owner))
        .await;
    assert_eq!(again.json()["serial"], code.as_str());

    let verified = app.get(&format!("/api/v1/clearances/{code}"), None).await;
    assert_eq!(verified.status, StatusCode::OK);
    assert_eq!(verified.json()["renewal_code"], RENEWAL_CODE);
    assert_eq!(verified.json()["district"], DISTRICT);
    assert_no_owner_data(&verified.body);

    let mistyped = app
        .get(
            &format!("/api/v1/clearances/{}", with_wrong_check_digit(&code)),
            None,
        )
        .await;
    assert_eq!(mistyped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mistyped.error_code(), "clearance_code.check_digit");
    let never_issued = daftar_core::billing::ClearanceCode::from_random(1);
    let unknown = app
        .get(&format!("/api/v1/clearances/{never_issued}"), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn only_an_owner_or_the_renewal_unit_may_ask_for_a_clearance(app: TestApp) {
    let bill = demo_bill(&app).await;
    pay_by_settlement_file(&app, &bill).await;
    let stranger = app.citizen_token(OTHER_CITIZEN.0, OTHER_CITIZEN.1).await;
    let refused = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&stranger))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "clearance.not_owner");
    let formation = app.staff_token("formation").await;
    let wrong_unit = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&formation))
        .await;
    assert_eq!(wrong_unit.status, StatusCode::FORBIDDEN);

    let unit = app.staff_token("renewal_clearance").await;
    let unknown = app
        .post_json(
            "/api/v1/clearances",
            json!({"district": "9", "renewal_code": "09-999-99-9"}),
            Some(&unit),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = app
        .post_json(
            "/api/v1/clearances",
            json!({"district": 1, "renewal_code": "not a code"}),
            Some(&unit),
        )
        .await;
    assert_eq!(bad.error_code(), "renewal_code.invalid");
    let issued = app
        .post_json("/api/v1/clearances", clearance_request(), Some(&unit))
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
}

async fn the_clearance_pages_issue_and_verify_a_certificate(app: TestApp) {
    let token = app.citizen_token(OWNER.0, OWNER.1).await;
    let cookies = format!("{SESSION_COOKIE}={token}");
    let form = app.get_page("/clearance", &cookies).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("۰۱-۱۰۱-۱۲-۰"),
        "the owner's property is listed"
    );
    let csrf = form.hidden("csrf");

    let owes = app
        .post_form(
            "/clearance",
            &[
                ("csrf", &csrf),
                ("district", "1"),
                ("renewal_code", RENEWAL_CODE),
            ],
            &cookies,
        )
        .await;
    assert_eq!(owes.status, StatusCode::CONFLICT);
    assert!(
        owes.body.contains("قبوض پرداخت‌نشده"),
        "the unpaid bills are listed"
    );

    pay_by_settlement_file(&app, &demo_bill(&app).await).await;
    let issued = app
        .post_form(
            "/clearance",
            &[
                ("csrf", &csrf),
                ("district", "1"),
                ("renewal_code", RENEWAL_CODE),
            ],
            &cookies,
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let marker = "data-code=\"";
    let start = issued.body.find(marker).expect("a code is shown") + marker.len();
    let code = &issued.body[start..start + 12];

    let verified = app
        .get(&format!("/clearance/verify?code={code}"), None)
        .await;
    assert_eq!(verified.status, StatusCode::OK);
    assert!(verified.body.contains("این گواهی معتبر است"));
    assert_no_owner_data(&verified.body);
    let forged = app
        .get(
            &format!("/clearance/verify?code={}", with_wrong_check_digit(code)),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);

    let no_csrf = app
        .post_form(
            "/clearance",
            &[
                ("csrf", "forged"),
                ("district", "1"),
                ("renewal_code", RENEWAL_CODE),
            ],
            &cookies,
        )
        .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let signed_out = app.get_page("/clearance", "").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
}

async fn public_look_ups_are_limited_per_client_address(db: Db) {
    let app = TestApp::spawn_with(db, |config| config.lookup_rate_limit = 3).await;
    let bill = demo_bill(&app).await;
    let path = track_path(&bill);
    for _ in 0..3 {
        assert_eq!(
            app.send(request_from("203.0.113.1:5000", &path))
                .await
                .status,
            StatusCode::OK
        );
    }
    let limited = app.send(request_from("203.0.113.1:5001", &path)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error_code(), "rate_limited");
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    let verify = app
        .send(request_from(
            "203.0.113.1:5002",
            "/api/v1/clearances/000000000018",
        ))
        .await;
    assert_eq!(
        verify.status,
        StatusCode::TOO_MANY_REQUESTS,
        "verification shares the limit"
    );
    let page = app
        .send(request_from("203.0.113.1:5003", "/bills/track"))
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("dir=\"rtl\""),
        "the page gets the Persian error page"
    );
    let neighbour = app.send(request_from("203.0.113.2:5000", &path)).await;
    assert_eq!(
        neighbour.status,
        StatusCode::OK,
        "another address has its own count"
    );
}

#[tokio::test]
async fn public_look_ups_are_limited_per_client_address_on_sqlite() {
    public_look_ups_are_limited_per_client_address(Db::Sqlite).await;
}

#[tokio::test]
async fn public_look_ups_are_limited_per_client_address_on_postgres() {
    public_look_ups_are_limited_per_client_address(Db::Postgres).await;
}

/// A bill's barcode is drawn as an image (Code 128, its 26 digits); anything else is 404.
#[tokio::test]
async fn a_bills_barcode_is_an_svg_image_and_nothing_else_is() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let bill = demo_bill(&app).await;
    let image = app
        .get(&format!("/bills/barcode/{}.svg", bill.barcode), None)
        .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(image.body.starts_with("<svg") && image.body.contains("<rect"));
    let page = app
        .get_page(
            &format!(
                "/bills/track?bill_id={}&payment_id={}",
                bill.bill_id, bill.payment_id
            ),
            "",
        )
        .await;
    assert!(
        page.body
            .contains(&format!("/bills/barcode/{}.svg", bill.barcode))
    );
    for bad in ["123", "0000000310166000144005015x", "../../etc/passwd"] {
        let refused = app.get(&format!("/bills/barcode/{bad}.svg"), None).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{bad}");
    }
}
