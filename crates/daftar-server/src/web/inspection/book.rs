//! `POST /cases/{id}/visit` from the case page: books the visit or moves it; refused, the
//! page comes back with the message and the choices kept.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Inspection;
use daftar_app::inspection::BookingRequest;
use daftar_store::StaffId;
use serde::Deserialize;

use super::VisitForm;
use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;
use crate::web::cases::{WorkForms, case_page_refused};

#[derive(Debug, Deserialize)]
pub(super) struct VisitFields {
    csrf: String,
    version: i64,
    #[serde(default)]
    inspector: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn book(
    State(state): State<AppState>,
    State(inspection): State<Inspection>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<VisitFields>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = crate::web::cases::case_id(&id)?;
    let attempt = async {
        let inspector = form
            .inspector
            .trim()
            .parse::<i64>()
            .map(StaffId)
            .map_err(|_| AppError::InvalidField {
                code: "visit.inspector",
                field: "inspector".into(),
            })?;
        let request = BookingRequest {
            expected_version: form.version,
            inspector,
            day: form.day.clone(),
            slot: form.slot.clone(),
            reason: Some(form.reason.clone()),
        };
        inspection
            .book(&user.principal, id, &request)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1#visit", id.0)).into_response()),
        Err(error) => {
            let (status, message): (StatusCode, String) = page.form_error(error)?;
            let typed = VisitForm {
                inspector: form.inspector,
                day: form.day,
                slot: form.slot,
                reason: form.reason,
                error: Some(message),
                ..VisitForm::default()
            };
            let forms = WorkForms {
                visit: Some(typed),
                ..WorkForms::default()
            };
            case_page_refused(&state, &page, id, status, forms).await
        }
    }
}
