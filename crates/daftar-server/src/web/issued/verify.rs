//! `/verify/{serial}`: what the QR code on a document opens. The page says whether the
//! document is valid, revoked (when and why) or superseded, and what it states; a typed
//! serial with a wrong check digit is refused before any look-up.
//!
//! An anonymous visitor's page is kept for a second ([`VerifyPages`]): a document's QR
//! code is opened by many, and the page is the same for all of them.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use daftar_app::issued::Status;
use daftar_core::issued::Serial;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::Path;
use crate::i18n::Lang;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;
use crate::web::{Layout, Page, Visitor};

/// `/verify/{serial}` pages as anonymous visitors were shown them, by serial and
/// language, each for [`KEPT_FOR`]: a look-up within that time is answered with the same
/// bytes, without reading the database or rendering.
///
/// A revocation or re-issue made through this instance makes every kept page stale at
/// once ([`daftar_app::issued::Issuing::changes`]); one made through another instance
/// shows here within [`KEPT_FOR`] (with a read replica, within its lag and that). Only
/// pages of documents found are kept, under their serials written as issued, at most
/// [`PAGES_KEPT`] of them (about 3.5 KB a page), so made-up serials cannot fill memory.
#[derive(Debug, Default)]
pub struct VerifyPages {
    kept: Mutex<HashMap<String, [Option<Kept>; 2]>>,
}

#[derive(Debug)]
struct Kept {
    how: KeptAs,
    body: Bytes,
}

/// What a kept page was rendered from.
#[derive(Debug, Clone, Copy)]
struct KeptAs {
    /// When the look-up it shows began.
    read_at: Instant,
    /// [`daftar_app::issued::Issuing::changes`] when it began.
    changes: u64,
    lang: Lang,
}

/// How long an anonymous visitor's page is shown again.
pub const KEPT_FOR: Duration = Duration::from_secs(1);

/// How many serials' pages are kept before the lot is dropped and kept afresh.
const PAGES_KEPT: usize = 4_096;

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::Fa => 0,
        Lang::En => 1,
    }
}

impl VerifyPages {
    fn shown(&self, serial: &str, lang: Lang, changes: u64) -> Option<Bytes> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let page = kept.get(serial)?[slot(lang)].as_ref()?;
        (page.how.changes == changes && page.how.read_at.elapsed() < KEPT_FOR)
            .then(|| page.body.clone())
    }

    fn keep(&self, serial: &str, how: KeptAs, body: Bytes) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= PAGES_KEPT && !kept.contains_key(serial) {
            kept.clear();
        }
        kept.entry(serial.to_owned()).or_default()[slot(how.lang)] = Some(Kept { how, body });
    }
}

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

/// `/verify/{serial}`. Outside the pages' layout middleware (see [`Visitor`]), so a
/// signed-in visitor's error page is given their layout here ([`crate::web::with_layout`]).
pub(super) async fn verify(
    allowed: Result<PublicLookup, AppError>,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    State(state): State<AppState>,
    visitor: Visitor,
    Path(serial): Path<String>,
) -> Response {
    match visitor {
        Visitor::Known(page) => {
            let layout = page.layout.clone();
            let answer = match allowed {
                Ok(_) => shown(&state, from, *page, None, &serial).await,
                Err(refused) => Err(refused),
            };
            crate::web::with_layout(answer.into_response(), layout)
        }
        Visitor::Anonymous(lang) => {
            if let Err(refused) = allowed {
                return refused.into_response();
            }
            // Only a serial as QR codes and the form write it is kept: the same serial
            // typed with spaces, dashes or Persian digits would otherwise be kept again
            // under every spelling.
            let canonical = Serial::parse(&serial).is_ok_and(|parsed| parsed.as_str() == serial);
            // Read before the look-up, so that a page is never kept as newer than it is.
            let (read_at, changes) = (Instant::now(), state.services.issuing.changes());
            if canonical && let Some(body) = state.verify_pages.shown(&serial, lang, changes) {
                return Html(body).into_response();
            }
            let page = Page::anonymous(&state, lang, &format!("/verify/{serial}")).await;
            let keep = canonical.then_some(KeptAs {
                read_at,
                changes,
                lang,
            });
            shown(&state, from, page, keep, &serial)
                .await
                .into_response()
        }
    }
}

/// What `page`'s visitor is shown of `serial`; a page of a document found is kept when
/// `keep` says how.
async fn shown(
    state: &AppState,
    from: daftar_app::replica::ReadFrom,
    page: Page,
    keep: Option<KeptAs>,
    serial: &str,
) -> Result<Response, AppError> {
    let issuing = &state.services.issuing;
    let tr = page.layout.tr;
    let mut view = VerifyView {
        layout: page.layout.clone(),
        serial: serial.to_owned(),
        error: None,
        found: None,
    };
    let parsed = match Serial::parse(serial) {
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
    let Some(keep) = keep else {
        return page.render(&view);
    };
    let body = Bytes::from(
        view.render()
            .map_err(|e| anyhow::anyhow!("a template failed: {e}"))?,
    );
    state.verify_pages.keep(serial, keep, body.clone());
    Ok(Html(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However many serials are looked up, no more than [`PAGES_KEPT`] pages are kept.
    #[test]
    fn the_kept_pages_are_bounded() {
        let pages = VerifyPages::default();
        let how = KeptAs {
            read_at: Instant::now(),
            changes: 0,
            lang: Lang::Fa,
        };
        for n in 0..PAGES_KEPT + 10 {
            pages.keep(&format!("{n:012}"), how, Bytes::from_static(b"page"));
            assert!(pages.kept.lock().unwrap().len() <= PAGES_KEPT);
        }
        let last = format!("{:012}", PAGES_KEPT + 9);
        assert!(pages.shown(&last, Lang::Fa, 0).is_some());
        assert!(
            pages.shown(&last, Lang::En, 0).is_none(),
            "kept per language"
        );
        assert!(
            pages.shown(&last, Lang::Fa, 1).is_none(),
            "stale after a change"
        );
    }
}
