//! Applying for a service: the form built from the service's definition, and the
//! application it sends, documents and all.

use daftar_app::Cases;
use daftar_app::cases::{Application, Upload};
use daftar_app::files::Received;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;

use crate::extract::{Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use daftar_core::catalog::{FieldKind, Service};

use crate::error::{AppError, received};
use crate::web::{Layout, Page};

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
    ApplyView {
        layout: page.layout.clone(),
        identifier: service.identifier.clone(),
        title: tr.text(&service.title),
        fields: service
            .form
            .fields
            .iter()
            .map(|field| FieldInput {
                name: field.name.clone(),
                label: tr.text(&field.label),
                required: field.required,
                input_type: match field.kind {
                    FieldKind::Mobile => "tel",
                    _ => "text",
                },
                options: match &field.kind {
                    FieldKind::Select { options } => options
                        .iter()
                        .map(|o| (o.value.clone(), tr.text(&o.label())))
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
                label: tr.text(&d.title),
                required: d.required,
            })
            .collect(),
        error: None,
    }
}

pub(super) async fn apply_form(
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

/// A multipart form read whole: its text fields, and its files each received into a file
/// of its own as it arrives (never held whole in memory).
#[derive(Debug, Default)]
pub(super) struct Submitted {
    pub(super) text: BTreeMap<String, String>,
    /// Each file's field name, its name on the sender's disk, and its content.
    pub(super) files: Vec<(String, String, Received)>,
}

pub(super) async fn read_multipart(
    cases: &Cases,
    Multipart(mut multipart): Multipart,
) -> Result<Submitted, AppError> {
    let mut submitted = Submitted::default();
    // A file past the limit is refused, but the rest of the form is still read (the
    // route's own limit bounds it): a browser cut off mid-upload shows the citizen a
    // broken connection instead of the page that says what was wrong.
    let mut refused: Option<AppError> = None;
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            if refused.is_some() {
                while field.chunk().await?.is_some() {}
                continue;
            }
            let mut receiving = cases
                .receive()
                .await
                .map_err(|e| received(e, name.clone()))?;
            let mut failed = None;
            while let Some(piece) = field.chunk().await? {
                if failed.is_none()
                    && let Err(error) = receiving.write(&piece).await
                {
                    failed = Some(received(error, name.clone()));
                }
            }
            if let Some(error) = failed {
                refused = Some(error);
                continue;
            }
            let content = receiving
                .finish()
                .await
                .map_err(|e| received(e, name.clone()))?;
            // A file input left empty arrives as an empty part with no name.
            if content.size() > 0 || !file_name.is_empty() {
                submitted.files.push((name, file_name, content));
            }
        } else {
            let value = field.text().await?;
            submitted.text.insert(name, value);
        }
    }
    match refused {
        Some(error) => Err(error),
        None => Ok(submitted),
    }
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
    page.csrf.verify(
        submitted
            .text
            .get("csrf")
            .map(String::as_str)
            .unwrap_or_default(),
    )?;
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
        .filter_map(|(name, file_name, content)| {
            name.strip_prefix("doc:").map(|kind| Upload {
                kind: kind.to_owned(),
                file_name,
                content,
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
