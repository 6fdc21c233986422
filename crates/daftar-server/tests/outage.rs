//! Planned outages, on SQLite and PostgreSQL: announced by the system admin alone, checked
//! (an end after the start and in the future, at most seven days, what is affected in both
//! languages), listed by the API, `/outages` and its Atom feed, and shown as a banner on
//! every page from 48 hours before until the end; withdrawn, gone.

mod support;

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use support::TestApp;

on_both_databases!(
    only_the_system_admin_announces_and_a_bad_window_is_refused_by_name,
    every_page_shows_an_outage_from_its_lead_time_until_it_is_withdrawn,
    the_outages_page_and_feed_list_the_announcements_and_the_admin_announces_there,
);

/// A window `hours` from now, `length` hours long, as the API takes it.
fn window(hours: i64, length: i64) -> (String, String) {
    let from = Timestamp::now() + SignedDuration::from_hours(hours);
    (
        from.to_string(),
        (from + SignedDuration::from_hours(length)).to_string(),
    )
}

async fn announce(app: &TestApp, token: &str, hours: i64, length: i64, fa: &str) -> i64 {
    let (from, to) = window(hours, length);
    let answer = app
        .post_json(
            "/api/v1/outages",
            json!({"from": from, "to": to, "affected_fa": fa, "affected_en": "Bill payment"}),
            Some(token),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.json()["id"].as_i64().unwrap()
}

async fn only_the_system_admin_announces_and_a_bad_window_is_refused_by_name(app: TestApp) {
    let (from, to) = window(3, 2);
    let body =
        json!({"from": from, "to": to, "affected_fa": "پرداخت قبض", "affected_en": "Bill payment"});
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let refused = app
        .post_json("/api/v1/outages", body.clone(), Some(&citizen))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let head = app.staff_token("office_head").await;
    let refused = app
        .post_json("/api/v1/outages", body.clone(), Some(&head))
        .await;
    assert_eq!(refused.error_code(), "outage.admin_only");

    let admin = app.admin_token().await;
    let refusal = |from: String, to: String, fa: &str| json!({"from": from, "to": to, "affected_fa": fa, "affected_en": "Bill payment"});
    let (late, early) = window(5, -2);
    let cases = [
        (refusal(late, early, "پرداخت"), "outage.order"),
        (
            refusal(window(-5, 2).0, window(-5, 2).1, "پرداخت"),
            "outage.past",
        ),
        (
            refusal(window(3, 24 * 7 + 1).0, window(3, 24 * 7 + 1).1, "پرداخت"),
            "outage.too_long",
        ),
        (
            refusal(window(3, 2).0, window(3, 2).1, "  "),
            "outage.affected",
        ),
    ];
    for (body, code) in cases {
        let answer = app
            .post_json("/api/v1/outages", body.clone(), Some(&admin))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.error_code(), code, "{body}");
    }
    let listed = app.get("/api/v1/outages", None).await.json();
    assert_eq!(listed["outages"], json!([]), "a refusal keeps nothing");

    let id = announce(&app, &admin, 3, 2, "پرداخت قبض").await;
    let listed = app.get("/api/v1/outages", None).await.json();
    assert_eq!(listed["outages"][0]["id"], id);
    assert_eq!(listed["outages"][0]["phase"], "coming");
    assert_eq!(listed["outages"][0]["affected"]["fa"], "پرداخت قبض");
    assert_eq!(listed["outages"][0]["affected"]["en"], "Bill payment");
}

async fn every_page_shows_an_outage_from_its_lead_time_until_it_is_withdrawn(app: TestApp) {
    let admin = app.admin_token().await;
    let soon = announce(&app, &admin, 3, 2, "پرداخت قبض و پیگیری پرونده").await;
    let later = announce(&app, &admin, 72, 2, "ثبت درخواست پروانه").await;
    for path in ["/", "/services", "/verify", "/bills/track"] {
        let page = app.get_page(path, "").await;
        assert!(page.body.contains("class=\"outage-banner\""), "{path}");
        assert!(page.body.contains("پرداخت قبض و پیگیری پرونده"), "{path}");
        assert!(
            !page.body.contains("ثبت درخواست پروانه"),
            "{path}: 72 hours ahead is beyond the 48 hours' lead"
        );
    }
    let english = app.get_page("/", "lang=en").await;
    assert!(english.body.contains("Planned outage:"), "{}", english.body);
    assert!(english.body.contains("Bill payment"));
    let listed = app.get("/api/v1/outages", None).await.json();
    assert_eq!(listed["outages"].as_array().unwrap().len(), 2);

    let path = format!("/api/v1/outages/{soon}/withdrawal");
    let head = app.staff_token("office_head").await;
    assert_eq!(
        app.post_json(&path, json!({}), Some(&head)).await.status,
        StatusCode::FORBIDDEN
    );
    let withdrawn = app.post_json(&path, json!({}), Some(&admin)).await;
    assert_eq!(
        withdrawn.status,
        StatusCode::NO_CONTENT,
        "{}",
        withdrawn.body
    );
    let page = app.get_page("/", "").await;
    assert!(
        !page.body.contains("class=\"outage-banner\""),
        "withdrawn, the banner goes at once"
    );
    let listed = app.get("/api/v1/outages", None).await.json();
    assert_eq!(listed["outages"][0]["id"], later);
    assert_eq!(listed["outages"].as_array().unwrap().len(), 1);
    let again = app.post_json(&path, json!({}), Some(&admin)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

async fn the_outages_page_and_feed_list_the_announcements_and_the_admin_announces_there(
    app: TestApp,
) {
    let admin = app.admin_token().await;
    announce(&app, &admin, 3, 2, "پرداخت <قبض> & پیگیری").await;
    let page = app.get_page("/outages", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-phase=\"coming\""));
    assert!(
        page.body.contains("پرداخت &#60;قبض&#62; &#38; پیگیری"),
        "escaped: {}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"outage-form\""),
        "no form for a visitor"
    );

    let feed = app.get("/outages.atom", None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let xml = roxmltree::Document::parse(&feed.body).expect("the feed is well-formed XML");
    let root = xml.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let titles: Vec<&str> = root
        .children()
        .filter(|node| node.has_tag_name("entry"))
        .filter_map(|entry| entry.children().find(|node| node.has_tag_name("title")))
        .filter_map(|title| title.text())
        .collect();
    assert_eq!(titles, ["پرداخت <قبض> & پیگیری"]);

    // Anyone else's post is refused before it is read, and gets no form.
    let head = format!("daftar_session={}", app.staff_token("office_head").await);
    let head_page = app.get_page("/outages", &head).await;
    assert!(!head_page.body.contains("id=\"outage-form\""));
    let head_csrf = head_page.hidden("csrf");
    let refused = app
        .post_form(
            "/outages",
            &[("csrf", &head_csrf), ("from_day", "x")],
            &head,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!refused.body.contains("id=\"outage-form\""));

    // The admin's form: Jalali days and Tehran times, in either script.
    let cookie = format!("daftar_session={admin}");
    let admin_page = app.get_page("/outages", &cookie).await;
    assert!(admin_page.body.contains("id=\"outage-form\""));
    let csrf = admin_page.hidden("csrf");
    let tomorrow = daftar_core::calendar::JalaliDate::from_timestamp(Timestamp::now())
        .add_days(1)
        .iso_jalali();
    let persian_day = daftar_core::fa::to_persian_digits(&tomorrow);
    let typed = |to_time: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("from_day", persian_day.clone()),
            ("from_time", "۲۲:۰۰".to_owned()),
            ("to_day", tomorrow.clone()),
            ("to_time", to_time.to_owned()),
            ("affected_fa", "سامانهٔ قبض".to_owned()),
            ("affected_en", "Bills".to_owned()),
        ]
    };
    let fields = typed("25:00");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = app.post_form("/outages", &form, &cookie).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"outage-error\""), "{}", bad.body);
    assert!(bad.body.contains("سامانهٔ قبض"), "what was typed is kept");
    let fields = typed("23:30");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post_form("/outages", &form, &cookie).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let listed = app.get("/api/v1/outages", None).await.json();
    let announced = listed["outages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|outage| outage["affected"]["en"] == "Bills")
        .expect("announced from the page");
    let from: Timestamp = announced["from"].as_str().unwrap().parse().unwrap();
    let to: Timestamp = announced["to"].as_str().unwrap().parse().unwrap();
    assert_eq!(from.duration_until(to), SignedDuration::from_mins(90));
    assert_eq!(
        daftar_core::calendar::JalaliDate::from_timestamp(from).iso_jalali(),
        tomorrow,
        "22:00 on Tehran's clock"
    );
}
