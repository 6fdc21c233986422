//! Computing violations: the sketch against the permit and the map order.
//!
//! - With a permit, each floor is compared with the permit's floor at its level: a floor
//!   the permit does not have is an extra floor, fined on its whole area; more area than
//!   the permit's is an excess on that floor; area used otherwise than the permit says
//!   (shops on a residential floor) is a change of use.
//! - With none, every floor is built with no permit (Note 4).
//! - Against the map order: floors above the plan's count that no permit allowed are
//!   against the plan (Note 1, demolition); a floor covering more than the plan's
//!   occupancy, and not already in excess of its permit, is an excess of occupancy; a
//!   building beyond the plan's density with no floor already in excess is an excess
//!   as a whole.
//! - Parking: the spaces the permit (or else the plan) requires, against the parking
//!   parts' area at the rule's m² per space.
//! - The setback: what of a floor above ground stands on the strips the street takes.
//!
//! A violation's note: commercial or office use on the floor makes an excess Note 3,
//! else Note 2.

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Rect};

use super::{FineSchedule, Note, PermitAllowance, Unit, Violation, ViolationKind};
use crate::sketch::{Floor, PartUse, Sketch};
use crate::zoning::{MapOrder, Setback, Side};

/// The plot in the sketch's frame (centimetres from its south-west corner), for the
/// setback strips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotFrame {
    pub width_cm: i64,
    pub depth_cm: i64,
    pub setbacks: Vec<Setback>,
}

/// What is compared: what stands, what was allowed, what the plan allows, and the values
/// fines are reckoned from.
#[derive(Debug, Clone, Copy)]
pub struct Comparison<'a> {
    pub sketch: &'a Sketch,
    pub permit: Option<&'a PermitAllowance>,
    pub order: Option<&'a MapOrder>,
    pub plot: Option<&'a PlotFrame>,
    /// Transaction value and goodwill value per m² where the property stands.
    pub values: (i64, i64),
    pub schedule: &'a FineSchedule,
}

/// Every violation, by floor from the lowest (the building's own last).
pub fn compute(input: &Comparison<'_>) -> Vec<Violation> {
    let mut found: Vec<Found> = Vec::new();
    let sketch = input.sketch;
    match input.permit {
        Some(permit) => {
            for floor in &sketch.floors {
                match permit.floor(floor.level) {
                    None => found.push(Found::on(
                        floor,
                        ViolationKind::ExtraFloor,
                        1,
                        floor.area_centi_m2,
                        floor_note(floor),
                    )),
                    Some(allowed) => {
                        let excess = floor.area_centi_m2 - allowed.area_centi_m2;
                        if excess > 0 {
                            found.push(Found::on(
                                floor,
                                ViolationKind::ExcessArea,
                                excess,
                                excess,
                                floor_note(floor),
                            ));
                        }
                        let changed: i64 = floor
                            .parts
                            .iter()
                            .filter(|part| {
                                part.part_use != allowed.floor_use && !is_ancillary(part.part_use)
                            })
                            .map(|part| part.area_centi_m2)
                            .sum();
                        if changed > 0 {
                            found.push(Found::on(
                                floor,
                                ViolationKind::ChangeOfUse,
                                changed,
                                changed,
                                Note::Article55Item24,
                            ));
                        }
                    }
                }
            }
        }
        None => {
            for floor in &sketch.floors {
                found.push(Found::on(
                    floor,
                    ViolationKind::NoPermit,
                    floor.area_centi_m2,
                    floor.area_centi_m2,
                    Note::Note4,
                ));
            }
        }
    }
    if let Some(order) = input.order {
        against_plan(input.permit, order, sketch, &mut found);
    }
    let required = match (input.permit, input.order) {
        (Some(permit), _) => permit.parking_spaces,
        (None, Some(order)) => order.parking_spaces,
        (None, None) => 0,
    };
    let per_space = i64::from(input.schedule.parking_m2_per_space.max(1)) * 100;
    let parking_area: i64 = sketch
        .floors
        .iter()
        .flat_map(|floor| &floor.parts)
        .filter(|part| part.part_use == PartUse::Parking)
        .map(|part| part.area_centi_m2)
        .sum();
    let provided = parking_area / per_space;
    let missing = i64::from(required) - provided;
    if missing > 0 {
        found.push(Found {
            kind: ViolationKind::ParkingShortfall,
            floor: None,
            quantity: missing,
            unit: Unit::Count,
            fined: missing * per_space,
            note: Note::Note5,
        });
    }
    if let Some(plot) = input.plot {
        for floor in sketch.floors.iter().filter(|floor| floor.level >= 0) {
            let on_setback = setback_area(plot, floor);
            if on_setback > 0 {
                found.push(Found::on(
                    floor,
                    ViolationKind::SetbackEncroachment,
                    on_setback,
                    on_setback,
                    Note::Note6,
                ));
            }
        }
    }
    found.sort_by_key(|f| (f.floor.is_none(), f.floor, f.kind as u8));
    found
        .into_iter()
        .map(|f| Violation {
            kind: f.kind,
            floor: f.floor,
            quantity: f.quantity,
            unit: f.unit,
            note: f.note,
            fined_centi_m2: f.fined,
            fine: input.schedule.range(f.note, f.fined, input.values),
        })
        .collect()
}

struct Found {
    kind: ViolationKind,
    floor: Option<i16>,
    quantity: i64,
    unit: Unit,
    fined: i64,
    note: Note,
}

impl Found {
    fn on(floor: &Floor, kind: ViolationKind, quantity: i64, fined: i64, note: Note) -> Found {
        Found {
            kind,
            floor: Some(floor.level),
            quantity,
            unit: if kind == ViolationKind::ExtraFloor {
                Unit::Count
            } else {
                Unit::M2
            },
            fined,
            note,
        }
    }
}

fn against_plan(
    permit: Option<&PermitAllowance>,
    order: &MapOrder,
    sketch: &Sketch,
    found: &mut Vec<Found>,
) {
    let flagged = |found: &[Found], level: i16| found.iter().any(|f| f.floor == Some(level));
    let mut above: Vec<&Floor> = sketch.floors.iter().filter(|f| f.level >= 0).collect();
    above.sort_by_key(|floor| floor.level);
    // Floors beyond the plan's count that no permit allowed (a permit's own are its).
    let allowed_floors = usize::try_from(order.floors).unwrap_or(usize::MAX);
    for floor in above.iter().skip(allowed_floors) {
        let permitted = permit.is_some_and(|p| p.floor(floor.level).is_some());
        let already = found
            .iter()
            .any(|f| f.floor == Some(floor.level) && f.kind == ViolationKind::ExtraFloor);
        // Built with no permit and beyond the plan: the floor is against the plan (Note 1),
        // not fined as built with no permit as well.
        found.retain(|f| !(f.floor == Some(floor.level) && f.kind == ViolationKind::NoPermit));
        if !permitted && !already {
            found.push(Found::on(
                floor,
                ViolationKind::ExtraFloor,
                1,
                floor.area_centi_m2,
                Note::Note1,
            ));
        }
    }
    if order.floor_area_centi_m2 > 0 {
        for floor in &above {
            if flagged(found, floor.level) {
                continue;
            }
            let permitted = permit
                .and_then(|p| p.floor(floor.level))
                .map_or(0, |p| p.area_centi_m2);
            let over = floor.area_centi_m2 - order.floor_area_centi_m2.max(permitted);
            if over > 0 {
                found.push(Found::on(
                    floor,
                    ViolationKind::ExcessOccupancy,
                    over,
                    over,
                    floor_note(floor),
                ));
            }
        }
    }
    let area_kinds = [
        ViolationKind::ExcessArea,
        ViolationKind::ExtraFloor,
        ViolationKind::ExcessOccupancy,
        ViolationKind::NoPermit,
    ];
    let built: i64 = above.iter().map(|floor| floor.area_centi_m2).sum();
    let beyond = built - order.total_built_centi_m2;
    if beyond > 0 && !found.iter().any(|f| area_kinds.contains(&f.kind)) {
        let note = if above.iter().any(|floor| floor_note(floor) == Note::Note3) {
            Note::Note3
        } else {
            Note::Note2
        };
        found.push(Found {
            kind: ViolationKind::ExcessArea,
            floor: None,
            quantity: beyond,
            unit: Unit::M2,
            fined: beyond,
            note,
        });
    }
}

/// Parts that serve the floor's use, not a use of their own.
fn is_ancillary(part_use: PartUse) -> bool {
    matches!(
        part_use,
        PartUse::Common | PartUse::Parking | PartUse::Storage | PartUse::Other
    )
}

fn floor_note(floor: &Floor) -> Note {
    if floor
        .parts
        .iter()
        .any(|part| matches!(part.part_use, PartUse::Commercial | PartUse::Office))
    {
        Note::Note3
    } else {
        Note::Note2
    }
}

/// What of the floor lies on the setback strips, in hundredths of a square metre.
fn setback_area(plot: &PlotFrame, floor: &Floor) -> i64 {
    let (w, d) = (plot.width_cm as f64, plot.depth_cm as f64);
    let strips: Vec<Polygon<f64>> = plot
        .setbacks
        .iter()
        .filter(|s| s.depth_cm > 0)
        .map(|s| {
            let depth = s.depth_cm as f64;
            let (min, max) = match s.side {
                Side::North => ((0.0, d - depth), (w, d)),
                Side::South => ((0.0, 0.0), (w, depth)),
                Side::East => ((w - depth, 0.0), (w, d)),
                Side::West => ((0.0, 0.0), (depth, d)),
            };
            Rect::new(Coord::from(min), Coord::from(max)).to_polygon()
        })
        .collect();
    let Some(first) = strips.first() else {
        return 0;
    };
    let mut taken = MultiPolygon::new(vec![first.clone()]);
    for strip in &strips[1..] {
        taken = taken.union(&MultiPolygon::new(vec![strip.clone()]));
    }
    let square_cm: f64 = floor
        .parts
        .iter()
        .map(|part| {
            let ring: LineString<f64> = part
                .corners_cm
                .iter()
                .map(|[x, y]| Coord {
                    x: *x as f64,
                    y: *y as f64,
                })
                .collect();
            Polygon::new(ring, vec![])
                .intersection(&taken)
                .unsigned_area()
        })
        .sum();
    // cm² to hundredths of a m²: 100 cm² each, rounded down (a sliver is no violation).
    (square_cm / 100.0).floor() as i64
}

#[cfg(test)]
mod tests;
