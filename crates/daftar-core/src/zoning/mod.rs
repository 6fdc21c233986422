//! The detailed plan (طرح تفصیلی) as data: sub-zones and their rules ([`rules`]), and
//! the map order (دستور نقشه) a plot gets from them ([`map_order`]), and the zoning map
//! that says where each zone lies ([`map`]).
//!

pub mod map;
pub mod map_order;
pub mod rules;

pub use map::{AreaFlag, ZoneFeature, ZoneIndex, ZoningMapError, parse_zoning_map};
pub use map_order::{MapOrder, PlotFacts, Setback, Side, ZoneShare};
pub use rules::{ParkingRule, SubZone, ZoneRules, ZoneRulesError};

use serde::{Deserialize, Serialize};

/// The four families of the detailed plan's zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// R: housing (سکونت).
    Housing,
    /// S: activity (فعالیت).
    Activity,
    /// M: mixed (مختلط).
    Mixed,
    /// G: green and open space (سبز و باز).
    Green,
}

impl Family {
    pub fn letter(self) -> char {
        match self {
            Family::Housing => 'R',
            Family::Activity => 'S',
            Family::Mixed => 'M',
            Family::Green => 'G',
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Family::Housing => "housing",
            Family::Activity => "activity",
            Family::Mixed => "mixed",
            Family::Green => "green",
        }
    }

    pub fn name(self) -> crate::text::Text<&'static str> {
        let (fa, en) = match self {
            Family::Housing => ("سکونت", "Housing"),
            Family::Activity => ("فعالیت", "Activity"),
            Family::Mixed => ("مختلط", "Mixed"),
            Family::Green => ("سبز و باز", "Green and open space"),
        };
        crate::text::Text { fa, en }
    }
}

/// A sub-zone's code as the plan writes it: the family's letter and three digits, `R121`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubZoneCode(String);

impl SubZoneCode {
    pub fn parse(input: &str) -> Option<SubZoneCode> {
        let code = crate::fa::normalize_digits(input.trim()).to_ascii_uppercase();
        let mut chars = code.chars();
        let letter = chars.next()?;
        let valid = matches!(letter, 'R' | 'S' | 'M' | 'G')
            && code.len() == 4
            && chars.all(|c| c.is_ascii_digit());
        valid.then_some(SubZoneCode(code))
    }

    pub fn family(&self) -> Family {
        match self.0.as_bytes()[0] {
            b'R' => Family::Housing,
            b'S' => Family::Activity,
            b'M' => Family::Mixed,
            _ => Family::Green,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SubZoneCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        SubZoneCode::parse(&value).ok_or_else(|| format!("not a sub-zone code: {value:?}"))
    }
}

impl From<SubZoneCode> for String {
    fn from(code: SubZoneCode) -> String {
        code.0
    }
}

impl std::fmt::Display for SubZoneCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_zone_codes_are_a_family_letter_and_three_digits() {
        let code = SubZoneCode::parse(" r۱۲۱ ").unwrap();
        assert_eq!(code.as_str(), "R121");
        assert_eq!(code.family(), Family::Housing);
        assert_eq!(SubZoneCode::parse("G111").unwrap().family(), Family::Green);
        for bad in ["", "R12", "R1211", "X121", "121R", "R12a"] {
            assert!(SubZoneCode::parse(bad).is_none(), "{bad}");
        }
    }
}
