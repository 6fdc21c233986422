//! The national identifier of a legal entity (شناسه ملی): eleven digits, the last a
//! mod-11 check digit that also mixes in the tenth digit.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, digits_of, is_ascii_digits, mask_all_but_last, normalize, parse_impls};

/// The weights of section 2, applied to the first ten digits.
const WEIGHTS: [u32; 10] = [29, 27, 23, 19, 17, 29, 27, 23, 19, 17];

/// A legal entity's national identifier, always eleven ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct LegalId(String);

impl LegalId {
    /// Parses an identifier of exactly eleven digits. Unlike the personal ID there is no
    /// padding: the identifier has no leading zeros to lose.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = normalize(input);
        if text.len() != 11 || !is_ascii_digits(&text) {
            return Err(IdError::LegalIdFormat);
        }
        let d = digits_of(&text);
        let middle_zero = d[3..9].iter().all(|&x| x == 0);
        if middle_zero || d[10] != check_digit(&d[..10]) {
            return Err(IdError::LegalIdInvalid);
        }
        Ok(Self(text))
    }

    /// The eleven digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the last four digits, e.g. `*******4790`.
    pub fn masked(&self) -> String {
        mask_all_but_last(&self.0, 4)
    }
}

/// d = tenth digit + 2; r = Σ (digit + d)·weight mod 11, with 10 read as 0 (so
/// remainders 0 and 10 both give 0).
fn check_digit(body: &[u8]) -> u8 {
    let d = body.get(9).map_or(0, |&x| u32::from(x)) + 2;
    let r = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&x, w)| (u32::from(x) + d) * w)
        .sum::<u32>()
        % 11;
    u8::try_from(r % 10).unwrap_or(u8::MAX)
}

parse_impls!(LegalId);

impl fmt::Display for LegalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<LegalId> for String {
    fn from(id: LegalId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The remainder of section 2, before 10 is read as 0, computed here independently.
    fn remainder(s: &[u8]) -> u32 {
        let d = u32::from(s[9]) + 2;
        (0..10)
            .map(|i| (u32::from(s[i]) + d) * WEIGHTS[i])
            .sum::<u32>()
            % 11
    }

    fn text(d: &[u8]) -> String {
        d.iter().map(|x| char::from(b'0' + x)).collect()
    }

    #[test]
    fn the_published_valid_legal_id_parses() {
        let id = LegalId::parse("10380284790").unwrap();
        assert_eq!(id.as_str(), "10380284790");
        assert_eq!(id.to_string(), "10380284790");
        assert_eq!(id.masked(), "*******4790");
    }

    #[test]
    fn the_published_invalid_legal_ids_are_refused() {
        for id in ["10380284792", "10380285692", "11111111111"] {
            assert_eq!(LegalId::parse(id), Err(IdError::LegalIdInvalid), "{id}");
        }
    }

    #[test]
    fn a_legal_id_with_zeros_in_the_middle_is_refused() {
        // The checksum alone would pass: find the check digit for 1230000000x.
        let mut d = digits_of("1230000000");
        d.push(check_digit(&d));
        assert_eq!(LegalId::parse(&text(&d)), Err(IdError::LegalIdInvalid));
    }

    #[test]
    fn a_legal_id_needs_exactly_eleven_digits() {
        for id in ["1038028479", "103802847900", "1038028479x", ""] {
            assert_eq!(LegalId::parse(id), Err(IdError::LegalIdFormat), "{id}");
        }
    }

    #[test]
    fn a_legal_id_in_persian_digits_is_accepted() {
        assert_eq!(
            LegalId::parse(" ۱۰۳۸۰۲۸۴۷۹۰ ").map(String::from),
            Ok("10380284790".to_owned())
        );
    }

    #[test]
    fn one_digit_changes_of_the_published_id_that_move_its_remainder_from_zero_to_ten_stay_valid() {
        // 10380284790 has r = 0 (check digit 0); these changes take r to 10, read as 0.
        assert_eq!(remainder(&digits_of("10380284790")), 0);
        for changed in ["40380284790", "10389284790", "10380284700"] {
            assert_eq!(remainder(&digits_of(changed)), 10, "{changed}");
            assert!(LegalId::parse(changed).is_ok(), "{changed}");
        }
    }

    proptest! {
        /// Changing digit i < 9 by δ moves r by δ·weight; changing the tenth digit moves
        /// it by δ·(17 + Σ weights) = δ·247 ≡ 5δ. Neither is 0 mod 11, so the check digit
        /// changes unless r goes between 0 and 10; changing the check digit always fails.
        #[test]
        fn a_generated_legal_id_validates_and_one_digit_changes_fail_unless_remainders_zero_and_ten_swap(
            body in proptest::array::uniform10(0u8..10)
        ) {
            prop_assume!(body[3..9].iter().any(|&x| x != 0));
            let r = remainder(&body);
            let mut id = body.to_vec();
            id.push(u8::try_from(if r == 10 { 0 } else { r }).unwrap());
            prop_assert!(LegalId::parse(&text(&id)).is_ok());

            for pos in 0..11 {
                for digit in (0..10).filter(|&x| x != id[pos]) {
                    let mut changed = id.clone();
                    changed[pos] = digit;
                    let accepted = LegalId::parse(&text(&changed)).is_ok();
                    let r2 = remainder(&changed);
                    if pos < 10 {
                        prop_assert_ne!(r, r2);
                    }
                    let swapped = pos < 10 && ((r, r2) == (0, 10) || (r, r2) == (10, 0));
                    let allowed = changed[3..9].iter().any(|&x| x != 0);
                    prop_assert_eq!(accepted, swapped && allowed,
                        "{} -> {}", text(&id), text(&changed));
                }
            }
        }
    }
}
