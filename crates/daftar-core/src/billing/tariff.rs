//! A year's tariff, kept as data: one TOML file per Jalali year under `tariffs/`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::PropertyUse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tariff {
    pub year: i32,
    /// Rials per m² by district; `default_rate_per_m2` for districts not listed.
    pub renewal_rate_per_m2: BTreeMap<u16, u64>,
    pub default_rate_per_m2: u64,
    pub use_coefficient_percent: BTreeMap<PropertyUse, u64>,
    pub waste_rate_per_m2: BTreeMap<PropertyUse, u64>,
    pub waste_minimum_rials: u64,
    pub arrears_penalty_percent: u64,
    pub discounts: Vec<Discount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    pub applies_to: PropertyUse,
    pub percent: u64,
    pub label_fa: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tariff {file}: {reason}")]
pub struct TariffError {
    pub file: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TariffFile {
    year: i32,
    renewal_rate_per_m2: BTreeMap<String, u64>,
    use_coefficient_percent: BTreeMap<String, u64>,
    waste_rate_per_m2: BTreeMap<String, u64>,
    waste: WasteFile,
    arrears: ArrearsFile,
    #[serde(default)]
    discounts: Vec<DiscountFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WasteFile {
    minimum_rials: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArrearsFile {
    penalty_percent: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscountFile {
    #[serde(rename = "use")]
    applies_to: String,
    percent: u64,
    label_fa: String,
    label_en: String,
}

impl Tariff {
    /// Parses and checks a tariff file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Tariff, TariffError> {
        let error = |reason: String| TariffError {
            file: file.to_owned(),
            reason,
        };
        let raw: TariffFile = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        let mut renewal_rate_per_m2 = BTreeMap::new();
        let mut default_rate_per_m2 = None;
        for (key, rate) in raw.renewal_rate_per_m2 {
            if key == "default" {
                default_rate_per_m2 = Some(rate);
            } else {
                let district = key.parse::<u16>().map_err(|_| {
                    error(format!("renewal_rate_per_m2: {key:?} is not a district"))
                })?;
                renewal_rate_per_m2.insert(district, rate);
            }
        }
        let default_rate_per_m2 = default_rate_per_m2
            .ok_or_else(|| error("renewal_rate_per_m2.default is missing".into()))?;
        let by_use = |table: &str, map: BTreeMap<String, u64>| {
            let mut parsed = BTreeMap::new();
            for (key, value) in map {
                let kind = PropertyUse::parse(&key)
                    .ok_or_else(|| error(format!("{table}: unknown use {key:?}")))?;
                parsed.insert(kind, value);
            }
            if let Some(missing) = PropertyUse::ALL
                .into_iter()
                .find(|kind| !parsed.contains_key(kind))
            {
                return Err(error(format!("{table}.{} is missing", missing.slug())));
            }
            Ok(parsed)
        };
        let use_coefficient_percent =
            by_use("use_coefficient_percent", raw.use_coefficient_percent)?;
        let waste_rate_per_m2 = by_use("waste_rate_per_m2", raw.waste_rate_per_m2)?;
        let mut discounts = Vec::new();
        for discount in raw.discounts {
            let applies_to = PropertyUse::parse(&discount.applies_to).ok_or_else(|| {
                error(format!(
                    "discounts.use: unknown use {:?}",
                    discount.applies_to
                ))
            })?;
            if discount.percent > 100 {
                return Err(error("discounts.percent: at most 100".into()));
            }
            discounts.push(Discount {
                applies_to,
                percent: discount.percent,
                label_fa: discount.label_fa,
                label_en: discount.label_en,
            });
        }
        Ok(Tariff {
            year: raw.year,
            renewal_rate_per_m2,
            default_rate_per_m2,
            use_coefficient_percent,
            waste_rate_per_m2,
            waste_minimum_rials: raw.waste.minimum_rials,
            arrears_penalty_percent: raw.arrears.penalty_percent,
            discounts,
        })
    }

    /// The tariffs that ship with Daftar, by year.
    pub fn built_in(year: i32) -> Option<Result<Tariff, TariffError>> {
        let (file, text) = match year {
            1404 => (
                "tariffs/1404.toml",
                include_str!("../../../../tariffs/1404.toml"),
            ),
            1405 => (
                "tariffs/1405.toml",
                include_str!("../../../../tariffs/1405.toml"),
            ),
            _ => return None,
        };
        Some(Tariff::parse(file, text))
    }

    pub fn rate_per_m2(&self, district: u16) -> u64 {
        self.renewal_rate_per_m2
            .get(&district)
            .copied()
            .unwrap_or(self.default_rate_per_m2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_tariffs_parse_and_carry_their_year() {
        for year in [1404, 1405] {
            let tariff = Tariff::built_in(year).unwrap().unwrap();
            assert_eq!(tariff.year, year);
            assert_eq!(tariff.rate_per_m2(1), 24_000);
            assert_eq!(tariff.rate_per_m2(22), tariff.default_rate_per_m2);
        }
        assert!(Tariff::built_in(1300).is_none());
    }

    #[test]
    fn a_tariff_missing_a_use_or_with_an_unknown_field_is_refused_by_name() {
        let text = include_str!("../../../../tariffs/1405.toml");
        let missing = text.replace("industrial = 140\n", "");
        let error = Tariff::parse("t.toml", &missing).unwrap_err();
        assert_eq!(
            error.reason,
            "use_coefficient_percent.industrial is missing"
        );
        let unknown = text.replace("year = 1405", "year = 1405\ncolour = 1");
        let error = Tariff::parse("t.toml", &unknown).unwrap_err();
        assert!(error.reason.contains("colour"), "{error}");
        assert!(error.to_string().starts_with("tariff t.toml:"));
    }
}
