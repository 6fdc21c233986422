//! Paying a bill online through the pages, on both databases: the bill's page hands the
//! citizen to the development gateway, its page pays or cancels, the return is checked,
//! and the receipt says how it ended, with no one's personal data. Without a gateway
//! there is nothing to press and no gateway page.

mod support;

use axum::http::{StatusCode, header};
use daftar_store::BillView;
use support::{Db, TestApp};

on_both_databases!(without_a_gateway_there_is_no_pay_button_and_no_gateway_page);

#[tokio::test]
async fn pays_through_the_development_gateway_on_sqlite() {
    a_bill_is_paid_through_the_development_gateways_pages(Db::Sqlite).await;
}

#[tokio::test]
async fn pays_through_the_development_gateway_on_postgres() {
    a_bill_is_paid_through_the_development_gateways_pages(Db::Postgres).await;
}

async fn demo_bill(app: &TestApp) -> BillView {
    let mut bills = app.store.bills_of_property(1, "01-101-12-0").await.unwrap();
    bills.remove(0)
}

fn location(response: &support::TestResponse) -> String {
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn a_bill_is_paid_through_the_development_gateways_pages(db: Db) {
    let app = TestApp::spawn_with(db, |config| config.dev_payment_gateway = true).await;
    let bill = demo_bill(&app).await;
    let track = format!(
        "/bills/track?bill_id={}&payment_id={}",
        bill.bill_id, bill.payment_id
    );
    let page = app.get_page(&track, "").await;
    assert!(page.body.contains("پرداخت اینترنتی"), "{}", page.body);
    assert!(page.body.contains("درگاه آزمایشی"), "every page says so");
    let cookies = format!("daftar_csrf={}", page.cookie("daftar_csrf").unwrap());
    let csrf = page.hidden("csrf");
    let pay = [
        ("csrf", csrf.as_str()),
        ("bill_id", bill.bill_id.as_str()),
        ("payment_id", bill.payment_id.as_str()),
    ];

    // A forged form token starts nothing.
    let forged = [("csrf", "forged"), pay[1], pay[2]];
    let refused = app.post_form("/bills/pay", &forged, &cookies).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let gateway = location(&app.post_form("/bills/pay", &pay, &cookies).await);
    assert!(gateway.starts_with("/dev-gateway/DEV"), "{gateway}");
    let gateway_page = app.get_page(&gateway, &cookies).await;
    assert_eq!(gateway_page.status, StatusCode::OK);
    assert!(gateway_page.body.contains("درگاه آزمایشی"));
    let back = location(
        &app.post_form(
            &gateway,
            &[("csrf", &gateway_page.hidden("csrf")), ("decision", "pay")],
            &cookies,
        )
        .await,
    );
    let (path, query) = back.split_once('?').unwrap();
    assert!(
        path.starts_with("/payments/") && path.ends_with("/return"),
        "{back}"
    );
    assert!(query.ends_with("&Status=OK"), "{back}");

    // A return naming another token is refused, and the bill stays unpaid.
    let tampered = app
        .get_page(&format!("{path}?Authority=DEV0&Status=OK"), "")
        .await;
    assert_eq!(tampered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tampered.body.contains("پاسخ درگاه با این پرداخت نمی‌خواند"));
    assert!(demo_bill(&app).await.paid_at.is_none());

    let receipt_path = location(&app.get_page(&back, "").await);
    assert_eq!(receipt_path, path.trim_end_matches("/return"));
    let receipt = app.get_page(&receipt_path, "").await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt.body.contains("data-status=\"paid\""),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains("شماره پیگیری"));
    for personal in ["0499370899", "۰۴۹۹۳۷۰۸۹۹", "09120000001", "مریم", "احمدی"]
    {
        assert!(
            !receipt.body.contains(personal),
            "{personal} on the receipt"
        );
    }
    let paid = demo_bill(&app).await;
    assert!(paid.paid_at.is_some());
    assert!(paid.trace_number.unwrap().starts_with("dev-"));

    // Replayed, the return changes nothing; the bill has nothing more to pay.
    assert_eq!(location(&app.get_page(&back, "").await), receipt_path);
    let again = app.post_form("/bills/pay", &pay, &cookies).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let page = app.get_page(&track, "").await;
    assert!(!page.body.contains("پرداخت اینترنتی"));
}

async fn without_a_gateway_there_is_no_pay_button_and_no_gateway_page(app: TestApp) {
    let bill = demo_bill(&app).await;
    let page = app
        .get_page(
            &format!(
                "/bills/track?bill_id={}&payment_id={}",
                bill.bill_id, bill.payment_id
            ),
            "",
        )
        .await;
    assert!(!page.body.contains("پرداخت اینترنتی"));
    assert!(!page.body.contains("درگاه آزمایشی"));
    assert!(
        page.body.contains("در هر برنامهٔ بانک"),
        "the two IDs are offered instead"
    );
    // Before signing in, the form token is the cookie's (double submit).
    let token = page.cookie("daftar_csrf").unwrap();
    let cookies = format!("daftar_csrf={token}");
    let pay = app
        .post_form(
            "/bills/pay",
            &[
                ("csrf", &token),
                ("bill_id", &bill.bill_id),
                ("payment_id", &bill.payment_id),
            ],
            &cookies,
        )
        .await;
    assert_eq!(pay.status, StatusCode::NOT_FOUND);
    let gateway = app.get_page("/dev-gateway/DEV1", "").await;
    assert_eq!(gateway.status, StatusCode::NOT_FOUND);
}

/// Another site's gateway is reached from a page that goes on to it by itself (a meta
/// refresh, and a link): the pages' policy lets a form redirect only within the site.
#[tokio::test]
async fn the_hand_over_to_another_sites_gateway_is_a_page_that_goes_on_to_it() {
    use axum::routing::post;
    let fake = axum::Router::new().route(
        "/pg/v4/payment/request.json",
        post(|| async {
            axum::Json(serde_json::json!({
                "data": { "code": 100, "message": "Success", "authority": "A00000000000000000000000000000012345",
                          "fee_type": "Merchant", "fee": 0 },
                "errors": []
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, fake).await });
    let zarinpal = server.clone();
    let app = TestApp::spawn_with(Db::Sqlite, move |config| {
        config.zarinpal_merchant_id = Some("merchant-1".into());
        config.zarinpal_url = zarinpal;
    })
    .await;
    let bill = demo_bill(&app).await;
    let page = app
        .get_page(
            &format!(
                "/bills/track?bill_id={}&payment_id={}",
                bill.bill_id, bill.payment_id
            ),
            "",
        )
        .await;
    assert!(page.body.contains("پرداخت اینترنتی"));
    assert!(
        !page.body.contains("درگاه آزمایشی"),
        "a real gateway is not a test one"
    );
    let token = page.cookie("daftar_csrf").unwrap();
    let handed = app
        .post_form(
            "/bills/pay",
            &[
                ("csrf", &token),
                ("bill_id", &bill.bill_id),
                ("payment_id", &bill.payment_id),
            ],
            &format!("daftar_csrf={token}"),
        )
        .await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    let start = format!("{server}/pg/StartPay/A00000000000000000000000000000012345");
    assert!(
        handed.body.contains(&format!(
            "<meta http-equiv=\"refresh\" content=\"0;url={start}\">"
        )),
        "{}",
        handed.body
    );
    assert!(handed.body.contains(&format!("href=\"{start}\"")));
}
