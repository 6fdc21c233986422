//! Bill IDs (شناسه قبض), the mod-11 check digit they share with payment IDs, and the
//! service-type table.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, digit_char, digit_value, is_ascii_digits, normalize, number_of, parse_impls};

/// The bill and payment check digit: reading right to left with weights 2, 3, 4, 5, 6, 7,
/// 2, 3, …, r = Σ digit·weight mod 11; the digit is 0 when r < 2, else 11 − r (so
/// remainders 0 and 1 both give 0). Leading zeros do not change it. Persian and Arabic
/// digits count as digits; any other character is skipped, so the function is total.
pub fn check_digit(digits: &str) -> u8 {
    // One remainder at the end, not one per digit: the public look-up checks three of
    // these a request, and a division per digit was a percent of it. A u64 sum cannot
    // overflow for any string that fits in memory (at most 63 per digit).
    const WEIGHTS: [u64; 6] = [2, 3, 4, 5, 6, 7];
    let sum: u64 = digits
        .chars()
        .rev()
        .filter_map(digit_value)
        .enumerate()
        .map(|(n, d)| u64::from(d) * WEIGHTS[n % 6])
        .sum();
    let r = u32::try_from(sum % 11).unwrap_or(0);
    let c = if r < 2 { 0 } else { 11 - r };
    u8::try_from(c).unwrap_or(0)
}

/// The service a bill is for: the second digit from the right of a bill ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ServiceType {
    Water = 1,
    Electricity = 2,
    Gas = 3,
    FixedPhone = 4,
    MobilePhone = 5,
    /// Municipal dues (عوارض شهرداری): the code this office's own bills carry.
    MunicipalDues = 6,
    /// The newer municipality code.
    Municipality = 7,
    Tax = 8,
    TrafficFines = 9,
}

/// One row of the service table.
struct ServiceRow {
    service: ServiceType,
    name_fa: &'static str,
    name_en: &'static str,
}

/// The service types in digit order, with their names. Kept as data: the payment
/// network has added codes before (7) and may rename them.
#[rustfmt::skip]
const SERVICE_TYPES: [ServiceRow; 9] = [
    ServiceRow { service: ServiceType::Water, name_fa: "آب", name_en: "Water" },
    ServiceRow { service: ServiceType::Electricity, name_fa: "برق", name_en: "Electricity" },
    ServiceRow { service: ServiceType::Gas, name_fa: "گاز", name_en: "Gas" },
    ServiceRow { service: ServiceType::FixedPhone, name_fa: "تلفن ثابت", name_en: "Fixed phone" },
    ServiceRow { service: ServiceType::MobilePhone, name_fa: "تلفن همراه", name_en: "Mobile phone" },
    ServiceRow { service: ServiceType::MunicipalDues, name_fa: "عوارض شهرداری", name_en: "Municipal dues" },
    ServiceRow { service: ServiceType::Municipality, name_fa: "شهرداری", name_en: "Municipality" },
    ServiceRow { service: ServiceType::Tax, name_fa: "مالیات", name_en: "Tax" },
    ServiceRow { service: ServiceType::TrafficFines, name_fa: "جرایم راهنمایی و رانندگی", name_en: "Traffic fines" },
];

impl ServiceType {
    /// The service of a digit 1–9; 0 and anything else have none.
    pub fn from_digit(digit: u8) -> Option<Self> {
        SERVICE_TYPES
            .iter()
            .find(|row| row.service.digit() == digit)
            .map(|row| row.service)
    }

    /// The digit 1–9 that stands for this service in a bill ID.
    pub fn digit(self) -> u8 {
        self as u8
    }

    /// The Persian name, e.g. «عوارض شهرداری».
    pub fn name_fa(self) -> &'static str {
        self.row().map_or("", |row| row.name_fa)
    }

    /// The English name, e.g. "Municipal dues".
    pub fn name_en(self) -> &'static str {
        self.row().map_or("", |row| row.name_en)
    }

    fn row(self) -> Option<&'static ServiceRow> {
        SERVICE_TYPES.iter().find(|row| row.service == self)
    }
}

/// A bill ID, 6 to 13 digits without leading zeros. From the right: check digit, service
/// type, company code (3 digits), file or subscriber number (up to 8 digits).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct BillId {
    text: String,
    service: ServiceType,
}

impl BillId {
    /// Parses a bill ID. Leading zeros are dropped (the barcode pads the ID to 13 digits,
    /// and the pair check is defined on the ID without them). A service digit of 0 is
    /// refused: no service has it, and holding a `BillId` means its service is known.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text = normalize(input);
        if !is_ascii_digits(&text) {
            return Err(IdError::BillIdFormat);
        }
        let text = text.trim_start_matches('0');
        if !(6..=13).contains(&text.len()) {
            return Err(IdError::BillIdFormat);
        }
        let (body, check) = text.split_at(text.len() - 1);
        if number_of(check) != u64::from(check_digit(body)) {
            return Err(IdError::BillIdCheckDigit);
        }
        let service_digit = number_of(&body[body.len() - 1..]);
        let service = u8::try_from(service_digit)
            .ok()
            .and_then(ServiceType::from_digit)
            .ok_or(IdError::BillIdServiceType)?;
        Ok(Self {
            text: text.to_owned(),
            service,
        })
    }

    /// Builds the bill ID of a file number (up to 8 digits), a company code (up to 3) and
    /// a service digit (1–9), appending the check digit.
    pub fn new(file_number: u64, company_code: u16, service: u8) -> Result<Self, IdError> {
        if file_number > 99_999_999 || company_code > 999 {
            return Err(IdError::BillIdFormat);
        }
        if ServiceType::from_digit(service).is_none() {
            return Err(IdError::BillIdServiceType);
        }
        let mut text = format!("{file_number}{company_code:03}{service}");
        text.push(digit_char(check_digit(&text)));
        Self::parse(&text)
    }

    /// The digits, without leading zeros.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The service the bill is for.
    pub fn service_type(&self) -> ServiceType {
        self.service
    }

    /// The company (utility or organisation) code: the three digits before the service.
    pub fn company_code(&self) -> u16 {
        let len = self.text.len();
        let code = number_of(self.text.get(len - 5..len - 2).unwrap_or_default());
        u16::try_from(code).unwrap_or(0)
    }

    /// The file or subscriber number: everything before the company code.
    pub fn file_number(&self) -> u64 {
        number_of(self.text.get(..self.text.len() - 5).unwrap_or_default())
    }
}

parse_impls!(BillId);

impl fmt::Display for BillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<BillId> for String {
    fn from(id: BillId) -> String {
        id.text
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The remainder of section 1 over ASCII digits, computed independently of
    /// `check_digit`: weight of the i-th digit from the right is i % 6 + 2.
    pub(crate) fn remainder(digits: &str) -> u32 {
        digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * (i as u32 % 6 + 2))
            .sum::<u32>()
            % 11
    }

    /// The check digit as section 1 defines it, from the independent remainder.
    pub(crate) fn expected_check(digits: &str) -> u8 {
        let r = remainder(digits);
        u8::try_from(if r < 2 { 0 } else { 11 - r }).unwrap()
    }

    #[test]
    fn the_published_bill_ids_parse_with_their_service_types() {
        for (id, service) in [
            ("7748317800142", ServiceType::FixedPhone),
            ("2050327604613", ServiceType::Water),
            ("1117753200140", ServiceType::FixedPhone),
            ("1177809000142", ServiceType::FixedPhone),
            ("9174639504124", ServiceType::Electricity),
        ] {
            let bill = BillId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(bill.service_type(), service, "{id}");
            assert_eq!(bill.as_str(), id);
        }
    }

    #[test]
    fn the_published_invalid_bill_id_is_refused_because_its_check_digit_should_be_7() {
        assert_eq!(check_digit("223432234461"), 7);
        assert_eq!(
            BillId::parse("2234322344613"),
            Err(IdError::BillIdCheckDigit)
        );
    }

    #[test]
    fn a_bill_id_splits_into_file_number_company_code_and_service() {
        let bill = BillId::parse("7748317800142").unwrap();
        assert_eq!(bill.file_number(), 77_483_178);
        assert_eq!(bill.company_code(), 1);
        assert_eq!(bill.service_type().digit(), 4);
    }

    #[test]
    fn the_check_digit_ignores_leading_zeros_and_maps_remainders_zero_and_one_to_zero() {
        assert_eq!(check_digit("774831780014"), 2);
        assert_eq!(check_digit("000774831780014"), 2);
        assert_eq!(check_digit("۷۷۴۸۳۱۷۸۰۰۱۴"), 2);
        assert_eq!(remainder("111775320014"), 0);
        assert_eq!(check_digit("111775320014"), 0);
        // "6": 6·2 = 12 ≡ 1, and "5": 5·2 = 10 → 11 − 10 = 1.
        assert_eq!(check_digit("6"), 0);
        assert_eq!(check_digit("5"), 1);
        assert_eq!(check_digit(""), 0);
    }

    #[test]
    fn a_bill_id_padded_with_zeros_parses_to_the_id_without_them() {
        let padded = BillId::parse("0002050327604613").unwrap();
        assert_eq!(padded.as_str(), "2050327604613");
        assert_eq!(padded, BillId::parse("2050327604613").unwrap());
    }

    #[test]
    fn bill_ids_of_the_wrong_length_or_with_letters_are_format_errors() {
        for id in ["", "12345", "12345678901234", "77483178001a2", "0000000"] {
            assert_eq!(BillId::parse(id), Err(IdError::BillIdFormat), "{id}");
        }
    }

    #[test]
    fn a_bill_id_whose_service_digit_is_zero_is_refused() {
        let mut text = "12345001".to_owned() + "0";
        text.push(digit_char(check_digit(&text)));
        assert_eq!(BillId::parse(&text), Err(IdError::BillIdServiceType));
        assert_eq!(BillId::new(1, 1, 0), Err(IdError::BillIdServiceType));
    }

    #[test]
    fn bill_new_appends_the_check_digit() {
        let bill = BillId::new(77_483_178, 1, 4).unwrap();
        assert_eq!(bill.as_str(), "7748317800142");
        assert_eq!(
            BillId::new(1, 5, 6).map(String::from),
            Ok(format!("10056{}", check_digit("10056")))
        );
    }

    #[test]
    fn bill_new_refuses_numbers_that_do_not_fit() {
        assert_eq!(BillId::new(100_000_000, 1, 4), Err(IdError::BillIdFormat));
        assert_eq!(BillId::new(1, 1000, 4), Err(IdError::BillIdFormat));
        // No file number leaves fewer than six digits.
        assert_eq!(BillId::new(0, 5, 1), Err(IdError::BillIdFormat));
    }

    #[test]
    fn every_service_digit_from_one_to_nine_has_a_row_with_both_names() {
        assert_eq!(ServiceType::from_digit(0), None);
        assert_eq!(ServiceType::from_digit(10), None);
        for d in 1..=9 {
            let service = ServiceType::from_digit(d).unwrap();
            assert_eq!(service.digit(), d);
            assert!(!service.name_fa().is_empty() && !service.name_en().is_empty());
        }
        assert_eq!(ServiceType::MunicipalDues.name_fa(), "عوارض شهرداری");
        assert_eq!(ServiceType::from_digit(6), Some(ServiceType::MunicipalDues));
    }

    proptest! {
        /// Changing the digit of weight w by δ moves r by δ·w mod 11, never 0 (w ≤ 7,
        /// |δ| ≤ 9, 11 prime), so the check digit changes unless r goes between 0 and 1.
        /// Changing the check digit itself always fails.
        #[test]
        fn a_generated_bill_id_validates_and_one_digit_changes_fail_unless_remainders_zero_and_one_swap(
            file in 1u64..=99_999_999, company in 0u16..=999, service in 1u8..=9
        ) {
            let bill = BillId::new(file, company, service).unwrap();
            let id = bill.as_str().to_owned();
            let (body, check) = id.split_at(id.len() - 1);
            prop_assert_eq!(check, expected_check(body).to_string());
            let r = remainder(body);

            for pos in 0..id.len() {
                for digit in (b'0'..=b'9').filter(|&b| b != id.as_bytes()[pos]) {
                    let mut changed = id.clone().into_bytes();
                    changed[pos] = digit;
                    let changed = String::from_utf8(changed).unwrap();
                    let accepted = BillId::parse(&changed).is_ok();
                    let is_check = pos == id.len() - 1;
                    let r2 = remainder(&changed[..id.len() - 1]);
                    if !is_check {
                        prop_assert_ne!(r, r2);
                    }
                    let swapped = !is_check && ((r, r2) == (0, 1) || (r, r2) == (1, 0));
                    let stripped = changed.trim_start_matches('0');
                    let allowed = stripped.len() >= 6 && changed.as_bytes()[id.len() - 2] != b'0';
                    prop_assert_eq!(accepted, swapped && allowed, "{} -> {}", id, changed);
                }
            }
        }
    }
}
