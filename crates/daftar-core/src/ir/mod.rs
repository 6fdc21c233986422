//! Iranian identifiers: the national ID of a person and of a legal entity, the mobile
//! number, bill and payment IDs with their barcode, Sheba, the postal code and the car
//! plate.
//!
//! Each value is a newtype whose only ways in are a `parse` (or a checked `new`), so
//! holding one means it is valid: "parse, don't validate". Every `parse` trims
//! surrounding whitespace, drops the invisible direction marks that copying from
//! right-to-left text leaves behind, and accepts Persian (۰–۹) and Arabic-Indic (٠–٩)
//! digits as well as ASCII ones. Every failure is an [`IdError`], whose
//! [`IdError::code`] is the stable key the server translates.
//!
//! The rules and the test vectors are those of IRAN_IDS.md (sections 1–6); each file's
//! tests name them.

mod barcode;
mod bill;
mod legal_id;
mod luhn;
mod mobile;
mod national_id;
mod payment;
mod plate;
mod postal;
mod sheba;

pub use barcode::Barcode;
pub use bill::{BillId, ServiceType, check_digit};
pub use legal_id::LegalId;
pub use luhn::{LuhnCodeError, luhn_code, luhn_digit, luhn_valid, parse_luhn_code};
pub use mobile::Mobile;
pub use national_id::NationalId;
pub use payment::{PaymentId, validate_pair};
pub use plate::{Plate, PlateKind};
pub use postal::PostalCode;
pub use sheba::Sheba;

/// Why an identifier was refused. One variant per failure kind, so a form can say which
/// part is wrong; [`IdError::code`] gives the key the server translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum IdError {
    #[error("a national ID has 10 digits (8 or 9 are padded with zeros)")]
    NationalIdFormat,
    #[error("this is not a valid national ID")]
    NationalIdInvalid,
    #[error("a legal entity's national ID has 11 digits")]
    LegalIdFormat,
    #[error("this is not a valid legal entity's national ID")]
    LegalIdInvalid,
    #[error("this is not an Iranian mobile number")]
    MobileInvalid,
    #[error("a bill ID has 6 to 13 digits")]
    BillIdFormat,
    #[error("the bill ID's check digit does not match")]
    BillIdCheckDigit,
    #[error("the bill ID's service type is unknown")]
    BillIdServiceType,
    #[error("a payment ID has 6 to 13 digits")]
    PaymentIdFormat,
    #[error("the payment ID's first check digit does not match")]
    PaymentIdCheckDigit,
    #[error("the payment ID does not belong to this bill ID")]
    PaymentIdPair,
    #[error("a payment amount is from 1,000 to 99,999,999,999 rials")]
    PaymentAmount,
    #[error("a payment period has at most two digits")]
    PaymentPeriod,
    #[error("a bill barcode has 26 digits")]
    BarcodeFormat,
    #[error("a Sheba number is IR followed by 24 digits")]
    ShebaFormat,
    #[error("the Sheba number's check digits do not match")]
    ShebaChecksum,
    #[error("this is not a valid postal code")]
    PostalCodeInvalid,
    #[error("this is not a valid car plate")]
    PlateInvalid,
}

impl IdError {
    /// A stable machine code, `<identifier>.<reason>`. Translations and API clients key
    /// on it, so a code never changes once published.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NationalIdFormat => "national_id.format",
            Self::NationalIdInvalid => "national_id.invalid",
            Self::LegalIdFormat => "legal_id.format",
            Self::LegalIdInvalid => "legal_id.invalid",
            Self::MobileInvalid => "mobile.invalid",
            Self::BillIdFormat => "bill_id.format",
            Self::BillIdCheckDigit => "bill_id.check_digit",
            Self::BillIdServiceType => "bill_id.service_type",
            Self::PaymentIdFormat => "payment_id.format",
            Self::PaymentIdCheckDigit => "payment_id.check_digit",
            Self::PaymentIdPair => "payment_id.pair",
            Self::PaymentAmount => "payment_id.amount",
            Self::PaymentPeriod => "payment_id.period",
            Self::BarcodeFormat => "barcode.format",
            Self::ShebaFormat => "sheba.format",
            Self::ShebaChecksum => "sheba.checksum",
            Self::PostalCodeInvalid => "postal_code.invalid",
            Self::PlateInvalid => "plate.invalid",
        }
    }
}

/// Maps a Persian or Arabic-Indic digit to its ASCII digit; any other character is
/// returned unchanged. Kept private here rather than borrowed from `crate::fa` so the
/// identifier rules stand on their own.
fn ascii_digit(c: char) -> char {
    let zero = match c {
        '۰'..='۹' => '۰',
        '٠'..='٩' => '٠',
        _ => return c,
    };
    char::from_digit(u32::from(c) - u32::from(zero), 10).unwrap_or(c)
}

/// The value of one digit in any of the three digit sets, if `c` is a digit.
fn digit_value(c: char) -> Option<u8> {
    ascii_digit(c)
        .to_digit(10)
        .and_then(|d| u8::try_from(d).ok())
}

/// Invisible formatting characters (direction marks and embeddings, zero-width
/// characters, the byte-order mark): pasting from right-to-left documents leaves them
/// around and inside numbers, where they never mean anything.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// The first step of every `parse`: drop invisible marks, map digits to ASCII, trim.
fn normalize(input: &str) -> String {
    // What a machine sends (a gateway, a tracking link) needs no mapping.
    let trimmed = input.trim();
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.to_owned();
    }
    let mapped: String = input
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(ascii_digit)
        .collect();
    mapped.trim().to_owned()
}

/// True when `s` is non-empty and only ASCII digits, which also makes every byte index
/// of `s` a character boundary, so slicing it cannot panic.
fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The digit values of an ASCII-digit string (other characters are skipped).
fn digits_of(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// The number an ASCII-digit string spells. Callers bound the length first; saturating
/// arithmetic keeps the function total anyway.
fn number_of(s: &str) -> u64 {
    digits_of(s).into_iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d))
    })
}

/// The ASCII character of a digit value below ten.
fn digit_char(d: u8) -> char {
    char::from_digit(u32::from(d), 10).unwrap_or('0')
}

/// `s` with every character but the last `keep` replaced by `*`, for pages that must not
/// show the whole identifier.
fn mask_all_but_last(s: &str, keep: usize) -> String {
    let len = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + keep < len { '*' } else { c })
        .collect()
}

/// `FromStr`, `TryFrom<&str>` and `TryFrom<String>` for a type with
/// `parse(&str) -> Result<Self, IdError>`: forms and serde (`try_from = "String"`) come
/// in through these, so they all go through the one `parse`.
macro_rules! parse_impls {
    ($ty:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $crate::ir::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<&str> for $ty {
            type Error = $crate::ir::IdError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $crate::ir::IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
    };
}
use parse_impls;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL_ERRORS: [IdError; 18] = [
        IdError::NationalIdFormat,
        IdError::NationalIdInvalid,
        IdError::LegalIdFormat,
        IdError::LegalIdInvalid,
        IdError::MobileInvalid,
        IdError::BillIdFormat,
        IdError::BillIdCheckDigit,
        IdError::BillIdServiceType,
        IdError::PaymentIdFormat,
        IdError::PaymentIdCheckDigit,
        IdError::PaymentIdPair,
        IdError::PaymentAmount,
        IdError::PaymentPeriod,
        IdError::BarcodeFormat,
        IdError::ShebaFormat,
        IdError::ShebaChecksum,
        IdError::PostalCodeInvalid,
        IdError::PlateInvalid,
    ];

    #[test]
    fn every_error_has_its_own_dotted_code() {
        let mut codes: Vec<&str> = ALL_ERRORS.iter().map(IdError::code).collect();
        for code in &codes {
            let (kind, reason) = code.split_once('.').unwrap_or_default();
            assert!(!kind.is_empty() && !reason.is_empty(), "{code}");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL_ERRORS.len());
    }

    #[test]
    fn the_codes_other_modules_rely_on_are_spelled_as_agreed() {
        assert_eq!(IdError::NationalIdInvalid.code(), "national_id.invalid");
        assert_eq!(IdError::NationalIdFormat.code(), "national_id.format");
        assert_eq!(IdError::MobileInvalid.code(), "mobile.invalid");
        assert_eq!(IdError::BillIdCheckDigit.code(), "bill_id.check_digit");
        assert_eq!(
            IdError::PaymentIdCheckDigit.code(),
            "payment_id.check_digit"
        );
        assert_eq!(IdError::PaymentIdPair.code(), "payment_id.pair");
        assert_eq!(IdError::LegalIdInvalid.code(), "legal_id.invalid");
        assert_eq!(IdError::ShebaChecksum.code(), "sheba.checksum");
        assert_eq!(IdError::ShebaFormat.code(), "sheba.format");
        assert_eq!(IdError::PostalCodeInvalid.code(), "postal_code.invalid");
        assert_eq!(IdError::PlateInvalid.code(), "plate.invalid");
        assert_eq!(IdError::BarcodeFormat.code(), "barcode.format");
    }

    #[test]
    fn persian_and_arabic_digits_normalise_to_ascii() {
        assert_eq!(normalize("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
        assert_eq!(normalize("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(normalize("12a"), "12a");
    }

    #[test]
    fn normalising_trims_whitespace_and_drops_direction_marks() {
        assert_eq!(normalize("\u{200F} \u{202B}۰۹۱۲\u{202C}\t\n"), "0912");
        assert_eq!(normalize("\u{FEFF}12\u{200E}34 "), "1234");
    }

    #[test]
    fn masking_keeps_only_the_last_characters() {
        assert_eq!(mask_all_but_last("0499370899", 4), "******0899");
        assert_eq!(mask_all_but_last("12", 4), "12");
    }

    proptest! {
        #[test]
        fn no_parser_panics_on_any_input(s in any::<String>()) {
            let _ = NationalId::parse(&s);
            let _ = LegalId::parse(&s);
            let _ = Mobile::parse(&s);
            let _ = BillId::parse(&s);
            let _ = PaymentId::parse(&s);
            let _ = Barcode::parse(&s);
            let _ = Sheba::parse(&s);
            let _ = PostalCode::parse(&s);
            let _ = Plate::parse(&s);
            let _ = check_digit(&s);
        }

        #[test]
        fn no_parser_panics_on_digit_heavy_input(s in "[0-9۰-۹٠-٩IRir +\\-ب-یالف]{0,30}") {
            let _ = NationalId::parse(&s);
            let _ = LegalId::parse(&s);
            let _ = Mobile::parse(&s);
            let _ = BillId::parse(&s);
            let _ = PaymentId::parse(&s);
            let _ = Barcode::parse(&s);
            let _ = Sheba::parse(&s);
            let _ = PostalCode::parse(&s);
            let _ = Plate::parse(&s);
        }
    }
}
