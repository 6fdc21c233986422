//! The home page: the citizen's tasks as tiles, and, once signed in, a dashboard of what
//! waits on them (cases returned to correct, open cases and their next step, the unpaid
//! bills of their properties). Staff are greeted and sent on to their queues.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use daftar_core::calendar::JalaliDate;
use jiff::Timestamp;

use super::bills::{BillCard, bill_card};
use super::{Layout, Page};
use crate::app::AppState;
use crate::auth::Principal;
use crate::error::AppError;

/// A case on the dashboard: where it is and what comes next.
pub(super) struct DashboardCase {
    id: i64,
    tracking_code: String,
    service: String,
    state: String,
    due: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeView {
    layout: Layout,
    greeting: Option<String>,
    acting_for: Option<String>,
    today: String,
    /// Signed in as a citizen: the dashboard's three lists.
    dashboard: bool,
    waiting: Vec<DashboardCase>,
    open: Vec<DashboardCase>,
    /// Open cases past those shown: «همه» leads to the full list.
    more_open: bool,
    bills: Vec<BillCard>,
}

/// Open cases the dashboard lists; the rest are on «پرونده‌های من».
const DASHBOARD_CASES: usize = 5;

pub(super) async fn home(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let services = &state.services;
    let mut view = HomeView {
        layout: page.layout.clone(),
        greeting: None,
        acting_for: None,
        today: tr.day(JalaliDate::from_timestamp(Timestamp::now())),
        dashboard: false,
        waiting: Vec::new(),
        open: Vec::new(),
        more_open: false,
        bills: Vec::new(),
    };
    match page.user.as_ref().map(|user| &user.principal) {
        Some(
            principal @ Principal::Citizen {
                national_id,
                acting_for,
                ..
            },
        ) => {
            let (name, entity) = services
                .accounts
                .names(national_id, acting_for.as_ref())
                .await?;
            view.greeting = Some(match name {
                Some(name) => tr.t1("home-welcome-named", "name", &name),
                None => tr.t("home-welcome"),
            });
            view.acting_for = entity;
            view.dashboard = true;
            let cases = &services.cases;
            for case in cases.my_cases(principal).await? {
                if case.closed_at.is_some() {
                    continue;
                }
                let shown = DashboardCase {
                    id: case.id.0,
                    tracking_code: tr.grouped(&case.tracking_code, 3),
                    service: cases
                        .catalog()
                        .get(&case.service_id)
                        .map(|s| tr.text(&s.title))
                        .unwrap_or_default(),
                    state: tr.text(&cases.state_name(
                        &case.workflow_id,
                        case.workflow_version,
                        &case.state,
                    )),
                    due: case.sla_due.map(|d| tr.day(d)).unwrap_or_default(),
                };
                if cases.waits_on_applicant(&case) {
                    view.waiting.push(shown);
                } else if view.open.len() < DASHBOARD_CASES {
                    view.open.push(shown);
                } else {
                    view.more_open = true;
                }
            }
            view.bills = services
                .billing
                .my_unpaid_bills(principal)
                .await?
                .iter()
                .map(|bill| bill_card(&tr, bill))
                .collect();
        }
        Some(Principal::Staff(account)) => {
            view.greeting = Some(tr.t1("staff-greeting", "name", &account.display_name));
        }
        None => {}
    }
    page.render(&view)
}
