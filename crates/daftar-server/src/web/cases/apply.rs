//! Applying for a service: the form built from the service's definition (known answers
//! filled in, numbers typed with a numeric keyboard, formats and units shown), and the
//! application it sends. A refused application comes back with every problem listed at
//! once and tied to its field, and with the files that passed kept as drafts on the
//! server, so that one typo does not mean sending every scan again.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::cases::{Application, Upload};
use daftar_app::{CaseError, Cases};
use daftar_core::catalog::{AnswerError, FieldKind, Service};

use super::multipart::read_multipart;
use crate::app::AppState;
use crate::error::{AppError, ErrorBody, error_message};
use crate::extract::{Multipart, Path};
use crate::web::{Layout, Page};

/// A form field as the apply page shows it.
struct FieldInput {
    /// Its id on the page: `field-<name>`.
    dom_id: String,
    name: String,
    label: String,
    required: bool,
    input_type: &'static str,
    inputmode: &'static str,
    dir: &'static str,
    /// The format to type, or the unit (shown beside the box).
    hint: String,
    unit: String,
    options: Vec<(String, String)>,
    value: String,
    error: Option<String>,
    /// A Jalali date: the coming working days are offered to pick from.
    is_date: bool,
}

struct DocumentInput {
    /// Its id on the page: `doc-<id>`.
    dom_id: String,
    id: String,
    label: String,
    required: bool,
    error: Option<String>,
    /// Sent before and kept while the form is corrected: its token and file name.
    kept: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyView {
    layout: Layout,
    identifier: String,
    service_href: String,
    title: String,
    /// The form's fields in titled sections: the applicant, the property, the request.
    sections: Vec<(String, Vec<FieldInput>)>,
    documents: Vec<DocumentInput>,
    /// Every problem, each linking to its field: (the field's id on the page, message).
    problems: Vec<(String, String)>,
    /// The citizen's own renewal codes, offered as they type.
    renewal_codes: Vec<String>,
    /// The coming working days, offered by the date fields.
    working_days: Vec<(String, String)>,
    error: Option<String>,
}

/// What the form shows of an earlier attempt: the answers, the problems and the drafts.
#[derive(Default)]
struct Attempt {
    answers: BTreeMap<String, String>,
    problems: Vec<AnswerError>,
    kept: BTreeMap<String, (String, String)>,
}

fn input_for(kind: &FieldKind) -> (&'static str, &'static str, &'static str) {
    // (type, inputmode, dir)
    match kind {
        FieldKind::Mobile => ("tel", "tel", "ltr"),
        FieldKind::NationalId
        | FieldKind::LegalId
        | FieldKind::PostalCode
        | FieldKind::BillId
        | FieldKind::PaymentId
        | FieldKind::District
        | FieldKind::Number
        | FieldKind::Date => ("text", "numeric", "ltr"),
        FieldKind::AreaM2 => ("text", "decimal", "ltr"),
        FieldKind::RenewalCode => ("text", "text", "ltr"),
        FieldKind::Text | FieldKind::Select { .. } => ("text", "text", "auto"),
    }
}

/// The section a field belongs in, by what it holds: who applies, which property, and
/// the rest of the request. A long form (the permit's nineteen answers) reads in parts.
fn section_of(kind: &FieldKind) -> usize {
    match kind {
        FieldKind::NationalId | FieldKind::LegalId | FieldKind::Mobile => 0,
        FieldKind::RenewalCode
        | FieldKind::District
        | FieldKind::PostalCode
        | FieldKind::AreaM2 => 1,
        _ => 2,
    }
}

const SECTION_TITLES: [&str; 3] = [
    "apply-section-applicant",
    "apply-section-property",
    "apply-section-request",
];

/// In sections, without the empty ones.
fn in_sections(
    tr: &crate::i18n::Tr,
    fields: Vec<(usize, FieldInput)>,
) -> Vec<(String, Vec<FieldInput>)> {
    let mut sections: Vec<(String, Vec<FieldInput>)> = SECTION_TITLES
        .iter()
        .map(|id| (tr.t(id), Vec::new()))
        .collect();
    for (section, field) in fields {
        sections[section].1.push(field);
    }
    sections.retain(|(_, fields)| !fields.is_empty());
    sections
}

fn apply_view(page: &Page, service: &Service, attempt: &Attempt) -> ApplyView {
    let tr = page.layout.tr;
    let label_of = |field: &str| {
        service
            .form
            .fields
            .iter()
            .find(|f| f.name == field)
            .map(|f| tr.text(&f.label))
            .or_else(|| {
                service
                    .form
                    .documents
                    .iter()
                    .find(|d| d.id == field)
                    .map(|d| tr.text(&d.title))
            })
            .unwrap_or_else(|| field.to_owned())
    };
    let message = |problem: &AnswerError| {
        let body = ErrorBody {
            code: problem.code,
            args: vec![("field", label_of(&problem.field))],
        };
        error_message(tr.lang, &body)
    };
    let problem_of = |name: &str| {
        attempt
            .problems
            .iter()
            .find(|p| p.field == name)
            .map(message)
    };
    let is_document = |name: &str| service.form.documents.iter().any(|d| d.id == name);
    ApplyView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        service_href: format!("/services/{}", service.identifier),
        title: tr.text(&service.title),
        sections: in_sections(
            &tr,
            service
                .form
                .fields
                .iter()
                .map(|field| {
                    let (input_type, inputmode, dir) = input_for(&field.kind);
                    let (hint, unit) = match field.kind {
                        FieldKind::Date => (tr.t("case-field-date-hint"), String::new()),
                        FieldKind::RenewalCode => (tr.t("field-renewal-code-hint"), String::new()),
                        FieldKind::AreaM2 => (String::new(), tr.t("unit-m2")),
                        _ => (String::new(), String::new()),
                    };
                    let input = FieldInput {
                        dom_id: format!("field-{}", field.name),
                        name: field.name.clone(),
                        label: tr.text(&field.label),
                        required: field.required,
                        input_type,
                        inputmode,
                        dir,
                        hint,
                        unit,
                        options: match &field.kind {
                            FieldKind::Select { options } => options
                                .iter()
                                .map(|o| (o.value.clone(), tr.text(&o.label())))
                                .collect(),
                            _ => Vec::new(),
                        },
                        value: attempt
                            .answers
                            .get(&field.name)
                            .cloned()
                            .unwrap_or_default(),
                        error: problem_of(&field.name),
                        is_date: matches!(field.kind, FieldKind::Date),
                    };
                    (section_of(&field.kind), input)
                })
                .collect(),
        ),
        documents: service
            .form
            .documents
            .iter()
            .map(|d| DocumentInput {
                dom_id: format!("doc-{}", d.id),
                id: d.id.clone(),
                label: tr.text(&d.title),
                required: d.required,
                error: problem_of(&d.id),
                kept: attempt.kept.get(&d.id).cloned(),
            })
            .collect(),
        problems: attempt
            .problems
            .iter()
            .map(|p| {
                let prefix = if is_document(&p.field) {
                    "doc"
                } else {
                    "field"
                };
                (format!("{prefix}-{}", p.field), message(p))
            })
            .collect(),
        renewal_codes: Vec::new(),
        working_days: Vec::new(),
        error: None,
    }
}

/// The form, with what is known of the citizen filled in: their national ID, and their
/// properties' renewal codes (and district, when they own in one only) to pick from.
pub(super) async fn apply_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let cases = &state.services.cases;
    let service = cases.catalog().get(&id).ok_or(AppError::NotFound)?;
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response());
    };
    let properties = state
        .services
        .billing
        .properties_owned_by(&user.principal)
        .await?;
    let mobile = match &user.principal {
        daftar_app::Principal::Citizen { national_id, .. } => {
            state.services.accounts.mobile_of(national_id).await?
        }
        daftar_app::Principal::Staff(_) => None,
    };
    let mut attempt = Attempt::default();
    for field in &service.form.fields {
        let known = match (&field.kind, &user.principal) {
            // The applicant's own: another person's national ID (a seller's, say) is not.
            (FieldKind::NationalId, daftar_app::Principal::Citizen { national_id, .. })
                if field.name.starts_with("applicant") =>
            {
                Some(national_id.as_str().to_owned())
            }
            (FieldKind::Mobile, _) if field.name == "mobile" => mobile.clone(),
            (FieldKind::District, _) if properties.len() == 1 => {
                Some(properties[0].district.to_string())
            }
            (FieldKind::RenewalCode, _) if properties.len() == 1 => {
                Some(properties[0].renewal_code.clone())
            }
            _ => None,
        };
        if let Some(value) = known.filter(|_| !attempt.answers.contains_key(&field.name)) {
            attempt.answers.insert(field.name.clone(), value);
        }
    }
    let mut view = apply_view(&page, service, &attempt);
    view.renewal_codes = properties.into_iter().map(|p| p.renewal_code).collect();
    if service
        .form
        .fields
        .iter()
        .any(|f| matches!(f.kind, FieldKind::Date))
    {
        view.working_days = page
            .layout
            .tr
            .date_choices(&cases.upcoming_working_days(60));
    }
    page.render(&view)
}

pub(super) async fn apply(
    State(cases): State<Cases>,
    page: Page,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let service = cases.catalog().get(&id).ok_or(AppError::NotFound)?;
    // Nobody's upload is read before they are known to be signed in.
    let Some(user) = page.user.as_ref() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let submitted = read_multipart(&cases, multipart).await?;
    let text = |name: &str| submitted.text.get(name).cloned().unwrap_or_default();
    page.csrf.verify(&text("csrf"))?;
    let answers: BTreeMap<String, String> = submitted
        .text
        .iter()
        .filter_map(|(name, value)| {
            name.strip_prefix("field:")
                .map(|n| (n.to_owned(), value.clone()))
        })
        .collect();
    // Drafts of an earlier attempt, by kind: a new file of the same kind replaces one.
    let drafts: BTreeMap<String, String> = submitted
        .text
        .iter()
        .filter_map(|(name, token)| {
            name.strip_prefix("draft:")
                .map(|kind| (kind.to_owned(), token.clone()))
        })
        .collect();
    let mut uploads: Vec<Upload> = submitted
        .files
        .into_iter()
        .filter_map(|(name, file_name, content)| {
            name.strip_prefix("doc:").map(|kind| Upload {
                kind: kind.to_owned(),
                file_name,
                content,
            })
        })
        .collect();
    let mut from_drafts = BTreeMap::new();
    for (kind, token) in &drafts {
        if uploads.iter().any(|u| &u.kind == kind) {
            continue;
        }
        let draft = cases
            .draft(&user.principal, token)
            .await
            .map_err(|e| crate::error::received(e, kind.clone()))?;
        if let Some((content, file_name)) = draft {
            from_drafts.insert(kind.clone(), token.clone());
            uploads.push(Upload {
                kind: kind.clone(),
                file_name,
                content,
            });
        }
    }
    let application = Application {
        service_id: service.identifier.clone(),
        answers: answers.clone(),
        uploads,
    };
    // The form's «continue» checks and shows the answers to confirm; «send» on that
    // page opens the case; «change» goes back to the form, with everything kept.
    let step = text("step");
    let outcome = match step.as_str() {
        "confirm" => cases.apply(&user.principal, &application).await.map(Some),
        "edit" => Ok(None),
        _ => cases
            .check_application(&user.principal, &application)
            .await
            .map(|()| None),
    };
    let refused = match outcome {
        Ok(Some(case)) => {
            for token in drafts.values() {
                cases.discard_draft(token).await;
            }
            return Ok(Redirect::to(&format!("/cases/{}?applied=1", case.id.0)).into_response());
        }
        Ok(None) => {
            let kept = keep_drafts(
                &cases,
                &user.principal,
                service,
                &application,
                &from_drafts,
                &[],
            )
            .await?;
            let attempt = Attempt {
                answers,
                problems: Vec::new(),
                kept,
            };
            if step == "edit" {
                return page.render(&apply_view(&page, service, &attempt));
            }
            return page.render(&check_view(&page, service, &attempt));
        }
        Err(error) => error,
    };
    let (status, problems, error) = match refused {
        CaseError::InvalidFields(problems) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, problems, None)
        }
        CaseError::InvalidField { code, field } => {
            let status = AppError::InvalidField {
                code,
                field: field.clone(),
            }
            .status();
            (status, vec![AnswerError { field, code }], None)
        }
        // Not one field's problem (a limit, say): the form says it above.
        other => {
            let (status, message) = page.form_error(other)?;
            (status, Vec::new(), Some(message))
        }
    };
    // Every file that passed is kept for the corrected form.
    let kept = keep_drafts(
        &cases,
        &user.principal,
        service,
        &application,
        &from_drafts,
        &problems,
    )
    .await?;
    let attempt = Attempt {
        answers,
        problems,
        kept,
    };
    let mut view = apply_view(&page, service, &attempt);
    view.error = error;
    page.render(&view).map(|r| (status, r).into_response())
}

/// Keeps as a draft each upload the form asks for, of a type it takes, with no problem
/// of its own, one per kind (those that came from a draft keep their token): kind →
/// (token, file name). Nothing else is kept, whatever was sent.
async fn keep_drafts(
    cases: &Cases,
    who: &daftar_app::Principal,
    service: &Service,
    application: &Application,
    from_drafts: &BTreeMap<String, String>,
    problems: &[AnswerError],
) -> Result<BTreeMap<String, (String, String)>, AppError> {
    let mut kept = BTreeMap::new();
    for upload in &application.uploads {
        let on_the_form = service.form.documents.iter().any(|d| d.id == upload.kind);
        let takes =
            daftar_core::cases::check_upload(upload.content.size(), upload.content.head()).is_ok();
        if !on_the_form
            || !takes
            || kept.contains_key(&upload.kind)
            || problems.iter().any(|p| p.field == upload.kind)
        {
            continue;
        }
        let token = match from_drafts.get(&upload.kind) {
            Some(token) => token.clone(),
            None => cases
                .keep_draft(who, &upload.content, &upload.file_name)
                .await
                .map_err(|e| crate::error::received(e, upload.kind.clone()))?,
        };
        kept.insert(upload.kind.clone(), (token, upload.file_name.clone()));
    }
    Ok(kept)
}

/// An answer as the check page reads it: label, value as shown, direction.
type AnswerRow = (String, String, &'static str);

#[derive(Template)]
#[template(path = "apply_check.html")]
struct CheckView {
    layout: Layout,
    identifier: String,
    title: String,
    /// The answers as sent, carried to the confirmation.
    answers: Vec<(String, String)>,
    drafts: Vec<(String, String)>,
    /// The answers as read, in sections.
    sections: Vec<(String, Vec<AnswerRow>)>,
    documents: Vec<(String, String)>,
}

/// «Check your answers»: what will be sent, in the form's sections, before it is.
fn check_view(page: &Page, service: &Service, attempt: &Attempt) -> CheckView {
    let tr = page.layout.tr;
    let mut sections: Vec<(String, Vec<AnswerRow>)> = SECTION_TITLES
        .iter()
        .map(|id| (tr.t(id), Vec::new()))
        .collect();
    for field in &service.form.fields {
        let Some(value) = attempt
            .answers
            .get(&field.name)
            .filter(|v| !v.trim().is_empty())
        else {
            continue;
        };
        let (shown, dir) = match &field.kind {
            FieldKind::Select { options } => (
                options
                    .iter()
                    .find(|o| &o.value == value)
                    .map(|o| tr.text(&o.label()))
                    .unwrap_or_else(|| value.clone()),
                "auto",
            ),
            FieldKind::Text => (value.clone(), "auto"),
            _ => (tr.digits(value), "ltr"),
        };
        sections[section_of(&field.kind)]
            .1
            .push((tr.text(&field.label), shown, dir));
    }
    sections.retain(|(_, rows)| !rows.is_empty());
    CheckView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        title: tr.text(&service.title),
        answers: attempt
            .answers
            .iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        drafts: attempt
            .kept
            .iter()
            .map(|(kind, (token, _))| (kind.clone(), token.clone()))
            .collect(),
        sections,
        documents: service
            .form
            .documents
            .iter()
            .filter_map(|d| {
                attempt
                    .kept
                    .get(&d.id)
                    .map(|(_, file_name)| (tr.text(&d.title), file_name.clone()))
            })
            .collect(),
    }
}
