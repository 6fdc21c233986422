//! A city's zone rules, kept as data like the tariffs: one TOML file, versioned, with a
//! table per sub-zone (see `zoning/` at the repository's root for the demo's).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Family, SubZoneCode};
use crate::sketch::PartUse;

/// The rules of every sub-zone of a city's detailed plan, as one version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneRules {
    pub city: String,
    pub version: String,
    /// Made up for the demo, not a municipality's plan: every page that shows it says so.
    pub made_for_demo: bool,
    pub zones: Vec<SubZone>,
}

/// What the plan allows in one sub-zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubZone {
    pub code: SubZoneCode,
    pub family: Family,
    pub name_fa: String,
    pub name_en: String,
    pub uses: Vec<PartUse>,
    /// The most floor area that may be built, as a percentage of the plot (تراکم).
    pub max_density_pct: u32,
    /// The most of the plot a floor may cover (سطح اشغال).
    pub max_occupancy_pct: u32,
    pub max_floors: u32,
    /// The smallest plot the zone's density applies to, in m².
    pub min_plot_m2: u32,
    pub parking: ParkingRule,
}

/// How many parking spaces a building needs: one for every so many square metres built,
/// or none (a park).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkingRule {
    pub m2_per_space: Option<u32>,
}

impl ParkingRule {
    /// The spaces a building of this floor area needs, rounded up.
    pub fn spaces_for(&self, built_centi_m2: i64) -> u32 {
        match self.m2_per_space {
            Some(m2) if m2 > 0 && built_centi_m2 > 0 => {
                let per_space = i64::from(m2) * 100;
                u32::try_from((built_centi_m2 + per_space - 1) / per_space).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("zone rules: {0}")]
pub struct ZoneRulesError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    city: String,
    version: String,
    #[serde(default)]
    made_for_demo: bool,
    zone: Vec<ZoneFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneFile {
    code: String,
    name_fa: String,
    name_en: String,
    uses: Vec<String>,
    max_density_pct: u32,
    max_occupancy_pct: u32,
    max_floors: u32,
    min_plot_m2: u32,
    parking_m2_per_space: Option<u32>,
}

impl ZoneRules {
    /// Reads a rules file, refusing it whole if any zone is wrong, and naming the zone.
    pub fn from_toml(text: &str) -> Result<ZoneRules, ZoneRulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| ZoneRulesError(e.to_string()))?;
        if file.version.trim().is_empty() || file.version.len() > 40 {
            return Err(ZoneRulesError(
                "the version must be 1 to 40 characters".into(),
            ));
        }
        if file.zone.is_empty() {
            return Err(ZoneRulesError("no [[zone]] in the file".into()));
        }
        let mut seen = BTreeSet::new();
        let mut zones = Vec::with_capacity(file.zone.len());
        for (n, zone) in file.zone.into_iter().enumerate() {
            let wrong = |reason: String| {
                ZoneRulesError(format!("zone {} ({}): {reason}", n + 1, zone.code))
            };
            let code = SubZoneCode::parse(&zone.code).ok_or_else(|| {
                wrong("the code is a letter R, S, M or G and three digits".into())
            })?;
            if !seen.insert(code.clone()) {
                return Err(wrong("the code appears twice".into()));
            }
            let uses = zone
                .uses
                .iter()
                .map(|slug| {
                    PartUse::from_slug(slug).ok_or_else(|| wrong(format!("unknown use {slug:?}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if zone.max_occupancy_pct > 100 {
                return Err(wrong("occupancy is at most 100%".into()));
            }
            if zone.max_density_pct > 5_000 || zone.max_floors > 200 {
                return Err(wrong("density or floors out of range".into()));
            }
            zones.push(SubZone {
                family: code.family(),
                code,
                name_fa: zone.name_fa,
                name_en: zone.name_en,
                uses,
                max_density_pct: zone.max_density_pct,
                max_occupancy_pct: zone.max_occupancy_pct,
                max_floors: zone.max_floors,
                min_plot_m2: zone.min_plot_m2,
                parking: ParkingRule {
                    m2_per_space: zone.parking_m2_per_space,
                },
            });
        }
        Ok(ZoneRules {
            city: file.city,
            version: file.version.trim().to_owned(),
            made_for_demo: file.made_for_demo,
            zones,
        })
    }

    pub fn zone(&self, code: &SubZoneCode) -> Option<&SubZone> {
        self.zones.iter().find(|zone| &zone.code == code)
    }

    /// The demo's rules (part of District 1, made up for the demo).
    pub fn demo() -> ZoneRules {
        ZoneRules::from_toml(DEMO_RULES).expect("the demo's zone rules are valid")
    }
}

/// The demo's zone rules file.
pub const DEMO_RULES: &str = include_str!("../../../../zoning/demo-district-1.rules.toml");

#[cfg(test)]
mod tests {
    use super::*;

    /// Square metres in hundredths.
    fn m2(whole: i64) -> i64 {
        whole * 100
    }

    #[test]
    fn the_demo_rules_have_the_four_families() {
        let rules = ZoneRules::demo();
        assert!(rules.made_for_demo);
        for code in ["R111", "R121", "M111", "G111"] {
            let code = SubZoneCode::parse(code).unwrap();
            assert!(rules.zone(&code).is_some(), "{code}");
        }
    }

    #[test]
    fn a_bad_zone_is_named_and_refuses_the_file() {
        let text = DEMO_RULES.replace("code = \"M111\"", "code = \"X111\"");
        let error = ZoneRules::from_toml(&text).unwrap_err();
        assert!(error.0.contains("X111"), "{error}");
        let twice = DEMO_RULES.replace("code = \"M111\"", "code = \"R121\"");
        assert!(
            ZoneRules::from_toml(&twice)
                .unwrap_err()
                .0
                .contains("twice")
        );
        let over = DEMO_RULES.replacen("max_occupancy_pct = 60", "max_occupancy_pct = 160", 1);
        assert!(
            ZoneRules::from_toml(&over)
                .unwrap_err()
                .0
                .contains("occupancy")
        );
    }

    #[test]
    fn parking_rounds_up() {
        let rule = ParkingRule {
            m2_per_space: Some(100),
        };
        assert_eq!(rule.spaces_for(0), 0);
        assert_eq!(rule.spaces_for(m2(100)), 1);
        assert_eq!(rule.spaces_for(10001), 2);
        assert_eq!(ParkingRule { m2_per_space: None }.spaces_for(m2(500)), 0);
    }
}
