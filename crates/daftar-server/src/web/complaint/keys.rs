//! `/staff/open311`: the system admin issues an Open311 client its API key (shown once)
//! and revokes it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Complaints;
use serde::Deserialize;

use super::staff_account;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "open311_keys.html")]
struct KeysPage {
    layout: Layout,
    clients: Vec<ClientView>,
    /// The key just issued, shown this once.
    issued: Option<(String, String)>,
    error: Option<String>,
}

struct ClientView {
    id: i64,
    name: String,
    created: String,
    revoked: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct IssueForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

pub(super) async fn page(
    State(complaints): State<Complaints>,
    page: Page,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    Complaints::may_manage_open311(staff_account(user)?)?;
    render(&complaints, &page, StatusCode::OK, None, None).await
}

pub(super) async fn issue(
    State(complaints): State<Complaints>,
    page: Page,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    Complaints::may_manage_open311(staff_account(user)?)?;
    match complaints.issue_open311_key(&form.name).await {
        Ok(issued) => {
            let shown = (form.name.trim().to_owned(), issued.key);
            render(&complaints, &page, StatusCode::CREATED, Some(shown), None).await
        }
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            render(&complaints, &page, status, None, Some(message)).await
        }
    }
}

pub(super) async fn revoke(
    State(complaints): State<Complaints>,
    page: Page,
    Path(client): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let client = client.parse::<i64>().map_err(|_| AppError::NotFound)?;
    Complaints::may_manage_open311(staff_account(user)?)?;
    complaints.revoke_open311_key(client).await?;
    Ok(Redirect::to("/staff/open311").into_response())
}

async fn render(
    complaints: &Complaints,
    page: &Page,
    status: StatusCode,
    issued: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let clients = complaints
        .open311_clients()
        .await?
        .into_iter()
        .map(|client| ClientView {
            id: client.id,
            name: client.name,
            created: tr.moment(client.created_at),
            revoked: client
                .revoked_at
                .map(|at| tr.moment(at))
                .unwrap_or_default(),
        })
        .collect();
    let view = KeysPage {
        layout: page.layout.clone(),
        clients,
        issued,
        error,
    };
    Ok((status, page.render(&view)?).into_response())
}
