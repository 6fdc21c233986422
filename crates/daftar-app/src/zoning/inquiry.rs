//! The inquiry (استعلام طرح تفصیلی): what the detailed plan says about a place — its
//! sub-zones with their rules, the share of each, and the area's flags.

use daftar_core::billing::Area;
use daftar_core::fa::parse_decimal;
use daftar_core::zoning::{AreaFlag, MapOrder, PlotFacts, Setback, Side, SubZone, ZoneShare};

use crate::accounts::Principal;

use super::{Zoning, ZoningError};

/// The plan's answer about a place, under the map and rules in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Inquiry {
    pub zoning_version: i64,
    pub rules_version: String,
    /// The rules were made up for the demo: whoever shows the answer says so.
    pub made_for_demo: bool,
    pub zones: Vec<InquiryZone>,
    pub flags: Vec<AreaFlag>,
}

#[derive(Debug, Clone, PartialEq)]
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
        let mut flags: Vec<AreaFlag> = found
            .iter()
            .flat_map(|feature| feature.flags.iter().copied())
            .collect();
        flags.sort();
        flags.dedup();
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
        })
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
    /// The map order of `plot` under the zones of this answer: at a point on a shared
    /// edge, each zone takes an equal share.
    pub fn map_order(&self, plot: &PlotFacts) -> MapOrder {
        let count = u32::try_from(self.zones.len().max(1)).unwrap_or(1);
        let shares: Vec<ZoneShare<'_>> = self
            .zones
            .iter()
            .map(|found| ZoneShare {
                zone: &found.zone,
                share_permille: found.share_permille / count,
            })
            .collect();
        MapOrder::compute(plot, &shares)
    }
}
