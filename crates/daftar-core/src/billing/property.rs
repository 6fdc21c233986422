//! The facts of a property that billing depends on, parsed from the register.

use serde::Serialize;

/// What a property is used for; the tariff's coefficients are keyed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyUse {
    Residential,
    Commercial,
    Administrative,
    Industrial,
    Educational,
    Religious,
    VacantLand,
}

impl PropertyUse {
    pub const ALL: [PropertyUse; 7] = [
        PropertyUse::Residential,
        PropertyUse::Commercial,
        PropertyUse::Administrative,
        PropertyUse::Industrial,
        PropertyUse::Educational,
        PropertyUse::Religious,
        PropertyUse::VacantLand,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            PropertyUse::Residential => "residential",
            PropertyUse::Commercial => "commercial",
            PropertyUse::Administrative => "administrative",
            PropertyUse::Industrial => "industrial",
            PropertyUse::Educational => "educational",
            PropertyUse::Religious => "religious",
            PropertyUse::VacantLand => "vacant_land",
        }
    }

    pub fn name_fa(self) -> &'static str {
        match self {
            PropertyUse::Residential => "مسکونی",
            PropertyUse::Commercial => "تجاری",
            PropertyUse::Administrative => "اداری",
            PropertyUse::Industrial => "صنعتی",
            PropertyUse::Educational => "آموزشی",
            PropertyUse::Religious => "مذهبی",
            PropertyUse::VacantLand => "زمین بایر",
        }
    }

    /// Accepts the English slug or the Persian name, as registers write either.
    pub fn parse(input: &str) -> Option<PropertyUse> {
        let key = crate::fa::normalize_text(input).to_lowercase();
        PropertyUse::ALL
            .into_iter()
            .find(|kind| kind.slug() == key || crate::fa::normalize_text(kind.name_fa()) == key)
    }
}

/// An area in hundredths of a square metre, so that arithmetic on money stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Area(u64);

impl Area {
    pub fn from_centi_m2(centi: u64) -> Area {
        Area(centi)
    }

    pub fn centi_m2(self) -> u64 {
        self.0
    }

    /// Parses "120", "120.5" or "120.25" square metres (Persian digits and "٫" accepted).
    /// At most two decimals, at most 10,000,000 m².
    pub fn parse_m2(input: &str) -> Option<Area> {
        let text = crate::fa::normalize_digits(input.trim()).replace('٫', ".");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 8 {
            return None;
        }
        if fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: u64 = whole.parse().ok()?;
        let fraction: u64 = format!("{fraction:0<2}").parse().ok()?;
        (whole <= 10_000_000).then_some(Area(whole * 100 + fraction))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 % 100 {
            0 => write!(f, "{}", self.0 / 100),
            cents => write!(f, "{}.{cents:02}", self.0 / 100),
        }
    }
}

/// An owner's share of a property, in percent with up to two decimals (stored as
/// hundredths of a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Share(u32);

impl Share {
    pub fn parse_percent(input: &str) -> Option<Share> {
        let area = Area::parse_m2(input)?;
        let hundredths = u32::try_from(area.centi_m2()).ok()?;
        (hundredths > 0 && hundredths <= 10_000).then_some(Share(hundredths))
    }

    pub fn hundredths_of_percent(self) -> u32 {
        self.0
    }

    pub fn from_hundredths(hundredths: u32) -> Share {
        Share(hundredths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_are_read_in_english_or_persian() {
        assert_eq!(
            PropertyUse::parse("commercial"),
            Some(PropertyUse::Commercial)
        );
        assert_eq!(PropertyUse::parse("مسكوني"), Some(PropertyUse::Residential));
        assert_eq!(
            PropertyUse::parse("زمین بایر"),
            Some(PropertyUse::VacantLand)
        );
        assert_eq!(PropertyUse::parse("castle"), None);
    }

    #[test]
    fn areas_keep_two_decimals_exactly() {
        assert_eq!(Area::parse_m2("120").unwrap().centi_m2(), 12_000);
        assert_eq!(Area::parse_m2("120.5").unwrap().centi_m2(), 12_050);
        assert_eq!(Area::parse_m2("۱۲۰٫۲۵").unwrap().centi_m2(), 12_025);
        assert_eq!(Area::parse_m2("120.5").unwrap().to_string(), "120.50");
        assert_eq!(Area::parse_m2("0").unwrap().to_string(), "0");
        for bad in ["", "-1", "1.234", "abc", "1e3", "99999999999", ".5"] {
            assert_eq!(Area::parse_m2(bad), None, "{bad}");
        }
    }

    #[test]
    fn shares_are_percentages_above_zero_up_to_a_hundred() {
        assert_eq!(
            Share::parse_percent("50").unwrap().hundredths_of_percent(),
            5_000
        );
        assert_eq!(
            Share::parse_percent("33.33")
                .unwrap()
                .hundredths_of_percent(),
            3_333
        );
        assert_eq!(Share::parse_percent("0"), None);
        assert_eq!(Share::parse_percent("100.01"), None);
    }
}
