//! `/staff/visits?day=1405-03-10`: the visits of the staff member's offices on a day, in
//! time order, with the case and the address (an inspector's day, «mine» for their own),
//! and the visits past their day with no sketch drawn: overdue.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::{CaseError, Inspection};
use daftar_core::calendar::JalaliDate;
use daftar_store::DayVisit;
use jiff::Timestamp;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Debug, Default, Deserialize)]
pub(super) struct DayQuery {
    #[serde(default)]
    day: String,
    /// Only the visits of the one asking.
    #[serde(default)]
    mine: Option<String>,
}

struct VisitRow {
    case_id: i64,
    tracking_code: String,
    when: String,
    inspector: String,
    address: String,
    recorded: bool,
}

#[derive(Template)]
#[template(path = "staff_visits.html")]
struct DayPage {
    layout: Layout,
    day_iso: String,
    day_label: String,
    previous: String,
    next: String,
    mine: bool,
    visits: Vec<VisitRow>,
    overdue: Vec<VisitRow>,
}

fn row(tr: &Tr, visit: DayVisit, with_day: bool) -> VisitRow {
    let when = if with_day {
        super::when(tr, &visit.day, &visit.slot)
    } else {
        tr.digits(&visit.slot)
    };
    VisitRow {
        case_id: visit.case.0,
        tracking_code: visit.tracking_code,
        when,
        inspector: visit.inspector_name,
        address: visit
            .address
            .or(visit.renewal_code)
            .map(|text| tr.digits(&text))
            .unwrap_or_else(|| "—".into()),
        recorded: visit.recorded,
    }
}

pub(super) async fn day_page(
    State(inspection): State<Inspection>,
    page: Page,
    QueryParams(query): QueryParams<DayQuery>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let Some(account) = user.staff() else {
        return Err(CaseError::NotAllowed("auth.staff_only").into());
    };
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let day = match query.day.trim() {
        "" => today,
        text => JalaliDate::parse(text).map_err(|_| AppError::Invalid("visit.day"))?,
    };
    let mine = query.mine.is_some();
    let tr = page.layout.tr;
    let keep = |visit: &DayVisit| !mine || visit.inspector == account.id;
    let visits = inspection
        .day(&user.principal, day)
        .await?
        .into_iter()
        .filter(keep)
        .map(|visit| row(&tr, visit, false))
        .collect();
    let overdue = inspection
        .overdue(&user.principal)
        .await?
        .into_iter()
        .filter(keep)
        .map(|visit| row(&tr, visit, true))
        .collect();
    let link = |date: JalaliDate| {
        format!(
            "/staff/visits?day={}{}",
            date.iso_jalali(),
            if mine { "&mine=1" } else { "" }
        )
    };
    page.render(&DayPage {
        layout: page.layout.clone(),
        day_iso: day.iso_jalali(),
        day_label: match tr.is_fa() {
            true => format!("{} {}", day.weekday_name_fa(), day.format_fa()),
            false => day.format_en(),
        },
        previous: link(day.add_days(-1)),
        next: link(day.add_days(1)),
        mine,
        visits,
        overdue,
    })
}
