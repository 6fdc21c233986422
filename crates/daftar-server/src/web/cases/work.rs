//! The case page's sections of the work beside the workflow — the inquiry, the visit,
//! the sketch with its map and the violations — filled in for the page, and the page
//! again after one of their forms was refused.

use axum::response::{IntoResponse, Response};

use super::view::{CaseTemplate, case_template};
use crate::app::AppState;
use crate::error::AppError;
use crate::web::Page;

/// A page with the inspector's map over the municipality's tiles allows their origin's
/// images; the edge keeps the policy set here.
pub(super) fn with_map_policy(
    state: &AppState,
    template: &CaseTemplate,
    mut response: Response,
) -> Response {
    let has_map = template
        .sketch_form
        .as_ref()
        .is_some_and(|form| form.map.is_some());
    let origin = state
        .config
        .map_tiles_url
        .as_deref()
        .and_then(crate::web::sketch::tiles_origin);
    if let (true, Some(origin)) = (has_map, origin)
        && let Ok(value) =
            axum::http::HeaderValue::from_str(&crate::edge::page_policy_with_images_from(&origin))
    {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// What was typed in a refused form of the work beside the workflow, to show again with
/// its message.
#[derive(Debug, Default)]
pub(in crate::web) struct WorkForms {
    pub sketch: Option<crate::web::sketch::SketchForm>,
    pub inquiry: Option<crate::web::zoning::case::InquiryForm>,
    pub visit: Option<crate::web::inspection::VisitForm>,
    pub review: Option<crate::web::violation::ReviewForm>,
    pub ruling: Option<crate::web::violation::RulingForm>,
    /// An issued document's form: its serial, the message, and the reason typed.
    pub issued: Option<(String, String, String)>,
}

/// Fills the case page's sections of the work beside the workflow: the inquiry, the
/// visit and the sketch.
pub(super) async fn with_work(
    state: &AppState,
    page: &Page,
    view: &daftar_app::cases::CaseView,
    template: &mut CaseTemplate,
    typed: WorkForms,
) -> Result<(), AppError> {
    let services = &state.services;
    let places = crate::web::sketch::Places {
        zoning: &services.zoning,
        properties: &services.properties,
        tiles: state.config.map_tiles_url.as_deref(),
    };
    (template.sketch, template.sketch_form) =
        crate::web::sketch::for_case_page(&services.sketches, &places, page, view, typed.sketch)
            .await?;
    (template.inquiry, template.answer, template.order) =
        crate::web::zoning::case::for_case_page(&services.zoning, page, view, typed.inquiry)
            .await?;
    template.visit = crate::web::inspection::for_case_page(
        &services.inspection,
        &services.cases,
        page,
        view,
        typed.visit,
    )
    .await?;
    template.violations = crate::web::violation::for_case_page(
        &services.violations,
        page,
        view,
        typed.review,
        typed.ruling,
    )
    .await?;
    Ok(())
}

/// The case page again after a form of the work beside the workflow was refused: the
/// message at the form, and what was typed kept in it.
pub(in crate::web) async fn case_page_refused(
    state: &AppState,
    page: &Page,
    id: daftar_store::CaseId,
    status: axum::http::StatusCode,
    typed: WorkForms,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let view = state.services.cases.view(&user.principal, id).await?;
    let mut template = case_template(&state.services.cases, page, &view, None, None);
    if let Some((serial, message, reason)) = &typed.issued
        && let Some(row) = template
            .issued
            .iter_mut()
            .find(|row| &row.serial_ascii == serial)
    {
        row.error = Some(message.clone());
        row.reason = reason.clone();
    }
    with_work(state, page, &view, &mut template, typed).await?;
    let response = (status, page.render(&template)?).into_response();
    Ok(with_map_policy(state, &template, response))
}
