//! Sheba (شبا), the Iranian IBAN: `IR`, two check digits, 22 digits; ISO 7064 mod 97.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, digits_of, is_ascii_digits, normalize, parse_impls};

/// Bank codes (digits 5–7 of a Sheba) and Persian bank names. Kept as data: banks merge
/// and new ones get codes. Several of these merged into Bank Sepah in 1398–1399, but
/// numbers under their old codes still circulate, so the old names stay.
const BANKS: &[(&str, &str)] = &[
    ("010", "بانک مرکزی جمهوری اسلامی ایران"),
    ("011", "بانک صنعت و معدن"),
    ("012", "بانک ملت"),
    ("013", "بانک رفاه کارگران"),
    ("014", "بانک مسکن"),
    ("015", "بانک سپه"),
    ("016", "بانک کشاورزی"),
    ("017", "بانک ملی ایران"),
    ("018", "بانک تجارت"),
    ("019", "بانک صادرات ایران"),
    ("020", "بانک توسعه صادرات ایران"),
    ("021", "پست بانک ایران"),
    ("022", "بانک توسعه تعاون"),
    ("051", "موسسه اعتباری توسعه"),
    ("052", "بانک قوامین"),
    ("053", "بانک کارآفرین"),
    ("054", "بانک پارسیان"),
    ("055", "بانک اقتصاد نوین"),
    ("056", "بانک سامان"),
    ("057", "بانک پاسارگاد"),
    ("058", "بانک سرمایه"),
    ("059", "بانک سینا"),
    ("060", "بانک قرض‌الحسنه مهر ایران"),
    ("061", "بانک شهر"),
    ("062", "بانک آینده"),
    ("063", "بانک انصار"),
    ("064", "بانک گردشگری"),
    ("065", "بانک حکمت ایرانیان"),
    ("066", "بانک دی"),
    ("069", "بانک ایران زمین"),
    ("070", "بانک قرض‌الحسنه رسالت"),
    ("073", "موسسه اعتباری کوثر"),
    ("075", "موسسه اعتباری ملل"),
    ("078", "بانک خاورمیانه"),
    ("079", "بانک مهر اقتصاد"),
    ("080", "موسسه اعتباری نور"),
    ("095", "بانک ایران و ونزوئلا"),
];

/// A Sheba number, held as 26 characters: `IR` and 24 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Sheba(String);

impl Sheba {
    /// Parses a Sheba number, in upper or lower case, with or without the spaces and
    /// dashes it is usually printed with. An unknown bank code is not an error (see
    /// [`Sheba::bank_name_fa`]): the checksum is what makes a number valid.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text: String = normalize(input)
            .chars()
            .filter(|&c| c != ' ' && c != '-')
            .collect::<String>()
            .to_uppercase();
        let digits = text.strip_prefix("IR").unwrap_or_default();
        if digits.len() != 24 || !is_ascii_digits(digits) {
            return Err(IdError::ShebaFormat);
        }
        if mod97(digits) != 1 {
            return Err(IdError::ShebaChecksum);
        }
        Ok(Self(text))
    }

    /// The 26 characters, e.g. `IR820540102680020817909002`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number in groups of four, as banks print it: `IR82 0540 1026 …`.
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(32);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }

    /// The three-digit bank code, e.g. `054`.
    pub fn bank_code(&self) -> &str {
        self.0.get(4..7).unwrap_or_default()
    }

    /// The bank's Persian name, or `None` for a code the table does not know yet; the
    /// caller may warn, but the number stays valid.
    pub fn bank_name_fa(&self) -> Option<&'static str> {
        let code = self.bank_code();
        BANKS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, name)| *name)
    }
}

/// The ISO 13616 check: the 22 account digits, then `IR` as 18 27, then the two check
/// digits, read as one number mod 97. `digits` is the 24 digits after `IR`.
fn mod97(digits: &str) -> u32 {
    let (check, account) = digits.split_at(2.min(digits.len()));
    let rearranged = format!("{account}1827{check}");
    digits_of(&rearranged)
        .into_iter()
        .fold(0u32, |r, d| (r * 10 + u32::from(d)) % 97)
}

parse_impls!(Sheba);

impl fmt::Display for Sheba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Sheba> for String {
    fn from(s: Sheba) -> String {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a Sheba from 22 account digits, computing the check digits as ISO 13616
    /// does (98 − the remainder with `00` in their place), independently of `parse`.
    fn make(account: &str) -> String {
        let r = format!("{account}182700")
            .bytes()
            .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        format!("IR{:02}{account}", 98 - r)
    }

    #[test]
    fn the_published_valid_sheba_numbers_parse_with_their_banks() {
        for (sheba, code, bank) in [
            ("IR820540102680020817909002", "054", "بانک پارسیان"),
            ("IR550570022080013447370101", "057", "بانک پاسارگاد"),
            ("IR790610000000700796858044", "061", "بانک شهر"),
        ] {
            let s = Sheba::parse(sheba).unwrap_or_else(|e| panic!("{sheba}: {e}"));
            assert_eq!(s.as_str(), sheba);
            assert_eq!(s.bank_code(), code);
            assert_eq!(s.bank_name_fa(), Some(bank));
        }
    }

    #[test]
    fn the_published_sheba_with_a_bad_checksum_is_refused() {
        assert_eq!(
            Sheba::parse("IR012345678901234567890123"),
            Err(IdError::ShebaChecksum)
        );
    }

    #[test]
    fn the_published_sheba_of_the_wrong_length_is_refused() {
        assert_eq!(
            Sheba::parse("IR01234567890123456789"),
            Err(IdError::ShebaFormat)
        );
    }

    #[test]
    fn a_sheba_without_ir_or_with_letters_is_a_format_error() {
        for s in [
            "",
            "820540102680020817909002",
            "DE820540102680020817909002",
            "IR82054010268002081790900X",
            "IRR820540102680020817909002",
        ] {
            assert_eq!(Sheba::parse(s), Err(IdError::ShebaFormat), "{s}");
        }
    }

    #[test]
    fn lowercase_spaces_dashes_and_persian_digits_are_accepted() {
        for s in [
            "ir82 0540 1026 8002 0817 9090 02",
            "  IR82-0540-1026-8002-0817-9090-02 ",
            "IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
        ] {
            assert_eq!(
                Sheba::parse(s).map(String::from),
                Ok("IR820540102680020817909002".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn a_sheba_prints_in_groups_of_four() {
        let s = Sheba::parse("IR820540102680020817909002").unwrap();
        assert_eq!(s.grouped(), "IR82 0540 1026 8002 0817 9090 02");
        assert_eq!(s.to_string(), "IR820540102680020817909002");
    }

    #[test]
    fn an_unknown_bank_code_is_valid_but_has_no_name() {
        let text = make("0990000000001234567890");
        let s = Sheba::parse(&text).unwrap();
        assert_eq!(s.bank_code(), "099");
        assert_eq!(s.bank_name_fa(), None);
    }

    #[test]
    fn every_bank_code_in_the_table_is_three_digits_and_listed_once() {
        let mut codes: Vec<&str> = BANKS.iter().map(|(c, _)| *c).collect();
        assert!(codes.iter().all(|c| c.len() == 3 && is_ascii_digits(c)));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), BANKS.len());
    }

    proptest! {
        /// Changing one digit by δ at place value 10^k moves the number by δ·10^k, and 97
        /// is a prime dividing neither, so mod 97 catches every one-digit change: here
        /// there is no exception to allow.
        #[test]
        fn a_generated_sheba_validates_and_every_one_digit_change_fails(
            account in "[0-9]{22}"
        ) {
            let text = make(&account);
            prop_assert!(Sheba::parse(&text).is_ok());
            for pos in 2..26 {
                for digit in (b'0'..=b'9').filter(|&b| b != text.as_bytes()[pos]) {
                    let mut changed = text.clone().into_bytes();
                    changed[pos] = digit;
                    let changed = String::from_utf8(changed).unwrap();
                    prop_assert_eq!(Sheba::parse(&changed), Err(IdError::ShebaChecksum),
                        "{} -> {}", text, changed);
                }
            }
        }
    }
}
