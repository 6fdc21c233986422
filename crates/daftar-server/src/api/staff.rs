//! The units of the office, for the staff who hold their roles.

use axum::extract::State;

use crate::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use daftar_app::Accounts;
use daftar_core::roles::Role;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use crate::i18n::RequestLang;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/units/{role}", get(unit))
}

/// A unit (a role of the office) and who holds it in each of the user's offices.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Unit {
    #[schema(value_type = String, example = "formation")]
    role: Role,
    name: &'static str,
    duties: &'static str,
    offices: Vec<UnitOffice>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UnitOffice {
    office: String,
    members: Vec<Member>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Member {
    username: String,
    display_name: String,
}

/// A unit as the user's offices staff it: only for those who hold its role.
#[utoipa::path(get, path = "/api/v1/units/{role}", tag = "staff",
    params(("role" = String, Path, description = "The role's slug, e.g. `formation`")),
    responses(
        (status = 200, body = Unit),
        (status = 401, body = ApiError),
        (status = 403, description = "The user does not hold the role", body = ApiError),
        (status = 404, description = "No such role", body = ApiError),
    ))]
pub(super) async fn unit(
    State(accounts): State<Accounts>,
    RequestLang(lang): RequestLang,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<Json<Unit>, AppError> {
    let role = Role::from_slug(&slug).ok_or(AppError::NotFound)?;
    let account = staff.require(role)?;
    let offices = accounts
        .unit_members(account, role)
        .await?
        .into_iter()
        .map(|(office, members)| UnitOffice {
            office: office.as_str().to_owned(),
            members: members
                .into_iter()
                .map(|m| Member {
                    username: m.username,
                    display_name: m.display_name,
                })
                .collect(),
        })
        .collect();
    let (name, duties) = (role.name().in_lang(lang), role.duties().in_lang(lang));
    Ok(Json(Unit {
        role,
        name,
        duties,
        offices,
    }))
}
