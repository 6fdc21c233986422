//! What a violation may be fined, kept as data like the tariffs (`fines/<year>.toml` at
//! the repository's root): the transaction values (ارزش معاملاتی) per m² by district and
//! block, the goodwill values (سرقفلی) that Note 4 weighs, each note's multipliers and
//! yearly coefficient (Note 11's regulation), the rule's m² per parking space, and the
//! owner's days to defend and to object. The commission decides within the range.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Note;
use crate::property::{RenewalCode, RenewalPart};

/// A fine's range in whole rials, with its formula written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FineRange {
    pub min_rials: i64,
    pub max_rials: i64,
    /// The computation with its numbers filled in (`12.50 m² × 45,000,000 rials/m² × 0.5
    /// … 3 × 100% = …`).
    pub formula: String,
}

/// How a note's fine is reckoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoteRule {
    /// Area × transaction value × a multiple between `min` and `max` (in thousandths).
    Multiple {
        min_permille: u32,
        max_permille: u32,
    },
    /// Note 4: the larger of the transaction value over `value_divisor` and the goodwill
    /// value over `goodwill_divisor`, per m².
    LargerOf {
        value_divisor: u32,
        goodwill_divisor: u32,
    },
    /// The ruling is demolition: no fine.
    Demolition,
}

/// One year's fine schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineSchedule {
    pub year: i32,
    /// Made up for the demo, not a council's regulation: pages that show it say so.
    pub made_for_demo: bool,
    pub defence_days: u32,
    pub objection_days: u32,
    pub parking_m2_per_space: u32,
    notes: BTreeMap<Note, (NoteRule, u32)>,
    districts: BTreeMap<u16, DistrictValues>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct DistrictValues {
    rials_per_m2: i64,
    goodwill_rials_per_m2: i64,
    /// By `region-block` of the renewal code.
    blocks: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fine schedule: {0}")]
pub struct FineScheduleError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    year: i32,
    #[serde(default)]
    made_for_demo: bool,
    defence_days: u32,
    objection_days: u32,
    parking_m2_per_space: u32,
    notes: BTreeMap<String, NoteFile>,
    district: Vec<DistrictFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteFile {
    #[serde(default)]
    min_permille: Option<u32>,
    #[serde(default)]
    max_permille: Option<u32>,
    #[serde(default)]
    value_divisor: Option<u32>,
    #[serde(default)]
    goodwill_divisor: Option<u32>,
    #[serde(default)]
    demolition: bool,
    #[serde(default = "hundred")]
    coefficient_percent: u32,
}

fn hundred() -> u32 {
    100
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictFile {
    district: u16,
    rials_per_m2: i64,
    goodwill_rials_per_m2: i64,
    #[serde(default)]
    blocks: BTreeMap<String, i64>,
}

impl FineSchedule {
    pub fn parse(text: &str) -> Result<FineSchedule, FineScheduleError> {
        let file: ScheduleFile =
            toml::from_str(text).map_err(|e| FineScheduleError(e.message().to_owned()))?;
        let bad = |what: String| Err(FineScheduleError(what));
        if !(1..=90).contains(&file.defence_days) || !(1..=90).contains(&file.objection_days) {
            return bad("defence_days and objection_days must be 1 to 90".into());
        }
        if !(1..=100).contains(&file.parking_m2_per_space) {
            return bad("parking_m2_per_space must be 1 to 100".into());
        }
        let mut notes = BTreeMap::new();
        for (code, note) in &file.notes {
            let Some(which) = Note::from_code(code) else {
                return bad(format!("no note {code:?} (1 to 6, or 55-24)"));
            };
            let rule = match note {
                NoteFile {
                    demolition: true, ..
                } => NoteRule::Demolition,
                NoteFile {
                    min_permille: Some(min),
                    max_permille: Some(max),
                    ..
                } if min <= max && *max <= 100_000 => NoteRule::Multiple {
                    min_permille: *min,
                    max_permille: *max,
                },
                NoteFile {
                    value_divisor: Some(value),
                    goodwill_divisor: Some(goodwill),
                    ..
                } if *value > 0 && *goodwill > 0 => NoteRule::LargerOf {
                    value_divisor: *value,
                    goodwill_divisor: *goodwill,
                },
                _ => {
                    return bad(format!(
                        "note {code}: give min_permille ≤ max_permille, or value_divisor and goodwill_divisor, or demolition = true"
                    ));
                }
            };
            if note.coefficient_percent > 1000 {
                return bad(format!("note {code}: coefficient_percent above 1000"));
            }
            notes.insert(which, (rule, note.coefficient_percent));
        }
        if let Some(missing) = Note::ALL.iter().find(|note| !notes.contains_key(note)) {
            return bad(format!("note {} has no rule", missing.code()));
        }
        let mut districts = BTreeMap::new();
        for district in file.district {
            let values = [district.rials_per_m2, district.goodwill_rials_per_m2]
                .into_iter()
                .chain(district.blocks.values().copied());
            if values
                .into_iter()
                .any(|v| !(0..=1_000_000_000_000).contains(&v))
            {
                return bad(format!(
                    "district {}: values must be 0 to 10^12 rials",
                    district.district
                ));
            }
            let blocks = district.blocks;
            if districts
                .insert(
                    district.district,
                    DistrictValues {
                        rials_per_m2: district.rials_per_m2,
                        goodwill_rials_per_m2: district.goodwill_rials_per_m2,
                        blocks,
                    },
                )
                .is_some()
            {
                return bad(format!("district {} given twice", district.district));
            }
        }
        Ok(FineSchedule {
            year: file.year,
            made_for_demo: file.made_for_demo,
            defence_days: file.defence_days,
            objection_days: file.objection_days,
            parking_m2_per_space: file.parking_m2_per_space,
            notes,
            districts,
        })
    }

    pub fn rule(&self, note: Note) -> (NoteRule, u32) {
        self.notes
            .get(&note)
            .copied()
            .unwrap_or((NoteRule::Demolition, 100))
    }

    /// The transaction value and goodwill value per m² where the property stands: its
    /// block's when the schedule names one, else its district's; none for a district the
    /// schedule does not cover.
    pub fn values_at(&self, district: u16, code: &RenewalCode) -> Option<(i64, i64)> {
        let values = self.districts.get(&district)?;
        let block = format!(
            "{}-{}",
            code.part(RenewalPart::Region),
            code.part(RenewalPart::Block)
        );
        let value = values
            .blocks
            .get(&block)
            .copied()
            .unwrap_or(values.rials_per_m2);
        Some((value, values.goodwill_rials_per_m2))
    }

    /// The range of a fine under `note` on `centi_m2`, with values `(value, goodwill)`
    /// per m²; rounded down to the rial.
    pub fn range(&self, note: Note, centi_m2: i64, (value, goodwill): (i64, i64)) -> FineRange {
        let (rule, coefficient) = self.rule(note);
        let area = i128::from(centi_m2.max(0));
        let coefficient_i = i128::from(coefficient);
        let clamp = |v: i128| i64::try_from(v).unwrap_or(i64::MAX);
        let m2 = format!("{}.{:02} m²", centi_m2 / 100, centi_m2 % 100);
        match rule {
            NoteRule::Demolition => FineRange {
                min_rials: 0,
                max_rials: 0,
                formula: format!("{m2}: demolition, no fine"),
            },
            NoteRule::Multiple {
                min_permille,
                max_permille,
            } => {
                let fine = |permille: u32| {
                    clamp(
                        area * i128::from(value) * i128::from(permille) * coefficient_i
                            / (100 * 1000 * 100),
                    )
                };
                let (min, max) = (fine(min_permille), fine(max_permille));
                FineRange {
                    min_rials: min,
                    max_rials: max,
                    formula: format!(
                        "{m2} × {} rials/m² × {} … {} × {coefficient}% = {} … {} rials",
                        grouped(value),
                        multiple(min_permille),
                        multiple(max_permille),
                        grouped(min),
                        grouped(max)
                    ),
                }
            }
            NoteRule::LargerOf {
                value_divisor,
                goodwill_divisor,
            } => {
                let by_value = i128::from(value) / i128::from(value_divisor);
                let by_goodwill = i128::from(goodwill) / i128::from(goodwill_divisor);
                let per_m2 = by_value.max(by_goodwill);
                let fine = clamp(area * per_m2 * coefficient_i / (100 * 100));
                FineRange {
                    min_rials: fine,
                    max_rials: fine,
                    formula: format!(
                        "{m2} × max({} / {value_divisor}, {} / {goodwill_divisor}) rials/m² × {coefficient}% = {} rials",
                        grouped(value),
                        grouped(goodwill),
                        grouped(fine)
                    ),
                }
            }
        }
    }
}

/// `1234567` as `1,234,567` (amounts here are never negative).
fn grouped(n: i64) -> String {
    crate::fa::format_number_en(n.unsigned_abs())
}

/// Thousandths as a multiple: 500 → `0.5`, 3000 → `3`.
fn multiple(permille: u32) -> String {
    let whole = permille / 1000;
    let rest = permille % 1000;
    if rest == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{rest:03}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const DEMO: &str = include_str!("../../../../fines/1405.toml");

    fn schedule() -> FineSchedule {
        FineSchedule::parse(DEMO).expect("the demo schedule parses")
    }

    #[test]
    fn note_2_is_half_to_three_times_the_transaction_value_per_m2() {
        // 10 m² at 40,000,000 rials/m²: 200,000,000 to 1,200,000,000 rials.
        let range = schedule().range(Note::Note2, 1000, (40_000_000, 0));
        assert_eq!(
            (range.min_rials, range.max_rials),
            (200_000_000, 1_200_000_000)
        );
        assert_eq!(
            range.formula,
            "10.00 m² × 40,000,000 rials/m² × 0.5 … 3 × 100% = 200,000,000 … 1,200,000,000 rials"
        );
    }

    #[test]
    fn note_3_is_two_to_four_times() {
        let range = schedule().range(Note::Note3, 250, (40_000_000, 0));
        assert_eq!(
            (range.min_rials, range.max_rials),
            (200_000_000, 400_000_000)
        );
    }

    #[test]
    fn note_4_takes_the_larger_of_a_tenth_of_the_value_and_a_fifth_of_the_goodwill() {
        // 20 m²: value/10 = 4,000,000, goodwill/5 = 6,000,000 per m² → 120,000,000.
        let range = schedule().range(Note::Note4, 2000, (40_000_000, 30_000_000));
        assert_eq!(
            (range.min_rials, range.max_rials),
            (120_000_000, 120_000_000)
        );
        // With little goodwill the value's tenth wins: 20 × 4,000,000.
        let range = schedule().range(Note::Note4, 2000, (40_000_000, 5_000_000));
        assert_eq!(range.min_rials, 80_000_000);
        assert!(
            range
                .formula
                .contains("max(40,000,000 / 10, 5,000,000 / 5)")
        );
    }

    #[test]
    fn note_5_is_one_to_two_times_per_m2_of_missing_parking() {
        // One space of 25 m².
        let range = schedule().range(Note::Note5, 2500, (40_000_000, 0));
        assert_eq!(
            (range.min_rials, range.max_rials),
            (1_000_000_000, 2_000_000_000)
        );
    }

    #[test]
    fn demolition_notes_carry_no_fine() {
        let range = schedule().range(Note::Note6, 1234, (40_000_000, 0));
        assert_eq!((range.min_rials, range.max_rials), (0, 0));
    }

    #[test]
    fn a_yearly_coefficient_scales_the_range() {
        let text = DEMO.replace(
            "[notes.2]\nmin_permille = 500\nmax_permille = 3000\ncoefficient_percent = 100",
            "[notes.2]\nmin_permille = 500\nmax_permille = 3000\ncoefficient_percent = 120",
        );
        assert_ne!(
            text, DEMO,
            "the demo schedule's note 2 is written as the test expects"
        );
        let range = FineSchedule::parse(&text)
            .unwrap()
            .range(Note::Note2, 1000, (40_000_000, 0));
        assert_eq!(range.min_rials, 240_000_000);
    }

    #[test]
    fn a_block_value_overrides_its_district() {
        let schedule = schedule();
        let plain = RenewalCode::parse("01-101-12-0").unwrap();
        let dear = RenewalCode::parse("01-102-07-0").unwrap();
        let (plain_value, _) = schedule.values_at(1, &plain).unwrap();
        let (dear_value, _) = schedule.values_at(1, &dear).unwrap();
        assert_ne!(plain_value, dear_value);
        assert_eq!(schedule.values_at(99, &plain), None);
    }

    #[test]
    fn a_schedule_missing_a_note_is_refused_by_name() {
        let text = DEMO.replace("[notes.5]", "[notes.9]");
        let error = FineSchedule::parse(&text).unwrap_err();
        assert!(error.0.contains("no note \"9\""), "{error}");
    }
}
