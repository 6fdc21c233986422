//! Approving a case's document from its page.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Cases;
use serde::Deserialize;

use super::case_id;
use crate::error::AppError;
use crate::web::Page;

#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

/// Staff record a document's approval from the case page.
pub(super) async fn approve_document(
    State(cases): State<Cases>,
    page: Page,
    Path((id, document)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = case_id(&id)?;
    let document = document.parse::<i64>().map_err(|_| AppError::NotFound)?;
    cases
        .approve_document_of(&user.principal, id, document)
        .await?;
    Ok(Redirect::to(&format!("/cases/{}?done=1", id.0)).into_response())
}
