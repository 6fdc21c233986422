//! The records of the property register and of billing.

use daftar_core::billing::{Area, BillNumbers, PaymentOutcome, PropertyUse, RenewalCode, Share};
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{Barcode, Mobile, NationalId, PostalCode};
use jiff::Timestamp;

/// A property as the register import gives it, with its owners.
#[derive(Debug, Clone)]
pub struct PropertyRecord {
    pub renewal_code: RenewalCode,
    pub district: u16,
    pub address: String,
    pub postal_code: Option<PostalCode>,
    pub land_area: Area,
    pub built_area: Area,
    pub property_use: PropertyUse,
    pub owners: Vec<Owner>,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub national_id: NationalId,
    pub name: String,
    pub mobile: Option<Mobile>,
    pub share: Share,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
}

/// What issuing a year's bill needs to know of a property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingProperty {
    pub id: i64,
    pub district: u16,
    pub land_area: Area,
    pub built_area: Area,
    pub property_use: PropertyUse,
    /// What the property's earlier years' bills still owe.
    pub arrears_rials: u64,
}

#[derive(Debug, Clone)]
pub struct NewBill {
    pub property_id: i64,
    pub year: i32,
    pub period: u8,
    pub numbers: BillNumbers,
    pub amount_rials: u64,
    /// The demand's lines, as JSON.
    pub lines_json: String,
    pub due_date: JalaliDate,
}

/// A bill as it is tracked and exported: never with its owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillView {
    pub bill_id: String,
    pub payment_id: String,
    pub barcode: String,
    pub renewal_code: String,
    pub district: u16,
    pub year: i32,
    pub period: u8,
    pub amount_rials: u64,
    pub lines_json: String,
    pub due_date: JalaliDate,
    pub paid_at: Option<Timestamp>,
    pub trace_number: Option<String>,
    pub cancelled: bool,
}

/// One row of a settlement file or one gateway callback.
#[derive(Debug, Clone)]
pub struct IncomingPayment {
    pub barcode: Barcode,
    pub amount_rials: u64,
    pub paid_at: Timestamp,
    pub trace_number: String,
}

/// What became of each payment, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentReport {
    pub outcomes: Vec<PaymentOutcome>,
}

impl PaymentReport {
    pub fn count(&self, outcome: PaymentOutcome) -> usize {
        self.outcomes.iter().filter(|o| **o == outcome).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    pub code: String,
    pub renewal_code: String,
    pub district: u16,
    pub issued_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClearanceOutcome {
    Issued(Clearance),
    /// The property still owes these bills; nothing was issued.
    Owes(Vec<BillView>),
    UnknownProperty,
}

/// A property as its owner sees it in their list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedProperty {
    pub renewal_code: String,
    pub district: u16,
    pub address: String,
}
