//! The public catalog: the services by group with Persian-aware search, and each
//! service's identity card (شناسنامه خدمت) with its form.

use askama::Template;
use axum::Router;
use axum::extract::State;

use crate::extract::Path;
use axum::response::Response;
use axum::routing::get;
use daftar_core::catalog::{Service, UserGuide};
use daftar_core::text::Text;
use serde::Deserialize;

use super::{Layout, Page};
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list))
        .route("/services/{id}", get(card))
}

/// A service in a list.
struct Entry {
    identifier: String,
    title: String,
    description: String,
    time: String,
    fee: String,
}

struct GroupView {
    /// Its anchor on the page, for the jump links.
    anchor: String,
    name: String,
    services: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ListView {
    layout: Layout,
    query: String,
    groups: Vec<GroupView>,
    count: String,
    searched: bool,
}

fn entry(tr: &Tr, service: &Service) -> Entry {
    Entry {
        identifier: service.identifier.clone(),
        title: tr.text(&service.title),
        description: tr.text(&service.description),
        time: tr.text(&service.average_time.label()),
        fee: tr.text(&service.fee.label()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    QueryParams(search): QueryParams<Search>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let found = state.services.catalog.search(&search.q);
    let mut groups: Vec<GroupView> = Vec::new();
    for (n, (group, _)) in state.services.catalog.groups().enumerate() {
        let services: Vec<Entry> = found
            .iter()
            .filter(|s| s.group == group)
            .map(|s| entry(&tr, s))
            .collect();
        if !services.is_empty() {
            groups.push(GroupView {
                anchor: format!("group-{n}"),
                name: tr.text(&group.name()),
                services,
            });
        }
    }
    page.render(&ListView {
        layout: page.layout.clone(),
        searched: !search.q.trim().is_empty(),
        count: tr.t1(
            "services-count",
            "count",
            &tr.digits(&found.len().to_string()),
        ),
        query: search.q,
        groups,
    })
}

/// One row of the identity card: its label and its value.
struct Row {
    label: &'static str,
    value: String,
}

#[derive(Template)]
#[template(path = "service_card.html")]
struct CardView {
    layout: Layout,
    identifier: String,
    title: String,
    description: String,
    /// «Before you start»: the time, the fee, the visits and who handles it.
    before: Vec<(String, String)>,
    /// Related services, by title, each a link.
    related: Vec<(String, String)>,
    /// Where to apply and where to get the result, as links on this site.
    links: Vec<(String, String, String)>,
    rows: Vec<Row>,
    fields: Vec<(String, bool)>,
    documents: Vec<(String, bool)>,
    can_apply: bool,
    /// Complaints about this service, or (for the complaint services) the form itself.
    complaint_href: String,
    /// The service is the complaint form's: its «apply» is the form.
    is_complaint: bool,
    is_tracking: bool,
}

fn card_rows(tr: &Tr, s: &Service) -> Vec<Row> {
    let pick = |(fa, en): (&'static str, &'static str)| Text::new(fa, en).in_lang(tr.lang);
    let list = |items: Vec<String>| items.join(pick(("، ", ", ")));
    let inputs = list(s.required_inputs.iter().map(|t| tr.text(t)).collect());
    let audience = list(s.audience.iter().map(|a| tr.text(&a.name())).collect());
    let guide = match &s.user_guide {
        UserGuide::Text(guide) => tr.text(guide),
        UserGuide::Path(path) => path.clone(),
    };
    let sla = if tr.is_fa() {
        s.sla.fa.clone()
    } else {
        s.sla.en.clone().unwrap_or_else(|| s.sla.fa.clone())
    };
    let rows = [
        (
            ("شناسه خدمت", "Service identifier"),
            tr.digits(&s.identifier),
        ),
        (("گروه خدمت", "Group"), tr.text(&s.group.name())),
        (("شرح خدمت", "Description"), tr.text(&s.description)),
        (("ورودی‌های لازم", "Required inputs"), inputs),
        (("مخاطبان", "Audience"), audience),
        (("نوع خدمت", "Nature"), tr.text(&s.nature.name())),
        (("سطح خدمت", "Level"), tr.text(&s.level.name())),
        (("نحوه آغاز", "How it starts"), tr.text(&s.start.name())),
        (("قوانین و مقررات", "Governing rules"), tr.text(&s.rules)),
        (
            ("متوسط زمان ارائه", "Average time"),
            tr.text(&s.average_time.label()),
        ),
        (("ساعات ارائه", "Hours"), tr.text(&s.hours.name())),
        (
            ("تعداد مراجعه حضوری", "In-person visits"),
            tr.digits(&s.in_person_visits.to_string()),
        ),
        (("هزینه", "Fee"), tr.text(&s.fee.label())),
        (("راهنمای کاربران", "User guide"), guide),
        (
            ("مرجع رسیدگی به شکایات", "Complaint channel"),
            tr.text(&s.complaint_channel),
        ),
        (("نحوه دسترسی", "Access"), tr.text(&s.access.name())),
        (("تلفن", "Phone"), tr.digits(&s.phone)),
        (
            ("وضعیت الکترونیکی", "Electronic status"),
            tr.text(&s.electronic_status.name()),
        ),
        (
            ("واحد مسئول", "Responsible unit"),
            tr.text(&s.owner_unit.name()),
        ),
        (("توافق‌نامه سطح خدمت", "Service-level agreement"), sla),
    ];
    rows.into_iter()
        .map(|(label, value)| Row {
            label: pick(label),
            value,
        })
        .collect()
}

/// A service's address in the catalog as a page of this site: the catalog's short
/// `/track` is the case follow-up; an address that is not a page here is not shown as one.
fn local_page(address: &str) -> Option<&str> {
    match address.trim() {
        "/track" => Some("/cases/track"),
        path if path.starts_with("/services/")
            || path == "/bills/track"
            || path == "/cases/track" =>
        {
            Some(path)
        }
        _ => None,
    }
}

async fn card(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let catalog = &state.services.catalog;
    let service = catalog.get(&id).ok_or(AppError::NotFound)?;
    let is_complaint = service.workflow.as_deref() == Some(daftar_core::complaint::WORKFLOW);
    let tr = page.layout.tr;
    let pick =
        |(fa, en): (&'static str, &'static str)| Text::new(fa, en).in_lang(tr.lang).to_owned();
    let before = vec![
        (
            pick(("زمان", "Time")),
            tr.text(&service.average_time.label()),
        ),
        (pick(("هزینه", "Fee")), tr.text(&service.fee.label())),
        (
            pick(("مراجعه حضوری", "Visits in person")),
            tr.digits(&service.in_person_visits.to_string()),
        ),
        (
            pick(("رسیدگی در", "Handled by")),
            tr.text(&service.owner_unit.name()),
        ),
    ];
    let related = service
        .sub_services
        .iter()
        .filter_map(|id| catalog.get(id))
        .map(|s| (format!("/services/{}", s.identifier), tr.text(&s.title)))
        .collect();
    let links = [
        (
            ("نشانی درخواست", "Where to apply"),
            &service.request_address,
        ),
        (
            ("نشانی دریافت نتیجه", "Where the result is"),
            &service.result_address,
        ),
    ]
    .into_iter()
    .filter_map(|(label, address)| {
        local_page(address).map(|href| (pick(label), href.to_owned(), address.clone()))
    })
    .collect();
    page.render(&CardView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        title: tr.text(&service.title),
        description: tr.text(&service.description),
        before,
        related,
        links,
        rows: card_rows(&tr, service),
        fields: service
            .form
            .fields
            .iter()
            .map(|f| (tr.text(&f.label), f.required))
            .collect(),
        documents: service
            .form
            .documents
            .iter()
            .map(|d| (tr.text(&d.title), d.required))
            .collect(),
        can_apply: service.workflow.is_some() && !is_complaint,
        complaint_href: if is_complaint {
            "/complaints/new".to_owned()
        } else {
            format!("/complaints/new?service={}", service.identifier)
        },
        is_complaint,
        is_tracking: service.identifier == "10012656000sh13",
    })
}
