use proptest::prelude::*;

use super::*;
use crate::sketch::{FloorInput, PartInput, SketchInput};
use crate::violation::PermitFloor;
use crate::violation::fines::FineSchedule;

const VALUES: (i64, i64) = (40_000_000, 150_000_000);

fn schedule() -> FineSchedule {
    FineSchedule::parse(include_str!("../../../../../fines/1405.toml")).unwrap()
}

fn rect(part_use: PartUse, x: f64, w: f64, h: f64) -> PartInput {
    PartInput {
        part_use,
        corners: vec![[x, 0.0], [x + w, 0.0], [x + w, h], [x, h], [x, 0.0]],
        edges_m: None,
    }
}

/// A building of `floors` (level, parts), checked.
fn sketch(floors: Vec<(i16, Vec<PartInput>)>) -> Sketch {
    SketchInput {
        floors: floors
            .into_iter()
            .map(|(level, parts)| FloorInput { level, parts })
            .collect(),
    }
    .check()
    .expect("the test's sketch holds")
}

/// The permit the sketch was built to: every floor as drawn, the parking as drawn.
fn permit_of(sketch: &Sketch, parking_spaces: u32) -> PermitAllowance {
    PermitAllowance::new(
        "P-1405-1",
        sketch
            .floors
            .iter()
            .map(|floor| PermitFloor {
                level: floor.level,
                area_centi_m2: floor.area_centi_m2,
                floor_use: floor
                    .parts
                    .iter()
                    .map(|p| p.part_use)
                    .find(|u| !is_ancillary(*u))
                    .unwrap_or(PartUse::Residential),
            })
            .collect(),
        parking_spaces,
    )
    .unwrap()
}

fn run(
    sketch: &Sketch,
    permit: Option<&PermitAllowance>,
    order: Option<&MapOrder>,
    plot: Option<&PlotFrame>,
) -> Vec<Violation> {
    compute(&Comparison {
        sketch,
        permit,
        order,
        plot,
        values: VALUES,
        schedule: &schedule(),
    })
}

fn kinds(violations: &[Violation]) -> Vec<(ViolationKind, Option<i16>, i64, Note)> {
    violations
        .iter()
        .map(|v| (v.kind, v.floor, v.quantity, v.note))
        .collect()
}

#[test]
fn one_floor_more_than_the_permit_and_a_space_short_are_two_violations() {
    // Ground floor: parking for two spaces (50 m²); floors 1 to 3 residential, 100 m²
    // each. The permit allows the ground floor and floors 1 and 2, and three spaces.
    let built = sketch(vec![
        (0, vec![rect(PartUse::Parking, 0.0, 10.0, 5.0)]),
        (1, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)]),
        (2, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)]),
        (3, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)]),
    ]);
    let mut permit = permit_of(&built, 3);
    permit.floors.retain(|floor| floor.level != 3);
    let found = run(&built, Some(&permit), None, None);
    assert_eq!(
        kinds(&found),
        vec![
            (ViolationKind::ExtraFloor, Some(3), 1, Note::Note2),
            (ViolationKind::ParkingShortfall, None, 1, Note::Note5),
        ]
    );
    // The extra floor is fined on its 100 m² at ½ to 3 × 40,000,000.
    assert_eq!(found[0].fined_centi_m2, 10_000);
    assert_eq!(
        (found[0].fine.min_rials, found[0].fine.max_rials),
        (2_000_000_000, 12_000_000_000)
    );
    // One space of 25 m² at 1 to 2 ×.
    assert_eq!(
        (found[1].fine.min_rials, found[1].fine.max_rials),
        (1_000_000_000, 2_000_000_000)
    );
}

#[test]
fn area_beyond_the_permit_on_a_floor_with_shops_is_note_3() {
    let built = sketch(vec![(
        0,
        vec![
            rect(PartUse::Commercial, 0.0, 10.0, 10.0),
            rect(PartUse::Common, 10.0, 2.0, 10.0),
        ],
    )]);
    let mut permit = permit_of(&built, 0);
    permit.floors[0].area_centi_m2 -= 1_500;
    let found = run(&built, Some(&permit), None, None);
    assert_eq!(
        kinds(&found),
        vec![(ViolationKind::ExcessArea, Some(0), 1_500, Note::Note3)]
    );
}

#[test]
fn shops_on_a_residential_floor_are_a_change_of_use() {
    let built = sketch(vec![(
        0,
        vec![
            rect(PartUse::Residential, 0.0, 10.0, 10.0),
            rect(PartUse::Commercial, 10.0, 4.0, 10.0),
        ],
    )]);
    let mut permit = permit_of(&built, 0);
    permit.floors[0].floor_use = PartUse::Residential;
    let found = run(&built, Some(&permit), None, None);
    assert_eq!(
        kinds(&found),
        vec![(
            ViolationKind::ChangeOfUse,
            Some(0),
            4_000,
            Note::Article55Item24
        )]
    );
}

#[test]
fn with_no_permit_every_floor_is_note_4() {
    let built = sketch(vec![
        (0, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)]),
        (1, vec![rect(PartUse::Residential, 0.0, 10.0, 8.0)]),
    ]);
    let found = run(&built, None, None, None);
    assert_eq!(
        kinds(&found),
        vec![
            (ViolationKind::NoPermit, Some(0), 10_000, Note::Note4),
            (ViolationKind::NoPermit, Some(1), 8_000, Note::Note4),
        ]
    );
    // The larger of 4,000,000 and 30,000,000 per m².
    assert_eq!(found[0].fine.min_rials, 3_000_000_000);
}

fn order(floors: u32, floor_area: i64, total: i64, parking: u32) -> MapOrder {
    MapOrder {
        zones: vec![],
        deed_area_centi_m2: 20_000,
        setback_area_centi_m2: 0,
        remaining_area_centi_m2: 20_000,
        floor_area_centi_m2: floor_area,
        total_built_centi_m2: total,
        floors,
        parking_spaces: parking,
        below_min_plot: false,
        buildable: true,
    }
}

#[test]
fn against_the_plan_a_floor_too_many_is_demolition_and_a_floor_too_wide_is_occupancy() {
    let built = sketch(vec![
        (0, vec![rect(PartUse::Residential, 0.0, 12.0, 10.0)]),
        (1, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)]),
    ]);
    // The plan allows one floor of 100 m², 200 m² in all.
    let plan = order(1, 10_000, 20_000, 0);
    let mut permit = permit_of(&built, 0);
    permit.floors.truncate(1);
    permit.floors[0].area_centi_m2 = 10_000;
    let found = run(&built, Some(&permit), Some(&plan), None);
    assert_eq!(
        kinds(&found),
        vec![
            (ViolationKind::ExcessArea, Some(0), 2_000, Note::Note2),
            (ViolationKind::ExtraFloor, Some(1), 1, Note::Note2),
        ]
    );
    // With no permit, the second floor is beyond the plan: Note 1, and not also fined as
    // built with no permit.
    let found = run(&built, None, Some(&plan), None);
    assert_eq!(
        kinds(&found),
        vec![
            (ViolationKind::NoPermit, Some(0), 12_000, Note::Note4),
            (ViolationKind::ExtraFloor, Some(1), 1, Note::Note1),
        ]
    );
    // A permit that allowed 120 m² on the ground floor, more than the plan's 100: the
    // occupancy beyond the permit is none, and the permit's own excess is not the owner's.
    let mut generous = permit_of(&built, 0);
    generous.floors.truncate(1);
    let found = run(&built, Some(&generous), Some(&plan), None);
    assert!(
        !found
            .iter()
            .any(|v| v.kind == ViolationKind::ExcessOccupancy),
        "{found:?}"
    );
}

#[test]
fn the_plan_requires_parking_when_there_is_no_permit() {
    let built = sketch(vec![(0, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)])]);
    let found = run(&built, None, Some(&order(4, 10_000, 40_000, 2)), None);
    assert!(
        kinds(&found).contains(&(ViolationKind::ParkingShortfall, None, 2, Note::Note5)),
        "{found:?}"
    );
}

#[test]
fn building_on_the_setback_is_note_6_with_the_area_on_the_strip() {
    // A 10 × 10 m plot whose north side gives up 2 m; the ground floor covers it all.
    let built = sketch(vec![(0, vec![rect(PartUse::Residential, 0.0, 10.0, 10.0)])]);
    let plot = PlotFrame {
        width_cm: 1_000,
        depth_cm: 1_000,
        setbacks: vec![
            Setback {
                side: Side::North,
                depth_cm: 200,
                frontage_cm: 1_000,
            },
            Setback {
                side: Side::East,
                depth_cm: 100,
                frontage_cm: 1_000,
            },
        ],
    };
    let permit = permit_of(&built, 0);
    let found = run(&built, Some(&permit), None, Some(&plot));
    // 20 m² on the north strip and 10 m² on the east, their 2 m² corner once: 28 m².
    assert_eq!(
        kinds(&found),
        vec![(
            ViolationKind::SetbackEncroachment,
            Some(0),
            2_800,
            Note::Note6
        )]
    );
    assert_eq!((found[0].fine.min_rials, found[0].fine.max_rials), (0, 0));
}

fn floors_strategy() -> impl Strategy<Value = Vec<(f64, f64)>> {
    // Up to 10 floors, each a rectangle of whole decimetres between 3 and 30 m a side.
    prop::collection::vec((30u32..300, 30u32..300), 1..=10).prop_map(|sizes| {
        sizes
            .into_iter()
            .map(|(w, h)| (f64::from(w) / 10.0, f64::from(h) / 10.0))
            .collect()
    })
}

fn building(sizes: &[(f64, f64)]) -> Sketch {
    sketch(
        sizes
            .iter()
            .enumerate()
            .map(|(n, (w, h))| {
                (
                    i16::try_from(n).unwrap(),
                    vec![rect(PartUse::Residential, 0.0, *w, *h)],
                )
            })
            .collect(),
    )
}

proptest! {
    #[test]
    fn a_sketch_equal_to_its_permit_has_no_violations(sizes in floors_strategy()) {
        let built = building(&sizes);
        let permit = permit_of(&built, 0);
        prop_assert!(run(&built, Some(&permit), None, None).is_empty());
    }

    #[test]
    fn area_added_to_a_floor_is_an_excess_on_that_floor(
        sizes in floors_strategy(),
        pick in any::<prop::sample::Index>(),
        added_dm in 1u32..50,
    ) {
        let permit = permit_of(&building(&sizes), 0);
        let floor = pick.index(sizes.len());
        let mut grown = sizes.clone();
        grown[floor].0 += f64::from(added_dm) / 10.0;
        let built = building(&grown);
        let found = run(&built, Some(&permit), None, None);
        let level = i16::try_from(floor).unwrap();
        let added = built.floors[floor].area_centi_m2 - permit.floors[floor].area_centi_m2;
        prop_assert_eq!(
            kinds(&found),
            vec![(ViolationKind::ExcessArea, Some(level), added, Note::Note2)]
        );
    }
}
