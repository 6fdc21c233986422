//! `/cases/{id}/issued/{serial}/…`: the case page's forms for a document the office
//! issued, for the staff who issued it (or the system admin): issue it again, extend a
//! building permit, or revoke it with a reason. A refusal is shown at the document's card.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::issued::{Issuing, Reissue};
use daftar_core::issued::Serial;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;
use crate::web::cases::{WorkForms, case_id, case_page_refused};

#[derive(Debug, Deserialize)]
pub(super) struct ManageForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// What the form asks for.
enum Manage {
    Again(Reissue),
    Revoke,
}

pub(super) async fn reissue(
    state: State<AppState>,
    page: Page,
    path: Path<(String, String)>,
    form: Form<ManageForm>,
) -> Result<Response, AppError> {
    manage(state, page, path, form, Manage::Again(Reissue::Copy)).await
}

pub(super) async fn extend(
    state: State<AppState>,
    page: Page,
    path: Path<(String, String)>,
    form: Form<ManageForm>,
) -> Result<Response, AppError> {
    manage(state, page, path, form, Manage::Again(Reissue::Extension)).await
}

pub(super) async fn revoke(
    state: State<AppState>,
    page: Page,
    path: Path<(String, String)>,
    form: Form<ManageForm>,
) -> Result<Response, AppError> {
    manage(state, page, path, form, Manage::Revoke).await
}

async fn manage(
    State(state): State<AppState>,
    page: Page,
    Path((id, serial)): Path<(String, String)>,
    Form(form): Form<ManageForm>,
    what: Manage,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = case_id(&id)?;
    let parsed = Serial::parse(&serial).map_err(|_| AppError::NotFound)?;
    let issuing: &Issuing = &state.services.issuing;
    let done = match what {
        Manage::Again(how) => issuing
            .reissue(&user.principal, &parsed, how)
            .await
            .map(|record| format!("#issued-{}", record.serial)),
        Manage::Revoke => issuing
            .revoke(&user.principal, &parsed, &form.reason)
            .await
            .map(|()| format!("#issued-{parsed}")),
    };
    match done {
        Ok(anchor) => Ok(Redirect::to(&format!("/cases/{}?done=1{anchor}", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let typed = WorkForms {
                issued: Some((parsed.as_str().to_owned(), message, form.reason)),
                ..WorkForms::default()
            };
            case_page_refused(&state, &page, id, status, typed).await
        }
    }
}
