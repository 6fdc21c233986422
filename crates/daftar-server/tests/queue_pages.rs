//! The clerk's work queue through its pages, on both databases: 60 cases page past the
//! first 50 with the whole count, a case found by its tracking code (in Persian digits,
//! grouped as read aloud) or by its applicant's national ID, a search that is neither
//! said so, sorting that keeps the filters, a claim that opens the case, and `/staff`
//! with each queue's count.

mod support;

use axum::http::{StatusCode, header};
use daftar_server::auth::SESSION_COOKIE;
use support::{Db, TestApp};

const SERVICE: &str = "10010101001th01";

#[tokio::test]
async fn the_queue_on_sqlite() {
    a_clerk_pages_searches_sorts_and_claims(Db::Sqlite).await;
}

#[tokio::test]
async fn the_queue_on_postgres() {
    a_clerk_pages_searches_sorts_and_claims(Db::Postgres).await;
}

/// Opens `count` cases as the demo citizen; returns their tracking codes, oldest first.
async fn open_cases(app: &TestApp, count: usize) -> Vec<String> {
    let token = app.citizen_token("0499370899", "09120000001").await;
    let mut codes = Vec::with_capacity(count);
    for _ in 0..count {
        let application = support::application_with_a_pdf_of(app, SERVICE, 64);
        let opened = app
            .post_json("/api/v1/cases", application, Some(&token))
            .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
        codes.push(opened.json()["tracking_code"].as_str().unwrap().to_owned());
    }
    codes
}

fn persian(text: &str) -> String {
    daftar_core::fa::to_persian_digits(text)
}

/// A code as the queue shows it: in threes, joined by no-break spaces.
fn grouped(code: &str) -> String {
    let groups: Vec<String> = code
        .as_bytes()
        .chunks(3)
        .map(|g| String::from_utf8_lossy(g).into_owned())
        .collect();
    persian(&groups.join("\u{a0}"))
}

fn rows(body: &str) -> usize {
    body.matches("<tr data-urgency=").count()
}

async fn a_clerk_pages_searches_sorts_and_claims(db: Db) {
    let app = TestApp::spawn_with(db, |config| {
        config.documents_per_applicant_per_day = 10_000;
    })
    .await;
    let codes = open_cases(&app, 60).await;
    let clerk = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);

    let first = app.get_page("/staff/queues/formation", &clerk).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first.body), 50);
    assert!(first.body.contains(&persian("60")), "the whole count");
    assert!(first.body.contains("rel=\"next\""), "a pager");
    assert!(first.body.contains("مریم احمدی"), "the applicant's name");
    // Every staff page's navigation leads to the clerk's queue, with its count.
    let elsewhere = app.get_page("/services", &clerk).await;
    let nav = elsewhere.body.split("class=\"site-nav\"").nth(1).unwrap();
    let nav = nav.split("</nav>").next().unwrap();
    assert!(
        nav.contains(&format!(
            "href=\"/staff/queues/formation\">واحد تشکیل <span class=\"count\">{}</span>",
            persian("60")
        )),
        "{nav}"
    );
    let second = app.get_page("/staff/queues/formation?page=1", &clerk).await;
    assert_eq!(rows(&second.body), 10);
    assert!(second.body.contains("rel=\"prev\""));

    // Found by its tracking code typed in Persian digits, or by the applicant.
    let wanted = &codes[41];
    let found = app
        .get_page(
            &format!("/staff/queues/formation?q={}", urlencoded(&persian(wanted))),
            &clerk,
        )
        .await;
    assert_eq!(rows(&found.body), 1, "{}", found.body);
    assert!(found.body.contains(&grouped(wanted)));
    let by_applicant = app
        .get_page("/staff/queues/formation?q=0499370899&page=1", &clerk)
        .await;
    assert_eq!(rows(&by_applicant.body), 10);
    let neither = app
        .get_page("/staff/queues/formation?q=12345", &clerk)
        .await;
    assert_eq!(neither.status, StatusCode::OK);
    assert!(neither.body.contains("نه کد رهگیری است و نه کد ملی"));
    assert_eq!(
        rows(&neither.body),
        50,
        "the queue as if nothing was searched"
    );

    // Sorted by tracking code, descending: the headers and the pager keep the filters.
    let sorted = app
        .get_page("/staff/queues/formation?sort=-code&district=1", &clerk)
        .await;
    let mut descending = codes.clone();
    descending.sort();
    descending.reverse();
    let top = sorted.body.find(&grouped(&descending[0])).unwrap();
    let next = sorted.body.find(&grouped(&descending[1])).unwrap();
    assert!(top < next, "sorted by code, descending");
    assert!(sorted.body.contains("aria-sort=\"descending\""));
    let pager_link = "/staff/queues/formation?district=1&#38;sort=-code&#38;page=1";
    assert!(sorted.body.contains(pager_link), "{}", sorted.body);
    let bad_sort = app
        .get_page("/staff/queues/formation?sort=applicant", &clerk)
        .await;
    assert_eq!(bad_sort.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A claim opens the case, and the queue then names who has it.
    let case_link = found
        .body
        .split("href=\"/cases/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let claimed = app
        .post_form(
            &format!("/cases/{case_link}/claim"),
            &[
                ("csrf", &found.hidden("csrf")),
                ("version", &found.hidden("version")),
                ("role", "formation"),
            ],
            &clerk,
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    let location = claimed.headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with(&format!("/cases/{case_link}")),
        "{location}"
    );
    let mine = app
        .get_page("/staff/queues/formation?mine=true", &clerk)
        .await;
    assert_eq!(rows(&mine.body), 1);
    assert!(mine.body.contains("کارشناس"), "{}", mine.body);

    let home = app.get_page("/staff", &clerk).await;
    assert!(home.body.contains(&persian("60 پرونده")), "{}", home.body);
}

fn urlencoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
