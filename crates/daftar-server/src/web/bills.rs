//! The public bill-tracking page (seed 000's service), the clearance request for owners
//! and the renewal and clearance unit, and the public clearance verification.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::extract::Form;
use daftar_app::billing::{ClearanceResult, TrackQuery, TrackedBill};
use daftar_app::{Billing, BillingError};
use daftar_core::billing::LineKind;
use daftar_core::fa;
use daftar_core::roles::Role;
use daftar_store::{Clearance, OwnedProperty};
use serde::Deserialize;

use super::{Layout, Page};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bills/track", get(track))
        .route("/clearance", get(clearance_form).post(request_clearance))
        .route("/clearance/verify", get(verify))
        .route("/bills/barcode/{barcode}", get(barcode_image))
}

/// A bill written out for a page: every number in the page's digits.
pub(super) struct BillCard {
    pub(super) status: &'static str,
    /// The two IDs as typed (ASCII digits), for the pay form; `None` when there is
    /// nothing to pay.
    pub(super) payable: Option<(String, String)>,
    pub(super) status_label: String,
    pub(super) bill_id: String,
    pub(super) payment_id: String,
    pub(super) barcode: String,
    /// The barcode's ASCII digits, for its image.
    pub(super) barcode_digits: String,
    pub(super) period: String,
    pub(super) amount: String,
    pub(super) amount_in_words: Option<String>,
    pub(super) lines: Vec<(String, String)>,
    pub(super) due: String,
    pub(super) paid_at: Option<String>,
    pub(super) trace_number: Option<String>,
}

fn amount(tr: &Tr, rials: i64) -> String {
    let text = tr.number(rials.unsigned_abs());
    let sign = if rials < 0 { "−" } else { "" };
    tr.t1("rials", "amount", &format!("{sign}{text}"))
}

pub(super) fn bill_card(tr: &Tr, bill: &TrackedBill) -> BillCard {
    let line_id = |kind: LineKind| match kind {
        LineKind::RenewalToll => "line-renewal-toll",
        LineKind::WasteFee => "line-waste-fee",
        LineKind::ArrearsPenalty => "line-arrears-penalty",
        LineKind::Discount => "line-discount",
        LineKind::ViolationFine => "line-violation-fine",
        LineKind::PermitFee => "line-permit-fee",
    };
    BillCard {
        status: bill.status.slug(),
        payable: (bill.status == daftar_core::billing::BillStatus::Unpaid)
            .then(|| (bill.bill_id.clone(), bill.payment_id.clone())),
        status_label: tr.t(&format!("bill-status-{}", bill.status.slug())),
        bill_id: tr.digits(&bill.bill_id),
        payment_id: tr.digits(&bill.payment_id),
        barcode: tr.grouped(&bill.barcode, 13),
        barcode_digits: bill.barcode.clone(),
        period: tr.digits(&format!(
            "{} {}",
            tr.t1("bill-year", "year", &bill.year.to_string()),
            tr.t1("bill-period", "period", &bill.period.to_string())
        )),
        amount: amount(tr, i64::try_from(bill.amount_rials).unwrap_or(i64::MAX)),
        amount_in_words: tr
            .is_fa()
            .then(|| format!("{} ریال", fa::amount_in_words(bill.amount_rials))),
        lines: bill
            .demand_lines()
            .iter()
            .map(|line| (tr.t(line_id(line.kind)), amount(tr, line.amount_rials)))
            .collect(),
        due: tr.day(bill.due),
        paid_at: bill.paid_at.map(|at| tr.moment(at)),
        trace_number: bill.trace_number.as_deref().map(|t| tr.digits(t)),
    }
}

#[derive(Template)]
#[template(path = "bill_track.html")]
struct TrackView {
    layout: Layout,
    query: TrackQuery,
    error: Option<String>,
    bills: Vec<BillCard>,
    searched: bool,
}

async fn track(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(billing): State<Billing>,
    page: Page,
    QueryParams(query): QueryParams<TrackQuery>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let mut view = TrackView {
        layout: page.layout.clone(),
        searched: !query.is_empty(),
        query,
        error: None,
        bills: Vec::new(),
    };
    if !view.searched {
        return page.render(&view);
    }
    match billing.track(&view.query, from).await {
        Ok(tracked) => {
            view.bills = tracked.bills.iter().map(|b| bill_card(&tr, b)).collect();
            page.render(&view)
        }
        Err(error) => {
            let (status, message) = match error {
                BillingError::NotFound => (StatusCode::NOT_FOUND, tr.t("track-not-found")),
                error => page.form_error(error)?,
            };
            view.error = Some(message);
            page.render(&view)
                .map(|response| (status, response).into_response())
        }
    }
}

struct PropertyChoice {
    district: String,
    district_value: u16,
    renewal_code: String,
    renewal_code_value: String,
    address: String,
}

#[derive(Template)]
#[template(path = "clearance.html")]
struct ClearanceView {
    layout: Layout,
    /// The owner's properties, for a citizen.
    properties: Vec<PropertyChoice>,
    /// Whether the free form (any district and renewal code) is shown: for the unit.
    for_unit: bool,
    district: String,
    renewal_code: String,
    error: Option<String>,
    issued: Option<ClearanceCard>,
    unpaid: Vec<BillCard>,
    /// A citizen's clearances, to print again.
    mine: Vec<ClearanceCard>,
}

struct ClearanceCard {
    code: String,
    raw_code: String,
    district: String,
    renewal_code: String,
    issued_at: String,
}

fn clearance_card(tr: &Tr, clearance: &Clearance) -> ClearanceCard {
    ClearanceCard {
        code: tr.grouped(&clearance.code, 3),
        raw_code: clearance.code.clone(),
        district: tr.digits(&clearance.district.to_string()),
        renewal_code: tr.digits(&clearance.renewal_code),
        issued_at: tr.moment(clearance.issued_at),
    }
}

/// Who may ask for a clearance on this page, and for which properties.
async fn clearance_view(billing: &Billing, page: &Page) -> Result<Option<ClearanceView>, AppError> {
    let tr = page.layout.tr;
    let (properties, for_unit, mine) = match page.user.as_ref().map(|user| &user.principal) {
        None => return Ok(None),
        Some(who @ Principal::Citizen { .. }) => {
            let owned = billing.properties_owned_by(who).await?;
            let mine = billing.my_clearances(who).await?;
            (
                owned.iter().map(|p| property_choice(&tr, p)).collect(),
                false,
                mine.iter().map(|c| clearance_card(&tr, c)).collect(),
            )
        }
        Some(Principal::Staff(account)) if account.has_role(Role::RenewalClearance) => {
            (Vec::new(), true, Vec::new())
        }
        Some(Principal::Staff(_)) => return Err(AppError::Forbidden("auth.forbidden")),
    };
    Ok(Some(ClearanceView {
        layout: page.layout.clone(),
        properties,
        for_unit,
        district: String::new(),
        renewal_code: String::new(),
        error: None,
        issued: None,
        unpaid: Vec::new(),
        mine,
    }))
}

fn property_choice(tr: &Tr, property: &OwnedProperty) -> PropertyChoice {
    PropertyChoice {
        district: tr.digits(&property.district.to_string()),
        district_value: property.district,
        renewal_code: tr.digits(&property.renewal_code),
        renewal_code_value: property.renewal_code.clone(),
        address: tr.digits(&property.address),
    }
}

async fn clearance_form(State(billing): State<Billing>, page: Page) -> Result<Response, AppError> {
    match clearance_view(&billing, &page).await? {
        Some(view) => page.render(&view),
        None => Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response()),
    }
}

#[derive(Debug, Deserialize)]
struct ClearanceForm {
    csrf: String,
    district: String,
    renewal_code: String,
}

async fn request_clearance(
    State(billing): State<Billing>,
    page: Page,
    Form(form): Form<ClearanceForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(mut view) = clearance_view(&billing, &page).await? else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let tr = page.layout.tr;
    let mut status = StatusCode::OK;
    match billing
        .issue_clearance(&user.principal, &form.district, &form.renewal_code)
        .await
    {
        Ok(ClearanceResult::Issued(clearance)) => {
            view.issued = Some(clearance_card(&tr, &clearance));
        }
        Ok(ClearanceResult::Owes(bills)) => {
            status = StatusCode::CONFLICT;
            view.error = Some(tr.t1(
                "clearance-owes",
                "count",
                &tr.digits(&bills.len().to_string()),
            ));
            view.unpaid = bills.iter().map(|bill| bill_card(&tr, bill)).collect();
        }
        Err(error) => {
            let (error_status, message) = match error {
                BillingError::NotFound => (StatusCode::NOT_FOUND, tr.t("clearance-no-property")),
                error => page.form_error(error)?,
            };
            status = error_status;
            view.error = Some(message);
        }
    }
    view.district = form.district;
    view.renewal_code = form.renewal_code;
    page.render(&view)
        .map(|response| (status, response).into_response())
}

#[derive(Debug, Deserialize)]
struct VerifyQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "clearance_verify.html")]
struct VerifyView {
    layout: Layout,
    code: String,
    error: Option<String>,
    clearance: Option<ClearanceCard>,
}

async fn verify(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(billing): State<Billing>,
    page: Page,
    QueryParams(query): QueryParams<VerifyQuery>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let mut view = VerifyView {
        layout: page.layout.clone(),
        code: query.code.clone(),
        error: None,
        clearance: None,
    };
    if query.code.trim().is_empty() {
        return page.render(&view);
    }
    match billing.verify_clearance(&query.code, from).await {
        Ok(clearance) => {
            view.clearance = Some(clearance_card(&tr, &clearance));
            page.render(&view)
        }
        Err(error) => {
            let (status, message) = match error {
                BillingError::NotFound => (StatusCode::NOT_FOUND, tr.t("verify-not-found")),
                error => page.form_error(error)?,
            };
            view.error = Some(message);
            page.render(&view)
                .map(|response| (status, response).into_response())
        }
    }
}

/// A bill's barcode as an image for its page and printout: Code 128 in its numeric set
/// (two digits a bar pattern), which bank scanners read. The 26 digits are the bill's two
/// IDs, no one's personal data.
async fn barcode_image(
    crate::extract::Path(barcode): crate::extract::Path<String>,
) -> Result<Response, AppError> {
    let digits = barcode.trim_end_matches(".svg");
    if digits.len() != 26 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    let svg = daftar_app::issued::pdf::barcode_svg(digits)
        .map_err(|error| anyhow::anyhow!("a bill's barcode: {error}"))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}
