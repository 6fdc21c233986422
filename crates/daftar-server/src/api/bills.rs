//! Bill tracking, the payment gateway's callback, and clearances.
//!
//! - `GET /bills/track?bill_id=&payment_id=` or `?district=&renewal_code=`: public and
//!   rate-limited; the bill (or the property's newest bill with `earlier_bills`).
//! - `POST /payments`: a gateway's payment, for the renewal and clearance unit's account.
//! - `POST /clearances`: a clearance for a property that owes nothing (owner or unit).
//! - `GET /clearances/{code}`: public and rate-limited; what the certificate says.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use daftar_core::calendar::JalaliDate;
use daftar_store::Clearance;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ApiJson, QueryParams};
use crate::app::AppState;
use crate::auth::SignedInUser;
use crate::error::{AppError, ErrorBody, error_message};
use crate::i18n::Lang;
use crate::rate_limit::PublicLookup;
use daftar_app::Billing;
use daftar_app::billing::{ClearanceResult, GatewayPayment, TrackQuery, TrackedBill};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/bills/track", get(track))
        .route("/api/v1/payments", post(record_payment))
        .route("/api/v1/clearances", post(issue_clearance))
        .route("/api/v1/clearances/{code}", get(verify_clearance))
}

#[derive(Debug, Serialize)]
struct TrackAnswer {
    #[serde(flatten)]
    bill: TrackedBill,
    /// By district and renewal code: the property's other bills, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    earlier_bills: Vec<TrackedBill>,
}

async fn track(
    _: PublicLookup,
    State(billing): State<Billing>,
    QueryParams(query): QueryParams<TrackQuery>,
) -> Result<Response, AppError> {
    let mut bills = billing.track(&query).await?.bills.into_iter();
    let bill = bills.next().ok_or(AppError::NotFound)?;
    let answer = TrackAnswer {
        bill,
        earlier_bills: bills.collect(),
    };
    // Written into room for a whole answer (about 360 bytes for one bill), where `Json`
    // starts at 128 and grows twice on every look-up.
    let mut body = Vec::with_capacity(512);
    serde_json::to_writer(&mut body, &answer).map_err(anyhow::Error::from)?;
    let json = HeaderValue::from_static("application/json");
    Ok(([(header::CONTENT_TYPE, json)], body).into_response())
}

async fn record_payment(
    State(billing): State<Billing>,
    SignedInUser(user): SignedInUser,
    ApiJson(payment): ApiJson<GatewayPayment>,
) -> Result<Json<Value>, AppError> {
    let outcome = billing
        .record_gateway_payment(&user.principal, &payment)
        .await?;
    Ok(Json(json!({
        "outcome": outcome.slug(),
        "trace_number": payment.trace_number.trim(),
    })))
}

#[derive(Debug, Deserialize)]
struct ClearanceRequest {
    /// A number or a string of digits.
    district: Value,
    renewal_code: String,
}

fn clearance_json(clearance: &Clearance) -> Value {
    json!({
        "code": clearance.code,
        "district": clearance.district,
        "renewal_code": clearance.renewal_code,
        "issued_at": clearance.issued_at,
        "issued_on_jalali": JalaliDate::from_timestamp(clearance.issued_at).iso_jalali(),
        "verify_url": format!("/clearance/verify?code={}", clearance.code),
    })
}

async fn issue_clearance(
    State(billing): State<Billing>,
    lang: Lang,
    SignedInUser(user): SignedInUser,
    ApiJson(request): ApiJson<ClearanceRequest>,
) -> Result<Response, AppError> {
    let district = match &request.district {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => return Err(AppError::Invalid("district.invalid")),
    };
    let result = billing
        .issue_clearance(&user.principal, &district, &request.renewal_code)
        .await?;
    Ok(match result {
        ClearanceResult::Issued(clearance) => {
            (StatusCode::CREATED, Json(clearance_json(&clearance))).into_response()
        }
        // The error shape every client knows, with the bills that stand in the way.
        ClearanceResult::Owes(bills) => {
            let body = ErrorBody {
                code: "clearance.unpaid_bills",
                args: vec![("count", bills.len().to_string())],
            };
            let error = json!({ "error": {
                "code": body.code,
                "message": error_message(lang, &body),
                "unpaid_bills": bills,
            }});
            (StatusCode::CONFLICT, Json(error)).into_response()
        }
    })
}

async fn verify_clearance(
    _: PublicLookup,
    State(billing): State<Billing>,
    Path(code): Path<String>,
) -> Result<Json<Value>, AppError> {
    let clearance = billing.verify_clearance(&code).await?;
    Ok(Json(clearance_json(&clearance)))
}
