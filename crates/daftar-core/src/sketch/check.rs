//! Checking a sketch: what a drawn floor must be before it is recorded, and its areas.
//!
//! Coordinates are rounded to the centimetre first (an inspector's tape measures no finer),
//! so the same drawing always gives the same areas, on any machine.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{
    Area, BooleanOps, BoundingRect, Coord, Intersects, Line, LineString, Polygon, Validation,
};

use super::{Floor, Part, PartInput, Sketch, SketchError, SketchInput, SketchProblem};

/// A typed edge agrees with the drawn one when they differ by at most this many
/// centimetres, or by this many thousandths of the typed length when that is more.
pub const EDGE_TOLERANCE_CM: i64 = 5;
pub const EDGE_TOLERANCE_PERMILLE: i64 = 10;
/// Local axes reach this far from the origin: larger than any building's plot.
pub const MAX_COORDINATE_M: f64 = 2_000.0;
const MAX_FLOORS: usize = 60;
const LEVELS: std::ops::RangeInclusive<i16> = -10..=80;
const MAX_PARTS: usize = 40;
/// Corners of one part, the closing one not counted.
const MAX_CORNERS: usize = 200;
/// Parts of a floor may share an edge; they overlap when the area they share passes this
/// (in cm², a tenth of a square metre).
const OVERLAP_CM2: f64 = 1_000.0;

impl SketchInput {
    /// Checks the sketch and works out its areas, or names the first thing wrong.
    pub fn check(&self) -> Result<Sketch, SketchError> {
        let whole = |problem| SketchError {
            floor: None,
            part: None,
            problem,
        };
        if self.floors.is_empty() {
            return Err(whole(SketchProblem::NoFloors));
        }
        if self.floors.len() > MAX_FLOORS {
            return Err(whole(SketchProblem::TooManyFloors));
        }
        let mut floors = Vec::with_capacity(self.floors.len());
        for (f, floor) in self.floors.iter().enumerate() {
            let at = |part: Option<usize>, problem| SketchError {
                floor: Some(f + 1),
                part,
                problem,
            };
            if !LEVELS.contains(&floor.level) {
                return Err(at(None, SketchProblem::LevelOutOfRange));
            }
            if self.floors[..f]
                .iter()
                .any(|earlier| earlier.level == floor.level)
            {
                return Err(at(None, SketchProblem::SameLevel));
            }
            if floor.parts.is_empty() {
                return Err(at(None, SketchProblem::NoParts));
            }
            if floor.parts.len() > MAX_PARTS {
                return Err(at(None, SketchProblem::TooManyParts));
            }
            let mut parts: Vec<(Part, Polygon<f64>)> = Vec::with_capacity(floor.parts.len());
            for (p, input) in floor.parts.iter().enumerate() {
                let (part, polygon) =
                    check_part(input).map_err(|problem| at(Some(p + 1), problem))?;
                if let Some(other) = parts
                    .iter()
                    .position(|(_, earlier)| overlap(earlier, &polygon))
                {
                    return Err(at(
                        Some(p + 1),
                        SketchProblem::Overlapping {
                            other_part: other + 1,
                        },
                    ));
                }
                parts.push((part, polygon));
            }
            let parts: Vec<Part> = parts.into_iter().map(|(part, _)| part).collect();
            floors.push(Floor {
                level: floor.level,
                area_centi_m2: parts.iter().map(|part| part.area_centi_m2).sum(),
                parts,
            });
        }
        Ok(Sketch {
            total_centi_m2: floors.iter().map(|floor| floor.area_centi_m2).sum(),
            floors,
        })
    }
}

fn check_part(input: &PartInput) -> Result<(Part, Polygon<f64>), SketchProblem> {
    let corners = &input.corners;
    if corners.len() > MAX_CORNERS + 1 {
        return Err(SketchProblem::TooManyCorners);
    }
    let mut corners_cm = Vec::with_capacity(corners.len());
    for (n, [x, y]) in corners.iter().enumerate() {
        let fits = |v: f64| v.is_finite() && v.abs() <= MAX_COORDINATE_M;
        if !fits(*x) || !fits(*y) {
            return Err(SketchProblem::BadCoordinate { corner: n + 1 });
        }
        corners_cm.push([(x * 100.0).round() as i64, (y * 100.0).round() as i64]);
    }
    if corners_cm.len() >= 2 && corners_cm.first() != corners_cm.last() {
        return Err(SketchProblem::NotClosed);
    }
    let mut distinct = corners_cm[..corners_cm.len().saturating_sub(1)].to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if corners_cm.len() < 4 || distinct.len() < 3 {
        return Err(SketchProblem::TooFewCorners);
    }
    let ring: LineString<f64> = corners_cm
        .iter()
        .map(|[x, y]| Coord {
            x: *x as f64,
            y: *y as f64,
        })
        .collect();
    let edges: Vec<Line<f64>> = ring.lines().collect();
    // A corner repeated in a row is an edge of no length: name it.
    if let Some(edge) = edges.iter().position(|line| line.start == line.end) {
        return Err(SketchProblem::SelfIntersecting {
            edge: edge + 1,
            other: edge + 1,
        });
    }
    let polygon = Polygon::new(ring, Vec::new());
    if !polygon.is_valid() {
        let (edge, other) = crossing(&edges).unwrap_or((1, 1));
        return Err(SketchProblem::SelfIntersecting { edge, other });
    }
    let area_cm2 = polygon.unsigned_area();
    let area_centi_m2 = (area_cm2 / 100.0).round() as i64;
    if area_centi_m2 == 0 {
        return Err(SketchProblem::NoArea);
    }
    let mut part = Part {
        part_use: input.part_use,
        corners_cm,
        area_centi_m2,
        measured_cm: None,
    };
    if let Some(typed) = &input.edges_m {
        part.measured_cm = Some(check_typed_edges(&part, typed)?);
    }
    Ok((part, polygon))
}

/// The first two edges, from 1, that cross, touch where they are not neighbours, or run
/// back over each other where they are.
fn crossing(edges: &[Line<f64>]) -> Option<(usize, usize)> {
    let count = edges.len();
    for i in 0..count {
        for j in i + 1..count {
            let neighbours = j == i + 1 || (i == 0 && j == count - 1);
            match line_intersection(edges[i], edges[j]) {
                None => {}
                Some(LineIntersection::Collinear { intersection })
                    if intersection.start != intersection.end =>
                {
                    return Some((i + 1, j + 1));
                }
                Some(_) if !neighbours => return Some((i + 1, j + 1)),
                Some(_) => {}
            }
        }
    }
    None
}

/// The typed lengths in centimetres, each within the tolerance of the drawn edge.
fn check_typed_edges(part: &Part, typed: &[f64]) -> Result<Vec<i64>, SketchProblem> {
    let drawn = part.edge_lengths_cm();
    if typed.len() != drawn.len() {
        return Err(SketchProblem::EdgeCount {
            expected: drawn.len(),
        });
    }
    let mut measured = Vec::with_capacity(typed.len());
    for (n, (typed_m, drawn_cm)) in typed.iter().zip(drawn).enumerate() {
        if !typed_m.is_finite() || *typed_m <= 0.0 || *typed_m > 2.0 * MAX_COORDINATE_M {
            return Err(SketchProblem::BadEdge { edge: n + 1 });
        }
        let typed_cm = (typed_m * 100.0).round() as i64;
        let tolerance = EDGE_TOLERANCE_CM.max(typed_cm * EDGE_TOLERANCE_PERMILLE / 1000);
        if (typed_cm - drawn_cm).abs() > tolerance {
            return Err(SketchProblem::EdgeMismatch {
                edge: n + 1,
                typed_cm,
                drawn_cm,
            });
        }
        measured.push(typed_cm);
    }
    Ok(measured)
}

/// Whether two parts of a floor share more than a sliver of area.
fn overlap(a: &Polygon<f64>, b: &Polygon<f64>) -> bool {
    let (Some(box_a), Some(box_b)) = (a.bounding_rect(), b.bounding_rect()) else {
        return false;
    };
    box_a.intersects(&box_b) && a.intersection(b).unsigned_area() > OVERLAP_CM2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{FloorInput, PartUse};
    use proptest::prelude::*;

    fn part(corners: &[[f64; 2]]) -> PartInput {
        PartInput {
            part_use: PartUse::Residential,
            corners: corners.to_vec(),
            edges_m: None,
        }
    }

    fn one_floor(parts: Vec<PartInput>) -> SketchInput {
        SketchInput {
            floors: vec![FloorInput { level: 0, parts }],
        }
    }

    fn rectangle(x: f64, y: f64, w: f64, h: f64) -> PartInput {
        part(&[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]])
    }

    #[test]
    fn a_rectangle_has_its_area_to_the_hundredth() {
        let sketch = one_floor(vec![rectangle(0.0, 0.0, 12.5, 8.2)])
            .check()
            .unwrap();
        assert_eq!(sketch.total_centi_m2, 10_250);
        assert_eq!(
            sketch.floors[0].parts[0].edge_lengths_cm(),
            [1250, 820, 1250, 820]
        );
    }

    #[test]
    fn floors_and_parts_add_up() {
        let input = SketchInput {
            floors: vec![
                FloorInput {
                    level: 0,
                    parts: vec![
                        rectangle(0.0, 0.0, 10.0, 10.0),
                        rectangle(10.0, 0.0, 5.0, 10.0),
                    ],
                },
                FloorInput {
                    level: 1,
                    parts: vec![rectangle(0.0, 0.0, 15.0, 10.0)],
                },
            ],
        };
        let sketch = input.check().unwrap();
        assert_eq!(
            sketch.floors[0].area_centi_m2, 15_000,
            "parts sharing an edge"
        );
        assert_eq!(sketch.total_centi_m2, 30_000);
    }

    #[test]
    fn an_unclosed_ring_is_refused() {
        let open = one_floor(vec![part(&[
            [0.0, 0.0],
            [5.0, 0.0],
            [5.0, 5.0],
            [0.0, 5.0],
        ])]);
        let error = open.check().unwrap_err();
        assert_eq!(error.problem, SketchProblem::NotClosed);
        assert_eq!((error.floor, error.part), (Some(1), Some(1)));
    }

    #[test]
    fn a_bow_tie_is_refused_naming_the_crossing_edges() {
        // 0,0 → 4,4 → 4,0 → 0,4 → 0,0: edges 1 and 3 cross at (2, 2).
        let bow_tie = one_floor(vec![part(&[
            [0.0, 0.0],
            [4.0, 4.0],
            [4.0, 0.0],
            [0.0, 4.0],
            [0.0, 0.0],
        ])]);
        let error = bow_tie.check().unwrap_err();
        assert_eq!(
            error.problem,
            SketchProblem::SelfIntersecting { edge: 1, other: 3 }
        );
    }

    #[test]
    fn a_spike_back_along_an_edge_is_refused() {
        let spike = one_floor(vec![part(&[
            [0.0, 0.0],
            [6.0, 0.0],
            [3.0, 0.0],
            [3.0, 4.0],
            [0.0, 0.0],
        ])]);
        assert!(matches!(
            spike.check().unwrap_err().problem,
            SketchProblem::SelfIntersecting { .. }
        ));
    }

    #[test]
    fn too_few_corners_and_flat_rings_are_refused() {
        let two = one_floor(vec![part(&[[0.0, 0.0], [3.0, 0.0], [0.0, 0.0]])]);
        assert_eq!(
            two.check().unwrap_err().problem,
            SketchProblem::TooFewCorners
        );
        let flat = one_floor(vec![part(&[
            [0.0, 0.0],
            [3.0, 0.0],
            [6.0, 0.0],
            [0.0, 0.0],
        ])]);
        assert!(flat.check().is_err());
    }

    #[test]
    fn a_part_too_small_to_measure_has_no_area() {
        let speck = one_floor(vec![rectangle(0.0, 0.0, 0.07, 0.07)]);
        assert_eq!(speck.check().unwrap_err().problem, SketchProblem::NoArea);
    }

    #[test]
    fn bad_numbers_name_their_corner() {
        let far = one_floor(vec![part(&[
            [0.0, 0.0],
            [5.0, 0.0],
            [f64::NAN, 5.0],
            [0.0, 0.0],
        ])]);
        assert_eq!(
            far.check().unwrap_err().problem,
            SketchProblem::BadCoordinate { corner: 3 }
        );
    }

    #[test]
    fn overlapping_parts_of_a_floor_are_refused() {
        let input = one_floor(vec![
            rectangle(0.0, 0.0, 10.0, 10.0),
            rectangle(5.0, 5.0, 10.0, 10.0),
        ]);
        let error = input.check().unwrap_err();
        assert_eq!(error.part, Some(2));
        assert_eq!(error.problem, SketchProblem::Overlapping { other_part: 1 });
    }

    #[test]
    fn two_floors_at_one_level_are_refused() {
        let floor = FloorInput {
            level: 1,
            parts: vec![rectangle(0.0, 0.0, 5.0, 5.0)],
        };
        let input = SketchInput {
            floors: vec![floor.clone(), floor],
        };
        let error = input.check().unwrap_err();
        assert_eq!(
            (error.floor, error.problem),
            (Some(2), SketchProblem::SameLevel)
        );
    }

    #[test]
    fn typed_edges_must_agree_with_the_drawing() {
        let mut measured = rectangle(0.0, 0.0, 10.0, 6.0);
        // Within 5 cm, or 1% of the typed length, both pass.
        measured.edges_m = Some(vec![10.04, 6.0, 9.95, 6.05]);
        assert!(one_floor(vec![measured.clone()]).check().is_ok());
        measured.edges_m = Some(vec![10.0, 6.5, 10.0, 6.0]);
        assert_eq!(
            one_floor(vec![measured.clone()])
                .check()
                .unwrap_err()
                .problem,
            SketchProblem::EdgeMismatch {
                edge: 2,
                typed_cm: 650,
                drawn_cm: 600
            }
        );
        measured.edges_m = Some(vec![10.0, 6.0]);
        assert_eq!(
            one_floor(vec![measured]).check().unwrap_err().problem,
            SketchProblem::EdgeCount { expected: 4 }
        );
    }

    proptest! {
        #[test]
        // From 10 cm: a part under half a hundredth of a square metre has no area to
        // record and is refused (a_part_too_small_to_measure_has_no_area).
        fn a_square_of_side_a_has_area_a_squared(side_cm in 10i64..100_000) {
            let a = side_cm as f64 / 100.0;
            let sketch = one_floor(vec![rectangle(0.0, 0.0, a, a)]).check().unwrap();
            // a² in hundredths of a square metre: side_cm² / 100, rounded.
            let expected = (side_cm * side_cm + 50) / 100;
            prop_assert_eq!(sketch.total_centi_m2, expected);
        }

        #[test]
        fn area_does_not_change_when_the_plot_is_moved_or_turned(
            dx in -500.0f64..500.0,
            dy in -500.0f64..500.0,
            quarter_turns in 0u8..4,
            angle in 0.0f64..std::f64::consts::TAU,
        ) {
            // An L-shaped footprint, 14 × 10 less a 6 × 4 corner: 116 m².
            let shape = [[0.0, 0.0], [14.0, 0.0], [14.0, 6.0], [8.0, 6.0], [8.0, 10.0], [0.0, 10.0]];
            let moved = |turn: f64| -> PartInput {
                let (sin, cos) = turn.sin_cos();
                let mut corners: Vec<[f64; 2]> = shape
                    .iter()
                    .map(|[x, y]| [x * cos - y * sin + dx, x * sin + y * cos + dy])
                    .collect();
                corners.push(corners[0]);
                part(&corners)
            };
            // A quarter turn keeps corners on the centimetre grid: exactly the same area.
            let exact = one_floor(vec![moved(f64::from(quarter_turns) * std::f64::consts::FRAC_PI_2)]);
            prop_assert_eq!(exact.check().unwrap().total_centi_m2, 11_600);
            // Any other angle rounds each corner to the centimetre, moving it by at most
            // √2/2 cm: the area moves by at most the perimeter (48 m) times that, 0.34 m².
            let turned = one_floor(vec![moved(angle)]).check().unwrap().total_centi_m2;
            prop_assert!((turned - 11_600).abs() <= 34, "{}", turned);
        }
    }
}
