//! `/staff/fire-safety-firms`: the register of fire-safety firms for staff, each licence
//! valid or expired, and for the violation-review unit the form that registers one.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Violations;
use daftar_core::roles::Role;
use daftar_core::violation::FireSafetyFirm;
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::Form;
use crate::web::{Layout, Page};

struct FirmRow {
    name: String,
    legal_id: String,
    licence_number: String,
    valid_until: String,
    expired: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct FirmFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_id: String,
    #[serde(default)]
    licence_number: String,
    #[serde(default)]
    valid_until: String,
}

#[derive(Template)]
#[template(path = "staff_firms.html")]
struct FirmsPage {
    layout: Layout,
    firms: Vec<FirmRow>,
    /// The form, for the violation-review unit: what was typed, and a refusal's message.
    form: Option<(FirmFields, Option<String>)>,
    registered: bool,
}

async fn render(
    violations: &Violations,
    page: Page,
    status: StatusCode,
    typed: Option<(FirmFields, Option<String>)>,
    registered: bool,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let tr = page.layout.tr;
    let firms = violations
        .firms(&user.principal)
        .await?
        .into_iter()
        .map(|registered| FirmRow {
            name: registered.firm.name,
            legal_id: tr.digits(registered.firm.legal_id.as_str()),
            licence_number: tr.digits(&registered.firm.licence_number),
            valid_until: tr.day(registered.firm.licence_valid_until),
            expired: registered.expired,
        })
        .collect();
    let keeps = user
        .staff()
        .is_some_and(|account| account.has_role(Role::ViolationReview));
    let form = keeps.then(|| typed.unwrap_or_default());
    let template = FirmsPage {
        layout: page.layout.clone(),
        firms,
        form,
        registered,
    };
    Ok((status, page.render(&template)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    #[serde(default)]
    registered: Option<String>,
}

pub(super) async fn firms_page(
    State(violations): State<Violations>,
    page: Page,
    crate::query::QueryParams(shown): crate::query::QueryParams<Shown>,
) -> Result<Response, AppError> {
    render(
        &violations,
        page,
        StatusCode::OK,
        None,
        shown.registered.is_some(),
    )
    .await
}

pub(super) async fn register(
    State(violations): State<Violations>,
    page: Page,
    Form(form): Form<FirmFields>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let attempt = async {
        let firm = FireSafetyFirm::new(
            &form.name,
            &form.legal_id,
            &form.licence_number,
            &form.valid_until,
        )
        .map_err(|error| AppError::Invalid(error.0))?;
        violations
            .register_firm(&user.principal, &firm)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(()) => Ok(Redirect::to("/staff/fire-safety-firms?registered=1").into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            render(
                &violations,
                page,
                status,
                Some((form, Some(message))),
                false,
            )
            .await
        }
    }
}
