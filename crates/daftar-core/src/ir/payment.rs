//! Payment IDs (شناسه پرداخت) and the check that ties one to its bill ID.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::bill::{BillId, check_digit};
use super::{IdError, digit_char, is_ascii_digits, normalize, number_of, parse_impls};

/// The largest amount a payment ID can carry: eight digits of thousands of rials.
const MAX_THOUSANDS: u64 = 99_999_999;

/// A payment ID, 6 to 13 digits without leading zeros. From the right: check2, check1,
/// period (2 digits), year (the last digit of the Jalali year), amount in thousands of
/// rials (up to 8 digits). Holding one means check1 holds; check2 needs the bill, see
/// [`validate_pair`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PaymentId {
    text: String,
    amount_thousands: u64,
    year_digit: u8,
    period: u8,
}

impl PaymentId {
    /// Parses a payment ID, dropping leading zeros, and checks check1 (the digit before
    /// the last against the digits before it).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = normalize(input);
        if !is_ascii_digits(&text) {
            return Err(IdError::PaymentIdFormat);
        }
        let text = text.trim_start_matches('0');
        if !(6..=13).contains(&text.len()) {
            return Err(IdError::PaymentIdFormat);
        }
        // All ASCII digits, so every byte index below is a character boundary.
        let len = text.len();
        let (body, checks) = text.split_at(len - 2);
        if number_of(&checks[..1]) != u64::from(check_digit(body)) {
            return Err(IdError::PaymentIdCheckDigit);
        }
        Ok(Self {
            text: text.to_owned(),
            amount_thousands: number_of(&body[..len - 5]),
            year_digit: u8::try_from(number_of(&body[len - 5..len - 4])).unwrap_or(0),
            period: u8::try_from(number_of(&body[len - 4..])).unwrap_or(0),
        })
    }

    /// Builds the payment ID of `bill` for `amount_rials`, rounded down to whole thousands
    /// of rials (the ID carries thousands), in Jalali `year` (its last digit is kept) and
    /// `period` (0–99), computing check1 and check2.
    pub fn new(bill: &BillId, amount_rials: u64, year: i32, period: u8) -> Result<Self, IdError> {
        let thousands = amount_rials / 1000;
        if thousands == 0 || thousands > MAX_THOUSANDS {
            return Err(IdError::PaymentAmount);
        }
        if period > 99 {
            return Err(IdError::PaymentPeriod);
        }
        let year_digit = year.rem_euclid(10);
        let mut text = format!("{thousands}{year_digit}{period:02}");
        text.push(digit_char(check_digit(&text)));
        let check2 = check_digit(&format!("{}{text}", bill.as_str()));
        text.push(digit_char(check2));
        Self::parse(&text)
    }

    /// The digits, without leading zeros.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The amount in rials: always a whole number of thousands.
    pub fn amount_rials(&self) -> u64 {
        self.amount_thousands * 1000
    }

    /// The last digit of the Jalali year the bill was issued in.
    pub fn year_digit(&self) -> u8 {
        self.year_digit
    }

    /// The billing period, 0–99.
    pub fn period(&self) -> u8 {
        self.period
    }
}

/// Checks check2: the payment ID's last digit against the bill ID and the payment ID
/// without that digit, both without leading zeros, joined. The zeros matter: dropping
/// them shifts every weight.
pub fn validate_pair(bill: &BillId, payment: &PaymentId) -> Result<(), IdError> {
    let text = payment.as_str();
    let (body, check2) = text.split_at(text.len() - 1);
    let expected = check_digit(&format!("{}{body}", bill.as_str()));
    if number_of(check2) == u64::from(expected) {
        Ok(())
    } else {
        Err(IdError::PaymentIdPair)
    }
}

parse_impls!(PaymentId);

impl fmt::Display for PaymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<PaymentId> for String {
    fn from(id: PaymentId) -> String {
        id.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bill(id: &str) -> BillId {
        BillId::parse(id).unwrap()
    }

    #[test]
    fn the_published_payment_ids_parse_with_their_amounts() {
        for (payment, rials) in [
            ("1770160", 17_000),
            ("1070189", 10_000),
            ("12070160", 120_000),
            ("570108", 5_000),
            ("12908190", 129_000),
        ] {
            let p = PaymentId::parse(payment).unwrap_or_else(|e| panic!("{payment}: {e}"));
            assert_eq!(p.amount_rials(), rials, "{payment}");
            assert_eq!(p.as_str(), payment);
        }
    }

    #[test]
    fn the_published_pairs_validate() {
        for (b, p) in [
            ("7748317800142", "1770160"),
            ("2050327604613", "1070189"),
            ("1117753200140", "12070160"),
            ("1177809000142", "570108"),
            ("9174639504124", "12908190"),
        ] {
            let payment = PaymentId::parse(p).unwrap();
            assert_eq!(validate_pair(&bill(b), &payment), Ok(()), "{b} {p}");
        }
    }

    #[test]
    fn the_published_pairs_with_a_wrong_check2_are_refused() {
        for (b, p) in [("9174639504124", "12908197"), ("1117753200140", "1770165")] {
            let payment = PaymentId::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(
                validate_pair(&bill(b), &payment),
                Err(IdError::PaymentIdPair),
                "{b} {p}"
            );
        }
    }

    #[test]
    fn the_published_payment_id_with_a_wrong_check1_is_refused() {
        assert_eq!(
            PaymentId::parse("1770150"),
            Err(IdError::PaymentIdCheckDigit)
        );
    }

    #[test]
    fn a_payment_id_splits_into_amount_year_and_period() {
        let p = PaymentId::parse("12908190").unwrap();
        assert_eq!(p.amount_rials(), 129_000);
        assert_eq!(p.year_digit(), 0);
        assert_eq!(p.period(), 81);
        let p = PaymentId::parse("0000001770160").unwrap();
        assert_eq!(p.as_str(), "1770160");
        assert_eq!((p.year_digit(), p.period()), (7, 1));
    }

    #[test]
    fn payment_ids_of_the_wrong_length_or_with_letters_are_format_errors() {
        for p in ["", "17701", "00017701", "12345678901234", "17701a0"] {
            assert_eq!(PaymentId::parse(p), Err(IdError::PaymentIdFormat), "{p}");
        }
    }

    #[test]
    fn payment_new_rebuilds_the_published_payment_ids() {
        for (b, rials, year, period, expected) in [
            ("7748317800142", 17_000, 1397, 1, "1770160"),
            ("2050327604613", 10_000, 1397, 1, "1070189"),
            ("1117753200140", 120_000, 1397, 1, "12070160"),
            ("1177809000142", 5_000, 1397, 1, "570108"),
            ("9174639504124", 129_000, 1400, 81, "12908190"),
        ] {
            let p = PaymentId::new(&bill(b), rials, year, period).unwrap();
            assert_eq!(p.as_str(), expected, "{b}");
        }
    }

    #[test]
    fn payment_new_rounds_the_amount_down_to_whole_thousands() {
        let b = bill("7748317800142");
        let p = PaymentId::new(&b, 17_999, 1397, 1).unwrap();
        assert_eq!(p.amount_rials(), 17_000);
        assert_eq!(p.as_str(), "1770160");
    }

    #[test]
    fn payment_new_refuses_amounts_and_periods_that_do_not_fit() {
        let b = bill("7748317800142");
        assert_eq!(
            PaymentId::new(&b, 999, 1403, 1),
            Err(IdError::PaymentAmount)
        );
        assert_eq!(
            PaymentId::new(&b, 100_000_000_000, 1403, 1),
            Err(IdError::PaymentAmount)
        );
        assert!(PaymentId::new(&b, 99_999_999_999, 1403, 1).is_ok());
        assert_eq!(
            PaymentId::new(&b, 17_000, 1403, 100),
            Err(IdError::PaymentPeriod)
        );
    }

    #[test]
    fn payment_new_keeps_the_last_digit_of_the_jalali_year() {
        let b = bill("7748317800142");
        assert_eq!(PaymentId::new(&b, 1000, 1403, 12).unwrap().year_digit(), 3);
        assert_eq!(PaymentId::new(&b, 1000, 1410, 0).unwrap().year_digit(), 0);
        assert_eq!(PaymentId::new(&b, 1000, -7, 0).unwrap().year_digit(), 3);
    }

    #[test]
    fn a_payment_id_of_one_bill_does_not_validate_against_another() {
        let p = PaymentId::parse("1770160").unwrap();
        assert_eq!(
            validate_pair(&bill("2050327604613"), &p),
            Err(IdError::PaymentIdPair)
        );
    }

    #[test]
    fn an_amount_change_of_two_thousand_rials_can_pass_both_check_digits() {
        // The thousands digit has weight 5 in check1 and 6 in check2, and 5 + 6 = 11:
        // a change δ with 5δ ≡ ±1 moves the two remainders by opposite units, so when
        // they sit at 0 and 1 both check digits stay put. The ID cannot catch this; the
        // server must compare the amount with its own record of the bill.
        let b = bill("7748317800142");
        let (paid, forged) = ("5570300", "5770300");
        let paid = PaymentId::parse(paid).unwrap();
        let forged = PaymentId::parse(forged).unwrap();
        assert_eq!(validate_pair(&b, &paid), Ok(()));
        assert_eq!(validate_pair(&b, &forged), Ok(()));
        assert_eq!(forged.amount_rials() - paid.amount_rials(), 2_000);
    }
}
