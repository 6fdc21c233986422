//! The map order (دستور نقشه): what may be built on a plot, from the zones it lies in and
//! what the street takes from it (the setback, عقب‌نشینی).
//!
//! Areas are in hundredths of a square metre and lengths in centimetres, so that the order
//! is exact and the same wherever it is computed.

use serde::{Deserialize, Serialize};

use super::{Family, SubZone, SubZoneCode};

/// A side of the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    North,
    South,
    East,
    West,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::North, Side::South, Side::East, Side::West];

    pub fn slug(self) -> &'static str {
        match self {
            Side::North => "north",
            Side::South => "south",
            Side::East => "east",
            Side::West => "west",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Side> {
        Side::ALL.into_iter().find(|side| side.slug() == slug)
    }

    /// Whether two sides meet at a corner (north and east do; north and south do not).
    pub fn meets(self, other: Side) -> bool {
        let across = matches!(
            (self, other),
            (Side::North, Side::South)
                | (Side::South, Side::North)
                | (Side::East, Side::West)
                | (Side::West, Side::East)
        );
        self != other && !across
    }
}

/// What the street takes on one side: the corrective depth (عمق اصلاحی) along the
/// plot's frontage on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setback {
    pub side: Side,
    pub depth_cm: i64,
    pub frontage_cm: i64,
}

/// The plot as the register and the inquiry know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlotFacts {
    pub deed_area_centi_m2: i64,
    pub setbacks: Vec<Setback>,
}

/// A zone the plot lies in, with the share of the plot's area in it, in thousandths.
#[derive(Debug, Clone, Copy)]
pub struct ZoneShare<'a> {
    pub zone: &'a SubZone,
    pub share_permille: u32,
}

/// What may be built on the plot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapOrder {
    pub zones: Vec<(SubZoneCode, u32)>,
    pub deed_area_centi_m2: i64,
    /// Given up to the street.
    pub setback_area_centi_m2: i64,
    /// The plot after the setback: what density and occupancy are reckoned on.
    pub remaining_area_centi_m2: i64,
    /// The most one floor may cover.
    pub floor_area_centi_m2: i64,
    /// The most that may be built in all.
    pub total_built_centi_m2: i64,
    pub floors: u32,
    pub parking_spaces: u32,
    /// The plot is smaller than a zone's minimum: plan approval must look at it.
    pub below_min_plot: bool,
    /// Whether anything may be built at all (not when the plot is wholly green space or
    /// the street takes all of it): the non-eligibility notice (عدم قابلیت) when not.
    pub buildable: bool,
}

impl MapOrder {
    pub fn compute(plot: &PlotFacts, zones: &[ZoneShare<'_>]) -> MapOrder {
        let strips: i64 = plot
            .setbacks
            .iter()
            .map(|s| s.depth_cm.max(0) * s.frontage_cm.max(0) / 100)
            .sum();
        // Two setbacks on sides that meet overlap at the corner: the square where they
        // cross is given up once, not twice.
        let corners: i64 = plot
            .setbacks
            .iter()
            .enumerate()
            .flat_map(|(n, a)| plot.setbacks[n + 1..].iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.side.meets(b.side))
            .map(|(a, b)| a.depth_cm.max(0) * b.depth_cm.max(0) / 100)
            .sum();
        let setback = (strips - corners).max(0);
        let setback = setback.min(plot.deed_area_centi_m2.max(0));
        let remaining = plot.deed_area_centi_m2.max(0) - setback;
        // Rounded down to the hundredth of a square metre: an order never allows more than
        // the rules do.
        let share_of = |area: i64, permille: u32| area * i64::from(permille) / 1000;
        let percent_of = |area: i64, percent: u32| area * i64::from(percent) / 100;
        let mut floor_area = 0;
        let mut total_built = 0;
        let mut parking = 0u32;
        for ZoneShare {
            zone,
            share_permille,
        } in zones
        {
            let part = share_of(remaining, *share_permille);
            let built = percent_of(part, zone.max_density_pct);
            floor_area += percent_of(part, zone.max_occupancy_pct);
            total_built += built;
            parking = parking.saturating_add(zone.parking.spaces_for(built));
        }
        let most_floors = zones
            .iter()
            .filter(|share| share.share_permille > 0)
            .map(|share| share.zone.max_floors)
            .min()
            .unwrap_or(0);
        let floors = if floor_area > 0 {
            most_floors.min(u32::try_from(total_built / floor_area).unwrap_or(u32::MAX))
        } else {
            0
        };
        let buildable = remaining > 0
            && floors > 0
            && zones
                .iter()
                .any(|share| share.share_permille > 0 && share.zone.family != Family::Green);
        MapOrder {
            zones: zones
                .iter()
                .map(|share| (share.zone.code.clone(), share.share_permille))
                .collect(),
            deed_area_centi_m2: plot.deed_area_centi_m2,
            setback_area_centi_m2: setback,
            remaining_area_centi_m2: remaining,
            floor_area_centi_m2: floor_area,
            total_built_centi_m2: total_built,
            floors,
            parking_spaces: parking,
            below_min_plot: zones
                .iter()
                .any(|share| remaining < i64::from(share.zone.min_plot_m2) * 100),
            buildable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Square metres in hundredths.
    fn m2(whole: i64) -> i64 {
        whole * 100
    }
    use crate::zoning::ZoneRules;

    fn zone(rules: &ZoneRules, code: &str) -> SubZone {
        rules
            .zone(&SubZoneCode::parse(code).unwrap())
            .unwrap()
            .clone()
    }

    #[test]
    fn a_housing_plot_after_its_setback() {
        let rules = ZoneRules::demo();
        let r121 = zone(&rules, "R121");
        // 300 m², the street takes 1.5 m along a 12 m frontage: 18 m².
        let plot = PlotFacts {
            deed_area_centi_m2: m2(300),
            setbacks: vec![Setback {
                side: Side::North,
                depth_cm: 150,
                frontage_cm: 1200,
            }],
        };
        let order = MapOrder::compute(
            &plot,
            &[ZoneShare {
                zone: &r121,
                share_permille: 1000,
            }],
        );
        assert_eq!(order.setback_area_centi_m2, m2(18));
        assert_eq!(order.remaining_area_centi_m2, m2(282));
        assert_eq!(order.floor_area_centi_m2, 16920, "60% of 282 m²");
        assert_eq!(order.total_built_centi_m2, 67680, "240% of 282 m²");
        assert_eq!(order.floors, 4);
        assert_eq!(order.parking_spaces, 7, "one per 100 m², rounded up");
        assert!(order.buildable && !order.below_min_plot);
    }

    #[test]
    fn a_corner_plot_gives_the_corner_up_once() {
        let rules = ZoneRules::demo();
        let r121 = zone(&rules, "R121");
        // 20 m × 15 m on a corner: 2 m off the north along 20 m, 1 m off the east along
        // 15 m; the 2 m × 1 m square where they cross is counted once: 40 + 15 − 2.
        let plot = PlotFacts {
            deed_area_centi_m2: m2(300),
            setbacks: vec![
                Setback {
                    side: Side::North,
                    depth_cm: 200,
                    frontage_cm: 2000,
                },
                Setback {
                    side: Side::East,
                    depth_cm: 100,
                    frontage_cm: 1500,
                },
            ],
        };
        let order = MapOrder::compute(
            &plot,
            &[ZoneShare {
                zone: &r121,
                share_permille: 1000,
            }],
        );
        assert_eq!(order.setback_area_centi_m2, m2(53));
        assert!(Side::North.meets(Side::West) && !Side::North.meets(Side::South));
    }

    #[test]
    fn a_plot_across_two_zones_takes_each_by_its_share() {
        let rules = ZoneRules::demo();
        let (r111, m111) = (zone(&rules, "R111"), zone(&rules, "M111"));
        let plot = PlotFacts {
            deed_area_centi_m2: m2(400),
            setbacks: Vec::new(),
        };
        let order = MapOrder::compute(
            &plot,
            &[
                ZoneShare {
                    zone: &r111,
                    share_permille: 750,
                },
                ZoneShare {
                    zone: &m111,
                    share_permille: 250,
                },
            ],
        );
        // 300 m² at 180% and 100 m² at 300%.
        assert_eq!(order.total_built_centi_m2, m2(540) + m2(300));
        assert_eq!(order.floors, 3, "the stricter zone's floors");
        assert_eq!(order.parking_spaces, 6 + 6);
    }

    #[test]
    fn a_park_or_a_plot_the_street_takes_is_not_buildable() {
        let rules = ZoneRules::demo();
        let g111 = zone(&rules, "G111");
        let park = PlotFacts {
            deed_area_centi_m2: m2(500),
            setbacks: Vec::new(),
        };
        let order = MapOrder::compute(
            &park,
            &[ZoneShare {
                zone: &g111,
                share_permille: 1000,
            }],
        );
        assert!(!order.buildable && order.below_min_plot);
        let r121 = zone(&rules, "R121");
        let taken = PlotFacts {
            deed_area_centi_m2: m2(50),
            setbacks: vec![Setback {
                side: Side::East,
                depth_cm: 1000,
                frontage_cm: 1000,
            }],
        };
        let order = MapOrder::compute(
            &taken,
            &[ZoneShare {
                zone: &r121,
                share_permille: 1000,
            }],
        );
        assert_eq!(order.remaining_area_centi_m2, 0);
        assert!(!order.buildable);
    }
}
