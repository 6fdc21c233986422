//! The inspector's sketch of a case, a file an action:
//!
//! - [`record`]: `POST /cases/{id}/sketch`, a new version of the sketch (inspection).
//! - [`list`]: `GET /cases/{id}/sketches`, every version, newest first, with its drawing.

pub(super) mod list;
pub(super) mod record;

use axum::Router;
use axum::routing::{get, post};
use daftar_app::sketch::RecordedSketch;
use daftar_core::sketch::{Part, centi_m2_text};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{id}/sketch", post(record::record))
        .route("/api/v1/cases/{id}/sketches", get(list::list))
}

/// A sketch as kept: areas in m² to two decimals, lengths in metres.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SketchAnswer {
    sketch_version: i64,
    /// The case's version after recording it, which the next action names; absent in a
    /// listing.
    case_version: Option<i64>,
    #[schema(example = "230.50")]
    total_area_m2: String,
    floors: Vec<FloorAnswer>,
    location: Option<LocationAnswer>,
    drawn_by: String,
    drawn_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FloorAnswer {
    level: i16,
    area_m2: String,
    parts: Vec<PartAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PartAnswer {
    #[serde(rename = "use")]
    #[schema(example = "residential")]
    part_use: String,
    area_m2: String,
    /// The corners in metres, the ring closed.
    corners: Vec<[f64; 2]>,
    /// Each edge's length in metres, as drawn.
    edges_m: Vec<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LocationAnswer {
    lat: f64,
    lon: f64,
}

impl SketchAnswer {
    pub(crate) fn of(recorded: &RecordedSketch) -> SketchAnswer {
        let part = |part: &Part| PartAnswer {
            part_use: part.part_use.slug().to_owned(),
            area_m2: centi_m2_text(part.area_centi_m2),
            corners: part
                .corners_cm
                .iter()
                .map(|[x, y]| [*x as f64 / 100.0, *y as f64 / 100.0])
                .collect(),
            edges_m: part
                .edge_lengths_cm()
                .into_iter()
                .map(|cm| cm as f64 / 100.0)
                .collect(),
        };
        SketchAnswer {
            sketch_version: recorded.version,
            case_version: recorded.case_version,
            total_area_m2: centi_m2_text(recorded.sketch.total_centi_m2),
            floors: recorded
                .sketch
                .floors
                .iter()
                .map(|floor| FloorAnswer {
                    level: floor.level,
                    area_m2: centi_m2_text(floor.area_centi_m2),
                    parts: floor.parts.iter().map(part).collect(),
                })
                .collect(),
            location: recorded
                .location
                .map(|(lat, lon)| LocationAnswer { lat, lon }),
            drawn_by: recorded.drawn_by_name.clone(),
            drawn_at: recorded.drawn_at.to_string(),
        }
    }
}
