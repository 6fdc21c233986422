//! The renewal code (کد نوسازی): a property's key in the municipality's register, written
//! as the register writes it, seven numbers joined by dashes —
//! district-region-block-parcel-building-apartment-shop (حوزه، ناحیه، بلوک، ملک،
//! ساختمان، آپارتمان، صنفی). A plot with no building, apartment or shop leaves them out or
//! writes them as 0: `01-101-12-0` and `01-101-12-0-0-0-0` are the same property, and the
//! shorter is how it is kept.

use serde::Serialize;

/// One of the seven parts, with the most digits the register gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenewalPart {
    District,
    Region,
    Block,
    Parcel,
    Building,
    Apartment,
    Shop,
}

impl RenewalPart {
    pub const ALL: [RenewalPart; 7] = [
        RenewalPart::District,
        RenewalPart::Region,
        RenewalPart::Block,
        RenewalPart::Parcel,
        RenewalPart::Building,
        RenewalPart::Apartment,
        RenewalPart::Shop,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            RenewalPart::District => "district",
            RenewalPart::Region => "region",
            RenewalPart::Block => "block",
            RenewalPart::Parcel => "parcel",
            RenewalPart::Building => "building",
            RenewalPart::Apartment => "apartment",
            RenewalPart::Shop => "shop",
        }
    }

    pub fn max_digits(self) -> usize {
        match self {
            RenewalPart::District => 2,
            RenewalPart::Region | RenewalPart::Building | RenewalPart::Shop => 3,
            RenewalPart::Block | RenewalPart::Parcel | RenewalPart::Apartment => 4,
        }
    }
}

/// Why a renewal code was refused, naming the part at fault when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RenewalCodeError {
    /// Fewer than four parts (district to parcel) or more than seven, or not dashed digits.
    #[error("a renewal code is four to seven numbers joined by dashes")]
    Shape,
    /// A part is empty, not digits, or longer than the register writes it.
    #[error("the {} part is wrong: 1 to {} digits", .0.slug(), .0.max_digits())]
    Part(RenewalPart),
}

impl RenewalCodeError {
    /// The error's code in messages: `renewal_code.invalid`, or `renewal_code.block` for
    /// the part at fault.
    pub fn code(self) -> &'static str {
        match self {
            RenewalCodeError::Shape => "renewal_code.invalid",
            RenewalCodeError::Part(part) => match part {
                RenewalPart::District => "renewal_code.district",
                RenewalPart::Region => "renewal_code.region",
                RenewalPart::Block => "renewal_code.block",
                RenewalPart::Parcel => "renewal_code.parcel",
                RenewalPart::Building => "renewal_code.building",
                RenewalPart::Apartment => "renewal_code.apartment",
                RenewalPart::Shop => "renewal_code.shop",
            },
        }
    }
}

/// A checked renewal code, kept as typed (digits made Latin, spaces around dashes
/// dropped) without the trailing zero parts past the parcel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RenewalCode(String);

impl RenewalCode {
    pub fn parse(input: &str) -> Result<RenewalCode, RenewalCodeError> {
        let text = crate::fa::normalize_digits(input.trim());
        if text.is_empty() || text.len() > 40 {
            return Err(RenewalCodeError::Shape);
        }
        let mut parts: Vec<&str> = text.split('-').map(str::trim).collect();
        if !(4..=7).contains(&parts.len()) {
            return Err(RenewalCodeError::Shape);
        }
        for (part, digits) in RenewalPart::ALL.into_iter().zip(&parts) {
            let valid = (1..=part.max_digits()).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit());
            if !valid {
                return Err(RenewalCodeError::Part(part));
            }
        }
        while parts.len() > 4 && parts.last().is_some_and(|p| p.bytes().all(|b| b == b'0')) {
            parts.pop();
        }
        Ok(RenewalCode(parts.join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number in `part` (0 for a part left out).
    pub fn part(&self, part: RenewalPart) -> u32 {
        let index = RenewalPart::ALL
            .iter()
            .position(|p| *p == part)
            .unwrap_or_default();
        self.0
            .split('-')
            .nth(index)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(0)
    }
}

impl std::fmt::Display for RenewalCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_in_either_script_and_keeps_its_leading_zeros() {
        let code = RenewalCode::parse(" ۰۱-۱۰۱-۱۲-۰ ").unwrap();
        assert_eq!(code.as_str(), "01-101-12-0");
        assert_eq!(code.part(RenewalPart::District), 1);
        assert_eq!(code.part(RenewalPart::Region), 101);
        assert_eq!(code.part(RenewalPart::Block), 12);
        assert_eq!(code.part(RenewalPart::Shop), 0);
    }

    #[test]
    fn the_parts_left_out_and_the_zero_parts_are_the_same_property() {
        let long = RenewalCode::parse("01-101-12-7-0-0-0").unwrap();
        assert_eq!(long, RenewalCode::parse("01-101-12-7").unwrap());
        let apartment = RenewalCode::parse("01-101-12-7-1-3-0").unwrap();
        assert_eq!(apartment.as_str(), "01-101-12-7-1-3");
        assert_eq!(apartment.part(RenewalPart::Apartment), 3);
        assert_ne!(apartment, long);
    }

    #[test]
    fn a_wrong_part_is_named() {
        let cases = [
            ("001-101-12-0", RenewalPart::District),
            ("01--12-0", RenewalPart::Region),
            ("01-101-12345-0", RenewalPart::Block),
            ("01-101-12-x", RenewalPart::Parcel),
            ("01-101-12-0-1234", RenewalPart::Building),
            ("01-101-12-0-1-12345", RenewalPart::Apartment),
            ("01-101-12-0-1-1-1234", RenewalPart::Shop),
        ];
        for (text, part) in cases {
            assert_eq!(
                RenewalCode::parse(text),
                Err(RenewalCodeError::Part(part)),
                "{text}"
            );
        }
        assert_eq!(
            RenewalCode::parse("01-101-12-x").unwrap_err().code(),
            "renewal_code.parcel"
        );
    }

    #[test]
    fn too_few_or_too_many_parts_is_the_wrong_shape() {
        for bad in ["", "01", "01-101-12", "1-2-3-4-5-6-7-8", "-"] {
            assert_eq!(
                RenewalCode::parse(bad),
                Err(RenewalCodeError::Shape),
                "{bad}"
            );
        }
    }
}
