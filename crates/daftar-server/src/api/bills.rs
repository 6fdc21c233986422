//! Bill tracking, the payment gateway's callback, and clearances.
//!
//! - `GET /bills/track?bill_id=&payment_id=` or `?district=&renewal_code=`: public and
//!   rate-limited; the bill (or the property's newest bill with `earlier_bills`).
//! - `POST /payments`: a gateway's payment, for the renewal and clearance unit's account.
//! - `POST /clearances`: a clearance for a property that owes nothing (owner or unit).
//! - `GET /clearances/{code}`: public and rate-limited; what the certificate says.

use axum::extract::State;

use crate::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use daftar_app::Billing;
use daftar_app::billing::{ClearanceResult, GatewayPayment, TrackQuery, TrackedBill};
use daftar_core::billing::BillStatus;
use daftar_core::calendar::JalaliDate;
use daftar_store::Clearance;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiJson, QueryParams};
use crate::app::AppState;
use crate::auth::SignedInUser;
use crate::error::{AppError, ErrorBody, error_message};
use crate::i18n::RequestLang;
use crate::rate_limit::PublicLookup;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/bills/track", get(track))
        .route("/api/v1/payments", post(record_payment))
        .route("/api/v1/clearances", post(issue_clearance))
        .route("/api/v1/clearances/{code}", get(verify_clearance))
}

/// A bill as anyone holding its numbers may see it: never its owners.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Bill {
    bill_id: String,
    payment_id: String,
    /// The 26 digits a bank's barcode reader gives: bill ID and payment ID, each padded to 13.
    barcode: String,
    district: u16,
    year: i32,
    period: u8,
    #[schema(value_type = String, example = "unpaid")]
    status: BillStatus,
    amount_rials: u64,
    /// The demand's lines: `kind` and `amount_rials` each.
    #[schema(value_type = Vec<Object>)]
    lines: Box<RawValue>,
    /// The due date in the Gregorian calendar, ISO 8601.
    due_date: String,
    /// The due date in the Jalali calendar, `1405-12-29`.
    due_date_jalali: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    paid_at: Option<Timestamp>,
    trace_number: Option<String>,
}

impl From<TrackedBill> for Bill {
    fn from(bill: TrackedBill) -> Bill {
        Bill {
            bill_id: bill.bill_id,
            payment_id: bill.payment_id,
            barcode: bill.barcode,
            district: bill.district,
            year: bill.year,
            period: bill.period,
            status: bill.status,
            amount_rials: bill.amount_rials,
            lines: bill.lines,
            due_date: bill.due_date,
            due_date_jalali: bill.due_date_jalali,
            paid_at: bill.paid_at,
            trace_number: bill.trace_number,
        }
    }
}

/// The bill a tracking request named; by district and renewal code, the property's
/// newest, with the others after it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TrackAnswer {
    #[serde(flatten)]
    bill: Bill,
    /// By district and renewal code: the property's other bills, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    earlier_bills: Vec<Bill>,
}

/// A bill by its two IDs, or a property's bills by district and renewal code.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct TrackParams {
    bill_id: Option<String>,
    payment_id: Option<String>,
    district: Option<String>,
    renewal_code: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/bills/track", tag = "bills", params(TrackParams),
    responses(
        (status = 200, body = TrackAnswer),
        (status = 404, description = "No bill or property has these numbers", body = ApiError),
        (status = 422, description = "A check digit or the pair is wrong", body = ApiError),
        (status = 429, description = "Too many look-ups from this address", body = ApiError),
    ))]
pub(super) async fn track(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    // The state, not `State<Billing>`: a `Billing` is a dozen shared counts to clone a
    // request, whose cache lines the two cores pass between them (about 2% of the look-up).
    State(state): State<crate::app::AppState>,
    QueryParams(query): QueryParams<TrackQuery>,
) -> Result<Response, AppError> {
    let mut bills = state
        .services
        .billing
        .track(&query, from)
        .await?
        .bills
        .into_iter()
        .map(Bill::from);
    let bill = bills.next().ok_or(AppError::NotFound)?;
    let answer = TrackAnswer {
        bill,
        earlier_bills: bills.collect(),
    };
    // Written into room for a whole answer (about 360 bytes for one bill), where `Json`
    // starts at 128 and grows twice on every look-up.
    let mut body = Vec::with_capacity(512);
    serde_json::to_writer(&mut body, &answer).map_err(anyhow::Error::from)?;
    let mut response = Response::new(axum::body::Body::from(body));
    // Room for this header and the edge's at once: the map is allocated one time, where
    // the default size is outgrown and copied by the edge's headers.
    let headers = response.headers_mut();
    headers.reserve(8);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// What became of a gateway's payment: `applied`, or `duplicate` for a callback retried.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PaymentRecorded {
    outcome: &'static str,
    trace_number: String,
}

#[utoipa::path(post, path = "/api/v1/payments", tag = "bills", request_body = PaymentRequest,
    responses(
        (status = 200, body = PaymentRecorded),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the renewal unit or the system admin", body = ApiError),
        (status = 404, description = "No such bill", body = ApiError),
        (status = 409, description = "The bill is paid or cancelled", body = ApiError),
        (status = 422, description = "A bad number, date or amount", body = ApiError),
    ))]
pub(super) async fn record_payment(
    State(billing): State<Billing>,
    SignedInUser(user): SignedInUser,
    ApiJson(payment): ApiJson<PaymentRequest>,
) -> Result<Json<PaymentRecorded>, AppError> {
    let payment = GatewayPayment::from(payment);
    let outcome = billing
        .record_gateway_payment(&user.principal, &payment)
        .await?;
    Ok(Json(PaymentRecorded {
        outcome: outcome.slug(),
        trace_number: payment.trace_number.trim().to_owned(),
    }))
}

/// A payment gateway's report of one payment.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PaymentRequest {
    #[schema(pattern = r"^[0-9]{6,13}$")]
    bill_id: String,
    #[schema(pattern = r"^[0-9]{6,13}$")]
    payment_id: String,
    amount_rials: u64,
    /// ISO 8601, or Jalali `1405-02-10 14:30` in Tehran time.
    #[schema(
        pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}",
        example = "1405-02-10 14:30"
    )]
    paid_at: String,
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    trace_number: String,
}

impl From<PaymentRequest> for GatewayPayment {
    fn from(request: PaymentRequest) -> GatewayPayment {
        GatewayPayment {
            bill_id: request.bill_id,
            payment_id: request.payment_id,
            amount_rials: request.amount_rials,
            paid_at: request.paid_at,
            trace_number: request.trace_number,
        }
    }
}

/// A clearance for a property, by its district and renewal code.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ClearanceRequest {
    /// A number from 1 to 99, or a string of its digits.
    #[schema(value_type = String, pattern = r"^(0?[1-9]|[1-9][0-9])$", example = "1")]
    district: Value,
    #[schema(
        pattern = r"^[0-9]+(-[0-9]+)*$",
        max_length = 30,
        example = "01-101-12-0"
    )]
    renewal_code: String,
}

/// A clearance, as its certificate says it and anyone may verify it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClearanceAnswer {
    code: String,
    /// The clearance as an issued document: its serial is its code, verified at
    /// `/verify/{serial}` and `GET /issued/{serial}` as any document is.
    serial: String,
    district: u16,
    renewal_code: String,
    #[schema(value_type = String, format = DateTime)]
    issued_at: Timestamp,
    issued_on_jalali: String,
    /// The public page that verifies it.
    verify_url: String,
}

impl ClearanceAnswer {
    fn of(clearance: &Clearance) -> ClearanceAnswer {
        ClearanceAnswer {
            code: clearance.code.clone(),
            serial: clearance.code.clone(),
            district: clearance.district,
            renewal_code: clearance.renewal_code.clone(),
            issued_at: clearance.issued_at,
            issued_on_jalali: JalaliDate::from_timestamp(clearance.issued_at).iso_jalali(),
            verify_url: format!("/clearance/verify?code={}", clearance.code),
        }
    }
}

/// The error shape every client knows, with the bills that stand in the way.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwesAnswer {
    error: OwesDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwesDetail {
    /// `clearance.unpaid_bills`
    code: &'static str,
    message: String,
    unpaid_bills: Vec<Bill>,
}

#[utoipa::path(post, path = "/api/v1/clearances", tag = "bills", request_body = ClearanceRequest,
    responses(
        (status = 201, body = ClearanceAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the owner, nor the renewal unit", body = ApiError),
        (status = 404, description = "No such property", body = ApiError),
        (status = 409, description = "Bills are unpaid: nothing was issued", body = OwesAnswer),
        (status = 422, body = ApiError),
    ))]
pub(super) async fn issue_clearance(
    State(billing): State<Billing>,
    RequestLang(lang): RequestLang,
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
            (StatusCode::CREATED, Json(ClearanceAnswer::of(&clearance))).into_response()
        }
        ClearanceResult::Owes(bills) => {
            let body = ErrorBody {
                code: "clearance.unpaid_bills",
                args: vec![("count", bills.len().to_string())],
            };
            let error = OwesAnswer {
                error: OwesDetail {
                    code: body.code,
                    message: error_message(lang, &body),
                    unpaid_bills: bills.into_iter().map(Bill::from).collect(),
                },
            };
            (StatusCode::CONFLICT, Json(error)).into_response()
        }
    })
}

#[utoipa::path(get, path = "/api/v1/clearances/{code}", tag = "bills",
    params(("code" = String, Path, description = "The clearance's twelve-digit code")),
    responses(
        (status = 200, body = ClearanceAnswer),
        (status = 404, body = ApiError),
        (status = 422, description = "The code's check digit is wrong", body = ApiError),
        (status = 429, body = ApiError),
    ))]
pub(super) async fn verify_clearance(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(billing): State<Billing>,
    Path(code): Path<String>,
) -> Result<Json<ClearanceAnswer>, AppError> {
    let clearance = billing.verify_clearance(&code, from).await?;
    Ok(Json(ClearanceAnswer::of(&clearance)))
}
