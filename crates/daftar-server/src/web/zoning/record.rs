//! `POST /cases/{id}/inquiry` from the case page: formation records the inquiry about
//! the case's property; refused, the page comes back with the message at the form.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Zoning;
use daftar_app::zoning::{InquiryRequest, parse_point};
use serde::Deserialize;

use super::case::InquiryForm;
use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;
use crate::web::cases::{WorkForms, case_page_refused};

#[derive(Debug, Deserialize)]
pub(super) struct InquiryFields {
    csrf: String,
    version: i64,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    lat: String,
}

pub(super) async fn record(
    State(state): State<AppState>,
    State(zoning): State<Zoning>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<InquiryFields>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = crate::web::cases::case_id(&id)?;
    let attempt = async {
        let point = if form.lon.trim().is_empty() && form.lat.trim().is_empty() {
            None
        } else {
            Some(parse_point(&form.lon, &form.lat)?)
        };
        let request = InquiryRequest {
            expected_version: form.version,
            point,
        };
        zoning
            .record_for_case(&state.services.cases, &user.principal, id, &request)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1#inquiry", id.0)).into_response()),
        Err(error) => {
            let (status, message): (StatusCode, String) = page.form_error(error)?;
            let typed = InquiryForm {
                lon: form.lon,
                lat: form.lat,
                error: Some(message),
            };
            let forms = WorkForms {
                inquiry: Some(typed),
                ..WorkForms::default()
            };
            case_page_refused(&state, &page, id, status, forms).await
        }
    }
}
