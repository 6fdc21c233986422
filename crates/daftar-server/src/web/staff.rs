//! The staff's pages: the landing page with the user's roles, and each unit's page.

use askama::Template;
use axum::Router;
use axum::extract::State;

use crate::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use daftar_app::cases::QueueFilter;
use daftar_app::{Accounts, Cases};
use daftar_core::roles::Role;

use super::cases::shown_count;
use super::{Layout, Page};
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(landing))
        .route("/staff/units/{role}", get(unit))
}

struct HeldRole {
    office: String,
    slug: &'static str,
    name: &'static str,
    /// The queue's open and overdue counts.
    total: String,
    overdue: String,
}

#[derive(Template)]
#[template(path = "staff_home.html")]
struct StaffHome {
    layout: Layout,
    display_name: String,
    roles: Vec<HeldRole>,
    /// The office head or manager: a link to the usage report.
    usage_report: bool,
    /// Internal inspection or the office head: a link to the conduct records.
    conduct: bool,
    /// The system admin: a link to the Open311 keys.
    open311: bool,
}

fn role_name(page: &Page, role: Role) -> &'static str {
    role.name().in_lang(page.layout.tr.lang)
}

/// The staff landing page, with each queue's counts; someone not signed in as staff is
/// sent to sign in.
async fn landing(
    State(cases): State<Cases>,
    State(usage): State<daftar_app::usage::Usage>,
    page: Page,
) -> Result<Response, AppError> {
    let Some(account) = page.user.as_ref().and_then(|user| user.staff()) else {
        return Ok(super::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let tr = page.layout.tr;
    let mut roles = Vec::new();
    for (office, role) in &account.roles {
        let queue = cases.queue(account, *role, &QueueFilter::default()).await?;
        roles.push(HeldRole {
            office: tr.digits(office.as_str()),
            slug: role.slug(),
            name: role_name(&page, *role),
            total: shown_count(&tr, queue.total),
            overdue: shown_count(&tr, queue.overdue),
        });
    }
    page.render(&StaffHome {
        layout: page.layout.clone(),
        display_name: account.display_name.clone(),
        roles,
        usage_report: page
            .user
            .as_ref()
            .is_some_and(|user| usage.office_of(&user.principal).is_ok()),
        conduct: account.has_role(daftar_core::roles::Role::InternalInspection)
            || account.has_role(daftar_core::roles::Role::OfficeHead),
        open311: account.has_role(daftar_core::roles::Role::SystemAdmin),
    })
}

struct UnitOffice {
    office: String,
    members: Vec<String>,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitView {
    layout: Layout,
    name: &'static str,
    duties: &'static str,
    offices: Vec<UnitOffice>,
}

/// A unit's page, for those who hold its role in some office (403 otherwise).
async fn unit(
    State(accounts): State<Accounts>,
    page: Page,
    staff: Staff,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let role = Role::from_slug(&slug).ok_or(AppError::NotFound)?;
    let account = staff.require(role)?;
    let offices = accounts
        .unit_members(account, role)
        .await?
        .into_iter()
        .map(|(office, members)| UnitOffice {
            office: page.layout.tr.digits(office.as_str()),
            members: members
                .into_iter()
                .map(|member| member.display_name)
                .collect(),
        })
        .collect();
    let duties = role.duties().in_lang(page.layout.tr.lang);
    page.render(&UnitView {
        layout: page.layout.clone(),
        name: role_name(&page, role),
        duties,
        offices,
    })
}
