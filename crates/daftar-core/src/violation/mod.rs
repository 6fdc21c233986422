//! Building violations (تخلفات ساختمانی) and the Article 100 commission (کمیسیون ماده ۱۰۰).
//!
//! - [`compute`]: what stands (the inspector's sketch) against what was allowed (the
//!   property's permit, [`PermitAllowance`]) and what the detailed plan allows (the map
//!   order): each [`Violation`] with its kind, floor, quantity and the note of Article 100
//!   that applies.
//! - [`fines`]: the fine range of each violation, from the transaction values (ارزش
//!   معاملاتی) and each note's coefficients, kept as data like the tariffs, with its formula.
//! - [`review`]: the violation-review unit's confirmation, correction or dismissal.
//! - [`ruling`]: the commission's ruling, per violation, checked against the ranges.
//!
//! Areas are in hundredths of a square metre and money in whole rials, so that every
//! figure is exact and the same wherever it is computed.

mod compute;
pub mod fines;
mod firm;
mod permit;
pub mod review;
pub mod ruling;

pub use compute::{Comparison, PlotFrame, compute};
pub use fines::{FineRange, FineSchedule, FineScheduleError};
pub use firm::{FireSafetyFirm, FirmError};
pub use permit::{PermitAllowance, PermitError, PermitFloor};
pub use review::{ReviewDecision, ReviewError, ReviewItem, ReviewedViolation, apply_review};
pub use ruling::{Ruling, RulingDecision, RulingError, RulingItem, RulingLevel, RulingNumber};

use serde::{Deserialize, Serialize};

/// What kind of violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Built area beyond the permit, or beyond the plan's density.
    ExcessArea,
    /// A floor the permit (or the plan) does not allow.
    ExtraFloor,
    /// A floor covering more of the plot than the plan's occupancy allows.
    ExcessOccupancy,
    /// Building on the setback or the street (تجاوز به معبر).
    SetbackEncroachment,
    /// Fewer parking spaces than required.
    ParkingShortfall,
    /// Area used otherwise than the permit says (مساحت تغییر کاربری).
    ChangeOfUse,
    /// Built with no permit at all.
    NoPermit,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 7] = [
        ViolationKind::ExcessArea,
        ViolationKind::ExtraFloor,
        ViolationKind::ExcessOccupancy,
        ViolationKind::SetbackEncroachment,
        ViolationKind::ParkingShortfall,
        ViolationKind::ChangeOfUse,
        ViolationKind::NoPermit,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ViolationKind::ExcessArea => "excess_area",
            ViolationKind::ExtraFloor => "extra_floor",
            ViolationKind::ExcessOccupancy => "excess_occupancy",
            ViolationKind::SetbackEncroachment => "setback_encroachment",
            ViolationKind::ParkingShortfall => "parking_shortfall",
            ViolationKind::ChangeOfUse => "change_of_use",
            ViolationKind::NoPermit => "no_permit",
        }
    }

    pub fn name(self) -> crate::text::Text<&'static str> {
        let (fa, en) = match self {
            ViolationKind::ExcessArea => {
                ("احداث مازاد بر پروانه یا تراکم", "Area beyond the permit")
            }
            ViolationKind::ExtraFloor => ("طبقه اضافه", "Extra floor"),
            ViolationKind::ExcessOccupancy => ("سطح اشغال مازاد", "Occupancy beyond the limit"),
            ViolationKind::SetbackEncroachment => ("تجاوز به معبر", "Building on the setback"),
            ViolationKind::ParkingShortfall => ("کسری پارکینگ", "Parking shortfall"),
            ViolationKind::ChangeOfUse => ("تغییر کاربری", "Change of use"),
            ViolationKind::NoPermit => ("احداث بدون پروانه", "Built with no permit"),
        };
        crate::text::Text { fa, en }
    }
}

/// What a quantity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Hundredths of a square metre (shown and sent as m²).
    M2,
    Count,
}

impl Unit {
    /// A quantity in this unit as the API sends it: m² to two decimals, or the count.
    pub fn number(self, quantity: i64) -> f64 {
        match self {
            Unit::M2 => quantity as f64 / 100.0,
            Unit::Count => quantity as f64,
        }
    }
}

/// The note (تبصره) of Article 100 a violation falls under; a change of use falls under
/// item 24 of Article 55 instead, and is ruled on by the same commission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// Note 1: against the planning, technical or health principles: demolition.
    Note1,
    /// Note 2: residential area beyond the permit.
    Note2,
    /// Note 3: commercial, industrial or office area beyond the permit.
    Note3,
    /// Note 4: built with no permit, meeting the principles.
    Note4,
    /// Note 5: parking missing or unusable.
    Note5,
    /// Note 6: encroachment on the street: the part in it is demolished.
    Note6,
    /// Article 55, item 24: change of use.
    Article55Item24,
}

impl Note {
    pub const ALL: [Note; 7] = [
        Note::Note1,
        Note::Note2,
        Note::Note3,
        Note::Note4,
        Note::Note5,
        Note::Note6,
        Note::Article55Item24,
    ];

    /// What the API and the data file call it: `"2"` for Note 2, `"55-24"`.
    pub fn code(self) -> &'static str {
        match self {
            Note::Note1 => "1",
            Note::Note2 => "2",
            Note::Note3 => "3",
            Note::Note4 => "4",
            Note::Note5 => "5",
            Note::Note6 => "6",
            Note::Article55Item24 => "55-24",
        }
    }

    pub fn from_code(code: &str) -> Option<Note> {
        Note::ALL.into_iter().find(|note| note.code() == code)
    }

    pub fn name(self) -> crate::text::Text<&'static str> {
        let (fa, en) = match self {
            Note::Note1 => ("تبصره ۱ ماده ۱۰۰", "Article 100, Note 1"),
            Note::Note2 => ("تبصره ۲ ماده ۱۰۰", "Article 100, Note 2"),
            Note::Note3 => ("تبصره ۳ ماده ۱۰۰", "Article 100, Note 3"),
            Note::Note4 => ("تبصره ۴ ماده ۱۰۰", "Article 100, Note 4"),
            Note::Note5 => ("تبصره ۵ ماده ۱۰۰", "Article 100, Note 5"),
            Note::Note6 => ("تبصره ۶ ماده ۱۰۰", "Article 100, Note 6"),
            Note::Article55Item24 => ("بند ۲۴ ماده ۵۵", "Article 55, item 24"),
        };
        crate::text::Text { fa, en }
    }

    /// Whether the note's ruling is demolition rather than a fine.
    pub fn demolishes(self) -> bool {
        matches!(self, Note::Note1 | Note::Note6)
    }
}

/// One violation, as computed or as reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The floor it is on (0 the ground floor); none for the building as a whole.
    pub floor: Option<i16>,
    /// In hundredths of a square metre for [`Unit::M2`], else a count.
    pub quantity: i64,
    pub unit: Unit,
    pub note: Note,
    /// The area the fine is reckoned on, in hundredths of a square metre: the quantity for
    /// an area, the floor's area for an extra floor, the spaces' area for parking.
    pub fined_centi_m2: i64,
    pub fine: FineRange,
}

impl Violation {
    /// The quantity as the API sends it: square metres (two decimals) or a count.
    pub fn quantity_number(&self) -> f64 {
        self.unit.number(self.quantity)
    }
}

/// The violations' built area in all (what each is fined on, missing parking left out,
/// being no built area) and the sum of their fine ranges.
pub fn totals<'a>(violations: impl IntoIterator<Item = &'a Violation>) -> (i64, i64, i64) {
    violations
        .into_iter()
        .fold((0, 0, 0), |(area, min, max), v| {
            let built = if v.kind == ViolationKind::ParkingShortfall {
                0
            } else {
                v.fined_centi_m2
            };
            (
                area + built,
                min.saturating_add(v.fine.min_rials),
                max.saturating_add(v.fine.max_rials),
            )
        })
}
