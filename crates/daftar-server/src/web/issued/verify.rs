//! `/verify/{serial}`: what the QR code on a document opens. The page says whether the
//! document is valid, revoked (when and why) or superseded, and what it states; a typed
//! serial with a wrong check digit is refused before any look-up.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::issued::{Issuing, Status};
use daftar_core::issued::Serial;
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::Path;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "issued_verify.html")]
struct VerifyView {
    layout: Layout,
    serial: String,
    error: Option<String>,
    found: Option<FoundView>,
}

struct FoundView {
    kind: String,
    serial: String,
    /// `valid`, `revoked` or `superseded`: the tag's class.
    status: &'static str,
    status_label: String,
    /// Why it no longer holds, when it does not.
    status_note: Option<String>,
    rows: Vec<(String, String, &'static str)>,
}

#[derive(Debug, Deserialize)]
pub(super) struct VerifyQuery {
    #[serde(default)]
    serial: String,
}

/// The form: a serial typed in goes to its own page.
pub(super) async fn form(
    page: Page,
    QueryParams(query): QueryParams<VerifyQuery>,
) -> Result<Response, AppError> {
    let typed = query.serial.trim();
    if typed.is_empty() {
        return page.render(&VerifyView {
            layout: page.layout.clone(),
            serial: String::new(),
            error: None,
            found: None,
        });
    }
    match Serial::parse(typed) {
        Ok(serial) => Ok(Redirect::to(&format!("/verify/{serial}")).into_response()),
        Err(error) => {
            let (status, message) =
                page.form_error(AppError::Invalid(Serial::error_code(error)))?;
            let view = VerifyView {
                layout: page.layout.clone(),
                serial: typed.to_owned(),
                error: Some(message),
                found: None,
            };
            page.render(&view)
                .map(|response| (status, response).into_response())
        }
    }
}

pub(super) async fn verify(
    _: PublicLookup,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(issuing): State<Issuing>,
    page: Page,
    Path(serial): Path<String>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let mut view = VerifyView {
        layout: page.layout.clone(),
        serial: serial.clone(),
        error: None,
        found: None,
    };
    let parsed = match Serial::parse(&serial) {
        Ok(parsed) => parsed,
        Err(error) => {
            let (status, message) =
                page.form_error(AppError::Invalid(Serial::error_code(error)))?;
            view.error = Some(message);
            return page
                .render(&view)
                .map(|response| (status, response).into_response());
        }
    };
    let Some(found) = issuing.look_up(&parsed, from).await? else {
        view.error = Some(tr.t("issued-not-found"));
        return page
            .render(&view)
            .map(|response| (StatusCode::NOT_FOUND, response).into_response());
    };
    let record = &found.record;
    let (status, status_label, status_note) = match &found.status {
        Status::Valid => ("valid", tr.t("issued-valid"), None),
        Status::Revoked { at, reason } => (
            "revoked",
            tr.t("issued-revoked"),
            Some(tr.tn(
                "issued-revoked-note",
                &[("date", tr.moment(*at)), ("reason", reason.clone())],
            )),
        ),
        Status::Superseded { by } => (
            "superseded",
            tr.t("issued-superseded"),
            Some(tr.t1(
                "issued-superseded-note",
                "serial",
                &format!(
                    "\u{2066}{}\u{2069}",
                    tr.digits(&Serial::parse(by).map(|s| s.grouped()).unwrap_or(by.clone()))
                ),
            )),
        ),
    };
    let mut rows = vec![(
        tr.t("issued-issued-on"),
        record
            .issued_on()
            .map(|day| tr.day(day))
            .unwrap_or_default(),
        "auto",
    )];
    if let Some(until) = record.valid_until() {
        rows.push((tr.t("issued-valid-until"), tr.day(until), "auto"));
    }
    for (name, value) in &record.facts {
        let id = format!("issued-fact-{}", name.replace('_', "-"));
        let label = tr.t(&id);
        let label = if label == id { name.clone() } else { label };
        // Codes and numbers read left to right; words in the page's direction.
        let dir = if value.chars().any(char::is_alphabetic) && !name.ends_with("_code") {
            "auto"
        } else {
            "ltr"
        };
        let shown = match name.as_str() {
            daftar_core::issued::extension::EXTENSION_TERMS => match value.split_once('x') {
                Some((count, months)) => tr.tn(
                    "issued-fact-extension-value",
                    &[("count", tr.digits(count)), ("months", tr.digits(months))],
                ),
                None => tr.digits(value),
            },
            daftar_app::issued::REPLACES => tr.digits(
                &Serial::parse(value).map_or_else(|_| value.clone(), |serial| serial.grouped()),
            ),
            _ => tr.digits(value),
        };
        let dir = if name == daftar_core::issued::extension::EXTENSION_TERMS {
            "auto"
        } else {
            dir
        };
        rows.push((label, shown, dir));
    }
    view.found = Some(FoundView {
        kind: tr.text(&record.kind.name()),
        serial: tr.digits(&parsed.grouped()),
        status,
        status_label,
        status_note,
        rows,
    });
    page.render(&view)
}
