//! The verification code printed on a clearance certificate (مفاصا حساب): twelve digits,
//! the last a Luhn check digit, so a mistyped code is refused before any look-up.

use std::fmt;

use crate::fa::normalize_digits;
use crate::ir::{luhn_digit, luhn_valid};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClearanceCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClearanceCodeError {
    #[error("a clearance code has 12 digits")]
    Format,
    #[error("the clearance code's check digit does not match")]
    CheckDigit,
}

impl ClearanceCodeError {
    pub fn code(self) -> &'static str {
        match self {
            ClearanceCodeError::Format => "clearance_code.format",
            ClearanceCodeError::CheckDigit => "clearance_code.check_digit",
        }
    }
}

impl ClearanceCode {
    pub const LEN: usize = 12;

    /// The code whose first eleven digits are `random` modulo 10¹¹ (leading zeros kept).
    pub fn from_random(random: u64) -> ClearanceCode {
        let body = format!("{:011}", random % 100_000_000_000);
        let check = luhn_digit(&body);
        ClearanceCode(format!("{body}{check}"))
    }

    /// Reads a code as typed: Persian or Arabic digits, spaces and dashes allowed.
    pub fn parse(input: &str) -> Result<ClearanceCode, ClearanceCodeError> {
        let digits: String = normalize_digits(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{200c}'))
            .collect();
        if digits.len() != Self::LEN || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ClearanceCodeError::Format);
        }
        if !luhn_valid(&digits) {
            return Err(ClearanceCodeError::CheckDigit);
        }
        Ok(ClearanceCode(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClearanceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_parses_back() {
        let code = ClearanceCode::from_random(42);
        assert_eq!(code.as_str().len(), 12);
        assert!(code.as_str().starts_with("00000000042"));
        assert_eq!(ClearanceCode::parse(code.as_str()), Ok(code));
    }

    #[test]
    fn persian_digits_and_dashes_are_read() {
        let code = ClearanceCode::from_random(12_345_678_901);
        let persian = crate::fa::to_persian_digits(code.as_str());
        let dashed = format!("{}-{}", &persian[..12], &persian[12..]);
        assert_eq!(ClearanceCode::parse(&dashed), Ok(code));
    }

    #[test]
    fn a_wrong_length_or_check_digit_is_refused() {
        assert_eq!(
            ClearanceCode::parse("12345"),
            Err(ClearanceCodeError::Format)
        );
        assert_eq!(
            ClearanceCode::parse("12345678901a"),
            Err(ClearanceCodeError::Format)
        );
        let code = ClearanceCode::from_random(7).to_string();
        let last = code.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &code[..11], (last + 1) % 10);
        assert_eq!(
            ClearanceCode::parse(&wrong),
            Err(ClearanceCodeError::CheckDigit)
        );
    }
}
