//! Citizen sign-in by one-time code, staff sign-in by password, and signing out.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::extract::Form;
use crate::query::QueryParams;
use crate::rate_limit::ClientAddress;
use daftar_app::accounts::SignedIn;
use serde::Deserialize;

use super::{Layout, Page, session_cookie};
use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(citizen_form).post(request_code))
        .route("/sign-in/verify", post(verify_code))
        .route("/staff/sign-in", get(staff_form).post(staff_sign_in))
        .route("/sign-out", post(sign_out))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct CitizenForm {
    layout: Layout,
    /// Where to go on to once signed in (a local path), and why the user is here.
    next: String,
    error: Option<String>,
    national_id: String,
    mobile: String,
    legal_id: String,
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodeForm {
    layout: Layout,
    next: String,
    error: Option<String>,
    national_id: String,
    legal_id: String,
}

#[derive(Template)]
#[template(path = "staff_sign_in.html")]
struct StaffForm {
    layout: Layout,
    next: String,
    error: Option<String>,
    username: String,
}

fn with_status(
    status: axum::http::StatusCode,
    response: Result<Response, AppError>,
) -> Result<Response, AppError> {
    response.map(|response| (status, response).into_response())
}

/// `?next=`, when it is a path on this site (`web::local_path`); empty otherwise.
#[derive(Debug, Default, Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

fn local_next(next: &str) -> String {
    super::local_path(next).unwrap_or_default().to_owned()
}

async fn citizen_form(
    page: Page,
    QueryParams(Next { next }): QueryParams<Next>,
) -> Result<Response, AppError> {
    page.render(&CitizenForm {
        layout: page.layout.clone(),
        next: local_next(&next),
        error: None,
        national_id: String::new(),
        mobile: String::new(),
        legal_id: String::new(),
    })
}

#[derive(Debug, Deserialize)]
struct CodeRequestForm {
    csrf: String,
    #[serde(default)]
    next: String,
    national_id: String,
    mobile: String,
    #[serde(default)]
    legal_id: String,
}

async fn request_code(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeRequestForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    match state
        .services
        .accounts
        .request_code(&form.national_id, &form.mobile, client)
        .await
    {
        Ok(()) => page.render(&CodeForm {
            layout: page.layout.clone(),
            next: local_next(&form.next),
            error: None,
            national_id: form.national_id,
            legal_id: form.legal_id,
        }),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            with_status(
                status,
                page.render(&CitizenForm {
                    layout: page.layout.clone(),
                    next: local_next(&form.next),
                    error: Some(message),
                    national_id: form.national_id,
                    mobile: form.mobile,
                    legal_id: form.legal_id,
                }),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct CodeVerificationForm {
    csrf: String,
    #[serde(default)]
    next: String,
    national_id: String,
    code: String,
    #[serde(default)]
    legal_id: String,
}

async fn verify_code(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeVerificationForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    match state
        .services
        .accounts
        .verify_code(&form.national_id, &form.code, Some(&form.legal_id), client)
        .await
    {
        Ok(signed_in) => {
            let next = local_next(&form.next);
            let to = if next.is_empty() { "/" } else { next.as_str() };
            Ok(signed_in_redirect(&state, &signed_in, to))
        }
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            with_status(
                status,
                page.render(&CodeForm {
                    layout: page.layout.clone(),
                    next: local_next(&form.next),
                    error: Some(message),
                    national_id: form.national_id,
                    legal_id: form.legal_id,
                }),
            )
        }
    }
}

async fn staff_form(
    page: Page,
    QueryParams(Next { next }): QueryParams<Next>,
) -> Result<Response, AppError> {
    page.render(&StaffForm {
        layout: page.layout.clone(),
        next: local_next(&next),
        error: None,
        username: String::new(),
    })
}

#[derive(Debug, Deserialize)]
struct StaffSignInForm {
    csrf: String,
    #[serde(default)]
    next: String,
    username: String,
    password: String,
    #[serde(default)]
    second_factor: String,
}

async fn staff_sign_in(
    State(state): State<AppState>,
    page: Page,
    ClientAddress(client): ClientAddress,
    Form(form): Form<StaffSignInForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let second_factor = Some(form.second_factor.as_str()).filter(|code| !code.trim().is_empty());
    match state
        .services
        .accounts
        .staff_sign_in(&form.username, &form.password, second_factor, client)
        .await
    {
        Ok(signed_in) => {
            let next = local_next(&form.next);
            let to = if next.is_empty() {
                "/staff"
            } else {
                next.as_str()
            };
            Ok(signed_in_redirect(&state, &signed_in, to))
        }
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            with_status(
                status,
                page.render(&StaffForm {
                    layout: page.layout.clone(),
                    next: local_next(&form.next),
                    error: Some(message),
                    username: form.username,
                }),
            )
        }
    }
}

fn signed_in_redirect(state: &AppState, signed_in: &SignedIn, to: &str) -> Response {
    let max_age = signed_in.expires_at.as_second() - jiff::Timestamp::now().as_second();
    let cookie = session_cookie(&signed_in.token, max_age, state.config.secure_cookies);
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

#[derive(Debug, Deserialize)]
struct SignOutForm {
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<SignOutForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    if let Some(user) = &page.user {
        state.services.accounts.sign_out(user).await?;
    }
    let cookie = session_cookie("", 0, state.config.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}
