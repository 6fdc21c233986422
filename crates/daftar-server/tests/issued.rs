//! Issued documents through the API, on SQLite and PostgreSQL: a signed document looked up
//! by its serial (a wrong check digit refused before any look-up), checked offline against
//! the published key, a changed fact failing that check, and revocation and re-issue by
//! the role that issued it.

mod support;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use base64::Engine;
use daftar_core::issued::{Compact, DocumentKind, PublicKey, Serial, Subject, verify};
use daftar_core::roles::Role;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    an_issued_document_is_looked_up_by_serial_and_verifies_offline,
    a_wrong_check_digit_and_an_unknown_serial_are_told_apart,
    only_the_issuing_role_revokes_and_the_look_up_says_revoked,
    the_office_key_is_kept_and_published_once,
    issuing_a_no_violation_certificate_signs_it_in_the_same_step,
    the_verify_page_says_valid_then_revoked_and_refuses_a_wrong_check_digit,
    an_anonymous_verify_page_is_shown_again_for_a_second_and_a_signed_in_one_never,
    the_certificate_pdf_goes_to_its_applicant_and_staff_only_and_each_copy_is_recorded,
    a_reissue_supersedes_the_document_for_its_issuer_only,
    two_reissues_at_once_supersede_the_document_once,
    a_renewal_clearance_is_not_issued_again,
);

/// The demo's certificate drafting clerk.
async fn certificate_drafting(app: &TestApp) -> daftar_store::StaffAccount {
    app.store
        .staff_by_username("certificate_drafting")
        .await
        .unwrap()
        .unwrap()
}

/// A no-violation certificate for the demo's 01-101-12-0, issued by certificate drafting.
async fn issue(app: &TestApp) -> Serial {
    let drafting = certificate_drafting(app).await;
    let record = app
        .state
        .services
        .issuing
        .issue(daftar_app::issued::NewDocument {
            kind: DocumentKind::NoViolationCertificate,
            subject: Subject::Property {
                district: 1,
                renewal_code: "01-101-12-0".into(),
            },
            facts: BTreeMap::from([
                ("district".to_owned(), "1".to_owned()),
                ("renewal_code".to_owned(), "01-101-12-0".to_owned()),
                ("floors".to_owned(), "3".to_owned()),
            ]),
            valid_until: Some(valid_until()),
            case: None,
            issued_by: Some((drafting.id, Role::CertificateDrafting)),
            office: None,
            serial: None,
            supersedes: None,
        })
        .await
        .unwrap();
    Serial::parse(&record.serial).unwrap()
}

/// A year from today: the helper's certificate holds that long.
fn valid_until() -> daftar_core::calendar::JalaliDate {
    daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).add_days(365)
}

async fn published_keys(app: &TestApp) -> Vec<PublicKey> {
    let keys = app.get("/.well-known/daftar-keys.json", None).await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.body);
    keys.json()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| {
            assert_eq!(key["algorithm"], "Ed25519");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key["public_key"].as_str().unwrap())
                .unwrap();
            PublicKey::from_bytes(&bytes).unwrap()
        })
        .collect()
}

async fn an_issued_document_is_looked_up_by_serial_and_verifies_offline(app: TestApp) {
    let serial = issue(&app).await;
    let found = app
        .get(&format!("/api/v1/issued/{}", serial.grouped()), None)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let answer: Value = found.json();
    assert_eq!(answer["kind"], "no_violation_certificate");
    assert_eq!(answer["status"], "valid");
    assert_eq!(answer["serial"], serial.as_str());
    assert_eq!(answer["facts"]["floors"], "3");
    assert_eq!(answer["valid_until"], valid_until().to_string());
    assert!(!found.body.contains("0499370899"), "no owner's national ID");

    // Offline: the signed record checks against the published key, and one changed fact
    // does not.
    let keys = published_keys(&app).await;
    let signed = Compact::decode(answer["signed"].as_str().unwrap()).unwrap();
    assert_eq!(verify(&signed.record, &signed.signature, &keys), Ok(()));
    let mut tampered = signed.record.clone();
    tampered.facts.insert("floors".into(), "2".into());
    assert!(verify(&tampered, &signed.signature, &keys).is_err());
}

async fn a_wrong_check_digit_and_an_unknown_serial_are_told_apart(app: TestApp) {
    let serial = issue(&app).await;
    let mut wrong = serial.as_str().to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let refused = app.get(&format!("/api/v1/issued/{wrong}"), None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_code(), "serial.check_digit");
    let unknown = Serial::from_random(11_111_111_111);
    let missing = app.get(&format!("/api/v1/issued/{unknown}"), None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
}

async fn only_the_issuing_role_revokes_and_the_look_up_says_revoked(app: TestApp) {
    let serial = issue(&app).await;
    let path = format!("/api/v1/issued/{serial}/revocation");
    let owner = app.citizen_token("0499370899", "09120000001").await;
    let citizen = app
        .post_json(&path, json!({"reason": "mine"}), Some(&owner))
        .await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN);
    let inspector = app.staff_token("inspection").await;
    let other_unit = app
        .post_json(&path, json!({"reason": "wrong"}), Some(&inspector))
        .await;
    assert_eq!(other_unit.error_code(), "issued.revoke_not_allowed");
    let drafting = app.staff_token("certificate_drafting").await;
    let no_reason = app
        .post_json(&path, json!({"reason": "  "}), Some(&drafting))
        .await;
    assert_eq!(no_reason.error_code(), "issued.reason");
    let lookup = format!("/api/v1/issued/{serial}");
    assert_eq!(app.get(&lookup, None).await.json()["status"], "valid");

    let revoked = app
        .post_json(
            &path,
            json!({"reason": "Issued on a sketch later found wrong."}),
            Some(&drafting),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let answer = app.get(&lookup, None).await.json();
    assert_eq!(answer["status"], "revoked");
    assert_eq!(
        answer["revoked"]["reason"],
        "Issued on a sketch later found wrong."
    );
    let again = app
        .post_json(&path, json!({"reason": "again"}), Some(&drafting))
        .await;
    assert_eq!(again.error_code(), "issued.already_revoked");
}

async fn the_office_key_is_kept_and_published_once(app: TestApp) {
    let key_file = app.data_dir.path().join(daftar_app::issued::KEY_FILE);
    let _ = issue(&app).await;
    let keys = published_keys(&app).await;
    assert_eq!(keys.len(), 1);
    let listed = app.get("/.well-known/daftar-keys.json", None).await.json();
    assert!(
        listed["keys"][0].get("until").is_none(),
        "the key in use has no end: {listed}"
    );
    let secret = std::fs::read_to_string(&key_file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "the key is the program's user's alone");
    // The same data directory, another start: the same key, not a second one.
    let again = daftar_app::issued::office_key(app.data_dir.path(), None).unwrap();
    assert_eq!(hex::encode(again.secret()), secret.trim());
    assert_eq!(again.public(), keys[0]);
}

/// Pays the demo property 01-101-12-0's bills through the bank's settlement file.
async fn pay_the_property_bills(app: &TestApp) {
    let bills = app.store.bills_of_property(1, "01-101-12-0").await.unwrap();
    let mut file = String::from("bill_id,payment_id,amount_rials,paid_at,trace_number\n");
    for (i, bill) in bills.iter().filter(|b| b.paid_at.is_none()).enumerate() {
        file.push_str(&format!(
            "{},{},{},1405-09-01 10:00,BANK-{i}\n",
            bill.bill_id, bill.payment_id, bill.amount_rials
        ));
    }
    daftar_app::billing::import_payments(app.store.as_ref(), &file, "test")
        .await
        .unwrap()
        .unwrap();
}

/// A no-violation certificate applied for by the demo owner and issued through its
/// workflow: the owner's token and the case as the action left it.
async fn certified_case(app: &TestApp) -> (String, Value) {
    let owner = app.citizen_token("0499370899", "09120000001").await;
    let applied = app
        .post_json(
            "/api/v1/cases",
            support::application_with_a_pdf_of(app, "10010101015th01", 64),
            Some(&owner),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let mut case = applied.json();
    let steps = [
        (
            "certificate_drafting",
            json!({"action": "book_inspection", "fields": {"inspection_date": "1405-09-20"}}),
        ),
        (
            "inspection",
            json!({"action": "record_inspection", "fields": {"built_area_m2": "150"}}),
        ),
        ("office_head", json!({"action": "head_approves"})),
    ];
    for (user, body) in steps {
        let token = app.staff_token(user).await;
        case = app.acted(&token, &case, body).await;
    }
    // The property's renewal toll is unpaid: no certificate until it is paid.
    let drafting = app.staff_token("certificate_drafting").await;
    let issue = json!({"action": "issue_certificate", "fields": {"certificate_number": "1405/88"}});
    let refused = app.act(&drafting, &case, issue.clone()).await;
    assert_eq!(
        refused.error_code(),
        "case.needs_renewal_paid",
        "{}",
        refused.body
    );
    pay_the_property_bills(app).await;
    case = app.acted(&drafting, &app.reread(&case).await, issue).await;
    (owner, case)
}

async fn issuing_a_no_violation_certificate_signs_it_in_the_same_step(app: TestApp) {
    let (owner, case) = certified_case(&app).await;
    assert_eq!(case["state"], "issued");
    let issued = case["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{case}");
    assert_eq!(issued[0]["kind"], "no_violation_certificate");
    let serial = issued[0]["serial"].as_str().unwrap();
    let answer = app.get(&format!("/api/v1/issued/{serial}"), None).await;
    assert!(
        !answer.body.contains("0499370899") && !answer.body.contains("09120000001"),
        "no owner's national ID or mobile: {}",
        answer.body
    );
    let found = answer.json();
    assert_eq!(found["facts"]["certificate_number"], "1405/88");
    assert_eq!(found["status"], "valid");
    assert_eq!(found["facts"]["tracking_code"], case["tracking_code"]);
    assert_eq!(
        found["facts"]["renewal_code"],
        case["fields"]["renewal_code"]
    );
    // The owner sees it on their case too.
    let seen = app
        .get(&format!("/api/v1/cases/{}", case["id"]), Some(&owner))
        .await
        .json();
    assert_eq!(seen["issued"][0]["serial"], serial);
    // Certificate drafting issued it: its unit may revoke it.
    let drafting = app.staff_token("certificate_drafting").await;
    let revoked = app
        .post_json(
            &format!("/api/v1/issued/{serial}/revocation"),
            json!({"reason": "Issued on the wrong plate."}),
            Some(&drafting),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
}

async fn the_verify_page_says_valid_then_revoked_and_refuses_a_wrong_check_digit(app: TestApp) {
    let serial = issue(&app).await;
    let page = app.get_page(&format!("/verify/{serial}"), "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("data-status=\"valid\""), "{}", page.body);
    assert!(page.body.contains("گواهی عدم خلاف"));
    assert!(!page.body.contains("0499370899") && !page.body.contains("مریم"));
    // Typed with Persian digits and dashes, the form goes to the serial's page.
    let typed = daftar_core::fa::to_persian_digits(&serial.grouped());
    let form = app
        .get_page(&format!("/verify?serial={}", urlencode(&typed)), "")
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER);
    assert_eq!(form.headers["location"], format!("/verify/{serial}"));

    let mut wrong = serial.as_str().to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let refused = app.get_page(&format!("/verify/{wrong}"), "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"form-error\""));
    let unknown = app
        .get_page(
            &format!("/verify/{}", Serial::from_random(22_222_222_222)),
            "",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let drafting = app.staff_token("certificate_drafting").await;
    app.post_json(
        &format!("/api/v1/issued/{serial}/revocation"),
        json!({"reason": "صادرشده با پلاک نادرست"}),
        Some(&drafting),
    )
    .await;
    let revoked = app.get_page(&format!("/verify/{serial}"), "").await;
    assert!(revoked.body.contains("data-status=\"revoked\""));
    assert!(revoked.body.contains("صادرشده با پلاک نادرست"));
}

/// An anonymous visitor's verify page is kept for a second and shown to the next such
/// visitor: a revocation made where this instance cannot see it (another instance, here
/// the store directly) shows within that second, and a re-issue made through this
/// instance at once. A signed-in visitor's page is never kept, nor shown a kept one, nor
/// is a page asked for under another spelling of the serial; the kept page sets no
/// cookie, which would be shared.
async fn an_anonymous_verify_page_is_shown_again_for_a_second_and_a_signed_in_one_never(
    app: TestApp,
) {
    let serial = issue(&app).await;
    let path = format!("/verify/{serial}");
    let token = app.staff_token("certificate_drafting").await;
    let session = format!("daftar_session={token}");
    let signed_in = app.get_page(&path, &session).await;
    assert!(
        signed_in.body.contains("action=\"/sign-out\""),
        "{}",
        signed_in.body
    );
    let started = std::time::Instant::now();
    let first = app.get_page(&path, "").await;
    let first_answered = std::time::Instant::now();
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains("data-status=\"valid\""));
    assert!(
        !first.body.contains("sign-out"),
        "a signed-in visitor's page was not kept"
    );
    assert!(
        first.headers.get("set-cookie").is_none(),
        "a page to be shown to others sets no cookie"
    );
    // Another spelling of the serial (as typed, grouped) is answered but not kept.
    let spelled = format!("/verify/{}", serial.grouped());
    let other_spelling = app.get_page(&spelled, "").await;
    assert!(other_spelling.body.contains("data-status=\"valid\""));
    let drafting = certificate_drafting(&app).await;
    let revoked = app
        .store
        .revoke_issued(&daftar_store::NewRevocation {
            serial: serial.as_str().to_owned(),
            by: drafting.id,
            reason: "Revoked through another instance.".into(),
            at: jiff::Timestamp::now(),
        })
        .await
        .unwrap();
    assert!(revoked);
    let kept = app.get_page(&path, "").await;
    let kept_for = daftar_server::web::VERIFY_PAGE_KEPT_FOR;
    // Only within the second can the kept page be told from a fresh one.
    if started.elapsed() < kept_for {
        assert_eq!(
            kept.body, first.body,
            "the page kept a moment ago is shown again"
        );
    }
    let other_spelling = app.get_page(&spelled, "").await;
    assert!(
        other_spelling.body.contains("data-status=\"revoked\""),
        "a page under another spelling of the serial was not kept"
    );
    let signed_in = app.get_page(&path, &session).await;
    assert!(signed_in.body.contains("data-status=\"revoked\""));
    let english = app.get_page(&path, "lang=en").await;
    assert!(english.body.contains("lang=\"en\""));
    assert!(english.body.contains("data-status=\"revoked\""));
    // The page was kept during the first request, so a second after its answer it is stale.
    tokio::time::sleep(kept_for.saturating_sub(first_answered.elapsed())).await;
    let later = app.get_page(&path, "").await;
    assert!(
        later.body.contains("data-status=\"revoked\""),
        "a second on, the revocation shows"
    );

    // Through this instance, a re-issue shows at once.
    let current = issue(&app).await;
    let path = format!("/verify/{current}");
    let before = app.get_page(&path, "").await;
    assert!(before.body.contains("data-status=\"valid\""));
    let again = app
        .post_json(
            &format!("/api/v1/issued/{current}/reissue"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let after = app.get_page(&path, "").await;
    assert!(
        after.body.contains("data-status=\"superseded\""),
        "{}",
        after.body
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn the_certificate_pdf_goes_to_its_applicant_and_staff_only_and_each_copy_is_recorded(
    app: TestApp,
) {
    let (owner, case) = certified_case(&app).await;
    let serial = case["issued"][0]["serial"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/issued/{serial}/pdf");

    let download = app.get(&path, Some(&owner)).await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.body);
    assert_eq!(download.headers["content-type"], "application/pdf");
    assert_eq!(
        download.headers["content-disposition"],
        format!("attachment; filename=\"no_violation_certificate-{serial}.pdf\"").as_str()
    );
    assert_eq!(download.headers["cache-control"], "private, no-store");
    // What the PDF carries is the record as signed, checked offline with the published key.
    let keys = published_keys(&app).await;
    match daftar_app::issued::pdf::check_pdf(&download.bytes, &keys) {
        daftar_app::issued::pdf::PdfCheck::Signed(record) => {
            assert_eq!(record.serial, serial);
            assert_eq!(record.facts["certificate_number"], "1405/88");
            assert_eq!(record.facts["tracking_code"], case["tracking_code"]);
        }
        other => panic!("the PDF does not verify: {other:?}"),
    }
    // What the PDF carries states no owner's national ID or mobile.
    let carried = daftar_app::issued::pdf::pdf_record(&download.bytes).unwrap();
    let record = daftar_core::issued::Compact::decode(&carried)
        .unwrap()
        .record;
    let stated = serde_json::to_string(&record).unwrap();
    assert!(
        !stated.contains("0499370899") && !stated.contains("09120000001"),
        "{stated}"
    );

    let print = app
        .get(&format!("{path}?purpose=print"), Some(&owner))
        .await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.body);
    assert!(
        print.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );
    let drafting = app.staff_token("certificate_drafting").await;
    assert_eq!(app.get(&path, Some(&drafting)).await.status, StatusCode::OK);

    // Nobody else: another citizen is told it does not exist; no sign-in, 401; a wrong
    // check digit, 422 before any look-up.
    let stranger = app.citizen_token("0790419904", "09120000002").await;
    let refused = app.get(&path, Some(&stranger)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    assert_eq!(app.get(&path, None).await.status, StatusCode::UNAUTHORIZED);
    let mut wrong = serial.clone().into_bytes();
    wrong[11] = if wrong[11] == b'9' {
        b'0'
    } else {
        wrong[11] + 1
    };
    let wrong = String::from_utf8(wrong).unwrap();
    let refused = app
        .get(&format!("/api/v1/issued/{wrong}/pdf"), Some(&owner))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Each copy handed out is recorded, by whom and why; refusals are not.
    let deliveries = app
        .store
        .deliveries_of_case(daftar_store::CaseId(case["id"].as_i64().unwrap()))
        .await
        .unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = deliveries
        .iter()
        .map(|d| {
            (
                d.purpose.as_str(),
                d.actor_kind.as_str(),
                d.staff_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0], ("download", "applicant", None));
    assert_eq!(seen[1], ("print", "applicant", None));
    assert_eq!(seen[2].0, "download");
    assert_eq!(seen[2].1, "staff");
    assert!(seen[2].2.is_some());
}

async fn a_reissue_supersedes_the_document_for_its_issuer_only(app: TestApp) {
    let serial = issue(&app).await;
    let path = format!("/api/v1/issued/{serial}/reissue");
    let owner = app.citizen_token("0499370899", "09120000001").await;
    let citizen = app.post_json(&path, json!({}), Some(&owner)).await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN, "{}", citizen.body);
    let inspector = app.staff_token("inspection").await;
    let other_unit = app.post_json(&path, json!({}), Some(&inspector)).await;
    assert_eq!(other_unit.error_code(), "issued.reissue_not_allowed");
    let drafting = app.staff_token("certificate_drafting").await;
    // A certificate is not a permit: it has no term to extend.
    let extension = app
        .post_json(
            &format!("/api/v1/issued/{serial}/extension"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(extension.error_code(), "issued.not_extendable");
    assert_eq!(
        app.get(&format!("/api/v1/issued/{serial}"), None)
            .await
            .json()["status"],
        "valid",
        "a refused re-issue changes nothing"
    );

    let again = app.post_json(&path, json!({}), Some(&drafting)).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    let again = again.json();
    let new_serial = again["serial"].as_str().unwrap().to_owned();
    assert_ne!(new_serial, serial.as_str());
    assert_eq!(again["supersedes"], serial.as_str());
    let old = app
        .get(&format!("/api/v1/issued/{serial}"), None)
        .await
        .json();
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], new_serial.as_str());
    let new = app
        .get(&format!("/api/v1/issued/{new_serial}"), None)
        .await
        .json();
    assert_eq!(new["status"], "valid");
    assert_eq!(new["kind"], "no_violation_certificate");
    assert_eq!(new["facts"]["floors"], "3", "the same facts: {new}");
    assert_eq!(new["facts"]["replaces"], serial.as_str());
    assert_eq!(new["valid_until"], old["valid_until"], "the same term");
    // The new record verifies offline with the published key, as the old one did.
    let compact = app
        .state
        .services
        .issuing
        .look_up(
            &Serial::parse(&new_serial).unwrap(),
            daftar_app::replica::ReadFrom::Primary,
        )
        .await
        .unwrap()
        .unwrap()
        .compact;
    let compact = Compact::decode(&compact).unwrap();
    verify(
        &compact.record,
        &compact.signature,
        &published_keys(&app).await,
    )
    .unwrap();

    // Only the document that holds now is issued again or revoked.
    let twice = app.post_json(&path, json!({}), Some(&drafting)).await;
    assert_eq!(twice.error_code(), "issued.not_current", "{}", twice.body);
    let revoked = app
        .post_json(
            &format!("/api/v1/issued/{new_serial}/revocation"),
            json!({"reason": "Issued in error."}),
            Some(&drafting),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let after_revocation = app
        .post_json(
            &format!("/api/v1/issued/{new_serial}/reissue"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(after_revocation.error_code(), "issued.not_current");
    let mut wrong = new_serial.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let wrong = app
        .post_json(
            &format!("/api/v1/issued/{wrong}/reissue"),
            json!({}),
            Some(&drafting),
        )
        .await;
    assert_eq!(wrong.error_code(), "serial.check_digit", "{}", wrong.body);
}

/// A renewal clearance keeps its serial, the code its owner holds: it is not issued again.
async fn a_renewal_clearance_is_not_issued_again(app: TestApp) {
    let staff = app
        .store
        .staff_by_username("renewal_clearance")
        .await
        .unwrap()
        .unwrap();
    let clearance = app
        .state
        .services
        .issuing
        .issue(daftar_app::issued::NewDocument {
            kind: DocumentKind::RenewalClearance,
            subject: Subject::Property {
                district: 1,
                renewal_code: "01-101-12-0".into(),
            },
            facts: BTreeMap::from([("year".to_owned(), "1405".to_owned())]),
            valid_until: Some(valid_until()),
            case: None,
            issued_by: Some((staff.id, Role::RenewalClearance)),
            office: None,
            serial: None,
            supersedes: None,
        })
        .await
        .unwrap();
    let token = app.staff_token("renewal_clearance").await;
    let again = app
        .post_json(
            &format!("/api/v1/issued/{}/reissue", clearance.serial),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        again.error_code(),
        "issued.not_reissuable",
        "{}",
        again.body
    );
    let found = app
        .get(&format!("/api/v1/issued/{}", clearance.serial), None)
        .await
        .json();
    assert_eq!(found["status"], "valid");
}

async fn two_reissues_at_once_supersede_the_document_once(app: TestApp) {
    let serial = issue(&app).await;
    let drafting = certificate_drafting(&app).await;
    let who = daftar_app::accounts::Principal::Staff(drafting);
    let issuing = &app.state.services.issuing;
    let copy = daftar_app::issued::Reissue::Copy;
    let (first, second) = tokio::join!(
        issuing.reissue(&who, &serial, copy),
        issuing.reissue(&who, &serial, copy)
    );
    let made: Vec<_> = [&first, &second]
        .into_iter()
        .filter_map(|result| result.as_ref().ok())
        .collect();
    assert_eq!(made.len(), 1, "{first:?} {second:?}");
    let refused = [first.as_ref().err(), second.as_ref().err()]
        .into_iter()
        .flatten()
        .next()
        .unwrap();
    assert!(
        matches!(
            refused,
            daftar_app::cases::CaseError::Changed
                | daftar_app::cases::CaseError::Invalid("issued.not_current")
        ),
        "{refused:?}"
    );
    let old = issuing
        .look_up(&serial, daftar_app::replica::ReadFrom::Primary)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        old.status,
        daftar_app::issued::Status::Superseded {
            by: made[0].serial.clone()
        }
    );
    // The loser kept nothing: the case of the certificate has no third document.
    let stored = app.store.issued(&made[0].serial).await.unwrap().unwrap();
    assert_eq!(stored.superseded_by, None);
}
