//! An issued document's serial: twelve digits, the last a Luhn check digit, drawn at
//! random (a serial says nothing about how many documents the office issued, and the
//! next one cannot be guessed). A clearance's verification code is its serial.

use std::fmt;

use crate::ir::{LuhnCodeError, luhn_code, parse_luhn_code};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial(String);

impl Serial {
    pub const LEN: usize = 12;

    /// The serial whose first eleven digits are `random` modulo 10¹¹.
    pub fn from_random(random: u64) -> Serial {
        Serial(luhn_code(random, Self::LEN))
    }

    /// Reads a serial as typed (Persian digits, spaces and dashes allowed); a wrong check
    /// digit is refused before any look-up.
    pub fn parse(input: &str) -> Result<Serial, LuhnCodeError> {
        parse_luhn_code(input, Self::LEN).map(Serial)
    }

    /// The stable machine code of a refusal.
    pub fn error_code(error: LuhnCodeError) -> &'static str {
        match error {
            LuhnCodeError::Format => "serial.format",
            LuhnCodeError::CheckDigit => "serial.check_digit",
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed: three groups of four, `1234-5678-9012`.
    pub fn grouped(&self) -> String {
        let s = &self.0;
        format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_serial_parses_back_from_its_printed_form() {
        let serial = Serial::from_random(98_765_432_101);
        assert_eq!(serial.grouped().len(), 14);
        let printed = crate::fa::to_persian_digits(&serial.grouped());
        assert_eq!(Serial::parse(&printed), Ok(serial));
    }

    #[test]
    fn a_wrong_check_digit_is_refused_before_any_look_up() {
        let serial = Serial::from_random(12_345_678_901);
        let mut wrong = serial.as_str().to_owned();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '9' {
            '0'
        } else {
            (last as u8 + 1) as char
        });
        assert_eq!(Serial::parse(&wrong), Err(LuhnCodeError::CheckDigit));
        assert_eq!(Serial::parse("12345"), Err(LuhnCodeError::Format));
    }
}
