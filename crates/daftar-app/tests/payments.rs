//! Paying a bill online through Zarinpal's protocol, against a local stand-in of its
//! server started by each test: a verified payment pays the bill once, and a tampered
//! return, a wrong amount, a cancelled payment and a replayed token each leave the bill
//! as it was.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use daftar_app::billing::{self, IssueOptions, TrackQuery};
use daftar_app::payments::zarinpal::Zarinpal;
use daftar_app::{PaymentError, Payments};
use daftar_core::billing::Tariff;
use daftar_core::calendar::JalaliDate;
use daftar_store::{OnlinePaymentStatus, Store};
use serde_json::{Value, json};

with_both_databases!(
    a_verified_payment_pays_the_bill_once_and_a_replay_changes_nothing,
    a_tampered_return_is_refused_and_changes_nothing,
    a_payment_of_another_amount_is_not_a_payment,
    a_cancelled_payment_leaves_the_bill_unpaid_and_its_token_cannot_be_replayed,
    a_gateway_that_does_not_answer_starts_nothing,
    a_payment_the_bill_will_not_take_ends_as_a_refund_once,
);

const MERCHANT: &str = "merchant-1";
const REGISTER: &str = "renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share
01-101-12-0,1,خیابان آزادی,1619735744,200,180,residential,0499370899,مریم احمدی,09120000001,100
";

/// An order at the stand-in: the amount asked, and what the citizen paid on its page.
#[derive(Debug, Clone, Default)]
struct Order {
    amount: u64,
    return_url: String,
    paid: Option<u64>,
    verified: Option<u64>,
}

/// The stand-in of Zarinpal's server, and what it saw.
#[derive(Debug, Default)]
struct Gateway {
    orders: Mutex<HashMap<String, Order>>,
    verifications: AtomicUsize,
}

impl Gateway {
    /// The citizen pays `amount` on the gateway's page.
    fn citizen_pays(&self, authority: &str, amount: u64) {
        self.orders.lock().unwrap().get_mut(authority).unwrap().paid = Some(amount);
    }

    fn verifications(&self) -> usize {
        self.verifications.load(Ordering::SeqCst)
    }
}

fn refusal(code: i64) -> Json<Value> {
    Json(json!({ "data": [], "errors": { "code": code, "message": "refused", "validations": [] } }))
}

async fn request(State(gateway): State<Arc<Gateway>>, Json(body): Json<Value>) -> Json<Value> {
    if body["merchant_id"] != MERCHANT || body["currency"] != "IRR" {
        return refusal(-9);
    }
    let (Some(amount), Some(return_url)) = (body["amount"].as_u64(), body["callback_url"].as_str())
    else {
        return refusal(-9);
    };
    let mut orders = gateway.orders.lock().unwrap();
    let authority = format!("A{:035}", orders.len() + 1);
    orders.insert(
        authority.clone(),
        Order {
            amount,
            return_url: return_url.to_owned(),
            ..Order::default()
        },
    );
    Json(
        json!({ "data": { "code": 100, "message": "Success", "authority": authority,
        "fee_type": "Merchant", "fee": 0 }, "errors": [] }),
    )
}

/// Zarinpal's rules: -50 the amount differs, -51 not paid, 101 verified before.
async fn verify(State(gateway): State<Arc<Gateway>>, Json(body): Json<Value>) -> Json<Value> {
    gateway.verifications.fetch_add(1, Ordering::SeqCst);
    if body["merchant_id"] != MERCHANT {
        return refusal(-9);
    }
    let mut orders = gateway.orders.lock().unwrap();
    let Some(order) = body["authority"].as_str().and_then(|a| orders.get_mut(a)) else {
        return refusal(-54);
    };
    let asked = body["amount"].as_u64();
    match order.paid {
        None => refusal(-51),
        Some(paid) if Some(paid) != asked || paid != order.amount => refusal(-50),
        Some(_) => {
            let code = if order.verified.is_some() { 101 } else { 100 };
            let ref_id = *order.verified.get_or_insert(201_000 + order.amount % 1000);
            Json(
                json!({ "data": { "code": code, "message": "Verified", "card_hash": "x",
                "card_pan": "502229******5995", "ref_id": ref_id, "fee_type": "Merchant",
                "fee": 0 }, "errors": [] }),
            )
        }
    }
}

/// Starts the stand-in on a free port; returns its address and its state.
async fn zarinpal() -> (String, Arc<Gateway>) {
    let gateway = Arc::new(Gateway::default());
    let app = axum::Router::new()
        .route("/pg/v4/payment/request.json", post(request))
        .route("/pg/v4/payment/verify.json", post(verify))
        .with_state(gateway.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, gateway)
}

/// The register's one property, its 1405 bill issued; returns the bill's two IDs.
async fn a_bill(store: &Arc<dyn Store>) -> (String, String, u64) {
    billing::import_properties(store.as_ref(), REGISTER)
        .await
        .unwrap();
    let options = IssueOptions {
        year: 1405,
        district: None,
        due_date: JalaliDate::new(1405, 12, 29).unwrap(),
        company_code: 101,
    };
    let tariff = Tariff::built_in(1405).unwrap().unwrap();
    billing::issue_bills(store.as_ref(), &tariff, &options, &|_| {})
        .await
        .unwrap();
    let bills = store.bills_of_property(1, "01-101-12-0").await.unwrap();
    let bill = &bills[0];
    (
        bill.bill_id.clone(),
        bill.payment_id.clone(),
        bill.amount_rials,
    )
}

async fn payments(store: &Arc<dyn Store>, server: &str) -> Payments {
    let gateway = Zarinpal::new(server, MERCHANT).unwrap();
    Payments::new(store.clone(), store.clone(), Some(Arc::new(gateway)))
}

/// Whether the bill is paid, as the public look-up says.
async fn paid(store: &Arc<dyn Store>, bill_id: &str, payment_id: &str) -> Option<String> {
    let tracked = daftar_app::Billing::new(store.clone())
        .track(
            &TrackQuery {
                bill_id: bill_id.into(),
                payment_id: payment_id.into(),
                ..TrackQuery::default()
            },
            daftar_app::replica::ReadFrom::Primary,
        )
        .await
        .unwrap();
    let bill = &tracked.bills[0];
    bill.paid_at.and(bill.trace_number.clone())
}

/// The reference in a return address, and the authority in a pay address.
fn started(pay_url: &str, server: &str) -> String {
    pay_url
        .strip_prefix(&format!("{server}/pg/StartPay/"))
        .unwrap_or_else(|| panic!("{pay_url} is Zarinpal's page"))
        .to_owned()
}

/// Our reference, from the return address the gateway was given for `authority`.
fn returned_reference(gateway: &Gateway, authority: &str) -> String {
    let orders = gateway.orders.lock().unwrap();
    let url = &orders[authority].return_url;
    let reference = url
        .split("/payments/")
        .nth(1)
        .and_then(|rest| rest.strip_suffix("/return"))
        .unwrap_or_else(|| panic!("{url} is a return address"));
    assert!(url.starts_with("https://"), "{url} is under the site");
    reference.to_owned()
}

async fn a_verified_payment_pays_the_bill_once_and_a_replay_changes_nothing(store: Arc<dyn Store>) {
    let (server, gateway) = zarinpal().await;
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, amount) = a_bill(&store).await;
    assert_eq!(paid(&store, &bill_id, &payment_id).await, None);

    let pay_url = payments
        .pay(&bill_id, &payment_id, "https://daftar.example.ir")
        .await
        .unwrap();
    let authority = started(&pay_url, &server);
    let reference = returned_reference(&gateway, &authority);
    gateway.citizen_pays(&authority, amount);
    let receipt = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(receipt.status, OnlinePaymentStatus::Paid);
    let ref_id = receipt.ref_id.clone().unwrap();
    assert_eq!(receipt.card_pan.as_deref(), Some("502229******5995"));
    assert_eq!(receipt.amount_rials, amount);
    assert_eq!(
        paid(&store, &bill_id, &payment_id).await,
        Some(format!("zarinpal-{ref_id}"))
    );

    // The same return again: the receipt as it was, and the gateway not asked again.
    let again = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(again, receipt);
    assert_eq!(gateway.verifications(), 1);
    // A paid bill is not paid again.
    assert!(matches!(
        payments
            .pay(&bill_id, &payment_id, "https://daftar.example.ir")
            .await,
        Err(PaymentError::NothingToPay("payment.already_paid"))
    ));
}

async fn a_tampered_return_is_refused_and_changes_nothing(store: Arc<dyn Store>) {
    let (server, gateway) = zarinpal().await;
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, amount) = a_bill(&store).await;
    // Two hand-overs; the return of the first names the second's token.
    let first = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    let second = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    gateway.citizen_pays(&second, amount);
    let reference = returned_reference(&gateway, &first);
    for forged in [second.as_str(), "A000000000000000000000000000000000099", ""] {
        assert!(matches!(
            payments.finish(&reference, forged, true).await,
            Err(PaymentError::Tampered)
        ));
    }
    assert!(matches!(
        payments.finish("not-a-reference", &first, true).await,
        Err(PaymentError::NotFound)
    ));
    assert_eq!(
        payments.receipt(&reference).await.unwrap().status,
        OnlinePaymentStatus::Started
    );
    assert_eq!(paid(&store, &bill_id, &payment_id).await, None);
    assert_eq!(
        gateway.verifications(),
        0,
        "a forged return asks the gateway nothing"
    );
}

async fn a_payment_of_another_amount_is_not_a_payment(store: Arc<dyn Store>) {
    let (server, gateway) = zarinpal().await;
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, amount) = a_bill(&store).await;
    let authority = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    let reference = returned_reference(&gateway, &authority);
    gateway.citizen_pays(&authority, amount - 10_000);
    let receipt = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(receipt.status, OnlinePaymentStatus::Failed);
    assert_eq!(receipt.ref_id, None);
    assert_eq!(paid(&store, &bill_id, &payment_id).await, None);
}

async fn a_cancelled_payment_leaves_the_bill_unpaid_and_its_token_cannot_be_replayed(
    store: Arc<dyn Store>,
) {
    let (server, gateway) = zarinpal().await;
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, amount) = a_bill(&store).await;
    let authority = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    let reference = returned_reference(&gateway, &authority);
    let receipt = payments
        .finish(&reference, &authority, false)
        .await
        .unwrap();
    assert_eq!(receipt.status, OnlinePaymentStatus::Failed);
    // The token replayed, as if paid (and paid meanwhile at the gateway): nothing moves.
    gateway.citizen_pays(&authority, amount);
    let replayed = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(replayed.status, OnlinePaymentStatus::Failed);
    assert_eq!(gateway.verifications(), 0);
    assert_eq!(paid(&store, &bill_id, &payment_id).await, None);
    // A new hand-over pays the bill.
    let again = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    let reference = returned_reference(&gateway, &again);
    gateway.citizen_pays(&again, amount);
    let receipt = payments.finish(&reference, &again, true).await.unwrap();
    assert_eq!(receipt.status, OnlinePaymentStatus::Paid);
    assert!(paid(&store, &bill_id, &payment_id).await.is_some());
}

async fn a_gateway_that_does_not_answer_starts_nothing(store: Arc<dyn Store>) {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, _) = a_bill(&store).await;
    assert!(matches!(
        payments.pay(&bill_id, &payment_id, "https://x.ir").await,
        Err(PaymentError::GatewayDown)
    ));
    // Malformed IDs are refused before anything is asked.
    assert!(matches!(
        payments.pay("123", &payment_id, "https://x.ir").await,
        Err(PaymentError::Invalid(_))
    ));
}

async fn a_payment_the_bill_will_not_take_ends_as_a_refund_once(store: Arc<dyn Store>) {
    let (server, gateway) = zarinpal().await;
    let payments = payments(&store, &server).await;
    let (bill_id, payment_id, amount) = a_bill(&store).await;
    let authority = started(
        &payments
            .pay(&bill_id, &payment_id, "https://x.ir")
            .await
            .unwrap(),
        &server,
    );
    let reference = returned_reference(&gateway, &authority);
    // The bank's file pays the bill meanwhile.
    let barcode = daftar_core::ir::Barcode::new(
        &daftar_core::ir::BillId::parse(&bill_id).unwrap(),
        &daftar_core::ir::PaymentId::parse(&payment_id).unwrap(),
    )
    .unwrap();
    let bank = daftar_store::IncomingPayment {
        barcode,
        amount_rials: amount,
        paid_at: jiff::Timestamp::now(),
        trace_number: "BANK-1".into(),
    };
    store
        .record_payments(vec![bank], "bank.csv", jiff::Timestamp::now())
        .await
        .unwrap();
    gateway.citizen_pays(&authority, amount);
    let receipt = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(receipt.status, OnlinePaymentStatus::Refund);
    assert!(
        receipt.ref_id.is_some(),
        "the reference number, for the refund"
    );
    let again = payments.finish(&reference, &authority, true).await.unwrap();
    assert_eq!(again, receipt);
    assert_eq!(gateway.verifications(), 1, "verified once, refunded once");
    assert_eq!(
        paid(&store, &bill_id, &payment_id).await.as_deref(),
        Some("BANK-1")
    );
}
