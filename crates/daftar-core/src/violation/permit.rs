//! What a property's permit allowed: each floor's area and use, and the parking spaces.
//! Recorded by permit drafting (or the register import) so that a later sketch of the
//! property is compared with it.

use serde::{Deserialize, Serialize};

use crate::sketch::PartUse;

/// One floor a permit allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitFloor {
    /// 0 the ground floor, −1 the first basement.
    pub level: i16,
    pub area_centi_m2: i64,
    #[serde(rename = "use")]
    pub floor_use: PartUse,
}

impl PermitFloor {
    /// A floor as typed, its area in square metres; an area that is not a number, or
    /// beyond the permit's bounds, is refused.
    pub fn from_m2(
        level: i16,
        area_m2: f64,
        floor_use: PartUse,
    ) -> Result<PermitFloor, PermitError> {
        if !area_m2.is_finite() || area_m2 <= 0.0 || area_m2 > 1_000_000.0 {
            return Err(PermitError::Area);
        }
        Ok(PermitFloor {
            level,
            area_centi_m2: (area_m2 * 100.0).round() as i64,
            floor_use,
        })
    }
}

/// What a permit allows, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitAllowance {
    /// The permit's number, as the district wrote it.
    pub number: String,
    pub floors: Vec<PermitFloor>,
    pub parking_spaces: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PermitError {
    #[error("a permit needs its number")]
    NoNumber,
    #[error("a permit allows at least one floor")]
    NoFloors,
    #[error("a floor's level must be between -5 and 60")]
    Level,
    #[error("two floors at the same level")]
    SameLevel,
    #[error("a floor's area must be more than 0 and at most 1,000,000 m²")]
    Area,
    #[error("at most 2,000 parking spaces")]
    Parking,
}

impl PermitError {
    pub fn code(self) -> &'static str {
        match self {
            PermitError::NoNumber => "permit.number",
            PermitError::NoFloors => "permit.no_floors",
            PermitError::Level => "permit.level",
            PermitError::SameLevel => "permit.same_level",
            PermitError::Area => "permit.area",
            PermitError::Parking => "permit.parking",
        }
    }
}

impl PermitAllowance {
    /// Checks a permit as typed; floors are kept from the lowest up.
    pub fn new(
        number: &str,
        mut floors: Vec<PermitFloor>,
        parking_spaces: u32,
    ) -> Result<PermitAllowance, PermitError> {
        let number = number.trim();
        if number.is_empty() || number.chars().count() > 40 {
            return Err(PermitError::NoNumber);
        }
        if floors.is_empty() {
            return Err(PermitError::NoFloors);
        }
        if floors.len() > 70 {
            return Err(PermitError::Level);
        }
        for floor in &floors {
            if !(-5..=60).contains(&floor.level) {
                return Err(PermitError::Level);
            }
            if floor.area_centi_m2 <= 0 || floor.area_centi_m2 > 100_000_000 {
                return Err(PermitError::Area);
            }
        }
        floors.sort_by_key(|floor| floor.level);
        if floors.windows(2).any(|pair| pair[0].level == pair[1].level) {
            return Err(PermitError::SameLevel);
        }
        if parking_spaces > 2000 {
            return Err(PermitError::Parking);
        }
        Ok(PermitAllowance {
            number: number.to_owned(),
            floors,
            parking_spaces,
        })
    }

    pub fn floor(&self, level: i16) -> Option<&PermitFloor> {
        self.floors.iter().find(|floor| floor.level == level)
    }
}
