//! The case pages: applying for a service, "my cases", the case page with its history,
//! documents and only the actions this user may take now, the public follow-up by
//! tracking code, and each role's work queue (کارتابل).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use daftar_core::calendar::{JalaliDate, format_timestamp_en, format_timestamp_fa};
use daftar_core::catalog::{FieldKind, Service};
use daftar_core::roles::Role;
use daftar_core::workflow::ActionKind;
use daftar_store::{Actor, CaseId, QUEUE_COUNT_CAP, QueuePage};
use jiff::Timestamp;
use serde::Deserialize;

use super::{Layout, Page};
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;
use daftar_app::cases::{ActionRequest, Application, CaseView, Standing, Upload};
use daftar_app::{CaseError, Cases};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/{id}/apply", get(apply_form).post(apply))
        .route("/cases", get(my_cases))
        .route("/cases/track", get(track))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/claim", post(claim))
        .route(
            "/cases/{id}/documents/{document}/approval",
            post(approve_document),
        )
        .route("/staff/queues/{role}", get(queue))
}

fn moment(tr: &Tr, at: Timestamp) -> String {
    if tr.is_fa() {
        format_timestamp_fa(at)
    } else {
        format_timestamp_en(at)
    }
}

fn day(tr: &Tr, date: JalaliDate) -> String {
    if tr.is_fa() {
        date.format_fa()
    } else {
        date.format_en()
    }
}

/// A form field as the apply page shows it.
struct FieldInput {
    name: String,
    label: String,
    required: bool,
    input_type: &'static str,
    options: Vec<(String, String)>,
    value: String,
}

struct DocumentInput {
    id: String,
    label: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyView {
    layout: Layout,
    identifier: String,
    title: String,
    fields: Vec<FieldInput>,
    documents: Vec<DocumentInput>,
    error: Option<String>,
}

fn apply_view(page: &Page, service: &Service, answers: &BTreeMap<String, String>) -> ApplyView {
    let tr = page.layout.tr;
    let fa = tr.is_fa();
    ApplyView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        title: if fa {
            service.title.fa.clone()
        } else {
            service.title.en.clone()
        },
        fields: service
            .form
            .fields
            .iter()
            .map(|field| FieldInput {
                name: field.name.clone(),
                label: if fa {
                    field.label_fa.clone()
                } else {
                    field.label_en.clone()
                },
                required: field.required,
                input_type: match field.kind {
                    FieldKind::Mobile => "tel",
                    _ => "text",
                },
                options: match &field.kind {
                    FieldKind::Select { options } => options
                        .iter()
                        .map(|o| {
                            (
                                o.value.clone(),
                                if fa { o.fa.clone() } else { o.en.clone() },
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                value: answers.get(&field.name).cloned().unwrap_or_default(),
            })
            .collect(),
        documents: service
            .form
            .documents
            .iter()
            .map(|d| DocumentInput {
                id: d.id.clone(),
                label: if fa {
                    d.title_fa.clone()
                } else {
                    d.title_en.clone()
                },
                required: d.required,
            })
            .collect(),
        error: None,
    }
}

async fn apply_form(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let service = cases.catalog().get(&id).ok_or(AppError::NotFound)?;
    if page.user.is_none() {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    page.render(&apply_view(&page, service, &BTreeMap::new()))
}

/// A multipart form read whole: its text fields and its files.
#[derive(Debug, Default)]
struct Submitted {
    text: BTreeMap<String, String>,
    files: Vec<(String, String, Vec<u8>)>,
}

async fn read_multipart(mut multipart: Multipart) -> Result<Submitted, AppError> {
    let mut submitted = Submitted::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::Invalid("request.invalid"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::Invalid("request.invalid"))?;
            // A file input left empty arrives as an empty part with no name.
            if !bytes.is_empty() || !file_name.is_empty() {
                submitted.files.push((name, file_name, bytes.to_vec()));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::Invalid("request.invalid"))?;
            submitted.text.insert(name, value);
        }
    }
    Ok(submitted)
}

async fn apply(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let service = cases.catalog().get(&id).ok_or(AppError::NotFound)?;
    let submitted = read_multipart(multipart).await?;
    page.csrf.verify(
        submitted
            .text
            .get("csrf")
            .map(String::as_str)
            .unwrap_or_default(),
    )?;
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let answers: BTreeMap<String, String> = submitted
        .text
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("field:")
                .map(|n| (n.to_owned(), value.clone()))
        })
        .collect();
    let uploads = submitted
        .files
        .into_iter()
        .filter_map(|(name, file_name, bytes)| {
            name.strip_prefix("doc:").map(|kind| Upload {
                kind: kind.to_owned(),
                file_name,
                bytes,
            })
        })
        .collect();
    let application = Application {
        service_id: service.identifier.clone(),
        answers: answers.clone(),
        uploads,
    };
    match cases.apply(&user.principal, &application).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let mut view = apply_view(&page, service, &answers);
            view.error = Some(message);
            page.render(&view).map(|r| (status, r).into_response())
        }
    }
}

struct CaseRow {
    id: i64,
    tracking_code: String,
    service: String,
    state: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "my_cases.html")]
struct MyCasesView {
    layout: Layout,
    cases: Vec<CaseRow>,
}

async fn my_cases(State(cases): State<Cases>, page: Page) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if user.staff().is_some() {
        return Ok(Redirect::to("/staff").into_response());
    }
    let tr = page.layout.tr;
    let mut rows = Vec::new();
    for case in cases.my_cases(&user.principal).await? {
        let service = cases.catalog().get(&case.service_id);
        let state_name = cases
            .workflow(&case.workflow_id, case.workflow_version)
            .and_then(|d| d.state(&case.state))
            .map(|s| {
                if tr.is_fa() {
                    s.name_fa.clone()
                } else {
                    s.name_en.clone()
                }
            })
            .unwrap_or_default();
        rows.push(CaseRow {
            id: case.id.0,
            tracking_code: tr.digits(&case.tracking_code),
            service: service
                .map(|s| {
                    if tr.is_fa() {
                        s.title.fa.clone()
                    } else {
                        s.title.en.clone()
                    }
                })
                .unwrap_or_default(),
            state: state_name,
            updated: moment(&tr, case.updated_at),
        });
    }
    page.render(&MyCasesView {
        layout: page.layout.clone(),
        cases: rows,
    })
}

struct HistoryRow {
    at: String,
    who: String,
    what: String,
    comment: String,
}

struct DocumentRow {
    id: i64,
    kind: String,
    version: String,
    file_name: String,
    approved: bool,
}

struct ActionForm {
    id: String,
    name: String,
    fields: Vec<(String, String)>,
    comment_required: bool,
    decide: bool,
    assign: bool,
    upload: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CaseTemplate {
    layout: Layout,
    id: i64,
    version: i64,
    tracking_code: String,
    service: String,
    state: String,
    closed: bool,
    due: String,
    fields: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    documents: Vec<DocumentRow>,
    document_kinds: Vec<(String, String)>,
    actions: Vec<ActionForm>,
    /// Staff who see the documents may approve them.
    may_approve: bool,
    error: Option<String>,
    notice: Option<String>,
}

fn field_label(tr: &Tr, service: Option<&Service>, name: &str) -> String {
    let from_form = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .map(|f| {
            if tr.is_fa() {
                f.label_fa.clone()
            } else {
                f.label_en.clone()
            }
        });
    from_form.unwrap_or_else(|| {
        let id = format!("case-field-{}", name.replace('_', "-"));
        let label = tr.t(&id);
        if label == id { name.to_owned() } else { label }
    })
}

/// An answer as the page shows it: a select's option by its label, digits in Persian.
fn field_value(tr: &Tr, service: Option<&Service>, name: &str, value: &str) -> String {
    let option = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .and_then(|f| match &f.kind {
            FieldKind::Select { options } => options.iter().find(|o| o.value == value),
            _ => None,
        });
    match option {
        Some(option) if tr.is_fa() => option.fa.clone(),
        Some(option) => option.en.clone(),
        None => tr.digits(value),
    }
}

fn case_template(
    cases: &Cases,
    page: &Page,
    view: &CaseView,
    error: Option<String>,
    notice: Option<String>,
) -> CaseTemplate {
    let tr = page.layout.tr;
    let fa = tr.is_fa();
    let service = cases.catalog().get(&view.case.service_id);
    let definition = cases.workflow(&view.case.workflow_id, view.case.workflow_version);
    let state_name = |id: &str| {
        definition
            .and_then(|d| d.state(id))
            .map(|s| {
                if fa {
                    s.name_fa.clone()
                } else {
                    s.name_en.clone()
                }
            })
            .unwrap_or_else(|| id.to_owned())
    };
    let action_name = |id: &str| {
        let base = id.split(':').next().unwrap_or(id);
        let named = definition.and_then(|d| d.action(base)).map(|a| {
            if fa {
                a.name_fa.clone()
            } else {
                a.name_en.clone()
            }
        });
        match (named, base) {
            (Some(name), _) => match id.split(':').nth(2) {
                Some(decision) => format!(
                    "{name} ({})",
                    tr.t(&format!("decision-{}", decision.replace('_', "-")))
                ),
                None => name,
            },
            (None, other) => tr.t(&format!("case-action-{other}")),
        }
    };
    CaseTemplate {
        layout: page.layout.clone(),
        id: view.case.id.0,
        version: view.case.version,
        tracking_code: tr.digits(&view.case.tracking_code),
        service: if fa {
            view.service_title_fa.clone()
        } else {
            view.service_title_en.clone()
        },
        state: if fa {
            view.state_name_fa.clone()
        } else {
            view.state_name_en.clone()
        },
        closed: view.case.closed_at.is_some(),
        due: view.case.sla_due.map(|d| day(&tr, d)).unwrap_or_default(),
        fields: view
            .fields
            .iter()
            .map(|(name, value)| {
                (
                    field_label(&tr, service, name),
                    field_value(&tr, service, name, value),
                )
            })
            .collect(),
        history: view
            .history
            .iter()
            .map(|h| HistoryRow {
                at: moment(&tr, h.at),
                who: match &h.actor {
                    Actor::Applicant => tr.t("case-actor-applicant"),
                    Actor::Staff { name, .. } => name.clone(),
                    Actor::System => tr.t("case-actor-system"),
                },
                what: format!("{} → {}", action_name(&h.action), state_name(&h.to_state)),
                comment: h.comment.clone().unwrap_or_default(),
            })
            .collect(),
        documents: view
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: d.id,
                kind: service
                    .and_then(|s| s.form.documents.iter().find(|x| x.id == d.kind))
                    .map(|x| {
                        if fa {
                            x.title_fa.clone()
                        } else {
                            x.title_en.clone()
                        }
                    })
                    .unwrap_or_else(|| d.kind.clone()),
                version: tr.digits(&d.version.to_string()),
                file_name: d.file_name.clone(),
                approved: d.approved_at.is_some(),
            })
            .collect(),
        document_kinds: service
            .map(|s| {
                s.form
                    .documents
                    .iter()
                    .map(|d| {
                        (
                            d.id.clone(),
                            if fa {
                                d.title_fa.clone()
                            } else {
                                d.title_en.clone()
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        actions: view
            .actions
            .iter()
            .map(|a| ActionForm {
                id: a.id.clone(),
                name: if fa {
                    a.name_fa.clone()
                } else {
                    a.name_en.clone()
                },
                fields: a
                    .fields
                    .iter()
                    .map(|f| (f.clone(), field_label(&tr, service, f)))
                    .collect(),
                comment_required: a.comment_required,
                decide: a.kind == ActionKind::Decide,
                assign: a.kind == ActionKind::Assign,
                upload: a.kind == ActionKind::Resubmit,
            })
            .collect(),
        may_approve: matches!(view.standing, Standing::Staff(_)),
        error,
        notice,
    }
}

fn case_id(raw: &str) -> Result<CaseId, AppError> {
    raw.parse::<i64>()
        .map(CaseId)
        .map_err(|_| AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    done: Option<String>,
}

async fn case_page(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
    QueryParams(notice): QueryParams<Notice>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let view = cases.view(&user.principal, case_id(&id)?).await?;
    let notice = notice.done.map(|_| page.layout.tr.t("case-action-done"));
    page.render(&case_template(&cases, &page, &view, None, notice))
}

async fn act(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let submitted = read_multipart(multipart).await?;
    let text = |name: &str| submitted.text.get(name).cloned().unwrap_or_default();
    page.csrf.verify(&text("csrf"))?;
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let kind = text("document_kind");
    let uploads: Vec<Upload> = submitted
        .files
        .iter()
        .filter(|(name, _, bytes)| name == "document" && !bytes.is_empty())
        .map(|(_, file_name, bytes)| Upload {
            kind: kind.clone(),
            file_name: file_name.clone(),
            bytes: bytes.clone(),
        })
        .collect();
    let request = ActionRequest {
        action: text("action"),
        expected_version: text("version").parse().unwrap_or(-1),
        fields: submitted
            .text
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("field:").map(|n| (n.to_owned(), v.clone())))
            .collect(),
        comment: Some(text("comment")),
        decision: Some(text("decision")),
        assignee: Some(text("assignee")),
        uploads,
    };
    match cases.act(&user.principal, id, &request).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let view = cases.view(&user.principal, id).await?;
            page.render(&case_template(&cases, &page, &view, Some(message), None))
                .map(|r| (status, r).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf: String,
}

/// Staff record a document's approval from the case page.
async fn approve_document(
    State(cases): State<Cases>,
    page: Page,
    Path((id, document)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = case_id(&id)?;
    let document = document.parse::<i64>().map_err(|_| AppError::NotFound)?;
    cases
        .approve_document_of(&user.principal, id, document)
        .await?;
    Ok(Redirect::to(&format!("/cases/{}?done=1", id.0)).into_response())
}

#[derive(Debug, Deserialize)]
struct ClaimForm {
    csrf: String,
    version: i64,
    role: String,
}

async fn claim(
    State(cases): State<Cases>,
    page: Page,
    Staff(account): Staff,
    Path(id): Path<String>,
    Form(form): Form<ClaimForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let role = Role::from_slug(&form.role).ok_or(AppError::NotFound)?;
    cases
        .mark_to(
            &user.principal,
            case_id(&id)?,
            form.version,
            &account.username,
        )
        .await?;
    Ok(Redirect::to(&format!("/staff/queues/{}?mine=true", role.slug())).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct TrackQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "case_track.html")]
struct TrackView {
    layout: Layout,
    code: String,
    error: Option<String>,
    status: Option<(String, bool, String, String, String)>,
}

async fn track(
    _: PublicLookup,
    State(cases): State<Cases>,
    page: Page,
    QueryParams(query): QueryParams<TrackQuery>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let mut view = TrackView {
        layout: page.layout.clone(),
        code: query.code.clone(),
        error: None,
        status: None,
    };
    if query.code.trim().is_empty() {
        return page.render(&view);
    }
    match cases.public_status(&query.code).await {
        Ok(status) => {
            view.status = Some((
                if tr.is_fa() {
                    status.state_name_fa
                } else {
                    status.state_name_en
                },
                status.closed,
                moment(&tr, status.opened_at),
                moment(&tr, status.updated_at),
                status.due.map(|d| day(&tr, d)).unwrap_or_default(),
            ));
            page.render(&view)
        }
        Err(error) => {
            let (status, message) = match error {
                CaseError::NotFound => (StatusCode::NOT_FOUND, tr.t("case-track-not-found")),
                error => page.form_error(error)?,
            };
            view.error = Some(message);
            page.render(&view).map(|r| (status, r).into_response())
        }
    }
}

/// A queue count as the page shows it: "more than 10,000" past the cap.
fn shown_count(tr: &Tr, count: u64) -> String {
    if QueuePage::is_more_than_cap(count) {
        let cap = if tr.is_fa() {
            daftar_core::fa::format_number(QUEUE_COUNT_CAP)
        } else {
            daftar_core::fa::format_number_en(QUEUE_COUNT_CAP)
        };
        tr.t1("queue-more-than", "count", &cap)
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

async fn queue(
    State(cases): State<Cases>,
    page: Page,
    Staff(account): Staff,
    Path(role): Path<String>,
    QueryParams(params): QueryParams<crate::query::QueueParams>,
) -> Result<Response, AppError> {
    let role = Role::from_slug(&role).ok_or(AppError::NotFound)?;
    let tr = page.layout.tr;
    let fa = tr.is_fa();
    let filter = params.filter()?;
    let queue = cases.queue(&account, role, &filter).await?;
    let mut rows = Vec::new();
    for entry in &queue.items {
        let item = &entry.item;
        let service = cases.catalog().get(&item.service_id);
        let state_name = if fa {
            entry.state_name.fa.clone()
        } else {
            entry.state_name.en.clone()
        };
        rows.push(QueueRow {
            case_id: item.case.0,
            tracking_code: tr.digits(&item.tracking_code),
            service: service
                .map(|s| {
                    if fa {
                        s.title.fa.clone()
                    } else {
                        s.title.en.clone()
                    }
                })
                .unwrap_or_default(),
            state: state_name,
            district: item
                .district
                .map(|d| tr.digits(&d.to_string()))
                .unwrap_or_default(),
            due: day(&tr, item.sla_due),
            overdue: item.overdue,
            assigned: item.assignee.is_some(),
            version: item.version,
        });
    }
    page.render(&QueueView {
        layout: page.layout.clone(),
        role: role.slug(),
        role_name: if fa { role.name_fa() } else { role.name_en() },
        total: shown_count(&tr, queue.total),
        overdue: shown_count(&tr, queue.overdue),
        rows,
        services: cases
            .catalog()
            .services()
            .iter()
            .filter(|s| s.workflow.is_some())
            .map(|s| {
                (
                    s.identifier.clone(),
                    if fa {
                        s.title.fa.clone()
                    } else {
                        s.title.en.clone()
                    },
                )
            })
            .collect(),
        filter_service: filter.service_id.unwrap_or_default(),
        filter_district: filter.district.map(|d| d.to_string()).unwrap_or_default(),
        filter_overdue: filter.overdue_only,
        filter_mine: filter.mine,
    })
}
