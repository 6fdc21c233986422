//! The verification code printed on a clearance certificate (مفاصا حساب): twelve digits,
//! the last a Luhn check digit, so a mistyped code is refused before any look-up.

use std::fmt;

use crate::ir::{LuhnCodeError, luhn_code, parse_luhn_code};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClearanceCode(String);

pub type ClearanceCodeError = LuhnCodeError;

impl ClearanceCode {
    pub const LEN: usize = 12;

    /// The code whose first eleven digits are `random` modulo 10¹¹ (leading zeros kept).
    pub fn from_random(random: u64) -> ClearanceCode {
        ClearanceCode(luhn_code(random, Self::LEN))
    }

    /// Reads a code as typed: Persian or Arabic digits, spaces and dashes allowed.
    pub fn parse(input: &str) -> Result<ClearanceCode, ClearanceCodeError> {
        parse_luhn_code(input, Self::LEN).map(ClearanceCode)
    }

    /// The stable machine code of a refusal, which the server translates.
    pub fn error_code(error: ClearanceCodeError) -> &'static str {
        match error {
            LuhnCodeError::Format => "clearance_code.format",
            LuhnCodeError::CheckDigit => "clearance_code.check_digit",
        }
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
