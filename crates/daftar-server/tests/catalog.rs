//! The public catalog: pages and API. The catalog is data loaded at start, not storage,
//! so these run on SQLite only.

mod support;

use axum::http::StatusCode;
use support::{Db, TestApp};

async fn app() -> TestApp {
    TestApp::spawn(Db::Sqlite).await
}

#[tokio::test]
async fn the_catalog_page_lists_every_service_by_group_in_persian() {
    let app = app().await;
    let page = app.get("/services", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("dir=\"rtl\""));
    assert!(page.body.contains("پیگیری قبوض نوسازی"));
    assert!(page.body.contains("<h2>"), "grouped under headings");
    let links = page.body.matches("href=\"/services/").count();
    assert_eq!(links, app.state.services.catalog.len());
}

#[tokio::test]
async fn search_folds_arabic_letters_and_persian_digits() {
    let app = app().await;
    // «قبوض» typed with nothing odd, and «پيگيري» with the Arabic yeh.
    let arabic = app.get("/services?q=%D9%BE%D9%8A%DA%AF%D9%8A%D8%B1%D9%8A%20%D9%86%D9%88%D8%B3%D8%A7%D8%B2%DB%8C", None).await;
    assert_eq!(arabic.status, StatusCode::OK);
    assert!(
        arabic.body.contains("/services/10012656000sh13"),
        "{}",
        arabic.body
    );
    let api = app
        .get(
            "/api/v1/services?q=%D9%BE%D9%8A%DA%AF%D9%8A%D8%B1%D9%8A",
            None,
        )
        .await
        .json();
    assert!(
        api["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["identifier"] == "10012656000sh13")
    );
    let nothing = app.get("/services?q=zzzzzz", None).await;
    assert!(nothing.body.contains("خدمتی با این عبارت پیدا نشد"));
}

#[tokio::test]
async fn the_card_page_shows_seed_zero_values_and_links_to_tracking() {
    let app = app().await;
    let card = app.get("/services/10012656000sh13", None).await;
    assert_eq!(card.status, StatusCode::OK);
    for expected in [
        "پیگیری قبوض نوسازی",
        "۰۳۸۳۲۲۴۸۴۹",
        "رایگان",
        "شناسنامه خدمت",
        "/bills/track",
    ] {
        assert!(card.body.contains(expected), "{expected}");
    }
    assert!(
        !card.body.contains("id=\"apply\""),
        "an instant service takes no application"
    );
    let permit = app.get("/services/10010101018th01", None).await;
    assert!(permit.body.contains("id=\"apply\""));
    let unknown = app.get("/services/nope", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let unknown_api = app.get("/api/v1/services/nope", None).await;
    assert_eq!(unknown_api.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_api.error_code(), "not_found");
}

#[tokio::test]
async fn the_api_lists_filters_and_exports_the_catalog() {
    let app = app().await;
    let all = app.get("/api/v1/services", None).await.json();
    assert_eq!(all["count"], app.state.services.catalog.len());
    let group = all["services"][0]["group"].as_str().unwrap().to_owned();
    let filtered = app
        .get(&format!("/api/v1/services?group={group}"), None)
        .await
        .json();
    assert!(filtered["count"].as_u64().unwrap() < all["count"].as_u64().unwrap());
    assert!(
        filtered["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["group"] == group.as_str())
    );
    let card = app
        .get("/api/v1/services/10012656000sh13", None)
        .await
        .json();
    assert_eq!(card["phone"], "0383224849");
    assert_eq!(card["title"]["fa"], "پیگیری قبوض نوسازی");
    let csv = app.get("/api/v1/services.csv", None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    assert_eq!(reader.records().count(), app.state.services.catalog.len());
}
