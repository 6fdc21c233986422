//! Acting on a case from its page, and claiming it (or marking it to a colleague).

use axum::extract::State;

use crate::extract::{Form, Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Cases;
use daftar_app::cases::{ActionRequest, Upload};
use daftar_core::roles::Role;
use serde::Deserialize;

use super::case_id;
use super::multipart::read_multipart;
use super::view::case_template;
use crate::auth::Staff;
use crate::error::AppError;
use crate::web::Page;

pub(super) async fn act(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    // Nobody's upload is read before they are known to be signed in.
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let submitted = read_multipart(&cases, multipart).await?;
    let text = |name: &str| submitted.text.get(name).cloned().unwrap_or_default();
    page.csrf.verify(&text("csrf"))?;
    let kind = text("document_kind");
    let uploads: Vec<Upload> = submitted
        .files
        .into_iter()
        .filter(|(name, _, content)| name == "document" && content.size() > 0)
        .map(|(_, file_name, content)| Upload {
            kind: kind.clone(),
            file_name,
            content,
        })
        .collect();
    let request = ActionRequest {
        action: text("action"),
        expected_version: text("version").parse().unwrap_or(-1),
        fields: submitted
            .text
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("field:").map(|n| (n.to_owned(), v.clone())))
            .collect(),
        comment: Some(text("comment")),
        decision: Some(text("decision")),
        assignee: Some(text("assignee")),
        uploads,
    };
    match cases.act(&user.principal, id, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let view = cases.view(&user.principal, id).await?;
            page.render(&case_template(&cases, &page, &view, Some(message), None))
                .map(|r| (status, r).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ClaimForm {
    csrf: String,
    version: i64,
    role: String,
}

pub(super) async fn claim(
    State(cases): State<Cases>,
    page: Page,
    Staff(account): Staff,
    Path(id): Path<String>,
    Form(form): Form<ClaimForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    Role::from_slug(&form.role).ok_or(AppError::NotFound)?;
    let id = case_id(&id)?;
    cases
        .mark_to(&user.principal, id, form.version, &account.username)
        .await?;
    // Claimed to work on it: the case opens.
    Ok(Redirect::to(&format!("/cases/{}?claimed=1", id.0)).into_response())
}
