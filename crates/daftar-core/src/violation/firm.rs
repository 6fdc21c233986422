//! Fire-safety firms (شرکت‌های ایمنی و آتش‌نشانی) registered with the violation-review
//! unit: contractors and consultants approved by the fire department, named by building
//! files. A licence past its date shows as expired.

use serde::{Deserialize, Serialize};

use crate::calendar::JalaliDate;
use crate::ir::LegalId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FireSafetyFirm {
    pub name: String,
    /// The legal entity's national ID (شناسه ملی).
    pub legal_id: LegalId,
    pub licence_number: String,
    /// The last day the fire department's licence is valid.
    pub licence_valid_until: JalaliDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FirmError(pub &'static str);

impl FireSafetyFirm {
    /// A firm as typed: the name (2 to 200 characters), a valid legal ID, the licence's
    /// number (1 to 40 characters) and its Jalali date.
    pub fn new(
        name: &str,
        legal_id: &str,
        licence_number: &str,
        valid_until: &str,
    ) -> Result<FireSafetyFirm, FirmError> {
        let name = crate::fa::normalize_text(name.trim());
        if !(2..=200).contains(&name.chars().count()) {
            return Err(FirmError("firm.name"));
        }
        let legal_id = LegalId::parse(legal_id).map_err(|_| FirmError("firm.legal_id"))?;
        let licence_number = crate::fa::normalize_digits(licence_number.trim());
        if !(1..=40).contains(&licence_number.chars().count()) {
            return Err(FirmError("firm.licence"));
        }
        let licence_valid_until =
            JalaliDate::parse(&crate::fa::normalize_digits(valid_until.trim()))
                .map_err(|_| FirmError("firm.valid_until"))?;
        Ok(FireSafetyFirm {
            name,
            legal_id,
            licence_number,
            licence_valid_until,
        })
    }

    /// Whether the licence has lapsed on `today` (it is valid through its last day).
    pub fn expired(&self, today: JalaliDate) -> bool {
        today > self.licence_valid_until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firm_is_checked_and_its_licence_lapses_after_its_last_day() {
        let firm = FireSafetyFirm::new(" ایمن‌سازان البرز ", "10380284790", "۱۲۳/ا", "1405-09-30")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(firm.name, "ایمن‌سازان البرز");
        assert_eq!(firm.licence_number, "123/ا");
        let last = JalaliDate::new(1405, 9, 30).unwrap();
        assert!(!firm.expired(last));
        assert!(firm.expired(last.add_days(1)));
    }

    #[test]
    fn a_bad_field_is_refused_by_name() {
        assert_eq!(
            FireSafetyFirm::new("x", "10380284790", "1", "1405-01-01"),
            Err(FirmError("firm.name"))
        );
        assert_eq!(
            FireSafetyFirm::new("شرکت", "10380284791", "1", "1405-01-01"),
            Err(FirmError("firm.legal_id"))
        );
        assert_eq!(
            FireSafetyFirm::new("شرکت", "10380284790", " ", "1405-01-01"),
            Err(FirmError("firm.licence"))
        );
        assert_eq!(
            FireSafetyFirm::new("شرکت", "10380284790", "1", "1405-13-01"),
            Err(FirmError("firm.valid_until"))
        );
    }
}
