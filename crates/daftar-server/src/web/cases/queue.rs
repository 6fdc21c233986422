//! A role's work queue (کارتابل): its open tasks by due date, with filters and counts.

use askama::Template;
use axum::extract::State;

use crate::extract::Path;
use axum::response::Response;
use daftar_app::Cases;
use daftar_core::roles::Role;
use daftar_store::{QUEUE_COUNT_CAP, QueuePage};

use crate::auth::Staff;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

/// A queue count as the page shows it: "more than 10,000" past the cap.
fn shown_count(tr: &Tr, count: u64) -> String {
    if QueuePage::is_more_than_cap(count) {
        tr.t1("queue-more-than", "count", &tr.number(QUEUE_COUNT_CAP))
    } else {
        tr.digits(&count.to_string())
    }
}

struct QueueRow {
    case_id: i64,
    tracking_code: String,
    service: String,
    state: String,
    district: String,
    due: String,
    overdue: bool,
    assigned: bool,
    version: i64,
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
    filter_service: String,
    filter_district: String,
    filter_overdue: bool,
    filter_mine: bool,
}

pub(super) async fn queue(
    State(cases): State<Cases>,
    page: Page,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(params): QueryParams<crate::query::QueueParams>,
) -> Result<Response, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let tr = page.layout.tr;
    let filter = params.filter()?;
    let queue = cases.queue(&account, role, &filter).await?;
    let mut rows = Vec::new();
    for entry in &queue.items {
        let item = &entry.item;
        let service = cases.catalog().get(&item.service_id);
        let state_name = tr.text(&entry.state_name);
        rows.push(QueueRow {
            case_id: item.case.0,
            tracking_code: tr.digits(&item.tracking_code),
            service: service.map(|s| tr.text(&s.title)).unwrap_or_default(),
            state: state_name,
            district: item
                .district
                .map(|d| tr.digits(&d.to_string()))
                .unwrap_or_default(),
            due: tr.day(item.sla_due),
            overdue: item.overdue,
            assigned: item.assignee.is_some(),
            version: item.version,
        });
    }
    page.render(&QueueView {
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
        filter_service: filter.service_id.unwrap_or_default(),
        filter_district: filter.district.map(|d| d.to_string()).unwrap_or_default(),
        filter_overdue: filter.overdue_only,
        filter_mine: filter.mine,
    })
}
