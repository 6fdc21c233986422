//! `/staff/reports/usage`: the operator-usage report of the viewer's office for a period
//! (today unless chosen): the office's figures, a bar per staff member of the actions
//! they took, the staff table sortable by any column, and the units' table.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::usage::Usage;
use daftar_core::usage::{Figures, StaffUsage};

use super::PeriodQuery;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "usage.html")]
struct UsagePage {
    layout: Layout,
    from: String,
    to: String,
    /// The period as the page names it.
    period: String,
    /// `from=…&to=…`, for the download links and the sort links.
    period_query: String,
    office: FiguresView,
    staff_count: String,
    headers: Vec<Header>,
    staff: Vec<StaffRow>,
    units: Vec<UnitRow>,
}

struct FiguresView {
    sign_ins: String,
    active: String,
    actions: String,
    closed: String,
    wait: String,
    overdue: String,
}

struct Header {
    label: String,
    href: String,
    aria_sort: &'static str,
}

struct StaffRow {
    name: String,
    units: String,
    figures: FiguresView,
    /// The bar's width of 100: the actions against the busiest member's.
    bar: u32,
    bar_x: u32,
    kinds: Vec<(String, String)>,
    services: Vec<(String, String)>,
}

struct UnitRow {
    name: String,
    staff: String,
    figures: FiguresView,
}

/// The staff table's columns, by sort key.
const COLUMNS: [&str; 8] = [
    "name", "units", "sign_ins", "active", "actions", "closed", "wait", "overdue",
];

fn duration(tr: &Tr, seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    if minutes == 0 {
        return tr.t("usage-under-a-minute");
    }
    tr.t2(
        "usage-duration",
        "hours",
        &tr.number((minutes / 60) as u64),
        "minutes",
        &tr.number((minutes % 60) as u64),
    )
}

fn figures_view(tr: &Tr, figures: &Figures) -> FiguresView {
    FiguresView {
        sign_ins: tr.number(figures.sign_ins),
        active: duration(tr, figures.active_seconds),
        actions: tr.number(figures.actions),
        closed: tr.number(figures.cases_closed),
        wait: figures
            .median_wait_seconds
            .map(|s| duration(tr, s))
            .unwrap_or_else(|| "—".to_owned()),
        overdue: tr.number(figures.overdue_held),
    }
}

/// Sorts the staff by a column; numbers largest first unless `asc`.
fn sort(staff: &mut [StaffUsage], column: &str, ascending: bool) {
    let key = |s: &StaffUsage| -> i64 {
        let f = &s.figures;
        match column {
            "sign_ins" => f.sign_ins as i64,
            "active" => f.active_seconds,
            "closed" => f.cases_closed as i64,
            "wait" => f.median_wait_seconds.unwrap_or(-1),
            "overdue" => f.overdue_held as i64,
            _ => f.actions as i64,
        }
    };
    if column == "name" {
        staff.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        staff.sort_by_key(|s| std::cmp::Reverse(key(s)));
    }
    if ascending != (column == "name") {
        staff.reverse();
    }
}

pub(super) async fn page(
    State(usage): State<Usage>,
    page: Page,
    QueryParams(query): QueryParams<PeriodQuery>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let tr = page.layout.tr;
    let (from, to) = query.days()?;
    let mut report = usage.report(&user.principal, from, to).await?;
    let column = if COLUMNS.contains(&query.sort.as_str()) && query.sort != "units" {
        query.sort.as_str()
    } else {
        "actions"
    };
    let ascending = match query.dir.as_str() {
        "asc" => true,
        "desc" => false,
        _ => column == "name",
    };
    sort(&mut report.staff, column, ascending);
    let period_query = format!(
        "from={}&to={}",
        report.from.iso_jalali(),
        report.to.iso_jalali()
    );
    let headers = COLUMNS
        .iter()
        .map(|key| {
            let sorted = *key == column;
            let next = if sorted && !ascending { "asc" } else { "desc" };
            let next = if *key == "name" && !sorted {
                "asc"
            } else {
                next
            };
            Header {
                label: tr.t(&format!("usage-col-{key}")),
                href: if *key == "units" {
                    String::new()
                } else {
                    format!("/staff/reports/usage?{period_query}&sort={key}&dir={next}#staff")
                },
                aria_sort: match (sorted, ascending) {
                    (false, _) => "none",
                    (true, true) => "ascending",
                    (true, false) => "descending",
                },
            }
        })
        .collect();
    let busiest = report
        .staff
        .iter()
        .map(|s| s.figures.actions)
        .max()
        .unwrap_or(0)
        .max(1);
    let unit_names = |units: &[daftar_core::roles::Role]| {
        units
            .iter()
            .map(|u| u.name().in_lang(tr.lang))
            .collect::<Vec<_>>()
            .join("، ")
    };
    let staff = report
        .staff
        .iter()
        .map(|member| {
            let bar = (member.figures.actions * 100 / busiest) as u32;
            StaffRow {
                name: member.name.clone(),
                units: unit_names(&member.units),
                figures: figures_view(&tr, &member.figures),
                bar,
                bar_x: if tr.is_fa() { 100 - bar } else { 0 },
                kinds: member
                    .figures
                    .by_kind
                    .iter()
                    .map(|(kind, count)| (kind.clone(), tr.number(*count)))
                    .collect(),
                services: member
                    .figures
                    .by_service
                    .iter()
                    .map(|(id, count)| {
                        let title = usage
                            .service_title(id)
                            .map(|t| tr.text(&t))
                            .unwrap_or_else(|| id.clone());
                        (title, tr.number(*count))
                    })
                    .collect(),
            }
        })
        .collect();
    let units = report
        .units
        .iter()
        .map(|unit| UnitRow {
            name: unit.unit.name().in_lang(tr.lang).to_owned(),
            staff: tr.number(unit.staff),
            figures: figures_view(&tr, &unit.figures),
        })
        .collect();
    let view = UsagePage {
        layout: page.layout.clone(),
        from: tr.digits(&report.from.iso_jalali()),
        to: tr.digits(&report.to.iso_jalali()),
        period: if report.from == report.to {
            tr.day(report.from)
        } else {
            tr.t2(
                "usage-period",
                "from",
                &tr.day(report.from),
                "to",
                &tr.day(report.to),
            )
        },
        period_query,
        office: figures_view(&tr, &report.office),
        staff_count: tr.number(report.staff.len() as u64),
        headers,
        staff,
        units,
    };
    let mut response = page.render(&view)?;
    // Names of staff and their work: not for a shared cache.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
