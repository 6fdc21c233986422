//! Inspection visits on the pages, a file an action:
//!
//! - the visit's section of a case page (here): the visit booked, the ones moved, and for
//!   formation or inspection while one of them has the case, the booking form;
//! - [`book`]: `POST /cases/{id}/visit`, that form;
//! - [`day`]: `/staff/visits?day=`, an inspector's day in time order, and the overdue.

mod book;
mod day;

use axum::Router;
use axum::routing::{get, post};
use daftar_app::cases::{CaseView, Standing};
use daftar_app::{Cases, Inspection};
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_store::StoredVisit;

use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::web::{Page, isolated};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/visit", post(book::book))
        .route("/staff/visits", get(day::day_page))
}

/// The visit section of a case page.
#[derive(Debug, Clone)]
pub struct VisitSection {
    /// The visit in force: «دوشنبه ۱۰ خرداد ۱۴۰۵، ساعت ۰۹:۰۰ — مریم بازدید».
    pub live: Option<String>,
    /// The visits moved, newest first, each with when it was and why it moved.
    pub moved: Vec<String>,
    pub form: Option<VisitForm>,
}

/// The booking form, what it offers and what was chosen.
#[derive(Debug, Clone, Default)]
pub struct VisitForm {
    pub inspectors: Vec<(String, String)>,
    pub days: Vec<(String, String)>,
    pub slots: Vec<(String, String)>,
    pub inspector: String,
    pub day: String,
    pub slot: String,
    pub reason: String,
    /// A visit is booked already: the form moves it, and asks why.
    pub moving: bool,
    pub error: Option<String>,
}

/// A visit's day and time as the page writes them.
fn when(tr: &Tr, day: &str, slot: &str) -> String {
    let day = JalaliDate::parse(day)
        .map(|date| match tr.is_fa() {
            true => format!("{} {}", date.weekday_name_fa(), date.format_fa()),
            false => date.format_en(),
        })
        .unwrap_or_else(|_| day.to_owned());
    tr.t2("visit-when", "day", &day, "time", &tr.digits(slot))
}

fn visit_line(tr: &Tr, visit: &StoredVisit) -> String {
    format!(
        "{} — {}",
        when(tr, &visit.day, &visit.slot),
        isolated(&visit.inspector_name)
    )
}

/// The section for a case page the user has just been shown through
/// [`daftar_app::Cases::view`]; `typed` is a refused attempt's form.
pub async fn for_case_page(
    inspection: &Inspection,
    cases: &Cases,
    page: &Page,
    view: &CaseView,
    typed: Option<VisitForm>,
) -> Result<Option<VisitSection>, AppError> {
    let visits = inspection.visits_of_case_seen(view.case.id).await?;
    let books = |role: &Role| matches!(role, Role::Formation | Role::Inspection);
    // Only a service whose workflow sends the case to the inspection unit is visited.
    let visited = cases
        .catalog()
        .get(&view.case.service_id)
        .zip(cases.workflow(&view.case.workflow_id, view.case.workflow_version))
        .is_some_and(|(service, definition)| {
            definition.takes_part(Role::Inspection, service.owner_unit)
        });
    let forms = visited
        && matches!(&view.standing, Standing::Staff(roles) if roles.iter().any(books))
        && view.tasks.iter().any(|task| books(&task.role));
    if visits.is_empty() && !forms {
        return Ok(None);
    }
    let tr = page.layout.tr;
    let live = visits.iter().find(|visit| visit.cancelled_at.is_none());
    let moved = visits
        .iter()
        .filter(|visit| visit.cancelled_at.is_some())
        .map(|visit| {
            let line = visit_line(&tr, visit);
            match &visit.cancel_reason {
                Some(reason) => format!("{line} ({reason})"),
                None => line,
            }
        })
        .collect();
    let form = if forms {
        let user = page
            .user
            .as_ref()
            .ok_or(AppError::Unauthorized("auth.required"))?;
        let choices = inspection.choices(&user.principal, view.case.id).await?;
        let mut form = typed.unwrap_or_else(|| VisitForm {
            inspector: live.map(|v| v.inspector.0.to_string()).unwrap_or_default(),
            ..VisitForm::default()
        });
        form.inspectors = choices
            .inspectors
            .iter()
            .map(|inspector| (inspector.id.0.to_string(), inspector.display_name.clone()))
            .collect();
        form.days = tr.date_choices(&choices.days);
        form.slots = choices
            .slots
            .iter()
            .map(|slot| (slot.clone(), tr.digits(slot)))
            .collect();
        form.moving = live.is_some();
        Some(form)
    } else {
        None
    };
    Ok(Some(VisitSection {
        live: live.map(|visit| visit_line(&tr, visit)),
        moved,
        form,
    }))
}
