//! `/cases/{id}/survey`: the applicant answers their closed case's survey, each item on
//! the five-point scale and a remark if they like; once answered, or past its days, the
//! page says so.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::survey::{Invitation, Surveys};
use daftar_store::CaseRecord;

use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::cases::case_id;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "survey_answer.html")]
struct SurveyPage {
    layout: Layout,
    id: i64,
    case_href: String,
    tracking_code: String,
    service: String,
    /// `open`, `answered`, `lapsed` or `not_closed`.
    status: &'static str,
    /// What the page says when the survey is not open.
    status_text: String,
    open_until: String,
    items: Vec<ItemView>,
    scale: Vec<String>,
    remark: String,
    error: Option<String>,
}

struct ItemView {
    key: String,
    /// Its number, in the page's digits.
    number: String,
    question: String,
    /// The score typed, kept when the page comes back with a refusal.
    chosen: String,
}

pub(super) async fn page(
    State(surveys): State<Surveys>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response());
    };
    let (case, invitation) = surveys.invitation(&user.principal, case_id(&id)?).await?;
    render(
        &surveys,
        &page,
        StatusCode::OK,
        &case,
        invitation,
        &BTreeMap::new(),
        None,
    )
}

pub(super) async fn answer(
    State(surveys): State<Surveys>,
    page: Page,
    Path(id): Path<String>,
    Form(typed): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    page.csrf
        .verify(typed.get("csrf").map(String::as_str).unwrap_or_default())?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = case_id(&id)?;
    let scores: BTreeMap<String, String> = typed
        .iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("score_")?.to_owned(), value.clone())))
        .collect();
    let remark = typed.get("remark").map(String::as_str);
    match surveys.answer(&user.principal, id, &scores, remark).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{}?survey=thanks", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let (case, invitation) = surveys.invitation(&user.principal, id).await?;
            render(
                &surveys,
                &page,
                status,
                &case,
                invitation,
                &typed,
                Some(message),
            )
        }
    }
}

fn render(
    surveys: &Surveys,
    page: &Page,
    status: StatusCode,
    case: &CaseRecord,
    invitation: Invitation,
    typed: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let form = surveys.form();
    let (status_slug, open_until) = match invitation {
        Invitation::Open { until } => ("open", tr.day(until)),
        Invitation::Answered => ("answered", String::new()),
        Invitation::Lapsed => ("lapsed", String::new()),
        Invitation::NotClosed => ("not_closed", String::new()),
    };
    let view = SurveyPage {
        layout: page.layout.clone(),
        id: case.id.0,
        case_href: format!("/cases/{}", case.id.0),
        tracking_code: tr.grouped(&case.tracking_code, 3),
        service: surveys
            .service_title(&case.service_id)
            .map(|title| tr.text(&title))
            .unwrap_or_default(),
        status: status_slug,
        status_text: tr.t(&format!("survey-status-{status_slug}")),
        open_until,
        items: form
            .items
            .iter()
            .enumerate()
            .map(|(at, item)| ItemView {
                number: tr.number(at as u64 + 1),
                question: tr.text(&item.question),
                chosen: typed
                    .get(&format!("score_{}", item.key))
                    .map(|score| daftar_core::fa::normalize_digits(score.trim()))
                    .unwrap_or_default(),
                key: item.key.clone(),
            })
            .collect(),
        scale: form
            .scale
            .iter()
            .enumerate()
            .map(|(at, label)| format!("{} {}", tr.number(at as u64 + 1), tr.text(label)))
            .collect(),
        remark: typed.get("remark").cloned().unwrap_or_default(),
        error,
    };
    Ok((status, page.render(&view)?).into_response())
}
