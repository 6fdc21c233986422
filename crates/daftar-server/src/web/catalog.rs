//! The public catalog: the services by group with Persian-aware search, and each
//! service's identity card (شناسنامه خدمت) with its form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use daftar_core::catalog::{Service, Text, UserGuide};
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

fn text(tr: &Tr, text: &Text) -> String {
    if tr.is_fa() {
        text.fa.clone()
    } else {
        text.en.clone()
    }
}

fn entry(tr: &Tr, service: &Service) -> Entry {
    Entry {
        identifier: service.identifier.clone(),
        title: text(tr, &service.title),
        description: text(tr, &service.description),
        time: if tr.is_fa() {
            service.average_time.label_fa()
        } else {
            service.average_time.label_en()
        },
        fee: if tr.is_fa() {
            service.fee.label_fa()
        } else {
            service.fee.label_en()
        },
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
    for (group, _) in state.services.catalog.groups() {
        let services: Vec<Entry> = found
            .iter()
            .filter(|s| s.group == group)
            .map(|s| entry(&tr, s))
            .collect();
        if !services.is_empty() {
            groups.push(GroupView {
                name: if tr.is_fa() {
                    group.name_fa().to_owned()
                } else {
                    group.name_en().to_owned()
                },
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
    rows: Vec<Row>,
    fields: Vec<(String, bool)>,
    documents: Vec<(String, bool)>,
    can_apply: bool,
    is_tracking: bool,
}

fn card_rows(tr: &Tr, s: &Service) -> Vec<Row> {
    let fa = tr.is_fa();
    let pick = |pair: (&'static str, &'static str)| if fa { pair.0 } else { pair.1 };
    let name = |fa_name: &str, en_name: &str| {
        if fa {
            fa_name.to_owned()
        } else {
            en_name.to_owned()
        }
    };
    let list = |items: Vec<String>| items.join(if fa { "، " } else { ", " });
    let inputs = list(s.required_inputs.iter().map(|t| text(tr, t)).collect());
    let audience = list(
        s.audience
            .iter()
            .map(|a| name(a.name_fa(), a.name_en()))
            .collect(),
    );
    let guide = match &s.user_guide {
        UserGuide::Text(guide) => text(tr, guide),
        UserGuide::Path(path) => path.clone(),
    };
    let sla = if fa {
        s.sla.fa.clone()
    } else {
        s.sla.en.clone().unwrap_or_else(|| s.sla.fa.clone())
    };
    let rows = [
        (
            ("شناسه خدمت", "Service identifier"),
            tr.digits(&s.identifier),
        ),
        (
            ("گروه خدمت", "Group"),
            name(s.group.name_fa(), s.group.name_en()),
        ),
        (("شرح خدمت", "Description"), text(tr, &s.description)),
        (("ورودی‌های لازم", "Required inputs"), inputs),
        (("مخاطبان", "Audience"), audience),
        (
            ("نوع خدمت", "Nature"),
            name(s.nature.name_fa(), s.nature.name_en()),
        ),
        (
            ("سطح خدمت", "Level"),
            name(s.level.name_fa(), s.level.name_en()),
        ),
        (
            ("نحوه آغاز", "How it starts"),
            name(s.start.name_fa(), s.start.name_en()),
        ),
        (("قوانین و مقررات", "Governing rules"), text(tr, &s.rules)),
        (
            ("متوسط زمان ارائه", "Average time"),
            if fa {
                s.average_time.label_fa()
            } else {
                s.average_time.label_en()
            },
        ),
        (
            ("ساعات ارائه", "Hours"),
            name(s.hours.name_fa(), s.hours.name_en()),
        ),
        (
            ("تعداد مراجعه حضوری", "In-person visits"),
            tr.digits(&s.in_person_visits.to_string()),
        ),
        (
            ("هزینه", "Fee"),
            if fa {
                s.fee.label_fa()
            } else {
                s.fee.label_en()
            },
        ),
        (("راهنمای کاربران", "User guide"), guide),
        (
            ("خدمات وابسته", "Sub-services"),
            list(s.sub_services.iter().map(|id| tr.digits(id)).collect()),
        ),
        (
            ("مرجع رسیدگی به شکایات", "Complaint channel"),
            text(tr, &s.complaint_channel),
        ),
        (
            ("نحوه دسترسی", "Access"),
            name(s.access.name_fa(), s.access.name_en()),
        ),
        (("تلفن", "Phone"), tr.digits(&s.phone)),
        (
            ("وضعیت الکترونیکی", "Electronic status"),
            name(s.electronic_status.name_fa(), s.electronic_status.name_en()),
        ),
        (
            ("نشانی درخواست", "Request address"),
            s.request_address.clone(),
        ),
        (
            ("نشانی دریافت نتیجه", "Result address"),
            s.result_address.clone(),
        ),
        (
            ("واحد مسئول", "Responsible unit"),
            name(s.owner_unit.name_fa(), s.owner_unit.name_en()),
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

async fn card(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let service = state.services.catalog.get(&id).ok_or(AppError::NotFound)?;
    let tr = page.layout.tr;
    let fa = tr.is_fa();
    page.render(&CardView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        title: text(&tr, &service.title),
        rows: card_rows(&tr, service),
        fields: service
            .form
            .fields
            .iter()
            .map(|f| {
                (
                    if fa {
                        f.label_fa.clone()
                    } else {
                        f.label_en.clone()
                    },
                    f.required,
                )
            })
            .collect(),
        documents: service
            .form
            .documents
            .iter()
            .map(|d| {
                (
                    if fa {
                        d.title_fa.clone()
                    } else {
                        d.title_en.clone()
                    },
                    d.required,
                )
            })
            .collect(),
        can_apply: service.workflow.is_some(),
        is_tracking: service.identifier == "10012656000sh13",
    })
}
