//! The detailed plan (طرح تفصیلی) at work: loading the zone rules and importing the
//! zoning map ([`import`]), and the inquiry (استعلام) of what the plan says about a place
//! ([`inquiry`]).
//!
//! The latest map is kept in memory as an R-tree with the rules it was imported under, so
//! an inquiry reads no database; it is loaded at start ([`Zoning::refresh`]), or at the
//! first inquiry, and again after each import through this service. A map imported by
//! the command line is taken by a running server at its next start.

mod case;
mod import;
mod inquiry;
mod near;

pub use case::{InquiryRequest, RecordedInquiry};
pub use import::{MapImported, RulesLoaded, save_map, save_rules};
pub use inquiry::{Inquiry, InquiryZone, parse_plot, parse_point};
pub use near::ZoneShape;

use std::sync::{Arc, RwLock};

use daftar_core::zoning::{ZoneFeature, ZoneIndex, ZoneRules};
use daftar_store::{StoreError, ZoningStore};

use crate::property::Properties;

#[derive(Debug, thiserror::Error)]
pub enum ZoningError {
    /// The input breaks a rule (`zoning.point`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// A rules file or a map that cannot be taken, with what is wrong, for the one who
    /// loads it (an administrator at the command line).
    #[error("{0}")]
    Refused(String),
    /// No zoning map has been imported yet.
    #[error("no zoning map has been imported")]
    NoMap,
    #[error("only staff may ask this")]
    NotAllowed,
    /// No such property, or not one the asker may see.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The map in force and the rules it was imported under.
#[derive(Debug)]
struct InForce {
    rules: ZoneRules,
    index: ZoneIndex,
}

/// The zoning service.
#[derive(Debug, Clone)]
pub struct Zoning {
    store: Arc<dyn ZoningStore>,
    /// The plots, for an inquiry about a property.
    properties: Properties,
    in_force: Arc<RwLock<Option<Arc<InForce>>>>,
}

impl Zoning {
    pub fn new(store: Arc<dyn ZoningStore>, properties: Properties) -> Zoning {
        Zoning {
            store,
            properties,
            in_force: Arc::new(RwLock::new(None)),
        }
    }

    /// Reads the latest map and its rules from the store into memory.
    pub async fn refresh(&self) -> Result<(), ZoningError> {
        let Some(map) = self.store.latest_zoning_map().await? else {
            return Ok(());
        };
        let stored = self
            .store
            .zone_rules(Some(&map.rules_version))
            .await?
            .ok_or(StoreError::NotFound("the map's zone rules"))?;
        let rules = ZoneRules::from_toml(&stored.body).map_err(|error| {
            ZoningError::Refused(format!("the stored rules no longer load: {error}"))
        })?;
        let features = map
            .features
            .iter()
            .map(|feature| {
                ZoneFeature::from_stored(&feature.code, &feature.geometry, &feature.flags)
                    .ok_or_else(|| {
                        ZoningError::Refused(format!(
                            "a stored feature of map {} does not load",
                            map.version
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let index = ZoneIndex::new(map.version, map.rules_version, features);
        *self
            .in_force
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(Arc::new(InForce { rules, index }));
        Ok(())
    }

    /// The map in force, read from the store the first time it is needed (a server that
    /// started before any map was imported finds the first one so).
    async fn in_force(&self) -> Result<Arc<InForce>, ZoningError> {
        if let Some(in_force) = self.current() {
            return Ok(in_force);
        }
        self.refresh().await?;
        self.current().ok_or(ZoningError::NoMap)
    }

    fn current(&self) -> Option<Arc<InForce>> {
        self.in_force
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
