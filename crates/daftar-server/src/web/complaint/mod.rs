//! The complaint pages: the form of complaints, criticisms and suggestions, reachable from
//! every service card and the footer ([`new`]); the conduct records internal inspection
//! and the office head read ([`conduct`]); and the system admin's Open311 keys ([`keys`]).
//! A filed complaint is a case: its page, answer, rating and reopening are the case
//! page's.

mod conduct;
mod keys;
mod new;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};

use crate::app::{AppState, upload_limit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints/new", get(new::form))
        .route("/complaints", post(new::submit.layer(upload_limit())))
        .route("/staff/conduct", get(conduct::list))
        .route("/staff/conduct/{staff}", get(conduct::record))
        .route("/staff/open311", get(keys::page).post(keys::issue))
        .route("/staff/open311/{client}/revocation", post(keys::revoke))
}

/// The staff account a staff page is read by; citizens are refused.
fn staff_account(
    user: &daftar_app::CurrentUser,
) -> Result<&daftar_store::StaffAccount, crate::error::AppError> {
    match &user.principal {
        daftar_app::Principal::Staff(account) => Ok(account),
        daftar_app::Principal::Citizen { .. } => {
            Err(crate::error::AppError::Forbidden("auth.forbidden"))
        }
    }
}
