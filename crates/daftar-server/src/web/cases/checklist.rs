//! `/cases/{id}/checklist/{item}`: ticking a checklist item from the case page, with its
//! file when the item needs one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Cases;
use daftar_app::cases::Upload;

use super::case_id;
use super::multipart::read_multipart;
use super::view::case_template;
use crate::error::AppError;
use crate::extract::{Multipart, Path};
use crate::web::Page;

pub(super) async fn tick(
    State(cases): State<Cases>,
    page: Page,
    Path((id, item)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    // Nobody's upload is read before they are known to be signed in.
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let submitted = read_multipart(&cases, multipart).await?;
    page.csrf
        .verify(submitted.text.get("csrf").map_or("", String::as_str))?;
    let upload = submitted
        .files
        .into_iter()
        .find(|(name, _, content)| name == "document" && content.size() > 0)
        .map(|(_, file_name, content)| Upload {
            kind: item.clone(),
            file_name,
            content,
        });
    match cases
        .tick_checklist(&user.principal, id, &item, upload)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{}?done=1#checklist", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let view = cases.view(&user.principal, id).await?;
            page.render(&case_template(&cases, &page, &view, Some(message), None))
                .map(|r| (status, r).into_response())
        }
    }
}
