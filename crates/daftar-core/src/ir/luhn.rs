//! The Luhn check digit, for the codes Daftar itself hands out (clearance verification
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
