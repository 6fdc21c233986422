//! Tracking a bill by its two IDs, or a property's bills by district and renewal code:
//! public, so the answer never names the owners.

use daftar_core::billing::{BillStatus, DemandLine, RenewalCode};
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{Barcode, BillId, PaymentId};
use daftar_store::BillView;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Billing, BillingError};
use crate::replica::ReadFrom;

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

pub(super) fn parse_district(input: &str) -> Result<u16, BillingError> {
    daftar_core::fa::normalize_digits(input.trim())
        .parse::<u16>()
        .ok()
        .filter(|district| (1..=99).contains(district))
        .ok_or(BillingError::Invalid("district.invalid"))
}

pub(super) fn parse_renewal_code(input: &str) -> Result<RenewalCode, BillingError> {
    RenewalCode::parse(input).map_err(|error| BillingError::Invalid(error.code()))
}

/// The barcode of a bill ID and payment ID; check digits and the pair are checked here,
/// before anything is looked up.
pub(crate) fn parse_bill_pair(bill_id: &str, payment_id: &str) -> Result<Barcode, BillingError> {
    let bill = BillId::parse(bill_id)?;
    let payment = PaymentId::parse(payment_id)?;
    Ok(Barcode::new(&bill, &payment)?)
}

impl Billing {
    /// Tracks a bill by its IDs or a property's bills by district and renewal code.
    pub async fn track(&self, query: &TrackQuery, from: ReadFrom) -> Result<Tracked, BillingError> {
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let by_ids = !query.bill_id.trim().is_empty() || !query.payment_id.trim().is_empty();
        let bills = if by_ids {
            let barcode = &parse_bill_pair(&query.bill_id, &query.payment_id)?;
            let bill = self
                .reads
                .read(from, |store| async move {
                    store.bill_by_barcode(barcode.as_str()).await
                })
                .await?;
            vec![bill.ok_or(BillingError::NotFound)?]
        } else if !query.district.trim().is_empty() || !query.renewal_code.trim().is_empty() {
            let district = parse_district(&query.district)?;
            let code = &parse_renewal_code(&query.renewal_code)?;
            let bills = self
                .reads
                .read(from, |store| async move {
                    store.bills_of_property(district, code.as_str()).await
                })
                .await?;
            if bills.is_empty() {
                return Err(BillingError::NotFound);
            }
            bills
        } else {
            return Err(BillingError::Invalid("track.query"));
        };
        Ok(Tracked {
            bills: bills
                .into_iter()
                .map(|bill| TrackedBill::of(bill, today))
                .collect(),
        })
    }
}
