//! Loading a rules file and importing a zoning map: each checked whole before anything is
//! stored, so a bad file changes nothing.

use daftar_core::zoning::{ZoneRules, ZoningMapError, parse_zoning_map};
use daftar_store::{NewZoneFeature, ZoningStore};
use jiff::Timestamp;

use super::{Zoning, ZoningError};

/// A rules file taken: its version, and whether it was new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesLoaded {
    pub version: String,
    pub zones: usize,
    pub new: bool,
}

/// A map imported: its new version and how many features it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapImported {
    pub version: i64,
    pub rules_version: String,
    pub features: usize,
}

impl Zoning {
    /// Loads a zone rules file (TOML); the maps imported after it are checked against it.
    pub async fn load_rules(&self, text: &str) -> Result<RulesLoaded, ZoningError> {
        save_rules(self.store.as_ref(), text).await
    }

    /// Imports a zoning map (a GeoJSON FeatureCollection, each feature's `properties.code`
    /// a sub-zone of the latest rules) as a new version, and puts it in force here.
    pub async fn import_map(&self, text: &str) -> Result<MapImported, ZoningError> {
        let imported = save_map(self.store.as_ref(), text).await?;
        self.refresh().await?;
        Ok(imported)
    }
}

/// [`Zoning::load_rules`], on a store alone (the demo's loading).
pub async fn save_rules(store: &dyn ZoningStore, text: &str) -> Result<RulesLoaded, ZoningError> {
    let rules =
        ZoneRules::from_toml(text).map_err(|error| ZoningError::Refused(error.to_string()))?;
    let new = store
        .save_zone_rules(&rules.version, text, Timestamp::now())
        .await?;
    Ok(RulesLoaded {
        version: rules.version,
        zones: rules.zones.len(),
        new,
    })
}

/// [`Zoning::import_map`] on a store alone: the map stored, not yet in force anywhere.
pub async fn save_map(store: &dyn ZoningStore, text: &str) -> Result<MapImported, ZoningError> {
    {
        let stored = store.zone_rules(None).await?.ok_or_else(|| {
            ZoningError::Refused("load the zone rules first (daftar zoning rules FILE.toml)".into())
        })?;
        let rules = ZoneRules::from_toml(&stored.body).map_err(|error| {
            ZoningError::Refused(format!("the stored rules no longer load: {error}"))
        })?;
        let features = parse_zoning_map(text, &rules)
            .map_err(|error| ZoningError::Refused(describe(&error)))?;
        let rows: Vec<NewZoneFeature> = features
            .iter()
            .map(|feature| NewZoneFeature {
                code: feature.code.to_string(),
                geometry: feature.geometry_json(),
                flags: feature
                    .flags
                    .iter()
                    .map(|flag| flag.slug().to_owned())
                    .collect(),
            })
            .collect();
        let version = store
            .save_zoning_map(&rules.version, &rows, Timestamp::now())
            .await?;
        Ok(MapImported {
            version,
            rules_version: rules.version,
            features: rows.len(),
        })
    }
}

/// Every bad feature named, on one line (a failing command prints one).
fn describe(error: &ZoningMapError) -> String {
    match error {
        ZoningMapError::BadFeatures { count, listed } => {
            let listed: Vec<String> = listed
                .iter()
                .map(|error| format!("features[{}]: {}", error.index, error.problem))
                .collect();
            format!(
                "the map was not imported: {} bad features: {}",
                count,
                listed.join("; ")
            )
        }
        other => format!("the map was not imported: {other}"),
    }
}
