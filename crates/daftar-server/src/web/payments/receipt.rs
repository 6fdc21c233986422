//! `GET /payments/{reference}`: how a payment ended, as a receipt to keep and print, or
//! why it did not go through and how to try again. It shows no one's name or ID: the
//! reference in its address is random and unguessable.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use daftar_app::Payments;
use daftar_store::{OnlinePayment, OnlinePaymentStatus};

use crate::error::AppError;
use crate::extract::Path;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptView {
    layout: Layout,
    status: &'static str,
    amount: String,
    ref_id: Option<String>,
    card: Option<String>,
    time: Option<String>,
    bill_id: String,
    payment_id: String,
    /// The two IDs as typed, for paying again or looking the bill up.
    raw_ids: (String, String),
}

pub(super) async fn receipt(
    State(payments): State<Payments>,
    page: Page,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let payment: OnlinePayment = payments.receipt(&reference).await?;
    let tr = page.layout.tr;
    let status = match payment.status {
        OnlinePaymentStatus::Paid => "paid",
        OnlinePaymentStatus::Failed => "failed",
        OnlinePaymentStatus::Refund => "refund",
        OnlinePaymentStatus::Started => "waiting",
    };
    page.render(&ReceiptView {
        layout: page.layout.clone(),
        status,
        amount: tr.t1("rials", "amount", &tr.number(payment.amount_rials)),
        ref_id: payment.ref_id.as_deref().map(|r| tr.digits(r)),
        card: payment.card_pan.as_deref().map(|c| tr.digits(c)),
        time: payment.finished_at.map(|at| tr.moment(at)),
        bill_id: tr.digits(&payment.bill_id),
        payment_id: tr.digits(&payment.payment_id),
        raw_ids: (payment.bill_id, payment.payment_id),
    })
}
