//! The inspector's sketch (کروکی): the footprint of each floor of a building, each floor
//! in parts of one use, each part a polygon in local metres (x east, y north).
//!
//! The server decides, not the browser: [`SketchInput::check`] refuses a polygon that does
//! not close, crosses itself, or disagrees with the edge lengths the inspector typed, and
//! names the floor, part and corner at fault; the areas are computed here, with `geo`.

mod check;
pub mod svg;
pub mod text;

pub use check::{EDGE_TOLERANCE_CM, EDGE_TOLERANCE_PERMILLE, MAX_COORDINATE_M};

use serde::{Deserialize, Serialize};

/// What a part of a floor is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartUse {
    Residential,
    Commercial,
    Office,
    Parking,
    Storage,
    /// Stairs, lift, lobby: the building's shared parts (مشاعات).
    Common,
    Other,
}

impl PartUse {
    pub const ALL: [PartUse; 7] = [
        PartUse::Residential,
        PartUse::Commercial,
        PartUse::Office,
        PartUse::Parking,
        PartUse::Storage,
        PartUse::Common,
        PartUse::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            PartUse::Residential => "residential",
            PartUse::Commercial => "commercial",
            PartUse::Office => "office",
            PartUse::Parking => "parking",
            PartUse::Storage => "storage",
            PartUse::Common => "common",
            PartUse::Other => "other",
        }
    }

    pub fn from_slug(slug: &str) -> Option<PartUse> {
        PartUse::ALL
            .into_iter()
            .find(|part_use| part_use.slug() == slug)
    }

    pub fn name(self) -> crate::text::Text<&'static str> {
        let (fa, en) = match self {
            PartUse::Residential => ("مسکونی", "Residential"),
            PartUse::Commercial => ("تجاری", "Commercial"),
            PartUse::Office => ("اداری", "Office"),
            PartUse::Parking => ("پارکینگ", "Parking"),
            PartUse::Storage => ("انباری", "Storage"),
            PartUse::Common => ("مشاعات", "Shared parts"),
            PartUse::Other => ("سایر", "Other"),
        };
        crate::text::Text { fa, en }
    }
}

/// A sketch as drawn or typed, before it is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchInput {
    pub floors: Vec<FloorInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloorInput {
    /// 0 is the ground floor, −1 the first basement, 1 the first floor up.
    pub level: i16,
    pub parts: Vec<PartInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartInput {
    #[serde(rename = "use")]
    pub part_use: PartUse,
    /// The corners in metres, the last the same as the first (the ring is closed, as in
    /// GeoJSON).
    pub corners: Vec<[f64; 2]>,
    /// The edge lengths the inspector measured, in metres, one per edge in the corners'
    /// order (edge n runs from corner n to corner n + 1); none when only drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edges_m: Option<Vec<f64>>,
}

/// A checked sketch: every ring closed and simple, parts of a floor not overlapping,
/// typed edges within tolerance, with the areas worked out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    pub floors: Vec<Floor>,
    /// The whole building's area, in hundredths of a square metre.
    pub total_centi_m2: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    pub level: i16,
    pub parts: Vec<Part>,
    pub area_centi_m2: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    #[serde(rename = "use")]
    pub part_use: PartUse,
    /// The corners in centimetres, the ring closed.
    pub corners_cm: Vec<[i64; 2]>,
    pub area_centi_m2: i64,
    /// The edge lengths the inspector measured, in centimetres, when typed: kept beside
    /// the drawing they agreed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_cm: Option<Vec<i64>>,
}

impl Part {
    /// The length of each edge, in centimetres, in the corners' order.
    pub fn edge_lengths_cm(&self) -> Vec<i64> {
        self.corners_cm
            .windows(2)
            .map(|pair| {
                let dx = (pair[1][0] - pair[0][0]) as f64;
                let dy = (pair[1][1] - pair[0][1]) as f64;
                dx.hypot(dy).round() as i64
            })
            .collect()
    }
}

impl Sketch {
    /// The sketch's input again, in metres: what an edit starts from.
    pub fn to_input(&self) -> SketchInput {
        SketchInput {
            floors: self
                .floors
                .iter()
                .map(|floor| FloorInput {
                    level: floor.level,
                    parts: floor
                        .parts
                        .iter()
                        .map(|part| PartInput {
                            part_use: part.part_use,
                            corners: part
                                .corners_cm
                                .iter()
                                .map(|[x, y]| [*x as f64 / 100.0, *y as f64 / 100.0])
                                .collect(),
                            edges_m: part.measured_cm.as_ref().map(|measured| {
                                measured.iter().map(|cm| *cm as f64 / 100.0).collect()
                            }),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Where a sketch is wrong: the floor and part by position from 1 (as the inspector
/// counts them), and the corner or edge from 1 when one is at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{problem:?} (floor {floor:?}, part {part:?})")]
pub struct SketchError {
    pub floor: Option<usize>,
    pub part: Option<usize>,
    pub problem: SketchProblem,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SketchProblem {
    NoFloors,
    TooManyFloors,
    LevelOutOfRange,
    /// Two floors at the same level.
    SameLevel,
    NoParts,
    TooManyParts,
    /// Fewer than three distinct corners.
    TooFewCorners,
    TooManyCorners,
    /// A coordinate that is not a number, or farther than [`MAX_COORDINATE_M`].
    BadCoordinate {
        corner: usize,
    },
    /// The last corner is not the first.
    NotClosed,
    /// Two edges cross (or touch where they should not).
    SelfIntersecting {
        edge: usize,
        other: usize,
    },
    /// The ring has no area.
    NoArea,
    /// The parts of one floor overlap.
    Overlapping {
        other_part: usize,
    },
    /// Not one typed length for each edge.
    EdgeCount {
        expected: usize,
    },
    /// A typed length that is not a positive number.
    BadEdge {
        edge: usize,
    },
    /// A typed length that disagrees with the drawn corners beyond the tolerance.
    EdgeMismatch {
        edge: usize,
        typed_cm: i64,
        drawn_cm: i64,
    },
}

impl SketchProblem {
    /// The error code, as the API and the messages name it.
    pub fn code(&self) -> &'static str {
        match self {
            SketchProblem::NoFloors => "sketch.no_floors",
            SketchProblem::TooManyFloors => "sketch.too_many_floors",
            SketchProblem::LevelOutOfRange => "sketch.level",
            SketchProblem::SameLevel => "sketch.same_level",
            SketchProblem::NoParts => "sketch.no_parts",
            SketchProblem::TooManyParts => "sketch.too_many_parts",
            SketchProblem::TooFewCorners => "sketch.too_few_corners",
            SketchProblem::TooManyCorners => "sketch.too_many_corners",
            SketchProblem::BadCoordinate { .. } => "sketch.bad_coordinate",
            SketchProblem::NotClosed => "sketch.not_closed",
            SketchProblem::SelfIntersecting { .. } => "sketch.self_intersecting",
            SketchProblem::NoArea => "sketch.no_area",
            SketchProblem::Overlapping { .. } => "sketch.overlapping",
            SketchProblem::EdgeCount { .. } => "sketch.edge_count",
            SketchProblem::BadEdge { .. } => "sketch.bad_edge",
            SketchProblem::EdgeMismatch { .. } => "sketch.edge_mismatch",
        }
    }
}

/// Hundredths of a square metre as square metres to two decimals, `"123.45"`.
pub fn centi_m2_text(centi_m2: i64) -> String {
    format!("{}.{:02}", centi_m2 / 100, centi_m2 % 100)
}

/// Centimetres as metres to two decimals, `"12.30"`.
pub fn cm_text(cm: i64) -> String {
    format!("{}.{:02}", cm / 100, cm % 100)
}
