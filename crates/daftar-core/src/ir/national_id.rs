//! The national ID of a person (کد ملی): ten digits, the last a mod-11 check digit.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, digits_of, is_ascii_digits, mask_all_but_last, normalize, parse_impls};

/// A person's national ID, always ten ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct NationalId(String);

impl NationalId {
    /// Parses a national ID. Eight or nine digits are padded with leading zeros, because
    /// spreadsheets store the ID as a number and drop them; dashes and spaces (the card
    /// prints `049-937089-9`) are ignored. The place-of-issue prefix is not checked: the
    /// published prefix lists have gaps, and refusing a real citizen costs more than
    /// accepting an unlisted prefix.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text: String = normalize(input)
            .chars()
            .filter(|&c| c != '-' && c != ' ')
            .collect();
        if !(8..=10).contains(&text.len()) || !is_ascii_digits(&text) {
            return Err(IdError::NationalIdFormat);
        }
        let padded = format!("{text:0>10}");
        let d = digits_of(&padded);
        // All-same IDs such as 1111111111 pass the checksum but were never issued.
        let all_same = d.windows(2).all(|w| w[0] == w[1]);
        let middle_zero = d[3..9].iter().all(|&x| x == 0);
        if all_same || middle_zero || d[9] != check_digit(&d[..9]) {
            return Err(IdError::NationalIdInvalid);
        }
        Ok(Self(padded))
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the last four digits, e.g. `******0899`, for pages that must not show the ID.
    pub fn masked(&self) -> String {
        mask_all_but_last(&self.0, 4)
    }
}

/// The check digit of the first nine digits: r = Σ d[i]·(10 − i) mod 11, then r itself
/// when r < 2, else 11 − r. Remainders 1 and 10 both give 1.
fn check_digit(body: &[u8]) -> u8 {
    let r = body
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum::<u32>()
        % 11;
    let c = if r < 2 { r } else { 11 - r };
    u8::try_from(c).unwrap_or(u8::MAX)
}

parse_impls!(NationalId);

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<NationalId> for String {
    fn from(id: NationalId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::{IntoDeserializer, value::Error as DeError};

    /// The remainder of section 2, computed here independently of the code under test.
    fn remainder(s: &[u8]) -> u32 {
        (0..9)
            .map(|i| u32::from(s[i]) * (10 - i as u32))
            .sum::<u32>()
            % 11
    }

    fn text(d: &[u8]) -> String {
        d.iter().map(|x| char::from(b'0' + x)).collect()
    }

    fn structurally_allowed(d: &[u8]) -> bool {
        d.iter().any(|&x| x != d[0]) && d[3..9].iter().any(|&x| x != 0)
    }

    #[test]
    fn the_published_valid_national_ids_parse() {
        for id in ["0499370899", "0790419904", "1583250689", "0684159414"] {
            assert_eq!(
                NationalId::parse(id).map(|n| n.0),
                Ok(id.to_owned()),
                "{id}"
            );
        }
    }

    #[test]
    fn an_eight_digit_national_id_is_padded_with_zeros() {
        assert_eq!(
            NationalId::parse("68415941").map(|n| n.0),
            Ok("0068415941".to_owned())
        );
        assert_eq!(
            NationalId::parse("499370899").map(|n| n.0),
            Ok("0499370899".to_owned())
        );
    }

    #[test]
    fn the_published_invalid_national_ids_are_refused() {
        for id in ["1234567890", "0010000000", "1111111111", "0684159415"] {
            assert_eq!(
                NationalId::parse(id),
                Err(IdError::NationalIdInvalid),
                "{id}"
            );
        }
    }

    #[test]
    fn all_same_digits_are_refused_even_though_they_pass_the_checksum() {
        let d = digits_of("1111111111");
        assert_eq!(check_digit(&d[..9]), 1);
        assert_eq!(
            NationalId::parse("1111111111"),
            Err(IdError::NationalIdInvalid)
        );
    }

    #[test]
    fn zeros_in_digits_four_to_nine_are_refused_even_with_a_correct_check_digit() {
        for id in ["0010000003", "1230000003"] {
            let d = digits_of(id);
            assert_eq!(check_digit(&d[..9]), d[9], "{id} passes the checksum");
            assert_eq!(
                NationalId::parse(id),
                Err(IdError::NationalIdInvalid),
                "{id}"
            );
        }
    }

    #[test]
    fn wrong_lengths_and_letters_are_format_errors() {
        for id in ["", "1234567", "12345678901", "04993708a9", "0499 3708 99x"] {
            assert_eq!(
                NationalId::parse(id),
                Err(IdError::NationalIdFormat),
                "{id}"
            );
        }
    }

    #[test]
    fn persian_and_arabic_digits_spaces_and_the_card_dashes_are_accepted() {
        for input in ["۰۴۹۹۳۷۰۸۹۹", "٠٤٩٩٣٧٠٨٩٩", "  0499370899\t", "049-937089-9"]
        {
            assert_eq!(
                NationalId::parse(input).map(|n| n.0),
                Ok("0499370899".to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn a_masked_national_id_shows_only_its_last_four_digits() {
        let id = NationalId::parse("0499370899").unwrap();
        assert_eq!(id.masked(), "******0899");
        assert_eq!(id.to_string(), "0499370899");
        assert_eq!(id.as_str(), "0499370899");
    }

    #[test]
    fn a_national_id_deserialises_through_parse_and_serialises_as_its_digits() {
        let ok = NationalId::deserialize("۰۴۹۹۳۷۰۸۹۹".into_deserializer());
        let ok: Result<NationalId, DeError> = ok;
        assert_eq!(ok.map(String::from), Ok("0499370899".to_owned()));
        let bad: Result<NationalId, DeError> =
            NationalId::deserialize("1234567890".into_deserializer());
        assert!(bad.is_err());
    }

    #[test]
    fn a_one_digit_change_that_swaps_remainders_one_and_ten_stays_valid() {
        // 7049996221 has r = 1; raising the first digit by 2 adds 2·10 ≡ 9 (mod 11), so
        // r becomes 10, whose check digit is also 1. The checksum cannot see this change.
        let (before, after) = ("7049996221", "9049996221");
        assert_eq!(remainder(&digits_of(before)), 1);
        assert_eq!(remainder(&digits_of(after)), 10);
        assert!(NationalId::parse(before).is_ok());
        assert!(NationalId::parse(after).is_ok());
    }

    proptest! {
        /// Changing body digit i by δ moves r by δ·(10 − i) mod 11, never 0 because 11 is
        /// prime and |δ|, 10 − i < 11; so the check digit changes unless r goes between
        /// 1 and 10. Changing the check digit itself always fails. Nothing else survives.
        #[test]
        fn a_generated_national_id_validates_and_one_digit_changes_fail_unless_remainders_one_and_ten_swap(
            body in proptest::array::uniform9(0u8..10)
        ) {
            let r = remainder(&body);
            let mut id = body.to_vec();
            id.push(u8::try_from(if r < 2 { r } else { 11 - r }).unwrap());
            prop_assume!(structurally_allowed(&id));
            prop_assert!(NationalId::parse(&text(&id)).is_ok());

            for pos in 0..10 {
                for digit in (0..10).filter(|&x| x != id[pos]) {
                    let mut changed = id.clone();
                    changed[pos] = digit;
                    let accepted = NationalId::parse(&text(&changed)).is_ok();
                    let r2 = remainder(&changed);
                    if pos < 9 {
                        prop_assert_ne!(r, r2);
                    }
                    let swapped = pos < 9 && ((r, r2) == (1, 10) || (r, r2) == (10, 1));
                    prop_assert_eq!(accepted, swapped && structurally_allowed(&changed),
                        "{} -> {}", text(&id), text(&changed));
                }
            }
        }
    }
}
