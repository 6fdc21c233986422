//! Municipal billing: what a property owes for a year, and the bill that asks for it.
//!
//! - [`PropertyUse`] and [`Area`]: the facts of a property that its toll depends on.
//! - [`Tariff`]: a year's rates, kept as data (`tariffs/<year>.toml`).
//! - [`Demand`]: the lines a property owes for a year — renewal toll, waste fee, a penalty
//!   on earlier years' arrears, discounts — computed by [`Demand::compute`].
//! - [`BillNumbers`]: the national bill ID, payment ID and barcode that carry a demand's
//!   total, rounded down to the thousand rials a payment ID can hold.
//! - [`PaymentOutcome`]: what becomes of a row of the bank's settlement file.
//! - [`BillStatus`]: unpaid, paid, cancelled or expired, as a citizen is told.
//! - [`ClearanceCode`]: the verification code of a clearance certificate.

mod clearance;
mod demand;
mod paid_at;
mod payment;
pub mod permit_fees;
mod property;
mod tariff;

pub use crate::property::RenewalCode;
pub use clearance::{ClearanceCode, ClearanceCodeError};
pub use demand::{BillNumbers, BillStatus, Demand, DemandLine, LineKind};
pub use paid_at::{PaidAtError, parse_paid_at};
pub use payment::{BillFacts, PaymentOutcome};
pub use property::{Area, PropertyUse, Share};
pub use tariff::{Tariff, TariffError};
