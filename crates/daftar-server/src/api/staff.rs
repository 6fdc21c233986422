//! The units of the office, for the staff who hold their roles.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use daftar_core::roles::Role;
use serde::Serialize;

use daftar_app::Accounts;

use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use crate::i18n::Lang;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/units/{role}", get(unit))
}

#[derive(Debug, Serialize)]
struct Unit {
    role: Role,
    name: &'static str,
    duties: &'static str,
    offices: Vec<UnitOffice>,
}

#[derive(Debug, Serialize)]
struct UnitOffice {
    office: String,
    members: Vec<Member>,
}

#[derive(Debug, Serialize)]
struct Member {
    username: String,
    display_name: String,
}

/// A unit as the user's offices staff it: only for those who hold its role.
async fn unit(
    State(accounts): State<Accounts>,
    lang: Lang,
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
    let (name, duties) = match lang {
        Lang::Fa => (role.name_fa(), role.duties_fa()),
        Lang::En => (role.name_en(), role.duties_en()),
    };
    Ok(Json(Unit {
        role,
        name,
        duties,
        offices,
    }))
}
