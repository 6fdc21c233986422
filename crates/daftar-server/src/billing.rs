//! The billing use cases behind both the pages and the API: tracking a bill, the payment
//! gateway's callback, and issuing and verifying a clearance. Each parses its input into
//! domain types, refusing bad input before any look-up, and makes one store call that
//! writes (if any) in one transaction.

use daftar_core::billing::{
    BillStatus, ClearanceCode, DemandLine, PaymentOutcome, RenewalCode, parse_paid_at,
};
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{Barcode, BillId, PaymentId};
use daftar_store::{BillView, Clearance, ClearanceOutcome, IncomingPayment};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::app::AppState;
use crate::auth::{CurrentUser, Principal};
use crate::error::AppError;
use daftar_core::roles::Role;

/// What a tracking request names: a bill by its two IDs, or a property by district and
/// renewal code. Fields are strings so that a wrong value gets our message, not serde's.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TrackQuery {
    #[serde(default)]
    pub bill_id: String,
    #[serde(default)]
    pub payment_id: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub renewal_code: String,
}

impl TrackQuery {
    pub fn is_empty(&self) -> bool {
        [
            &self.bill_id,
            &self.payment_id,
            &self.district,
            &self.renewal_code,
        ]
        .iter()
        .all(|field| field.trim().is_empty())
    }
}

/// A bill as anyone holding its numbers may see it: never its owners.
#[derive(Debug, Clone, Serialize)]
pub struct TrackedBill {
    pub bill_id: String,
    pub payment_id: String,
    pub barcode: String,
    pub district: u16,
    pub year: i32,
    pub period: u8,
    pub status: BillStatus,
    pub amount_rials: u64,
    /// The demand's [`DemandLine`]s, in the JSON they were issued in.
    pub lines: Box<RawValue>,
    /// The due date in the Gregorian calendar, ISO 8601.
    pub due_date: String,
    /// The due date in the Jalali calendar, `1405-12-29`.
    pub due_date_jalali: String,
    pub paid_at: Option<Timestamp>,
    pub trace_number: Option<String>,
    #[serde(skip)]
    pub due: JalaliDate,
}

impl TrackedBill {
    pub fn of(bill: BillView, today: JalaliDate) -> TrackedBill {
        let status = BillStatus::on(bill.paid_at.is_some(), bill.cancelled, bill.due_date, today);
        // The lines were written by `issue_bills` from `DemandLine`s and are passed on as
        // they are; a row that is not JSON shows no breakdown rather than failing.
        let lines = RawValue::from_string(bill.lines_json).unwrap_or_else(|_| no_lines());
        TrackedBill {
            bill_id: bill.bill_id,
            payment_id: bill.payment_id,
            barcode: bill.barcode,
            district: bill.district,
            year: bill.year,
            period: bill.period,
            status,
            amount_rials: bill.amount_rials,
            lines,
            due_date: bill.due_date.iso_gregorian(),
            due_date_jalali: bill.due_date.iso_jalali(),
            paid_at: bill.paid_at,
            trace_number: bill.trace_number,
            due: bill.due_date,
        }
    }

    /// The demand's lines, read back; none when they do not read.
    pub fn demand_lines(&self) -> Vec<DemandLine> {
        serde_json::from_str(self.lines.get()).unwrap_or_default()
    }
}

/// An empty list of lines, for a row whose lines are not JSON.
fn no_lines() -> Box<RawValue> {
    RawValue::from_string("[]".to_owned()).unwrap_or_default()
}

/// The bills a tracking request found: the one it named, or the property's, newest first.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub bills: Vec<TrackedBill>,
}

fn parse_district(input: &str) -> Result<u16, AppError> {
    daftar_core::fa::normalize_digits(input.trim())
        .parse::<u16>()
        .ok()
        .filter(|district| (1..=99).contains(district))
        .ok_or(AppError::Invalid("district.invalid"))
}

fn parse_renewal_code(input: &str) -> Result<RenewalCode, AppError> {
    RenewalCode::parse(input).ok_or(AppError::Invalid("renewal_code.invalid"))
}

/// The barcode of a bill ID and payment ID; check digits and the pair are checked here,
/// before anything is looked up.
fn parse_bill_pair(bill_id: &str, payment_id: &str) -> Result<Barcode, AppError> {
    let bill = BillId::parse(bill_id)?;
    let payment = PaymentId::parse(payment_id)?;
    Ok(Barcode::new(&bill, &payment)?)
}

/// Tracks a bill by its IDs or a property's bills by district and renewal code.
pub async fn track(state: &AppState, query: &TrackQuery) -> Result<Tracked, AppError> {
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let by_ids = !query.bill_id.trim().is_empty() || !query.payment_id.trim().is_empty();
    let bills = if by_ids {
        let barcode = parse_bill_pair(&query.bill_id, &query.payment_id)?;
        let bill = state.store.bill_by_barcode(barcode.as_str()).await?;
        vec![bill.ok_or(AppError::NotFound)?]
    } else if !query.district.trim().is_empty() || !query.renewal_code.trim().is_empty() {
        let district = parse_district(&query.district)?;
        let code = parse_renewal_code(&query.renewal_code)?;
        let bills = state
            .store
            .bills_of_property(district, code.as_str())
            .await?;
        if bills.is_empty() {
            return Err(AppError::NotFound);
        }
        bills
    } else {
        return Err(AppError::Invalid("track.query"));
    };
    Ok(Tracked {
        bills: bills
            .into_iter()
            .map(|bill| TrackedBill::of(bill, today))
            .collect(),
    })
}

/// A payment gateway's report of one payment.
#[derive(Debug, Clone, Deserialize)]
pub struct GatewayPayment {
    pub bill_id: String,
    pub payment_id: String,
    pub amount_rials: u64,
    /// ISO 8601, or Jalali `1405-02-10 14:30` in Tehran time.
    pub paid_at: String,
    pub trace_number: String,
}

/// Records a gateway's payment under the settlement file's rules. `Applied` and
/// `Duplicate` (a retried callback) are successes; the others are errors the gateway
/// must hear about.
pub async fn record_gateway_payment(
    state: &AppState,
    payment: &GatewayPayment,
) -> Result<PaymentOutcome, AppError> {
    let barcode = parse_bill_pair(&payment.bill_id, &payment.payment_id)?;
    let paid_at =
        parse_paid_at(&payment.paid_at).map_err(|_| AppError::Invalid("paid_at.invalid"))?;
    let trace_number = payment.trace_number.trim();
    if trace_number.is_empty() || trace_number.chars().count() > 64 {
        return Err(AppError::Invalid("trace_number.invalid"));
    }
    let incoming = IncomingPayment {
        barcode,
        amount_rials: payment.amount_rials,
        paid_at,
        trace_number: trace_number.to_owned(),
    };
    let report = state
        .store
        .record_payments(vec![incoming], "gateway", Timestamp::now())
        .await?;
    let outcome = report
        .outcomes
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the store reported no outcome for one payment"))?;
    match outcome {
        PaymentOutcome::Applied | PaymentOutcome::Duplicate => Ok(outcome),
        PaymentOutcome::Unmatched => Err(AppError::NotFound),
        PaymentOutcome::AmountMismatch => Err(AppError::Invalid("payment.amount_mismatch")),
        PaymentOutcome::AlreadyPaid => Err(AppError::Conflict("payment.already_paid")),
        PaymentOutcome::BillCancelled => Err(AppError::Conflict("payment.bill_cancelled")),
    }
}

/// Who may take a payment callback: the renewal and clearance unit, or the system admin
/// who sets up the gateway's account.
pub fn may_record_payments(user: &CurrentUser) -> bool {
    user.staff().is_some_and(|account| {
        account.has_role(Role::RenewalClearance) || account.has_role(Role::SystemAdmin)
    })
}

/// What became of a clearance request.
#[derive(Debug, Clone)]
pub enum ClearanceResult {
    Issued(Clearance),
    /// Nothing was issued: these bills are still unpaid.
    Owes(Vec<TrackedBill>),
}

/// Issues a clearance for a property that owes nothing, to its owner or to the renewal
/// and clearance unit.
pub async fn issue_clearance(
    state: &AppState,
    user: &CurrentUser,
    district: &str,
    renewal_code: &str,
) -> Result<ClearanceResult, AppError> {
    let district = parse_district(district)?;
    let code = parse_renewal_code(renewal_code)?;
    let issued_by = match &user.principal {
        Principal::Staff(account) if account.has_role(Role::RenewalClearance) => {
            format!("staff:{}", account.username)
        }
        Principal::Staff(_) => return Err(AppError::Forbidden("auth.forbidden")),
        Principal::Citizen { national_id, .. } => {
            let owned = state.store.properties_owned_by(national_id).await?;
            let owns = owned
                .iter()
                .any(|p| p.district == district && p.renewal_code == code.as_str());
            if !owns {
                return Err(AppError::Forbidden("clearance.not_owner"));
            }
            "owner".to_owned()
        }
    };
    let today = JalaliDate::from_timestamp(Timestamp::now());
    // Eleven random digits: a collision with an earlier code (about one in 10¹¹ per
    // issued clearance) fails the unique key and the request, and writes nothing.
    let clearance_code = ClearanceCode::from_random(rand::random::<u64>());
    let outcome = state
        .store
        .issue_clearance(
            district,
            code.as_str(),
            clearance_code.as_str(),
            &issued_by,
            Timestamp::now(),
        )
        .await?;
    match outcome {
        ClearanceOutcome::Issued(clearance) => Ok(ClearanceResult::Issued(clearance)),
        ClearanceOutcome::Owes(bills) => Ok(ClearanceResult::Owes(
            bills
                .into_iter()
                .map(|bill| TrackedBill::of(bill, today))
                .collect(),
        )),
        ClearanceOutcome::UnknownProperty => Err(AppError::NotFound),
    }
}

/// The clearance a code names; a mistyped code is refused before the look-up.
pub async fn verify_clearance(state: &AppState, code: &str) -> Result<Clearance, AppError> {
    let code = ClearanceCode::parse(code)
        .map_err(|error| AppError::Invalid(ClearanceCode::error_code(error)))?;
    state
        .store
        .clearance(code.as_str())
        .await?
        .ok_or(AppError::NotFound)
}
