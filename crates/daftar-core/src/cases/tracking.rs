//! The tracking code of a case (کد رهگیری): twelve digits, the last a Luhn check digit,
//! so a mistyped code is refused before any look-up and says nothing about the case.

use std::fmt;

use crate::ir::{LuhnCodeError, luhn_code, parse_luhn_code};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    pub const LEN: usize = 12;

    /// The code whose first eleven digits are `random` modulo 10¹¹.
    pub fn from_random(random: u64) -> TrackingCode {
        TrackingCode(luhn_code(random, Self::LEN))
    }

    /// Reads a code as typed: Persian or Arabic digits, spaces and dashes allowed.
    pub fn parse(input: &str) -> Result<TrackingCode, LuhnCodeError> {
        parse_luhn_code(input, Self::LEN).map(TrackingCode)
    }

    /// The stable machine code of a refusal, which the server translates.
    pub fn error_code(error: LuhnCodeError) -> &'static str {
        match error {
            LuhnCodeError::Format => "tracking_code.format",
            LuhnCodeError::CheckDigit => "tracking_code.check_digit",
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_parses_back_even_in_persian_digits() {
        let code = TrackingCode::from_random(98_765_432_109);
        let persian = crate::fa::to_persian_digits(code.as_str());
        assert_eq!(TrackingCode::parse(&persian), Ok(code));
    }

    #[test]
    fn a_mistyped_digit_is_refused() {
        let code = TrackingCode::from_random(5).to_string();
        let mut bytes = code.into_bytes();
        bytes[3] = if bytes[3] == b'9' { b'0' } else { bytes[3] + 1 };
        let mistyped = String::from_utf8(bytes).unwrap();
        assert_eq!(
            TrackingCode::parse(&mistyped),
            Err(LuhnCodeError::CheckDigit)
        );
        assert_eq!(TrackingCode::parse("123"), Err(LuhnCodeError::Format));
    }
}
