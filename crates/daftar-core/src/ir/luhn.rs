//! The Luhn check digit, and codes that end in one, for the codes Daftar itself hands out (clearance verification
//! codes, case tracking codes). Unlike the mod-11 digit of bill IDs, it catches every
//! single mistyped digit and almost every swap of two neighbours, which is what matters
//! for a code read aloud over the phone or typed from paper.

use super::digit_value;

/// The digit that, appended to `digits`, makes a valid Luhn number. Characters that are
/// not digits (ASCII, Persian or Arabic) are skipped.
pub fn luhn_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(digit_value)
        .enumerate()
        .map(|(index, digit)| {
            let digit = u32::from(digit);
            if index % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

/// Whether the last digit of `digits` is the Luhn digit of the ones before it.
pub fn luhn_valid(digits: &str) -> bool {
    let Some(last) = digits.chars().last().and_then(digit_value) else {
        return false;
    };
    let body: String = digits.chars().take(digits.chars().count() - 1).collect();
    luhn_digit(&body) == last
}

/// Why a code with a Luhn digit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LuhnCodeError {
    #[error("the code has the wrong number of digits")]
    Format,
    #[error("the code's check digit does not match")]
    CheckDigit,
}

/// A code of `len` digits whose last is the Luhn digit: the body is `random` modulo
/// 10^(len − 1), zero-padded.
pub fn luhn_code(random: u64, len: usize) -> String {
    let body_len = len.saturating_sub(1).min(19);
    let modulus = 10u64.checked_pow(body_len as u32).unwrap_or(u64::MAX);
    let body = format!("{:0width$}", random % modulus, width = body_len);
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

/// Reads a code of `len` digits as typed (Persian or Arabic digits, spaces, dashes and
/// ZWNJ allowed) and checks its Luhn digit; returns the ASCII digits.
pub fn parse_luhn_code(input: &str, len: usize) -> Result<String, LuhnCodeError> {
    let digits: String = crate::fa::normalize_digits(input)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{200c}'))
        .collect();
    if digits.len() != len || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LuhnCodeError::Format);
    }
    if !luhn_valid(&digits) {
        return Err(LuhnCodeError::CheckDigit);
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_textbook_example_has_check_digit_3() {
        // The classic worked example: 7992739871 → 3.
        assert_eq!(luhn_digit("7992739871"), 3);
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
    }

    #[test]
    fn persian_digits_count_as_digits() {
        assert!(luhn_valid("۷۹۹۲۷۳۹۸۷۱۳"));
    }

    proptest! {
        #[test]
        fn changing_any_one_digit_is_caught(body in "[0-9]{11}", position in 0usize..12, bump in 1u8..10) {
            let code = format!("{body}{}", luhn_digit(&body));
            prop_assert!(luhn_valid(&code));
            let mut bytes = code.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + bump) % 10;
            prop_assert!(!luhn_valid(&String::from_utf8(bytes).unwrap()));
        }
    }
}
