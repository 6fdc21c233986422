//! A property as the office keeps its file: the renewal code that names it in the
//! register ([`renewal_code`]) and its plot — deed, outline, setbacks — from the
//! municipality's GIS ([`plot`]).

pub mod plot;
pub mod renewal_code;

pub use plot::{Deed, Plot, parse_plots, parse_registration_plate};
pub use renewal_code::{RenewalCode, RenewalCodeError, RenewalPart};
