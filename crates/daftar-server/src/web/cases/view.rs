//! "My cases", and the case page: its history, documents and only the actions this user
//! may take now.

use askama::Template;
use axum::extract::State;

use crate::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Cases;
use daftar_app::cases::{CaseView, Standing};
use daftar_core::catalog::{FieldKind, Service};
use daftar_core::workflow::ActionKind;
use daftar_store::Actor;
use serde::Deserialize;

use super::case_id;
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

struct CaseRow {
    id: i64,
    tracking_code: String,
    service: String,
    state: String,
    updated: String,
    /// Returned to the applicant to correct: «نیاز به اقدام شما».
    waiting_on_me: bool,
    closed: bool,
    /// Closed, and its survey waits for the applicant's answer.
    survey_open: bool,
}

#[derive(Template)]
#[template(path = "my_cases.html")]
struct MyCasesView {
    layout: Layout,
    cases: Vec<CaseRow>,
}

pub(super) async fn my_cases(
    State(cases): State<Cases>,
    State(surveys): State<daftar_app::survey::Surveys>,
    page: Page,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response());
    };
    if user.staff().is_some() {
        return Ok(Redirect::to("/staff").into_response());
    }
    let tr = page.layout.tr;
    let mut rows = Vec::new();
    let answered = surveys.answered_by(&user.principal).await?;
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    for case in cases.my_cases(&user.principal).await? {
        let survey_open = matches!(
            surveys.invitation_of(&case, answered.contains(&case.id), today),
            daftar_app::survey::Invitation::Open { .. }
        );
        let service = cases.catalog().get(&case.service_id);
        let state_name =
            tr.text(&cases.state_name(&case.workflow_id, case.workflow_version, &case.state));
        rows.push(CaseRow {
            id: case.id.0,
            tracking_code: tr.grouped(&case.tracking_code, 3),
            service: service.map(|s| tr.text(&s.title)).unwrap_or_default(),
            state: state_name,
            updated: tr.moment(case.updated_at),
            waiting_on_me: cases.waits_on_applicant(&case),
            closed: case.closed_at.is_some(),
            survey_open,
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

struct ChecklistRowView {
    id: String,
    name: String,
    done: bool,
    /// Who ticked it (isolated on the page: a Persian name in an English line) and when.
    ticked: Option<(String, String)>,
    /// Done by the payment of the fee bill, not by a tick.
    by_fees: bool,
    needs_document: bool,
    document: Option<i64>,
    /// Whether this user may tick it now.
    tickable: bool,
}

struct DocumentRow {
    id: i64,
    kind: String,
    version: String,
    file_name: String,
    approved: bool,
    /// An image, previewed on the page; a PDF opens on its own.
    image: bool,
}

/// A field an action asks for, with what helps fill it in.
struct ActionField {
    name: String,
    label: String,
    /// The format or the unit, by the field's kind (`_date`, `_m2`).
    hint: String,
    dir: &'static str,
    inputmode: &'static str,
    /// A select's choices (value, label), in the form's order; empty for a typed field.
    options: Vec<(String, String)>,
    /// Written at length (an answer to a complaint): a text area.
    long: bool,
}

struct ActionForm {
    id: String,
    name: String,
    fields: Vec<ActionField>,
    comment_required: bool,
    decide: bool,
    assign: bool,
    upload: bool,
    /// Ends or refuses the case: asked once more before it is done.
    danger: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(super) struct CaseTemplate {
    layout: Layout,
    id: i64,
    version: i64,
    tracking_code: String,
    service: String,
    state: String,
    /// The state's tag: `open`, `returned` (waiting on the applicant) or `completed`.
    state_tag: &'static str,
    closed: bool,
    due: String,
    expected: String,
    /// The clerk's reason, when the case waits on the applicant to correct it.
    returned_reason: Option<String>,
    missing: Vec<String>,
    colleagues: Vec<(String, String)>,
    back_href: String,
    back_label: String,
    /// The queue a staff member came from, for «پرونده بعدی» and «بازگشت به کارتابل».
    queue_role: Option<&'static str>,
    /// The stages the case has been through, the one it is at, and its end to come.
    stages: Vec<crate::web::design::Stage>,
    /// The coming working days, offered by the date fields of the actions.
    working_days: Vec<(String, String)>,
    /// Each answer's label, value, and direction: `ltr` for identifiers and numbers.
    fields: Vec<(String, String, &'static str)>,
    history: Vec<HistoryRow>,
    documents: Vec<DocumentRow>,
    /// The signed documents issued for the case, oldest first.
    pub(super) issued: Vec<IssuedRow>,
    /// The checklist of the case's state (staff only).
    checklist: Vec<ChecklistRowView>,
    /// The case's own bills (a permit's fees), when no violation section lists them.
    bills: Vec<crate::web::violation::FineBillRow>,
    document_kinds: Vec<(String, String)>,
    actions: Vec<ActionForm>,
    /// Staff who see the documents may approve them.
    may_approve: bool,
    /// Shown to staff: filed in a sign-in whose mobile the ownership inquiry did not
    /// confirm, so the applicant's identity is checked at the document check.
    identity_unconfirmed: bool,
    error: Option<String>,
    notice: Option<String>,
    /// The applicant's invitation to the closed case's survey: the last day to answer.
    pub(super) survey_until: Option<String>,
    /// Shown once after applying: the confirmation panel, to keep and print.
    applied: bool,
    /// The inspector's latest sketch, when one was drawn.
    pub(super) sketch: Option<crate::web::sketch::SketchView>,
    /// The sketch form, for an inspector while the case is at inspection.
    pub(super) sketch_form: Option<crate::web::sketch::SketchForm>,
    /// The detailed-plan inquiry recorded on the case, and formation's form.
    pub(super) inquiry: Option<crate::web::zoning::case::InquirySection>,
    /// The latest inquiry's answer and its map order (named as `zoning_answer.html`
    /// reads them).
    pub(super) answer: Option<crate::web::zoning::view::Answer>,
    pub(super) order: Option<crate::web::zoning::view::OrderView>,
    /// The inspection visit booked, the ones moved, and the booking form.
    pub(super) visit: Option<crate::web::inspection::VisitSection>,
    /// The violations, their review and the commission's rulings, with their forms.
    pub(super) violations: Option<crate::web::violation::ViolationSection>,
    /// The property's file, when the case names a property.
    property_href: Option<String>,
}

fn field_label(tr: &Tr, service: Option<&Service>, name: &str) -> String {
    let from_form = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .map(|f| tr.text(&f.label));
    from_form.unwrap_or_else(|| {
        let id = format!("case-field-{}", name.replace('_', "-"));
        let label = tr.t(&id);
        if label == id { name.to_owned() } else { label }
    })
}

/// An answer as the page shows it: a select's option by its label, digits in Persian.
fn field_value(
    tr: &Tr,
    catalog: &daftar_core::catalog::Catalog,
    service: Option<&Service>,
    name: &str,
    value: &str,
) -> String {
    let option = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .and_then(|f| match &f.kind {
            FieldKind::Select { options } => options.iter().find(|o| o.value == value),
            _ => None,
        });
    let date = name
        .ends_with("_date")
        .then(|| daftar_core::calendar::JalaliDate::parse(value).ok())
        .flatten();
    // A complaint's unit and service, by name.
    let named = match name {
        "routed_to" => daftar_core::roles::Role::from_slug(value).map(|role| tr.text(&role.name())),
        "concerns_service" => catalog
            .get(value)
            .map(|concerned| tr.text(&concerned.title)),
        _ => None,
    };
    if let Some(named) = named {
        return named;
    }
    match (option, date) {
        (Some(option), _) => tr.text(&option.label()),
        // A date (`…_date`) reads as a day, as everywhere else on the page.
        (None, Some(date)) => tr.day(date),
        (None, None) => tr.digits(value),
    }
}

/// The timeline: each state the history entered, in order (a state entered again after a
/// return is a stage again), the last one current unless the case is closed, and the end
/// still to come with its expected date.
fn stages(
    tr: &Tr,
    view: &CaseView,
    state_name: &dyn Fn(&str) -> String,
    closed: bool,
) -> Vec<crate::web::design::Stage> {
    let mut stages: Vec<crate::web::design::Stage> = Vec::new();
    let mut last: Option<&str> = None;
    for row in &view.history {
        if last == Some(row.to_state.as_str()) {
            continue;
        }
        last = Some(row.to_state.as_str());
        stages.push(crate::web::design::Stage {
            name: state_name(&row.to_state),
            note: tr.moment(row.at),
            status: "done",
        });
    }
    if closed {
        return stages;
    }
    if let Some(current) = stages.last_mut() {
        current.status = "current";
    }
    stages.push(crate::web::design::Stage {
        name: tr.t("case-stage-end"),
        note: view
            .expected
            .map(|d| tr.t1("applied-expected", "date", &tr.day(d)))
            .unwrap_or_default(),
        status: "next",
    });
    stages
}

/// How an answer reads: an identifier or a number left to right, anything else by its
/// own first letter.
fn field_direction(service: Option<&Service>, name: &str) -> &'static str {
    let kind = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .map(|f| &f.kind);
    match kind {
        // A date reads as a day in words ([`field_value`]), in the page's direction.
        Some(FieldKind::Text | FieldKind::Select { .. } | FieldKind::Date) => "auto",
        Some(_) => "ltr",
        None if name.ends_with("_date") => "auto",
        None if name.ends_with("_m2") => "ltr",
        None => "auto",
    }
}

/// An action's field with its hint: by the kind its name declares (`workflow::apply_fields`).
fn action_field(tr: &Tr, service: Option<&Service>, name: &str) -> ActionField {
    let (hint, dir, inputmode) = if name.ends_with("_date") {
        (tr.t("case-field-date-hint"), "ltr", "numeric")
    } else if name.ends_with("_m2") {
        (tr.t("case-field-m2-hint"), "ltr", "decimal")
    } else {
        (String::new(), "auto", "text")
    };
    let options = service
        .and_then(|s| s.form.fields.iter().find(|f| f.name == name))
        .map(|f| match &f.kind {
            FieldKind::Select { options } => options
                .iter()
                .map(|o| (o.value.clone(), tr.text(&o.label())))
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    ActionField {
        name: name.to_owned(),
        label: field_label(tr, service, name),
        hint,
        dir,
        inputmode,
        options,
        long: name == "answer",
    }
}

/// A document issued for the case, as its card shows it.
pub(super) struct IssuedRow {
    pub(super) kind: String,
    /// Printed, grouped in fours.
    pub(super) serial: String,
    /// For the links.
    pub(super) serial_ascii: String,
    pub(super) day: String,
    pub(super) valid_until: Option<String>,
    /// `valid`, `revoked` or `superseded`, and its label.
    pub(super) status: &'static str,
    pub(super) status_label: String,
    /// The one looking may re-issue or revoke it (it still holds, and they issued it).
    pub(super) manageable: bool,
    /// A building permit with a term: it may be extended.
    pub(super) extendable: bool,
    /// A refusal of one of its forms, shown at the card, and the reason typed.
    pub(super) error: Option<String>,
    pub(super) reason: String,
}

fn issued_row(tr: &Tr, document: &daftar_app::issued::CaseDocument) -> Option<IssuedRow> {
    use daftar_app::issued::Status;
    let record = &document.record;
    let serial = daftar_core::issued::Serial::parse(&record.serial).ok()?;
    let status = document.status.slug();
    let status_label = tr.t(match document.status {
        Status::Valid => "issued-valid",
        Status::Revoked { .. } => "issued-revoked",
        Status::Superseded { .. } => "issued-superseded",
    });
    let holds = document.status == Status::Valid;
    Some(IssuedRow {
        kind: tr.text(&record.kind.name()),
        serial: tr.digits(&serial.grouped()),
        serial_ascii: serial.as_str().to_owned(),
        day: record
            .issued_on()
            .map(|day| tr.day(day))
            .unwrap_or_default(),
        valid_until: record.valid_until().map(|day| tr.day(day)),
        status,
        status_label,
        manageable: holds && document.manageable,
        extendable: record.kind == daftar_core::issued::DocumentKind::BuildingPermit
            && record.valid_until.is_some(),
        error: None,
        reason: String::new(),
    })
}

pub(super) fn case_template(
    cases: &Cases,
    page: &Page,
    view: &CaseView,
    error: Option<String>,
    notice: Option<String>,
) -> CaseTemplate {
    let tr = page.layout.tr;
    let service = cases.catalog().get(&view.case.service_id);
    let definition = cases.workflow(&view.case.workflow_id, view.case.workflow_version);
    let closed = view.case.closed_at.is_some();
    // Open with no task for any unit: it waits on the applicant.
    let returned = !closed && view.tasks.is_empty();
    let queue_role = match &view.standing {
        Standing::Staff(roles) => view
            .tasks
            .iter()
            .map(|task| task.role)
            .find(|role| roles.contains(role))
            .or_else(|| roles.first().copied())
            .map(|role| role.slug()),
        Standing::Applicant => None,
    };
    let (back_href, back_label) = match queue_role {
        Some(role) => (format!("/staff/queues/{role}"), tr.t("case-back-to-queue")),
        None if matches!(view.standing, Standing::Staff(_)) => {
            ("/staff".to_owned(), tr.t("nav-my-queues"))
        }
        None => ("/cases".to_owned(), tr.t("nav-my-cases")),
    };
    let arrow = if tr.is_fa() { "←" } else { "→" };
    let state_name = |id: &str| {
        tr.text(&cases.state_name(&view.case.workflow_id, view.case.workflow_version, id))
    };
    let action_name = |id: &str| {
        let base = id.split(':').next().unwrap_or(id);
        let named = definition
            .and_then(|d| d.action(base))
            .map(|a| tr.text(&a.name));
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
        tracking_code: tr.grouped(&view.case.tracking_code, 3),
        service: tr.text(&view.service_title),
        state: tr.text(&view.state_name),
        state_tag: if closed {
            "completed"
        } else if returned {
            "returned"
        } else {
            "open"
        },
        closed,
        due: view.case.sla_due.map(|d| tr.day(d)).unwrap_or_default(),
        expected: view.expected.map(|d| tr.day(d)).unwrap_or_default(),
        returned_reason: returned
            .then(|| view.history.last().and_then(|h| h.comment.clone()))
            .flatten(),
        missing: view
            .missing_documents
            .iter()
            .map(|id| {
                service
                    .and_then(|s| s.form.documents.iter().find(|d| &d.id == id))
                    .map(|d| tr.text(&d.title))
                    .unwrap_or_else(|| id.clone())
            })
            .collect(),
        colleagues: view
            .colleagues
            .iter()
            .map(|c| (c.username.clone(), c.display_name.clone()))
            .collect(),
        back_href,
        back_label,
        queue_role,
        stages: stages(&tr, view, &state_name, closed),
        working_days: if view
            .actions
            .iter()
            .any(|a| a.fields.iter().any(|f| f.ends_with("_date")))
        {
            tr.date_choices(&cases.upcoming_working_days(60))
        } else {
            Vec::new()
        },
        fields: view
            .fields
            .iter()
            .map(|(name, value)| {
                (
                    field_label(&tr, service, name),
                    field_value(&tr, cases.catalog(), service, name, value),
                    field_direction(service, name),
                )
            })
            .collect(),
        history: history_rows(&tr, view, action_name, state_name, arrow),
        issued: view
            .issued
            .iter()
            .filter_map(|document| issued_row(&tr, document))
            .collect(),
        bills: if view.case.workflow_id == daftar_app::violation::VIOLATION_WORKFLOW {
            Vec::new()
        } else {
            crate::web::violation::bill_rows(&tr, &view.bills)
        },
        checklist: view
            .checklist
            .iter()
            .map(|row| ChecklistRowView {
                id: row.item.id.clone(),
                name: tr.text(&row.item.name),
                done: row.done,
                ticked: row
                    .tick
                    .as_ref()
                    .map(|tick| (tick.staff_name.clone(), tr.moment(tick.at))),
                by_fees: row.item.settled_by_fees,
                needs_document: row.item.document,
                document: row.tick.as_ref().and_then(|tick| tick.document),
                tickable: !row.done && !row.item.settled_by_fees && !closed,
            })
            .collect(),
        documents: view
            .documents
            .iter()
            .map(|d| DocumentRow {
                id: d.id,
                kind: service
                    .and_then(|s| s.form.documents.iter().find(|x| x.id == d.kind))
                    .map(|x| tr.text(&x.title))
                    // A checklist item's document goes by the item's name.
                    .or_else(|| {
                        view.checklist
                            .iter()
                            .find(|row| row.item.id == d.kind)
                            .map(|row| tr.text(&row.item.name))
                    })
                    .unwrap_or_else(|| d.kind.clone()),
                version: tr.digits(&d.version.to_string()),
                file_name: d.file_name.clone(),
                approved: d.approved_at.is_some(),
                image: d.content_type.starts_with("image/"),
            })
            .collect(),
        document_kinds: service
            .map(|s| {
                s.form
                    .documents
                    .iter()
                    .map(|d| (d.id.clone(), tr.text(&d.title)))
                    .collect()
            })
            .unwrap_or_default(),
        actions: view
            .actions
            .iter()
            .map(|a| ActionForm {
                id: a.id.clone(),
                name: tr.text(&a.name),
                fields: a
                    .fields
                    .iter()
                    .map(|f| action_field(&tr, service, f))
                    .collect(),
                comment_required: a.comment_required,
                decide: a.kind == ActionKind::Decide,
                assign: a.kind == ActionKind::Assign,
                upload: a.takes_documents,
                danger: ["reject", "withdraw", "cancel"]
                    .iter()
                    .any(|word| a.id.contains(word)),
            })
            .collect(),
        may_approve: matches!(view.standing, Standing::Staff(_)),
        identity_unconfirmed: matches!(view.standing, Standing::Staff(_))
            && view.case.applicant.is_some()
            && !view.case.applicant_verified,
        error,
        notice,
        applied: false,
        sketch: None,
        sketch_form: None,
        inquiry: None,
        answer: None,
        order: None,
        visit: None,
        violations: None,
        survey_until: None,
        property_href: daftar_app::cases::property_of(&view.case)
            .map(|(district, code)| format!("/properties/{district}/{code}")),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Notice {
    done: Option<String>,
    /// Just applied: the confirmation with the tracking code and what comes next.
    applied: Option<String>,
    /// Just filed a complaint: the same confirmation.
    filed: Option<String>,
    /// Just answered the survey: thanks.
    survey: Option<String>,
}

pub(super) async fn case_page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    QueryParams(notice): QueryParams<Notice>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response());
    };
    let id = case_id(&id)?;
    let cases = &state.services.cases;
    let view = cases.view(&user.principal, id).await?;
    let applied = notice.applied.is_some() || notice.filed.is_some();
    let notice = match (notice.done, notice.survey) {
        (_, Some(_)) => Some(page.layout.tr.t("survey-thanks")),
        (Some(_), None) => Some(page.layout.tr.t("case-action-done")),
        (None, None) => None,
    };
    let mut template = case_template(cases, &page, &view, None, notice);
    template.applied = applied && matches!(view.standing, Standing::Applicant);
    if matches!(view.standing, Standing::Applicant) && view.case.closed_at.is_some() {
        let (_, invitation) = state
            .services
            .surveys
            .invitation(&user.principal, id)
            .await?;
        if let daftar_app::survey::Invitation::Open { until } = invitation {
            template.survey_until = Some(page.layout.tr.day(until));
        }
    }
    super::work::with_work(&state, &page, &view, &mut template, Default::default()).await?;
    Ok(super::work::with_map_policy(
        &state,
        &template,
        page.render(&template)?,
    ))
}

/// The case's history as its page lists it: the actions, and beside them each time one of
/// its issued documents was downloaded or opened to print, in the order they happened.
fn history_rows(
    tr: &Tr,
    view: &daftar_app::cases::CaseView,
    action_name: impl Fn(&str) -> String,
    state_name: impl Fn(&str) -> String,
    arrow: &str,
) -> Vec<HistoryRow> {
    let mut rows: Vec<(jiff::Timestamp, HistoryRow)> = view
        .history
        .iter()
        .map(|h| {
            (
                h.at,
                HistoryRow {
                    at: tr.moment(h.at),
                    who: match &h.actor {
                        Actor::Applicant => tr.t("case-actor-applicant"),
                        Actor::Staff { name, .. } => name.clone(),
                        Actor::System => tr.t("case-actor-system"),
                    },
                    what: format!(
                        "{} {arrow} {}",
                        action_name(&h.action),
                        state_name(&h.to_state)
                    ),
                    comment: h.comment.clone().unwrap_or_default(),
                },
            )
        })
        .collect();
    for delivery in &view.deliveries {
        let document = view
            .issued
            .iter()
            .find(|document| document.record.serial == delivery.serial)
            .map(|document| tr.text(&document.record.kind.name()))
            .unwrap_or_default();
        let what = match delivery.purpose.as_str() {
            "print" => "case-delivery-print",
            _ => "case-delivery-download",
        };
        rows.push((
            delivery.at,
            HistoryRow {
                at: tr.moment(delivery.at),
                who: match (&delivery.staff_name, delivery.actor_kind.as_str()) {
                    (Some(name), _) => name.clone(),
                    (None, "owner") => tr.t("case-actor-owner"),
                    (None, _) => tr.t("case-actor-applicant"),
                },
                what: tr.t1(what, "document", &document),
                comment: daftar_core::issued::Serial::parse(&delivery.serial)
                    .map(|serial| tr.digits(&serial.grouped()))
                    .unwrap_or_default(),
            },
        ));
    }
    rows.sort_by_key(|(at, _)| *at);
    rows.into_iter().map(|(_, row)| row).collect()
}
