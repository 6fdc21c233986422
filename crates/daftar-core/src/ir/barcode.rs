//! The 26-digit bill barcode: the bill ID and the payment ID, each left-padded with
//! zeros to 13 digits.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::bill::BillId;
use super::payment::{PaymentId, validate_pair};
use super::{IdError, is_ascii_digits, normalize, parse_impls};

/// Each half of the barcode is 13 digits: the longest bill ID and the longest payment ID.
const HALF: usize = 13;

/// A bill barcode. Holding one means both IDs are valid and belong together.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Barcode {
    text: String,
    bill: BillId,
    payment: PaymentId,
}

impl Barcode {
    /// The barcode of a bill and its payment ID; refused when the payment ID does not
    /// belong to the bill (check2), so no barcode is ever printed for a wrong pair.
    pub fn new(bill: &BillId, payment: &PaymentId) -> Result<Self, IdError> {
        validate_pair(bill, payment)?;
        // Each half zero-padded to 13 digits, built by hand: the public look-up makes one
        // for every request, and `format!`'s padding machinery was a visible part of it.
        let mut text = String::with_capacity(2 * HALF);
        for half in [bill.as_str(), payment.as_str()] {
            text.extend(std::iter::repeat_n('0', HALF.saturating_sub(half.len())));
            text.push_str(half);
        }
        Ok(Self {
            text,
            bill: bill.clone(),
            payment: payment.clone(),
        })
    }

    /// Parses 26 digits, cutting at 13. (Several public libraries cut at 16, which
    /// breaks every payment ID longer than 10 digits, i.e. amounts from 100,000,000
    /// rials.) Each half is then parsed and the pair checked, so the error names the
    /// part that is wrong.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = normalize(input);
        if text.len() != 2 * HALF || !is_ascii_digits(&text) {
            return Err(IdError::BarcodeFormat);
        }
        let (bill, payment) = text.split_at(HALF);
        Self::new(&BillId::parse(bill)?, &PaymentId::parse(payment)?)
    }

    /// The 26 digits.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The bill ID.
    pub fn bill(&self) -> &BillId {
        &self.bill
    }

    /// The payment ID.
    pub fn payment(&self) -> &PaymentId {
        &self.payment
    }
}

parse_impls!(Barcode);

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<Barcode> for String {
    fn from(b: Barcode) -> String {
        b.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ServiceType;
    use crate::ir::bill::tests::remainder;
    use proptest::prelude::*;

    const PUBLISHED: [(&str, &str, ServiceType, u64, &str); 5] = [
        (
            "7748317800142",
            "1770160",
            ServiceType::FixedPhone,
            17_000,
            "77483178001420000001770160",
        ),
        (
            "2050327604613",
            "1070189",
            ServiceType::Water,
            10_000,
            "20503276046130000001070189",
        ),
        (
            "1117753200140",
            "12070160",
            ServiceType::FixedPhone,
            120_000,
            "11177532001400000012070160",
        ),
        (
            "1177809000142",
            "570108",
            ServiceType::FixedPhone,
            5_000,
            "11778090001420000000570108",
        ),
        (
            "9174639504124",
            "12908190",
            ServiceType::Electricity,
            129_000,
            "91746395041240000012908190",
        ),
    ];

    fn pair(bill: &str, payment: &str) -> (BillId, PaymentId) {
        (
            BillId::parse(bill).unwrap(),
            PaymentId::parse(payment).unwrap(),
        )
    }

    #[test]
    fn the_published_pairs_make_the_published_barcodes() {
        for (bill, payment, _, _, barcode) in PUBLISHED {
            let (b, p) = pair(bill, payment);
            assert_eq!(Barcode::new(&b, &p).unwrap().as_str(), barcode);
        }
    }

    #[test]
    fn the_published_barcodes_parse_back_to_their_bill_payment_type_and_amount() {
        for (bill, payment, service, rials, barcode) in PUBLISHED {
            let parsed = Barcode::parse(barcode).unwrap_or_else(|e| panic!("{barcode}: {e}"));
            assert_eq!(parsed.bill().as_str(), bill);
            assert_eq!(parsed.payment().as_str(), payment);
            assert_eq!(parsed.bill().service_type(), service);
            assert_eq!(parsed.payment().amount_rials(), rials);
            assert_eq!(parsed.to_string(), barcode);
        }
    }

    #[test]
    fn a_barcode_in_persian_digits_parses() {
        let parsed = Barcode::parse(" ۷۷۴۸۳۱۷۸۰۰۱۴۲۰۰۰۰۰۰۱۷۷۰۱۶۰ ").unwrap();
        assert_eq!(parsed.as_str(), "77483178001420000001770160");
    }

    #[test]
    fn the_published_wrong_pairs_make_no_barcode() {
        for (bill, payment) in [("9174639504124", "12908197"), ("1117753200140", "1770165")] {
            let (b, p) = pair(bill, payment);
            assert_eq!(Barcode::new(&b, &p), Err(IdError::PaymentIdPair));
            let text = format!("{bill:0>13}{payment:0>13}");
            assert_eq!(Barcode::parse(&text), Err(IdError::PaymentIdPair));
        }
    }

    #[test]
    fn a_barcode_names_the_half_that_is_wrong() {
        assert_eq!(
            Barcode::parse("22343223446130000001770160"),
            Err(IdError::BillIdCheckDigit)
        );
        assert_eq!(
            Barcode::parse("77483178001420000001770150"),
            Err(IdError::PaymentIdCheckDigit)
        );
    }

    #[test]
    fn a_barcode_that_is_not_26_digits_is_a_format_error() {
        for text in [
            "",
            "7748317800142000000177016",
            "774831780014200000017701600",
            "77483178001420000001770l60",
        ] {
            assert_eq!(Barcode::parse(text), Err(IdError::BarcodeFormat), "{text}");
        }
    }

    #[test]
    fn payment_ids_longer_than_ten_digits_round_trip_through_the_barcode() {
        let bill = BillId::parse("7748317800142").unwrap();
        for rials in [100_000_000, 1_234_567_000, 12_345_678_000, 99_999_999_000] {
            let payment = PaymentId::new(&bill, rials, 1403, 7).unwrap();
            assert!(payment.as_str().len() > 10, "{payment}");
            let barcode = Barcode::new(&bill, &payment).unwrap();
            let parsed = Barcode::parse(barcode.as_str()).unwrap();
            assert_eq!(parsed.bill(), &bill);
            assert_eq!(parsed.payment(), &payment);
            assert_eq!(parsed.payment().amount_rials(), rials);
            // Cutting at 16 would have taken payment digits into the bill ID.
            assert_ne!(
                barcode.as_str()[..16].trim_start_matches('0'),
                bill.as_str()
            );
        }
    }

    /// Whether a check digit computed from remainder `before` still matches when its
    /// digits now give `after`: only when equal, or when 0 and 1 trade places.
    fn same_check(before: u32, after: u32) -> bool {
        before == after || (before.min(after), before.max(after)) == (0, 1)
    }

    /// Remainders of the three checks of a barcode (bill, check1, check2) and whether its
    /// halves have a shape `parse` accepts, computed from the definitions in section 1.
    fn analyse(barcode: &str) -> ([u32; 3], bool) {
        let bill = barcode[..13].trim_start_matches('0');
        let payment = barcode[13..].trim_start_matches('0');
        let shape = (6..=13).contains(&bill.len())
            && (6..=13).contains(&payment.len())
            && bill.as_bytes()[bill.len() - 2] != b'0';
        if !shape {
            return ([0; 3], false);
        }
        let rems = [
            remainder(&bill[..bill.len() - 1]),
            remainder(&payment[..payment.len() - 2]),
            remainder(&format!("{bill}{}", &payment[..payment.len() - 1])),
        ];
        (rems, true)
    }

    fn bill_strategy() -> impl Strategy<Value = BillId> {
        (1u64..=99_999_999, 0u16..=999, 1u8..=9)
            .prop_map(|(file, company, service)| BillId::new(file, company, service).unwrap())
    }

    proptest! {
        /// A one-digit change in the barcode survives only where every check digit it
        /// touches keeps its value, i.e. where each affected remainder moves between 0
        /// and 1. Outside the zero padding of the payment half, a change always moves
        /// each remainder that covers it (its weight and δ are below 11, a prime); a
        /// change there alters the payment's length and so shifts the bill's weights in
        /// check2, which is then an arbitrary remainder, still caught unless it lands in
        /// the same class. Changing a check digit itself is always caught.
        #[test]
        fn a_generated_pair_validates_and_one_digit_changes_fail_unless_each_touched_remainder_swaps_zero_and_one(
            bill in bill_strategy(),
            rials in 1_000u64..=99_999_999_999,
            year in 1300i32..1500,
            period in 0u8..=99,
        ) {
            let payment = PaymentId::new(&bill, rials, year, period).unwrap();
            let barcode = Barcode::new(&bill, &payment).unwrap();
            let text = barcode.as_str().to_owned();
            let (rems, shape) = analyse(&text);
            prop_assert!(shape);
            let payment_len = payment.as_str().len();
            let check_positions = [12usize, 24, 25];

            for pos in 0..26 {
                for digit in (b'0'..=b'9').filter(|&b| b != text.as_bytes()[pos]) {
                    let mut changed = text.clone().into_bytes();
                    changed[pos] = digit;
                    let changed = String::from_utf8(changed).unwrap();
                    let accepted = Barcode::parse(&changed).is_ok();
                    let (rems2, shape2) = analyse(&changed);
                    let predicted = shape2
                        && !check_positions.contains(&pos)
                        && (0..3).all(|k| same_check(rems[k], rems2[k]));
                    prop_assert_eq!(accepted, predicted, "{} -> {}", text, changed);

                    let payment_len2 = changed[13..].trim_start_matches('0').len();
                    if shape2 && payment_len2 == payment_len {
                        // Which checks cover this position: the bill check covers the
                        // bill half but its own digit, check1 the payment body, check2
                        // everything before it.
                        let covers = [pos < 12, (13..24).contains(&pos), pos < 25];
                        for k in 0..3 {
                            if covers[k] {
                                prop_assert_ne!(rems[k], rems2[k], "check {} at {}", k, pos);
                            } else {
                                prop_assert_eq!(rems[k], rems2[k], "check {} at {}", k, pos);
                            }
                        }
                    }
                }
            }
        }

        #[test]
        fn random_amounts_round_trip_through_payment_id_barcode_and_parse(
            bill in bill_strategy(),
            rials in 0u64..=99_999_999_000,
            year in 1300i32..1500,
            period in 0u8..=99,
        ) {
            let made = PaymentId::new(&bill, rials, year, period);
            if rials < 1_000 {
                prop_assert_eq!(made, Err(IdError::PaymentAmount));
                return Ok(());
            }
            let payment = made.unwrap();
            let barcode = Barcode::new(&bill, &payment).unwrap();
            let parsed = Barcode::parse(barcode.as_str()).unwrap();
            prop_assert_eq!(parsed.bill(), &bill);
            prop_assert_eq!(parsed.payment().amount_rials(), rials / 1000 * 1000);
            prop_assert_eq!(parsed.payment().year_digit(), u8::try_from(year % 10).unwrap());
            prop_assert_eq!(parsed.payment().period(), period);
            prop_assert_eq!(&parsed, &barcode);
        }
    }
}
