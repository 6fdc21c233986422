//! The inspector's sketch (کروکی) of a case: drawn at the inspection stage, checked and
//! measured by the domain ([`daftar_core::sketch`]), kept as a new version each time with
//! who drew it, and read by whoever may read the case.

use std::sync::Arc;

use daftar_core::roles::Role;
use daftar_core::sketch::{Sketch, SketchError, SketchInput};
use daftar_store::{CaseId, NewSketch, SketchStore};
use jiff::Timestamp;

use crate::accounts::Principal;
use crate::cases::{CaseError, Cases};
use crate::violation::Violations;

/// A sketch as the inspector sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct SketchRequest {
    /// The case's version the inspector saw.
    pub expected_version: i64,
    pub sketch: SketchInput,
    /// Where the property is: latitude and longitude, WGS 84.
    pub location: Option<(f64, f64)>,
}

/// A sketch as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSketch {
    pub version: i64,
    /// The case's version after the recording (for the next action), when just recorded.
    pub case_version: Option<i64>,
    pub sketch: Sketch,
    pub location: Option<(f64, f64)>,
    pub drawn_by_name: String,
    pub drawn_at: Timestamp,
}

/// Ten-millionths of a degree: about a centimetre, finer than any mark on a map.
const E7: f64 = 10_000_000.0;

#[derive(Debug, Clone)]
pub struct Sketches {
    cases: Cases,
    store: Arc<dyn SketchStore>,
    /// Computes the violations a sketch shows, kept with it.
    violations: Violations,
}

impl Sketches {
    pub fn new(cases: Cases, store: Arc<dyn SketchStore>, violations: Violations) -> Sketches {
        Sketches {
            cases,
            store,
            violations,
        }
    }

    /// Records a sketch: only an inspector of the case's office, while the case waits on
    /// the inspection unit. A sketch that does not hold is refused, naming where.
    pub async fn record(
        &self,
        who: &Principal,
        id: CaseId,
        request: &SketchRequest,
    ) -> Result<RecordedSketch, CaseError> {
        let (case, roles, tasks) = self.cases.for_staff_work(who, id).await?;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotFound);
        };
        if !roles.contains(&Role::Inspection) {
            return Err(CaseError::NotAllowed("sketch.inspectors_only"));
        }
        if !tasks.iter().any(|task| task.role == Role::Inspection) {
            return Err(CaseError::NotAllowed("sketch.not_now"));
        }
        // Checked here for a clear answer at once; the store checks it again as it writes.
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let sketch = request
            .sketch
            .check()
            .map_err(|error| CaseError::InvalidField {
                code: error.problem.code(),
                field: where_wrong(&error),
            })?;
        let location_e7 = match request.location {
            Some((lat, lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {
                Some(((lat * E7).round() as i64, (lon * E7).round() as i64))
            }
            Some(_) => return Err(CaseError::Invalid("sketch.location")),
            None => None,
        };
        let sketch_json = serde_json::to_string(&sketch).map_err(anyhow::Error::from)?;
        let violations = self
            .violations
            .compute_for(&case, &sketch)
            .await?
            .map(|(_, kept)| kept);
        let drawn_at = Timestamp::now();
        let (version, case_version) = self
            .store
            .save_sketch(
                &NewSketch {
                    case: id,
                    sketch_json,
                    total_centi_m2: sketch.total_centi_m2,
                    location_e7,
                    drawn_by: account.id,
                    drawn_at,
                    violations,
                },
                request.expected_version,
            )
            .await?;
        Ok(RecordedSketch {
            version,
            case_version: Some(case_version),
            sketch,
            location: location_e7.map(from_e7),
            drawn_by_name: account.display_name.clone(),
            drawn_at,
        })
    }

    /// Every version of the case's sketch, newest first, for whoever may read the case; a
    /// staff member's read is recorded, as a read of the case.
    pub async fn of_case(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<Vec<RecordedSketch>, CaseError> {
        self.cases.view(who, id).await?;
        self.of_case_seen(id).await
    }

    /// The same, for a page that has just shown the case through [`Cases::view`], which
    /// checked and recorded the read.
    pub async fn of_case_seen(&self, id: CaseId) -> Result<Vec<RecordedSketch>, CaseError> {
        self.store
            .sketches_of_case(id)
            .await?
            .into_iter()
            .map(|stored| {
                let sketch: Sketch = serde_json::from_str(&stored.sketch_json).map_err(|e| {
                    anyhow::anyhow!(
                        "sketch {} of case {} is unreadable: {e}",
                        stored.version,
                        id.0
                    )
                })?;
                Ok(RecordedSketch {
                    version: stored.version,
                    case_version: None,
                    sketch,
                    location: stored.location_e7.map(from_e7),
                    drawn_by_name: stored.drawn_by_name,
                    drawn_at: stored.drawn_at,
                })
            })
            .collect()
    }
}

/// The property's place as a form has it: latitude and longitude typed (either script),
/// both empty for none.
pub fn parse_point_text(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, CaseError> {
    if lat.trim().is_empty() && lon.trim().is_empty() {
        return Ok(None);
    }
    crate::zoning::parse_point(lon, lat)
        .map(|(lon, lat)| Some((lat, lon)))
        .map_err(|_| CaseError::Invalid("sketch.location"))
}

fn from_e7((lat, lon): (i64, i64)) -> (f64, f64) {
    (lat as f64 / E7, lon as f64 / E7)
}

/// Where a sketch is wrong, as a path into the request (from 0, as JSON counts):
/// `floors[1].parts[0].corners[3]`.
fn where_wrong(error: &SketchError) -> String {
    use daftar_core::sketch::SketchProblem as P;
    let mut path = String::new();
    if let Some(floor) = error.floor {
        path.push_str(&format!("floors[{}]", floor - 1));
    }
    if let Some(part) = error.part {
        path.push_str(&format!(".parts[{}]", part - 1));
    }
    match &error.problem {
        P::BadCoordinate { corner } => path.push_str(&format!(".corners[{}]", corner - 1)),
        P::SelfIntersecting { edge, other } => {
            path.push_str(&format!(".edges[{}] × edges[{}]", edge - 1, other - 1));
        }
        P::Overlapping { other_part } => path.push_str(&format!(" × parts[{}]", other_part - 1)),
        P::BadEdge { edge } | P::EdgeMismatch { edge, .. } => {
            path.push_str(&format!(".edges_m[{}]", edge - 1));
        }
        _ => {}
    }
    if path.is_empty() {
        path.push_str("floors");
    }
    // Latin and digits inside a Persian message: isolated left to right.
    format!("\u{2066}{path}\u{2069}")
}
