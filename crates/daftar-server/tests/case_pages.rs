//! The case pages on both databases: applying through the form with files, the case
//! page with only the actions the user may take, a stale action refused with a message,
//! the work queue with a claim, and the public follow-up.

mod support;

use axum::http::{StatusCode, header};
use daftar_core::catalog::FieldKind;
use daftar_server::auth::SESSION_COOKIE;
use support::{TestApp, multipart, post_multipart};

on_both_databases!(a_citizen_applies_and_staff_work_the_case_through_the_pages);

const PERMIT: &str = "10010101018th01";
/// The hidden inputs of a page, as (name, value), in order.
fn hidden_inputs(body: &str) -> Vec<(String, String)> {
    body.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// How many files there are under `dir`, at any depth.
fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .map(|entry| entry.unwrap().path())
            .map(|path| if path.is_dir() { files_under(&path) } else { 1 })
            .sum()
    })
}

async fn a_citizen_applies_and_staff_work_the_case_through_the_pages(app: TestApp) {
    let citizen = format!(
        "{SESSION_COOKIE}={}",
        app.citizen_token("0499370899", "09120000001").await
    );
    let form = app
        .get_page(&format!("/services/{PERMIT}/apply"), &citizen)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    // What is known is filled in: the applicant's national ID and mobile, and the
    // property offered to pick from.
    assert!(form.body.contains("value=\"0499370899\""), "{}", form.body);
    assert!(form.body.contains("value=\"09120000001\""));
    assert!(form.body.contains("<datalist id=\"my-renewal-codes\">"));
    let csrf = form.hidden("csrf");

    let service = app.state.services.catalog.get(PERMIT).unwrap();
    let mut text = vec![("csrf".to_owned(), csrf.clone())];
    for field in service.form.fields.iter().filter(|f| f.required) {
        let value = match &field.kind {
            FieldKind::NationalId => "۰۴۹۹۳۷۰۸۹۹".to_owned(),
            FieldKind::Mobile => "09120000001".to_owned(),
            FieldKind::RenewalCode => "01-101-12-0".to_owned(),
            FieldKind::District => "۱".to_owned(),
            FieldKind::PostalCode => "1619735744".to_owned(),
            FieldKind::AreaM2 => "180".to_owned(),
            FieldKind::Number => "3".to_owned(),
            FieldKind::Select { options } => options[0].value.clone(),
            _ => "پاسخ".to_owned(),
        };
        text.push((format!("field:{}", field.name), value));
    }
    let pdf: &[u8] = b"%PDF-1.7 test";
    let files: Vec<(String, &str, &[u8])> = service
        .form
        .documents
        .iter()
        .filter(|d| d.required)
        .map(|d| (format!("doc:{}", d.id), "scan.pdf", pdf))
        .collect();

    // A file that is not a PDF, JPEG or PNG: the form comes back with the message.
    let mut bad_files = files.clone();
    bad_files[0].2 = b"MZ executable";
    let refused = post_multipart(
        &app,
        &format!("/services/{PERMIT}/apply"),
        &citizen,
        multipart(&text, &bad_files),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("\u{2066}PDF\u{2069}، \u{2066}JPEG\u{2069} یا \u{2066}PNG\u{2069}"),
        "{}",
        refused.body
    );

    // The files that passed are kept as drafts for the corrected form, each offered back
    // by a token; the refused one is not.
    let documents = app.data_dir.path().join("documents");
    assert_eq!(
        refused.body.matches("name=\"draft:").count(),
        files.len() - 1
    );
    assert_eq!(
        files_under(&documents.join(".drafts")),
        2 * (files.len() - 1)
    );

    // A file past 10 MB is refused as it streams in; nothing of it stays on disk, not
    // even in the folder uploads are received into, and nothing is stored but drafts.
    let mut scan = b"%PDF-1.7 ".to_vec();
    scan.resize(11 * 1024 * 1024, b' ');
    let mut large_files = files.clone();
    large_files[0].2 = &scan;
    let too_large = post_multipart(
        &app,
        &format!("/services/{PERMIT}/apply"),
        &citizen,
        multipart(&text, &large_files),
    )
    .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        files_under(&documents),
        files_under(&documents.join(".drafts")),
        "nothing but the drafts"
    );

    // A complete form goes on to «check your answers», which opens nothing yet.
    let checked = post_multipart(
        &app,
        &format!("/services/{PERMIT}/apply"),
        &citizen,
        multipart(&text, &files),
    )
    .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.body.contains("id=\"check-form\""));
    assert!(checked.body.contains("۱۶۱۹۷۳۵۷۴۴"), "the answers as read");
    let carried = hidden_inputs(&checked.body);
    let drafts = carried
        .iter()
        .filter(|(n, _)| n.starts_with("draft:"))
        .count();
    assert_eq!(drafts, files.len(), "every file carried as a draft");
    assert!(
        app.get_page("/cases", &citizen)
            .await
            .body
            .contains("هنوز پرونده‌ای ندارید")
    );
    let mut confirm = carried;
    confirm.push(("step".to_owned(), "confirm".to_owned()));
    let applied = post_multipart(
        &app,
        &format!("/services/{PERMIT}/apply"),
        &citizen,
        multipart(&confirm, &[]),
    )
    .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let location = applied.headers[header::LOCATION].to_str().unwrap();
    assert!(location.ends_with("?applied=1"), "{location}");
    let case_path = location.trim_end_matches("?applied=1").to_owned();
    let confirmation = app.get_page(location, &citizen).await;
    assert!(
        confirmation.body.contains("id=\"applied\""),
        "the confirmation"
    );
    let page = app.get_page(&case_path, &citizen).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("تشکیل پرونده و بررسی مدارک"),
        "the state in Persian"
    );
    assert!(
        page.body.contains("data-action=\"withdraw\""),
        "the applicant may withdraw"
    );
    assert!(
        !page.body.contains("data-action=\"book_inspection\""),
        "but not act for formation"
    );
    let mine = app.get_page("/cases", &citizen).await;
    assert!(mine.body.contains(&case_path));

    // Formation sees the case in its queue and acts on it from the case page.
    let formation = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);
    let queue = app.get_page("/staff/queues/formation", &formation).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&case_path), "{}", queue.body);
    let staff_page = app.get_page(&case_path, &formation).await;
    // With no ownership inquiry configured (as in the demo), the sign-in was not
    // confirmed: formation sees the mark, the applicant does not.
    assert!(staff_page.body.contains("id=\"identity-unconfirmed\""));
    assert!(!page.body.contains("id=\"identity-unconfirmed\""));
    // Formation's forms for the inquiry and the visit are on its page, not the applicant's.
    assert!(staff_page.body.contains("id=\"record-inquiry\""));
    assert!(staff_page.body.contains("id=\"visit-day\""));
    assert!(!page.body.contains("id=\"record-inquiry\""));
    assert!(staff_page.body.contains("data-action=\"book_inspection\""));
    let staff_csrf = staff_page.hidden("csrf");
    let version = staff_page.hidden("version");
    // Formation approves a document from the page; the applicant sees it approved.
    let marker = format!("action=\"{case_path}/documents/");
    let start = staff_page.body.find(&marker).expect("an approve button") + "action=\"".len();
    let approval = staff_page.body[start..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        !page.body.contains("/approval"),
        "the applicant cannot approve"
    );
    let approved = app
        .post_form(&approval, &[("csrf", &staff_csrf)], &formation)
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let seen = app.get_page(&case_path, &citizen).await;
    assert!(
        seen.body.contains("tag-approved\">تایید شده"),
        "{}",
        seen.body
    );
    // Formation records the inquiry and books the visit from the page's own forms.
    let recorded = app
        .post_form(
            &format!("{case_path}/inquiry"),
            &[("csrf", &staff_csrf), ("version", &version)],
            &formation,
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let with_inquiry = app.get_page(&case_path, &formation).await;
    assert!(with_inquiry.body.contains("id=\"map-order\""));
    let version = with_inquiry.hidden("version");
    let first_option = |select: &str| {
        let start = with_inquiry.body.find(select).expect("the select");
        let rest = &with_inquiry.body[start..];
        let value = rest.find("<option value=\"").unwrap() + "<option value=\"".len();
        rest[value..].split('"').next().unwrap().to_owned()
    };
    let inspector = first_option("id=\"visit-inspector\"");
    let day = first_option("id=\"visit-day\"");
    let visit = app
        .post_form(
            &format!("{case_path}/visit"),
            &[
                ("csrf", &staff_csrf),
                ("version", &version),
                ("inspector", &inspector),
                ("day", &day),
                ("slot", "09:00"),
            ],
            &formation,
        )
        .await;
    assert_eq!(visit.status, StatusCode::SEE_OTHER, "{}", visit.body);
    let ready = app.get_page(&case_path, &formation).await;
    assert!(ready.body.contains("id=\"visit-live\""), "{}", ready.body);
    let version = ready.hidden("version");
    let act = |fields: Vec<(String, String)>| multipart(&fields, &[]);
    let booked = post_multipart(
        &app,
        &format!("{case_path}/act"),
        &formation,
        act(vec![
            ("csrf".into(), staff_csrf.clone()),
            ("action".into(), "book_inspection".into()),
            ("version".into(), version.clone()),
        ]),
    )
    .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    // The same form sent again carries the old version: a colleague's message, no change.
    let stale = post_multipart(
        &app,
        &format!("{case_path}/act"),
        &formation,
        act(vec![
            ("csrf".into(), staff_csrf),
            ("action".into(), "return_for_deficiency".into()),
            ("version".into(), version),
            ("comment".into(), "کسری".into()),
        ]),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("همکار دیگری"), "{}", stale.body);
    let after = app.get_page(&case_path, &citizen).await;
    assert!(after.body.contains("بازدید و ترسیم کروکی"));

    // Anyone with the tracking code sees the status and dates, and nothing else.
    let shown = after.body.split("id=\"tracking-code\">").nth(1).unwrap();
    let code = daftar_core::fa::normalize_digits(shown.split('<').next().unwrap());
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let public = app.get(&format!("/cases/track?code={code}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("بازدید و ترسیم کروکی"));
    for private in ["0499370899", "۰۴۹۹۳۷۰۸۹۹", "01-101-12-0", "scan.pdf"] {
        assert!(!public.body.contains(private), "{private}");
    }
}
