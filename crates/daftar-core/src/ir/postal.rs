//! The ten-digit Iranian postal code (کد پستی).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, is_ascii_digits, normalize, parse_impls};

/// A postal code, always ten ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PostalCode(String);

impl PostalCode {
    /// Parses ten digits, or five, a dash and five (`16197-35744`, as it is often
    /// written). The first five digits are never 0 or 2 (no postal zone uses them), and
    /// the first four are never one digit repeated.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let mut text = normalize(input);
        // The dash is one ASCII byte, so removing it keeps the string on character
        // boundaries.
        if text.len() == 11 && text.as_bytes().get(5) == Some(&b'-') {
            text.remove(5);
        }
        if text.len() != 10 || !is_ascii_digits(&text) {
            return Err(IdError::PostalCodeInvalid);
        }
        let bytes = text.as_bytes();
        let zone_ok = bytes[..5].iter().all(|b| !matches!(b, b'0' | b'2'));
        let repeated = bytes[1..4].iter().all(|b| *b == bytes[0]);
        if !zone_ok || repeated {
            return Err(IdError::PostalCodeInvalid);
        }
        Ok(Self(text))
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

parse_impls!(PostalCode);

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<PostalCode> for String {
    fn from(p: PostalCode) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_valid_postal_codes_parse() {
        for code in ["1619735744", "5174643119", "1416932790"] {
            assert_eq!(
                PostalCode::parse(code).map(String::from),
                Ok(code.to_owned())
            );
        }
    }

    #[test]
    fn the_published_invalid_postal_codes_are_refused() {
        for code in ["0123456789", "2987654321", "1111735744"] {
            assert_eq!(
                PostalCode::parse(code),
                Err(IdError::PostalCodeInvalid),
                "{code}"
            );
        }
    }

    #[test]
    fn a_dash_after_the_fifth_digit_and_persian_digits_are_accepted() {
        for input in ["16197-35744", " ۱۶۱۹۷-۳۵۷۴۴ ", "١٦١٩٧٣٥٧٤٤"] {
            assert_eq!(
                PostalCode::parse(input).map(|p| p.as_str().to_owned()),
                Ok("1619735744".to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn a_zero_or_two_anywhere_in_the_first_five_digits_is_refused() {
        for code in ["1019735744", "1629735744", "1619035744", "1619235744"] {
            assert_eq!(
                PostalCode::parse(code),
                Err(IdError::PostalCodeInvalid),
                "{code}"
            );
        }
        // Later digits may be anything.
        assert!(PostalCode::parse("1619700000").is_ok());
    }

    #[test]
    fn misplaced_dashes_wrong_lengths_and_letters_are_refused() {
        for code in [
            "1619-735744",
            "161973574",
            "16197357445",
            "16197-3574a",
            "",
            "16197--35744",
        ] {
            assert_eq!(
                PostalCode::parse(code),
                Err(IdError::PostalCodeInvalid),
                "{code}"
            );
        }
    }
}
