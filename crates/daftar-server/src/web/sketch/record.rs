//! `POST /cases/{id}/sketch` from the case page: the inspector's sketch as text, checked
//! by the server; refused, the page comes back with the message and what was typed.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use daftar_app::sketch::{SketchRequest, parse_point_text};
use daftar_app::{Cases, Sketches};
use daftar_core::sketch::text::parse_sketch_text;
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
    State(cases): State<Cases>,
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
        let sketch = parse_sketch_text(&form.sketch).map_err(|error| AppError::InvalidField {
            code: error.problem.code(),
            field: error.line.to_string(),
        })?;
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
            };
            super::super::cases::case_page_with_sketch_error(
                &cases, &sketches, &page, id, status, typed,
            )
            .await
        }
    }
}
