//! Iranian mobile numbers: stored in E.164 (`+989…`), shown in the local form (`09…`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, is_ascii_digits, normalize, parse_impls};

/// An Iranian mobile number. Holds the ten national digits (`9121234567`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Mobile(String);

impl Mobile {
    /// Parses `09…`, `9…`, `+989…`, `00989…` or `989…` followed by the rest of
    /// `9\d{9}`. Spaces, dashes and parentheses are ignored, and so is a `0` typed after
    /// the country code (`+98 0912…`). The operator prefix is never checked: numbers are
    /// portable and new prefixes appear.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text: String = normalize(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let after_country = text
            .strip_prefix("+98")
            .or_else(|| text.strip_prefix("0098"))
            // A bare 98 is only a country code when a full number follows it.
            .or_else(|| text.strip_prefix("98").filter(|rest| rest.len() == 10))
            .unwrap_or(&text);
        let national = after_country.strip_prefix('0').unwrap_or(after_country);
        if national.len() == 10 && national.starts_with('9') && is_ascii_digits(national) {
            Ok(Self(national.to_owned()))
        } else {
            Err(IdError::MobileInvalid)
        }
    }

    /// The E.164 form, `+989121234567`: what is stored and sent to SMS gateways.
    pub fn e164(&self) -> String {
        format!("+98{}", self.0)
    }

    /// The local form, `09121234567`: what citizens read and type.
    pub fn local(&self) -> String {
        format!("0{}", self.0)
    }

    /// The local form with its middle hidden, `0912***4567`.
    pub fn masked(&self) -> String {
        let local = self.local();
        let head = local.get(..4).unwrap_or_default();
        let tail = local.get(7..).unwrap_or_default();
        format!("{head}***{tail}")
    }
}

parse_impls!(Mobile);

/// Shows the local form.
impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0{}", self.0)
    }
}

/// Serialises to E.164, the stored form.
impl From<Mobile> for String {
    fn from(m: Mobile) -> String {
        m.e164()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_prefix_gives_the_same_number() {
        for input in [
            "09121234567",
            "9121234567",
            "+989121234567",
            "00989121234567",
            "989121234567",
            "+98 912 123 4567",
            "0912-123-4567",
            "+98 (0) 912 123 4567",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "٠٩١٢١٢٣٤٥٦٧",
            "  09121234567\n",
        ] {
            let m = Mobile::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(m.e164(), "+989121234567", "{input}");
        }
    }

    #[test]
    fn a_mobile_number_shows_locally_stores_in_e164_and_masks_its_middle() {
        let m = Mobile::parse("+989121234567").unwrap();
        assert_eq!(m.local(), "09121234567");
        assert_eq!(m.to_string(), "09121234567");
        assert_eq!(m.masked(), "0912***4567");
        assert_eq!(String::from(m), "+989121234567");
    }

    #[test]
    fn any_operator_prefix_is_accepted_because_numbers_are_portable() {
        for input in ["09011234567", "09981234567", "09411234567", "09991234567"] {
            assert!(Mobile::parse(input).is_ok(), "{input}");
        }
    }

    #[test]
    fn numbers_that_are_not_iranian_mobiles_are_refused() {
        for input in [
            "",
            "02112345678",
            "08121234567",
            "0912123456",
            "091212345678",
            "+14155550100",
            "+99891212345",
            "0912123456x",
        ] {
            assert_eq!(Mobile::parse(input), Err(IdError::MobileInvalid), "{input}");
        }
    }
}
