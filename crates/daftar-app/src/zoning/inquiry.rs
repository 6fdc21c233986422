//! The inquiry (استعلام طرح تفصیلی): what the detailed plan says about a place — its
//! sub-zones with their rules, the share of each, and the area's flags.

use daftar_core::billing::Area;
use daftar_core::fa::parse_decimal;
use daftar_core::property::RenewalCode;
use daftar_core::zoning::{
    AreaFlag, MapOrder, PlotFacts, Setback, Side, SubZone, ZoneFeature, ZoneShare,
};
use serde::{Deserialize, Serialize};

use crate::accounts::Principal;
use crate::property::PropertyError;

use super::{Zoning, ZoningError};

/// The plan's answer about a place, under the map and rules in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inquiry {
    pub zoning_version: i64,
    pub rules_version: String,
    /// The rules were made up for the demo: whoever shows the answer says so.
    pub made_for_demo: bool,
    pub zones: Vec<InquiryZone>,
    pub flags: Vec<AreaFlag>,
    /// What the street takes on each side, when the plot's record carries it.
    #[serde(default)]
    pub setbacks: Vec<Setback>,
    /// The plot's deed area and setbacks, when asked about a property: what its map
    /// order is computed from.
    #[serde(default)]
    pub plot: Option<PlotFacts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryZone {
    pub zone: SubZone,
    /// The share of the place in this zone, in thousandths (1000 for a point).
    pub share_permille: u32,
}

/// A longitude and latitude as typed (either script), in range.
pub fn parse_point(lon: &str, lat: &str) -> Result<(f64, f64), ZoningError> {
    match (parse_decimal(lon), parse_decimal(lat)) {
        (Some(lon), Some(lat)) if lon.abs() <= 180.0 && lat.abs() <= 90.0 => Ok((lon, lat)),
        _ => Err(ZoningError::Invalid("zoning.point")),
    }
}

impl Zoning {
    /// The inquiry at a point, for staff: a point names no property, so a citizen asks
    /// about their own property instead.
    pub async fn inquire_at_point(
        &self,
        who: &Principal,
        lon: f64,
        lat: f64,
    ) -> Result<Inquiry, ZoningError> {
        if !matches!(who, Principal::Staff(_)) {
            return Err(ZoningError::NotAllowed);
        }
        self.at_point(lon, lat).await
    }

    /// The inquiry at a point, with no one asking (the benchmark).
    pub async fn at_point(&self, lon: f64, lat: f64) -> Result<Inquiry, ZoningError> {
        let in_force = self.in_force().await?;
        let found = in_force.index.at_point(lon, lat);
        let flags = flags_of(found.iter().copied());
        let mut zones: Vec<InquiryZone> = found
            .iter()
            .filter_map(|feature| in_force.rules.zone(&feature.code))
            .map(|zone| InquiryZone {
                zone: zone.clone(),
                share_permille: 1000,
            })
            .collect();
        zones.sort_by(|a, b| a.zone.code.cmp(&b.zone.code));
        zones.dedup_by(|a, b| a.zone.code == b.zone.code);
        Ok(Inquiry {
            zoning_version: in_force.index.version,
            rules_version: in_force.rules.version.clone(),
            made_for_demo: in_force.rules.made_for_demo,
            zones,
            flags,
            setbacks: Vec::new(),
            plot: None,
        })
    }

    /// The inquiry about a property, for staff and its owners: the zones its plot's
    /// outline lies in, each with its share of the area, the setbacks its record
    /// carries, and its deed area for the map order. A property the GIS has not drawn
    /// cannot be placed on the map: asked about by a point instead.
    pub async fn inquire_property(
        &self,
        who: &Principal,
        district: u16,
        renewal_code: &RenewalCode,
    ) -> Result<Inquiry, ZoningError> {
        // The file's own rule: staff, or an owner in the register.
        self.properties.file(who, district, renewal_code).await?;
        self.of_property(district, renewal_code).await
    }

    /// The same, with no one asking (the case's inquiry checks its own reader; the
    /// benchmark).
    pub async fn of_property(
        &self,
        district: u16,
        renewal_code: &RenewalCode,
    ) -> Result<Inquiry, ZoningError> {
        let plot = self
            .properties
            .plot(district, renewal_code)
            .await?
            .ok_or(ZoningError::Invalid("zoning.no_plot"))?;
        let outline = plot
            .outline
            .as_ref()
            .ok_or(ZoningError::Invalid("zoning.no_outline"))?;
        let in_force = self.in_force().await?;
        let found = in_force.index.for_plot(outline);
        let flags = flags_of(found.iter().map(|at| at.feature));
        let mut zones: Vec<InquiryZone> = Vec::new();
        for at in &found {
            let Some(zone) = in_force.rules.zone(&at.feature.code) else {
                continue;
            };
            // Two features of one sub-zone: one row, their shares added.
            match zones.iter_mut().find(|z| z.zone.code == zone.code) {
                Some(kept) => kept.share_permille += at.share_permille,
                None => zones.push(InquiryZone {
                    zone: zone.clone(),
                    share_permille: at.share_permille,
                }),
            }
        }
        zones.sort_by(|a, b| {
            b.share_permille
                .cmp(&a.share_permille)
                .then(a.zone.code.cmp(&b.zone.code))
        });
        Ok(Inquiry {
            zoning_version: in_force.index.version,
            rules_version: in_force.rules.version.clone(),
            made_for_demo: in_force.rules.made_for_demo,
            zones,
            flags,
            setbacks: plot.setbacks.clone(),
            plot: Some(plot.facts()),
        })
    }
}

/// The flags of the features a place lies in, each once.
fn flags_of<'a>(features: impl Iterator<Item = &'a ZoneFeature>) -> Vec<AreaFlag> {
    let mut flags: Vec<AreaFlag> = features
        .flat_map(|feature| feature.flags.iter().copied())
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

impl From<PropertyError> for ZoningError {
    fn from(error: PropertyError) -> ZoningError {
        match error {
            PropertyError::Invalid(code) => ZoningError::Invalid(code),
            PropertyError::NotFound => ZoningError::NotFound,
            PropertyError::Refused(reason) => ZoningError::Refused(reason),
            PropertyError::Store(error) => ZoningError::Store(error),
        }
    }
}

/// A plot as a clerk types it to see its map order: the deed's area in m², and what the
/// street takes, a depth along a frontage in metres (both empty for no setback).
pub fn parse_plot(
    area_m2: &str,
    depth_m: &str,
    frontage_m: &str,
) -> Result<PlotFacts, ZoningError> {
    let area = Area::parse_m2(area_m2)
        .filter(|area| area.centi_m2() > 0)
        .ok_or(ZoningError::Invalid("zoning.plot_area"))?;
    let deed_area_centi_m2 =
        i64::try_from(area.centi_m2()).map_err(|_| ZoningError::Invalid("zoning.plot_area"))?;
    let centimetres = |text: &str| {
        Area::parse_m2(text)
            .map(|metres| metres.centi_m2())
            .filter(|cm| *cm <= 100_000)
            .and_then(|cm| i64::try_from(cm).ok())
    };
    let setbacks = match (depth_m.trim().is_empty(), frontage_m.trim().is_empty()) {
        (true, true) => Vec::new(),
        _ => {
            let (Some(depth_cm), Some(frontage_cm)) =
                (centimetres(depth_m), centimetres(frontage_m))
            else {
                return Err(ZoningError::Invalid("zoning.setback"));
            };
            vec![Setback {
                side: Side::North,
                depth_cm,
                frontage_cm,
            }]
        }
    };
    Ok(PlotFacts {
        deed_area_centi_m2,
        setbacks,
    })
}

impl Inquiry {
    /// The map order of `plot` under the zones of this answer. The shares are taken as
    /// parts of their sum: at a point on a shared edge each zone has the whole, so each
    /// takes an equal part; a plot partly off the map is reckoned on the part on it.
    pub fn map_order(&self, plot: &PlotFacts) -> MapOrder {
        let total: u64 = self.zones.iter().map(|z| u64::from(z.share_permille)).sum();
        let shares: Vec<ZoneShare<'_>> = self
            .zones
            .iter()
            .map(|found| ZoneShare {
                zone: &found.zone,
                share_permille: u32::try_from(
                    u64::from(found.share_permille) * 1000 / total.max(1),
                )
                .unwrap_or(1000),
            })
            .collect();
        MapOrder::compute(plot, &shares)
    }

    /// The map order of the property asked about, when it was asked by property.
    pub fn property_map_order(&self) -> Option<MapOrder> {
        self.plot.as_ref().map(|plot| self.map_order(plot))
    }
}
