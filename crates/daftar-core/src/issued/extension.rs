//! A building permit's extension (wave2-domain §3): asked for before the permit's term
//! ends, the term is extended by the months the permit's own terms name, as many times as
//! they allow free of charge. The permit states its terms as the fact `extension`
//! (`COUNTxMONTHS`, from the year's tariff when it was issued) and the extensions it has
//! had as `extended`; the extended permit is a new document that supersedes the old one.

use std::collections::BTreeMap;

use super::{DocumentKind, IssuedRecord};
use crate::calendar::JalaliDate;

/// The fact that states a permit's free extensions, `COUNTxMONTHS`.
pub const EXTENSION_TERMS: &str = "extension";
/// The fact that counts the extensions a permit has had.
pub const EXTENDED: &str = "extended";

/// Why a document cannot be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefused {
    #[error("only a building permit with a term is extended")]
    NotExtendable,
    #[error("the permit's term has ended; it is extended only when asked for before its end")]
    Lapsed,
    #[error("the permit has had every free extension its terms allow")]
    Used,
}

impl ExtensionRefused {
    /// The error code the API and the pages answer with.
    pub fn code(self) -> &'static str {
        match self {
            ExtensionRefused::NotExtendable => "issued.not_extendable",
            ExtensionRefused::Lapsed => "issued.lapsed",
            ExtensionRefused::Used => "issued.extensions_used",
        }
    }
}

/// The facts and the term of `permit` extended on `today`.
pub fn extended(
    permit: &IssuedRecord,
    today: JalaliDate,
) -> Result<(BTreeMap<String, String>, JalaliDate), ExtensionRefused> {
    if permit.kind != DocumentKind::BuildingPermit {
        return Err(ExtensionRefused::NotExtendable);
    }
    let until = permit
        .valid_until()
        .ok_or(ExtensionRefused::NotExtendable)?;
    let (allowed, months) = permit
        .facts
        .get(EXTENSION_TERMS)
        .and_then(|terms| terms.split_once('x'))
        .and_then(|(count, months)| Some((count.parse::<u32>().ok()?, months.parse::<u32>().ok()?)))
        .ok_or(ExtensionRefused::NotExtendable)?;
    if months == 0 {
        return Err(ExtensionRefused::NotExtendable);
    }
    if today > until {
        return Err(ExtensionRefused::Lapsed);
    }
    let had = permit
        .facts
        .get(EXTENDED)
        .and_then(|count| count.parse::<u32>().ok())
        .unwrap_or(0);
    if had >= allowed {
        return Err(ExtensionRefused::Used);
    }
    let new_until = until
        .checked_add_months(months)
        .ok_or(ExtensionRefused::NotExtendable)?;
    let mut facts = permit.facts.clone();
    facts.insert(EXTENDED.into(), (had + 1).to_string());
    Ok((facts, new_until))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issued::{OfficeKey, Serial, Subject};

    fn day(year: i32, month: u8, day: u8) -> JalaliDate {
        JalaliDate::new(year, month, day).unwrap()
    }

    fn record(
        kind: DocumentKind,
        facts: &[(&str, &str)],
        until: Option<JalaliDate>,
    ) -> IssuedRecord {
        IssuedRecord::new(
            kind,
            &Serial::from_random(7),
            Subject::Case {
                tracking_code: "ABCD2345".into(),
            },
            facts
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            day(1405, 9, 13),
            until,
            &OfficeKey::from_secret(&[7; 32]).id(),
        )
        .unwrap()
    }

    #[test]
    fn a_permit_asked_before_its_end_is_extended_once_by_its_own_months() {
        let permit = record(
            DocumentKind::BuildingPermit,
            &[("extension", "1x12"), ("floors", "4")],
            Some(day(1408, 9, 13)),
        );
        let (facts, until) = extended(&permit, day(1408, 9, 13)).unwrap();
        assert_eq!(until, day(1409, 9, 13));
        assert_eq!(facts.get("extended").map(String::as_str), Some("1"));
        assert_eq!(facts.get("floors").map(String::as_str), Some("4"));

        let again = record(
            DocumentKind::BuildingPermit,
            &[("extension", "1x12"), ("extended", "1")],
            Some(until),
        );
        assert_eq!(
            extended(&again, day(1409, 1, 1)),
            Err(ExtensionRefused::Used)
        );
    }

    #[test]
    fn a_lapsed_permit_or_another_kind_is_not_extended() {
        let permit = record(
            DocumentKind::BuildingPermit,
            &[("extension", "1x12")],
            Some(day(1408, 9, 13)),
        );
        assert_eq!(
            extended(&permit, day(1408, 9, 14)),
            Err(ExtensionRefused::Lapsed)
        );
        let certificate = record(
            DocumentKind::NoViolationCertificate,
            &[("extension", "1x12")],
            Some(day(1408, 9, 13)),
        );
        assert_eq!(
            extended(&certificate, day(1406, 1, 1)),
            Err(ExtensionRefused::NotExtendable)
        );
        let no_terms = record(DocumentKind::BuildingPermit, &[], Some(day(1408, 9, 13)));
        assert_eq!(
            extended(&no_terms, day(1406, 1, 1)),
            Err(ExtensionRefused::NotExtendable)
        );
    }
}
