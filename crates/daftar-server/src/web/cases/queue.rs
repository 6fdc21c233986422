//! A role's work queue (کارتابل): its open tasks, sorted by the column the clerk chose
//! (the stage's due date by default), with a one-line filter bar, a search by tracking
//! code or national ID, the whole queue's counts and a pager.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::Cases;
use daftar_app::cases::{QUEUE_PAGE, QueueFilter};
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_store::{QUEUE_COUNT_CAP, QueueOrder, QueuePage};
use jiff::Timestamp;

use crate::auth::Staff;
use crate::error::AppError;
use crate::extract::Path;
use crate::i18n::Tr;
use crate::query::{QueryParams, QueueParams};
use crate::web::{Layout, Page};

/// A queue count as the page shows it: "more than 10,000" past the cap.
pub(in crate::web) fn shown_count(tr: &Tr, count: u64) -> String {
    if QueuePage::is_more_than_cap(count) {
        tr.t1("queue-more-than", "count", &tr.number(QUEUE_COUNT_CAP))
    } else {
        tr.number(count)
    }
}

struct QueueRow {
    case_id: i64,
    tracking_code: String,
    service: String,
    state: String,
    applicant: String,
    applicant_id: String,
    district: String,
    received: String,
    age: String,
    due: String,
    /// Days left in words, and how near: `overdue`, `near` (two days or less) or `open`.
    days_left: String,
    urgency: &'static str,
    claimed_by: Option<String>,
    version: i64,
    /// The violations computed from the case's sketch: count, area and fine range.
    violations: Option<String>,
}

/// A sortable column's header: its link and the order it shows now.
struct SortHeader {
    label: String,
    href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    aria_sort: &'static str,
}

/// A link of the pager.
struct PageLink {
    number: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueueView {
    layout: Layout,
    role: &'static str,
    role_name: &'static str,
    total: String,
    overdue: String,
    rows: Vec<QueueRow>,
    services: Vec<(String, String)>,
    search: String,
    search_error: Option<String>,
    filter_service: String,
    filter_district: String,
    filter_overdue: bool,
    filter_mine: bool,
    sort: String,
    headers: Vec<SortHeader>,
    showing: String,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
}

/// The query string of this queue with `changes` applied (sort, page), so that a header
/// or a pager link keeps the filters.
fn href(role: &str, params: &QueueParams, sort: &str, page: u32) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut keep = |name, value: &Option<String>| {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((name, value.to_owned()));
        }
    };
    keep("q", &params.q);
    keep("service", &params.service);
    keep("district", &params.district);
    keep("overdue", &params.overdue);
    keep("mine", &params.mine);
    if sort != "due" {
        pairs.push(("sort", sort.to_owned()));
    }
    if page > 0 {
        pairs.push(("page", page.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        format!("/staff/queues/{role}")
    } else {
        format!("/staff/queues/{role}?{query}")
    }
}

fn sort_key(filter: &QueueFilter) -> String {
    let key = match filter.order {
        QueueOrder::Due => "due",
        QueueOrder::Received => "received",
        QueueOrder::TrackingCode => "code",
    };
    if filter.descending {
        format!("-{key}")
    } else {
        key.to_owned()
    }
}

pub(super) async fn queue(
    State(cases): State<Cases>,
    page: Page,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(params): QueryParams<QueueParams>,
) -> Result<Response, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let tr = page.layout.tr;
    let filter = params.filter()?;
    let sort = sort_key(&filter);
    // A search that is neither a tracking code nor a national ID is said so above the
    // queue, which is shown as if nothing had been searched.
    let (queue, search_error) = match cases.queue(&account, role, &filter).await {
        Err(daftar_app::CaseError::Invalid(code @ "queue.search")) => {
            let unfiltered = QueueFilter {
                search: None,
                ..filter.clone()
            };
            let message = page.form_error(AppError::Invalid(code))?.1;
            (
                cases.queue(&account, role, &unfiltered).await?,
                Some(message),
            )
        }
        other => (other?, None),
    };
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let rows = queue
        .items
        .iter()
        .map(|entry| {
            let item = &entry.item;
            let received = JalaliDate::from_timestamp(item.received_at);
            let age = received.days_until(today).max(0);
            let left = today.days_until(item.sla_due);
            let (days_left, urgency) = if item.overdue {
                (
                    tr.t1("queue-days-late", "days", &tr.number(left.unsigned_abs())),
                    "overdue",
                )
            } else if left <= 2 {
                (
                    tr.t1("queue-days-left", "days", &tr.number(left.unsigned_abs())),
                    "near",
                )
            } else {
                (
                    tr.t1("queue-days-left", "days", &tr.number(left.unsigned_abs())),
                    "open",
                )
            };
            QueueRow {
                case_id: item.case.0,
                tracking_code: tr.grouped(&item.tracking_code, 3),
                service: cases
                    .catalog()
                    .get(&item.service_id)
                    .map(|s| tr.text(&s.title))
                    .unwrap_or_default(),
                state: tr.text(&entry.state_name),
                applicant: item.applicant_name.clone().unwrap_or_default(),
                applicant_id: tr.digits(&item.applicant),
                district: item
                    .district
                    .map(|d| tr.number(u64::from(d)))
                    .unwrap_or_default(),
                received: tr.day(received),
                age: if age == 0 {
                    tr.t("queue-today")
                } else {
                    tr.t1("queue-age", "days", &tr.number(age.unsigned_abs()))
                },
                due: tr.day(item.sla_due),
                days_left,
                urgency,
                claimed_by: item.assignee_name.clone(),
                version: item.version,
                violations: item.violations.map(|v| {
                    tr.tn(
                        "queue-violations",
                        &[
                            ("count", tr.number(u64::try_from(v.count).unwrap_or(0))),
                            (
                                "area",
                                crate::web::sketch::decimal(
                                    &tr,
                                    &daftar_core::sketch::centi_m2_text(v.total_centi_m2),
                                ),
                            ),
                            (
                                "min",
                                tr.number(u64::try_from(v.fine_min_rials).unwrap_or(0)),
                            ),
                            (
                                "max",
                                tr.number(u64::try_from(v.fine_max_rials).unwrap_or(0)),
                            ),
                        ],
                    )
                }),
            }
        })
        .collect();
    let pages_total = u32::try_from(queue.total.min(QUEUE_COUNT_CAP).div_ceil(QUEUE_PAGE as u64))
        .unwrap_or(1)
        .max(1);
    let current = queue.page.min(pages_total - 1);
    let first_shown = u64::from(current) * QUEUE_PAGE as u64;
    let showing = if queue.items.is_empty() {
        String::new()
    } else {
        tr.t1(
            "queue-showing",
            "range",
            &format!(
                "{}–{}",
                tr.number(first_shown + 1),
                tr.number(first_shown + queue.items.len() as u64)
            ),
        )
    };
    // The first, the last, and two either side of the current page.
    let pages = (0..pages_total)
        .filter(|n| *n == 0 || *n + 1 == pages_total || n.abs_diff(current) <= 2)
        .map(|n| PageLink {
            number: tr.number(u64::from(n) + 1),
            href: href(role.slug(), &params, &sort, n),
            current: n == current,
        })
        .collect();
    let header = |id: &str, key: &str| {
        let (aria_sort, next) = match sort.strip_prefix('-') {
            Some(k) if k == key => ("descending", key.to_owned()),
            None if sort == key => ("ascending", format!("-{key}")),
            _ => ("none", key.to_owned()),
        };
        SortHeader {
            label: tr.t(id),
            href: href(role.slug(), &params, &next, 0),
            aria_sort,
        }
    };
    let headers = vec![
        header("case-tracking-code", "code"),
        header("queue-received", "received"),
        header("queue-due", "due"),
    ];
    let view = QueueView {
        layout: page.layout.clone(),
        role: role.slug(),
        role_name: role.name().in_lang(tr.lang),
        total: shown_count(&tr, queue.total),
        overdue: shown_count(&tr, queue.overdue),
        rows,
        services: cases
            .catalog()
            .services()
            .iter()
            .filter(|s| s.workflow.is_some())
            .map(|s| (s.identifier.clone(), tr.text(&s.title)))
            .collect(),
        search: params.q.clone().unwrap_or_default(),
        search_error,
        filter_service: filter.service_id.clone().unwrap_or_default(),
        filter_district: filter.district.map(|d| d.to_string()).unwrap_or_default(),
        filter_overdue: filter.overdue_only,
        filter_mine: filter.mine,
        sort: sort.clone(),
        headers,
        showing,
        pages,
        previous: (current > 0).then(|| href(role.slug(), &params, &sort, current - 1)),
        next: (current + 1 < pages_total).then(|| href(role.slug(), &params, &sort, current + 1)),
    };
    page.render(&view).map(IntoResponse::into_response)
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct After {
    after: Option<i64>,
}

/// «پرونده بعدی»: the first case of the queue (by due date) other than the one just
/// worked, that no colleague has claimed; back to the queue when there is none.
pub(super) async fn next(
    State(cases): State<Cases>,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(after): QueryParams<After>,
) -> Result<Response, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let queue = cases.queue(&account, role, &QueueFilter::default()).await?;
    let next = queue.items.iter().map(|entry| &entry.item).find(|item| {
        Some(item.case.0) != after.after
            && item.assignee.is_none_or(|assignee| assignee == account.id)
    });
    let to = match next {
        Some(item) => format!("/cases/{}", item.case.0),
        None => format!("/staff/queues/{}", role.slug()),
    };
    Ok(axum::response::Redirect::to(&to).into_response())
}
