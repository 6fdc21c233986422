//! Car number plates (پلاک): two digits, a letter, three digits and a two-digit region,
//! written `12ب345-67` and printed `12 ب 345 | ایران 67`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdError, normalize, number_of, parse_impls};

/// What the letter of a plate says about the vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateKind {
    Private,
    Government,
    Police,
    Taxi,
    PublicTransport,
    Disabled,
    Diplomatic,
    Temporary,
    /// The other fleets (armed forces, ministries, agriculture).
    Other,
}

/// The letters plates carry and what each marks. Kept as data: the police issue new
/// series from time to time.
const LETTERS: &[(&str, PlateKind)] = &[
    ("الف", PlateKind::Government),
    ("ب", PlateKind::Private),
    ("پ", PlateKind::Police),
    ("ت", PlateKind::Taxi),
    ("ث", PlateKind::Other),
    ("ج", PlateKind::Private),
    ("د", PlateKind::Private),
    ("ز", PlateKind::Other),
    ("ژ", PlateKind::Disabled),
    ("س", PlateKind::Private),
    ("ش", PlateKind::Other),
    ("ص", PlateKind::Private),
    ("ط", PlateKind::Private),
    ("ع", PlateKind::PublicTransport),
    ("ف", PlateKind::Other),
    ("ق", PlateKind::Private),
    ("ک", PlateKind::Other),
    ("گ", PlateKind::Temporary),
    ("ل", PlateKind::Private),
    ("م", PlateKind::Private),
    ("ن", PlateKind::Private),
    ("و", PlateKind::Private),
    ("ه", PlateKind::Private),
    ("ی", PlateKind::Private),
    ("D", PlateKind::Diplomatic),
    ("S", PlateKind::Diplomatic),
];

/// Other spellings people type for a plate letter: the bare alef for «الف», Arabic
/// kaf and yeh, the other heh, and lowercase Latin letters.
const LETTER_ALIASES: &[(&str, &str)] = &[
    ("ا", "الف"),
    ("آ", "الف"),
    ("ك", "ک"),
    ("ي", "ی"),
    ("ى", "ی"),
    ("ھ", "ه"),
    ("d", "D"),
    ("s", "S"),
];

/// Region codes and their provinces, as published for car plates. Kept as data and used
/// only for display: a code missing here is not an error, since new codes are added.
#[rustfmt::skip]
const REGIONS: &[(u8, &str)] = &[
    (10, "تهران"), (11, "تهران"), (12, "خراسان رضوی"), (13, "اصفهان"),
    (14, "خوزستان"), (15, "آذربایجان شرقی"), (16, "قم"), (17, "آذربایجان غربی"),
    (18, "همدان"), (19, "کرمانشاه"), (20, "تهران"), (21, "تهران و البرز"),
    (22, "تهران"), (23, "اصفهان"), (24, "خوزستان"), (25, "آذربایجان شرقی"),
    (26, "خراسان شمالی"), (27, "آذربایجان غربی"), (28, "همدان"), (29, "کرمانشاه"),
    (30, "تهران و البرز"), (31, "لرستان"), (32, "خراسان"), (33, "تهران"),
    (34, "خوزستان"), (35, "آذربایجان شرقی"), (36, "خراسان رضوی"), (37, "آذربایجان غربی"),
    (38, "تهران و البرز"), (40, "تهران"), (41, "لرستان"), (42, "خراسان رضوی"),
    (43, "اصفهان"), (44, "تهران"), (45, "یزد"), (46, "گیلان"),
    (47, "مرکزی"), (48, "بوشهر"), (49, "کهگیلویه و بویراحمد"), (51, "کردستان"),
    (52, "خراسان جنوبی"), (53, "اصفهان"), (55, "تهران"), (56, "گیلان"),
    (57, "مرکزی"), (58, "بوشهر"), (59, "گلستان"), (61, "کردستان"),
    (62, "مازندران"), (63, "فارس"), (64, "یزد"), (65, "کرمان"),
    (66, "تهران"), (67, "اصفهان"), (68, "البرز"), (69, "گلستان"),
    (71, "چهارمحال و بختیاری"), (72, "مازندران"), (73, "فارس"), (74, "خراسان رضوی"),
    (75, "کرمان"), (76, "گیلان"), (77, "تهران"), (78, "تهران و البرز"),
    (79, "قزوین"), (81, "چهارمحال و بختیاری"), (82, "مازندران"), (83, "فارس"),
    (84, "هرمزگان"), (85, "سیستان و بلوچستان"), (86, "سمنان"), (87, "زنجان"),
    (88, "تهران"), (89, "قزوین"), (91, "اردبیل"), (92, "مازندران"),
    (93, "فارس"), (94, "هرمزگان"), (95, "سیستان و بلوچستان"), (96, "سمنان"),
    (97, "زنجان"), (98, "ایلام"), (99, "تهران"),
];

/// A car plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Plate {
    two_digits: u8,
    letter: &'static str,
    three_digits: u16,
    region: u8,
}

impl Plate {
    /// Parses a plate in the order it is read aloud: two digits, the letter, three
    /// digits, then the region, optionally after «ایران». Spaces and the usual
    /// separators (`-`, `|`, `/`, `_`, `.`) are ignored. The first five digits contain
    /// no zero and the region is 10–99.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let text: String = normalize(input)
            .replace("ايران", "ایران")
            .replace("ایران", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '|' | '/' | '_' | '.'))
            .collect();
        let (two, rest) = split_digits(&text);
        let letter_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (letter, numbers) = rest.split_at(letter_end);
        let (numbers, tail) = split_digits(numbers);
        if two.len() != 2 || numbers.len() != 5 || !tail.is_empty() {
            return Err(IdError::PlateInvalid);
        }
        let (three, region) = numbers.split_at(3);
        if two.contains('0') || three.contains('0') || region.starts_with('0') {
            return Err(IdError::PlateInvalid);
        }
        Ok(Self {
            two_digits: u8::try_from(number_of(two)).map_err(|_| IdError::PlateInvalid)?,
            letter: canonical_letter(letter).ok_or(IdError::PlateInvalid)?,
            three_digits: u16::try_from(number_of(three)).map_err(|_| IdError::PlateInvalid)?,
            region: u8::try_from(number_of(region)).map_err(|_| IdError::PlateInvalid)?,
        })
    }

    /// The two digits before the letter.
    pub fn two_digits(&self) -> u8 {
        self.two_digits
    }

    /// The letter, in its canonical spelling (`الف` for the alef).
    pub fn letter(&self) -> &'static str {
        self.letter
    }

    /// The three digits after the letter.
    pub fn three_digits(&self) -> u16 {
        self.three_digits
    }

    /// The two-digit region code after «ایران».
    pub fn region(&self) -> u8 {
        self.region
    }

    /// What the letter marks: private, taxi, government and so on.
    pub fn kind(&self) -> PlateKind {
        LETTERS
            .iter()
            .find(|(l, _)| *l == self.letter)
            .map_or(PlateKind::Other, |(_, kind)| *kind)
    }

    /// The province of the region code, if the table knows it.
    pub fn province_fa(&self) -> Option<&'static str> {
        REGIONS
            .iter()
            .find(|(code, _)| *code == self.region)
            .map(|(_, name)| *name)
    }
}

/// The leading ASCII digits of `s`, and the rest.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// The table's spelling of a typed letter, or `None` when no plate carries it.
fn canonical_letter(typed: &str) -> Option<&'static str> {
    let typed = LETTER_ALIASES
        .iter()
        .find(|(alias, _)| *alias == typed)
        .map_or(typed, |(_, letter)| *letter);
    LETTERS.iter().find(|(l, _)| *l == typed).map(|(l, _)| *l)
}

parse_impls!(Plate);

/// The canonical form, `12ب345-67`.
impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{}{:03}-{:02}",
            self.two_digits, self.letter, self.three_digits, self.region
        )
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_plate_parses_into_its_fields() {
        let plate = Plate::parse("12ب345-67").unwrap();
        assert_eq!(plate.two_digits(), 12);
        assert_eq!(plate.letter(), "ب");
        assert_eq!(plate.three_digits(), 345);
        assert_eq!(plate.region(), 67);
        assert_eq!(plate.kind(), PlateKind::Private);
        assert_eq!(plate.to_string(), "12ب345-67");
    }

    #[test]
    fn persian_digits_spaces_separators_and_the_word_iran_are_accepted() {
        for input in [
            "۱۲ب۳۴۵-۶۷",
            "12 ب 345 - 67",
            "12ب345ایران67",
            "۱۲ ب ۳۴۵ ایران ۶۷",
            "12-ب-345-67",
            "12 ب 345 | ايران 67",
            "\u{200F}۱۲ب۳۴۵‌ایران۶۷ ",
        ] {
            assert_eq!(
                Plate::parse(input).map(|p| p.to_string()),
                Ok("12ب345-67".to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn each_letter_class_maps_to_its_kind() {
        for (input, kind) in [
            ("12الف345-11", PlateKind::Government),
            ("12پ345-11", PlateKind::Police),
            ("12ت345-11", PlateKind::Taxi),
            ("12ع345-11", PlateKind::PublicTransport),
            ("12ژ345-11", PlateKind::Disabled),
            ("12D345-11", PlateKind::Diplomatic),
            ("12S345-11", PlateKind::Diplomatic),
            ("12گ345-11", PlateKind::Temporary),
            ("12ث345-11", PlateKind::Other),
            ("12ی345-11", PlateKind::Private),
        ] {
            assert_eq!(Plate::parse(input).map(|p| p.kind()), Ok(kind), "{input}");
        }
    }

    #[test]
    fn every_private_letter_of_the_rules_is_private() {
        for letter in [
            "ب", "ج", "د", "س", "ص", "ط", "ق", "ل", "م", "ن", "و", "ه", "ی",
        ] {
            let plate = Plate::parse(&format!("12{letter}345-67")).unwrap();
            assert_eq!(plate.kind(), PlateKind::Private, "{letter}");
        }
    }

    #[test]
    fn other_spellings_of_a_letter_print_canonically() {
        for (input, canonical) in [
            ("12ا345-67", "12الف345-67"),
            ("12 آ 345 67", "12الف345-67"),
            ("12ي345-67", "12ی345-67"),
            ("12ك345-67", "12ک345-67"),
            ("12d345-67", "12D345-67"),
        ] {
            assert_eq!(
                Plate::parse(input).map(|p| p.to_string()),
                Ok(canonical.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn a_zero_in_the_first_five_digits_is_refused() {
        for input in [
            "10ب345-67",
            "02ب345-67",
            "12ب305-67",
            "12ب340-67",
            "12ب045-67",
        ] {
            assert_eq!(Plate::parse(input), Err(IdError::PlateInvalid), "{input}");
        }
        // The region may contain a zero, just not start with one.
        assert!(Plate::parse("12ب345-10").is_ok());
        assert_eq!(Plate::parse("12ب345-07"), Err(IdError::PlateInvalid));
    }

    #[test]
    fn unknown_letters_and_wrong_digit_counts_are_refused() {
        for input in [
            "",
            "12ح345-67",
            "12X345-67",
            "12بب345-67",
            "12345-67",
            "1ب345-67",
            "123ب345-67",
            "12ب34-67",
            "12ب345-6",
            "12ب345-678",
            "12ب345-67ب",
            "ب12345-67",
        ] {
            assert_eq!(Plate::parse(input), Err(IdError::PlateInvalid), "{input}");
        }
    }

    #[test]
    fn a_plate_names_its_province_when_the_region_table_knows_it() {
        assert_eq!(
            Plate::parse("12ب345-10").unwrap().province_fa(),
            Some("تهران")
        );
        assert_eq!(
            Plate::parse("12ب345-13").unwrap().province_fa(),
            Some("اصفهان")
        );
        assert_eq!(Plate::parse("12ب345-50").unwrap().province_fa(), None);
    }

    #[test]
    fn the_tables_are_consistent() {
        let mut regions: Vec<u8> = REGIONS.iter().map(|(r, _)| *r).collect();
        assert!(regions.iter().all(|r| (10..=99).contains(r)));
        assert!(regions.is_sorted());
        regions.dedup();
        assert_eq!(regions.len(), REGIONS.len(), "each region listed once");
        for &(_, letter) in LETTER_ALIASES {
            assert!(LETTERS.iter().any(|(l, _)| *l == letter), "{letter}");
        }
    }

    #[test]
    fn a_plate_serialises_in_its_canonical_form() {
        let plate = Plate::parse("۱۲ ب ۳۴۵ ایران ۶۷").unwrap();
        assert_eq!(String::from(plate), "12ب345-67");
        assert_eq!(Plate::try_from("12ب345-67".to_owned()), Ok(plate));
    }
}
