//! Daftar's pure domain: the rules of a municipal e-services office, with no I/O.
//!
//! A tour of the modules:
//! - [`billing`]: tariffs, what a property owes for a year, and the numbers of its bill.
//! - [`ir`]: Iranian identifiers (national ID, legal-entity ID, bill and payment IDs with
//!   their barcode, Sheba, postal code, mobile, plate), each a type with a `parse`.
//! - [`fa`]: Persian text: digit and letter normalisation, search keys, Persian number
//!   formatting and amounts in words.
//! - [`calendar`]: Jalali dates over ICU4X and working-day arithmetic against a holiday
//!   calendar loaded from data.
//! - [`cases`]: tracking codes of cases and the documents an applicant may upload.
//! - [`roles`]: the office's units and the roles staff hold in an office.
//! - [`workflow`]: workflow definitions as data and the engine that moves a case.
//! - [`otp`]: the one-time-code rules of citizen sign-in (length, lifetime, lockout).
//! - [`property`]: the renewal code that names a property, and its plot (deed, outline).
//! - [`sign_in_limits`]: codes per mobile and per address, the SMS budget, and the delay
//!   and lock after wrong staff passwords.
//! - [`sketch`]: the inspector's sketch of a building's floors: checked, measured, drawn.
//! - [`zoning`]: the detailed plan's zones and rules, and the map order of a plot.
//! - [`survey`]: the satisfaction survey a closed case's applicant answers, and its
//!   published tallies.
//! - [`usage`]: the operator-usage report: how staff used the desk in a period.
//! - [`text`]: the two languages of the desk, and one text in both.
//!
//! Nothing here reads a clock, a file or a socket: the caller passes `now` and data in.

pub mod billing;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod complaint;
pub mod fa;
pub mod ir;
pub mod issued;
pub mod otp;
pub mod outage;
pub mod property;
pub mod roles;
pub mod sign_in_limits;
pub mod sketch;
pub mod survey;
pub mod text;
pub mod usage;
pub mod violation;
pub mod workflow;
pub mod zoning;
