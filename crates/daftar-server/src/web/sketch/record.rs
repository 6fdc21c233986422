//! `POST /cases/{id}/sketch` from the case page: the inspector's sketch as text, checked
//! by the server; refused, the page comes back with the message and what was typed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use daftar_app::Sketches;
use daftar_app::sketch::{SketchRequest, parse_point_text};
use daftar_core::sketch::text::parse_sketch_text_with_lines;
use daftar_core::sketch::{SketchError, SketchProblem};
use serde::Deserialize;

use super::SketchForm;
use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;

pub fn routes() -> Router<AppState> {
    Router::new().route("/cases/{id}/sketch", post(record))
}

#[derive(Debug, Deserialize)]
struct SketchFields {
    csrf: String,
    version: i64,
    #[serde(default)]
    sketch: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

async fn record(
    State(state): State<AppState>,
    State(sketches): State<Sketches>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<SketchFields>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = crate::web::cases::case_id(&id)?;
    let attempt = async {
        let (sketch, lines) =
            parse_sketch_text_with_lines(&form.sketch).map_err(|error| AppError::InvalidField {
                code: error.problem.code(),
                field: error.line.to_string(),
            })?;
        // Checked here first, so that a refusal names the line the inspector wrote; the
        // service checks it again.
        if let Err(error) = sketch.check() {
            return Err(AppError::InvalidField {
                code: error.problem.code(),
                field: where_on_form(&page, &lines, &error),
            });
        }
        let location = parse_point_text(&form.lat, &form.lon)?;
        let request = SketchRequest {
            expected_version: form.version,
            sketch,
            location,
        };
        sketches
            .record(&user.principal, id, &request)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1#sketch", id.0)).into_response()),
        Err(error) => {
            let (status, message): (StatusCode, String) = page.form_error(error)?;
            let typed = SketchForm {
                text: form.sketch,
                lat: form.lat,
                lon: form.lon,
                error: Some(message),
                uses: String::new(),
                map: None,
                outline: String::new(),
            };
            let forms = crate::web::cases::WorkForms {
                sketch: Some(typed),
                ..crate::web::cases::WorkForms::default()
            };
            crate::web::cases::case_page_refused(&state, &page, id, status, forms).await
        }
    }
}

/// Where a refused sketch is wrong, by the lines of the form: "line 3, edges 1 and 3".
fn where_on_form(page: &Page, lines: &[Vec<usize>], error: &SketchError) -> String {
    let tr = page.layout.tr;
    let line_of = |floor: Option<usize>, part: Option<usize>| {
        floor
            .zip(part)
            .and_then(|(f, p)| {
                lines
                    .get(f.checked_sub(1)?)?
                    .get(p.checked_sub(1)?)
                    .copied()
            })
            .or_else(|| floor.and_then(|f| lines.get(f.checked_sub(1)?)?.first().copied()))
            .unwrap_or(1)
    };
    let line = line_of(error.floor, error.part).to_string();
    match &error.problem {
        SketchProblem::BadCoordinate { corner } => tr.tn(
            "sketch-where-corner",
            &[("line", line), ("n", corner.to_string())],
        ),
        SketchProblem::SelfIntersecting { edge, other } => tr.tn(
            "sketch-where-edges",
            &[
                ("line", line),
                ("n", edge.to_string()),
                ("m", other.to_string()),
            ],
        ),
        SketchProblem::BadEdge { edge } | SketchProblem::EdgeMismatch { edge, .. } => tr.tn(
            "sketch-where-edge",
            &[("line", line), ("n", edge.to_string())],
        ),
        SketchProblem::Overlapping { other_part } => tr.tn(
            "sketch-where-lines",
            &[
                ("line", line),
                ("n", line_of(error.floor, Some(*other_part)).to_string()),
            ],
        ),
        _ => tr.tn("sketch-where-line", &[("line", line)]),
    }
}
