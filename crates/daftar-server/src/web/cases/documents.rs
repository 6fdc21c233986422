//! A case's document from its page: opening it, and approving it.

use axum::extract::State;

use crate::extract::{Form, Path};
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

/// Opens a document of a case, for whoever may see the case (the view is recorded).
pub(super) async fn open_document(
    State(cases): State<Cases>,
    page: Page,
    Path(document): Path<String>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let document = document.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (record, bytes) = cases.open_document(&user.principal, document).await?;
    Ok(crate::attachment::response(&record.content_type, bytes))
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
