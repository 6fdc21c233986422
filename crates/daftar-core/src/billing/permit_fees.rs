//! A building permit's fees and validity, kept as data: one TOML file per Jalali year
//! under `tariffs/permit-<year>.toml`. The fee is the sketch's area by use times the
//! use's rate; the validity is a number of years, with free extensions of some months.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::sketch::{PartUse, Sketch};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitTariff {
    pub year: i32,
    /// Rials per m² by the use of a part of the building.
    pub fee_per_m2: BTreeMap<PartUse, u64>,
    pub validity_years: u8,
    pub extension_months: u8,
    pub free_extensions: u8,
}

/// One use's share of the fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    pub part_use: PartUse,
    pub area_centi_m2: i64,
    pub amount_rials: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("permit tariff {file}: {reason}")]
pub struct PermitTariffError {
    pub file: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TariffFile {
    year: i32,
    fee_per_m2: BTreeMap<String, u64>,
    validity: ValidityFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidityFile {
    years: u8,
    extension_months: u8,
    free_extensions: u8,
}

impl PermitTariff {
    /// Parses and checks a permit tariff; `file` names it in errors. Every use of a
    /// sketch's parts needs a rate (0 for none), so no part is billed by omission.
    pub fn parse(file: &str, text: &str) -> Result<PermitTariff, PermitTariffError> {
        let error = |reason: String| PermitTariffError {
            file: file.to_owned(),
            reason,
        };
        let raw: TariffFile = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        let mut fee_per_m2 = BTreeMap::new();
        for (slug, rate) in raw.fee_per_m2 {
            let part_use = PartUse::from_slug(&slug)
                .ok_or_else(|| error(format!("fee_per_m2: unknown use \"{slug}\"")))?;
            fee_per_m2.insert(part_use, rate);
        }
        if let Some(missing) = PartUse::ALL.iter().find(|u| !fee_per_m2.contains_key(u)) {
            return Err(error(format!(
                "fee_per_m2 has no rate for \"{}\"",
                missing.slug()
            )));
        }
        if raw.validity.years == 0 {
            return Err(error("validity.years must be at least 1".into()));
        }
        Ok(PermitTariff {
            year: raw.year,
            fee_per_m2,
            validity_years: raw.validity.years,
            extension_months: raw.validity.extension_months,
            free_extensions: raw.validity.free_extensions,
        })
    }

    /// The built-in tariff in force in `year`: the newest published for it or before
    /// (a council's tariff holds until the next is approved); none before the first.
    pub fn built_in(year: i32) -> Option<Result<PermitTariff, PermitTariffError>> {
        const PUBLISHED: [(i32, &str, &str); 1] = [(
            1405,
            "tariffs/permit-1405.toml",
            include_str!("../../../../tariffs/permit-1405.toml"),
        )];
        PUBLISHED
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= year)
            .map(|(_, file, text)| PermitTariff::parse(file, text))
    }

    /// The fee of a building as sketched: a line per use with a rate above zero, in the
    /// uses' order; rials rounded down per line.
    pub fn fees(&self, sketch: &Sketch) -> Vec<FeeLine> {
        let mut areas: BTreeMap<PartUse, i64> = BTreeMap::new();
        for part in sketch.floors.iter().flat_map(|floor| &floor.parts) {
            *areas.entry(part.part_use).or_default() += part.area_centi_m2;
        }
        areas
            .into_iter()
            .filter_map(|(part_use, area_centi_m2)| {
                let rate = *self.fee_per_m2.get(&part_use)?;
                let amount = u64::try_from(area_centi_m2).ok()?.saturating_mul(rate) / 100;
                (amount > 0).then_some(FeeLine {
                    part_use,
                    area_centi_m2,
                    amount_rials: amount,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{FloorInput, PartInput, SketchInput};

    fn square(part_use: PartUse, side: f64) -> PartInput {
        PartInput {
            part_use,
            corners: vec![
                [0.0, 0.0],
                [side, 0.0],
                [side, side],
                [0.0, side],
                [0.0, 0.0],
            ],
            edges_m: None,
        }
    }

    #[test]
    fn a_year_with_no_tariff_of_its_own_keeps_the_last_one_and_none_before_the_first() {
        assert_eq!(PermitTariff::built_in(1407).unwrap().unwrap().year, 1405);
        assert!(PermitTariff::built_in(1404).is_none());
    }

    #[test]
    fn the_built_in_tariff_prices_every_use_and_holds_three_years_with_one_free_extension() {
        let tariff = PermitTariff::built_in(1405).unwrap().unwrap();
        assert_eq!(tariff.fee_per_m2.len(), PartUse::ALL.len());
        assert_eq!(
            (
                tariff.validity_years,
                tariff.extension_months,
                tariff.free_extensions
            ),
            (3, 12, 1)
        );
    }

    #[test]
    fn the_fee_is_each_uses_area_times_its_rate_and_free_uses_add_no_line() {
        let tariff = PermitTariff::built_in(1405).unwrap().unwrap();
        let sketch = SketchInput {
            floors: vec![
                FloorInput {
                    level: 0,
                    parts: vec![square(PartUse::Parking, 10.0)],
                },
                FloorInput {
                    level: 1,
                    parts: vec![square(PartUse::Residential, 10.0)],
                },
                FloorInput {
                    level: 2,
                    parts: vec![square(PartUse::Residential, 10.0)],
                },
            ],
        }
        .check()
        .unwrap();
        let fees = tariff.fees(&sketch);
        assert_eq!(
            fees,
            vec![FeeLine {
                part_use: PartUse::Residential,
                area_centi_m2: 20_000,
                amount_rials: 200 * 180_000,
            }]
        );
    }

    #[test]
    fn a_tariff_missing_a_use_or_naming_an_unknown_one_is_refused() {
        let missing = "year = 1405\n[fee_per_m2]\nresidential = 1\n[validity]\nyears = 3\nextension_months = 12\nfree_extensions = 1\n";
        let error = PermitTariff::parse("t.toml", missing).unwrap_err();
        assert!(error.reason.contains("no rate for"), "{error}");
        let unknown = missing.replace("residential = 1", "palace = 1");
        let error = PermitTariff::parse("t.toml", &unknown).unwrap_err();
        assert!(error.reason.contains("unknown use \"palace\""), "{error}");
    }
}
