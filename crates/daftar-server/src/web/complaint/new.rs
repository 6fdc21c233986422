//! `/complaints/new`: the form (فرم انتقادات و پیشنهادات). Anyone may send a criticism or
//! a suggestion, and then gets its tracking code; a complaint needs a signed-in citizen,
//! and is followed on their case page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::cases::Upload;
use daftar_app::complaint::{ComplaintForm, Filer};
use daftar_app::{Cases, Complaints, Zoning};
use daftar_store::StaffId;
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::Multipart;
use crate::query::QueryParams;
use crate::rate_limit::PublicLookup;
use crate::web::cases::multipart::read_multipart;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "complaint_form.html")]
struct FormPage {
    layout: Layout,
    signed_in: bool,
    sign_in_href: String,
    kinds: Vec<KindView>,
    services: Vec<(String, String)>,
    staff: Vec<(String, String)>,
    my_codes: Vec<String>,
    typed: Typed,
    error: Option<String>,
    /// The field the refusal is about.
    error_field: String,
    map: Option<crate::web::sketch::MapView>,
}

struct KindView {
    code: String,
    name: String,
    description: String,
    needs_sign_in: bool,
}

/// What was typed, kept when the page comes back with a refusal.
#[derive(Debug, Default)]
struct Typed {
    kind: String,
    service: String,
    tracking_code: String,
    staff: String,
    text: String,
    lat: String,
    lon: String,
}

#[derive(Template)]
#[template(path = "complaint_filed.html")]
struct FiledPage {
    layout: Layout,
    tracking_code: String,
    track_href: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct FormQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    case: String,
}

pub(super) async fn form(
    State(complaints): State<Complaints>,
    State(cases): State<Cases>,
    State(zoning): State<Zoning>,
    State(state): State<crate::app::AppState>,
    page: Page,
    QueryParams(query): QueryParams<FormQuery>,
) -> Result<Response, AppError> {
    let typed = Typed {
        kind: query.kind,
        service: query.service,
        tracking_code: query.case,
        ..Typed::default()
    };
    render(
        &complaints,
        &cases,
        &zoning,
        &state,
        &page,
        StatusCode::OK,
        typed,
        None,
    )
    .await
}

pub(super) async fn submit(
    _: PublicLookup,
    State(complaints): State<Complaints>,
    State(cases): State<Cases>,
    State(zoning): State<Zoning>,
    State(state): State<crate::app::AppState>,
    page: Page,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let submitted = read_multipart(&cases, multipart).await?;
    let text = |name: &str| submitted.text.get(name).cloned().unwrap_or_default();
    page.csrf.verify(&text("csrf"))?;
    let typed = Typed {
        kind: text("kind"),
        service: text("concerns_service"),
        tracking_code: text("tracking_code"),
        staff: text("named_staff"),
        text: text("description"),
        lat: text("latitude"),
        lon: text("longitude"),
    };
    let location = match (typed.lat.trim(), typed.lon.trim()) {
        ("", "") => String::new(),
        (lat, lon) => format!("{lat},{lon}"),
    };
    let named_staff = match typed.staff.trim() {
        "" => None,
        id => Some(StaffId(id.parse().map_err(|_| AppError::InvalidField {
            code: "complaint.staff_unknown",
            field: "named_staff".into(),
        })?)),
    };
    let form = ComplaintForm {
        kind: typed.kind.clone(),
        concerns_service: Some(typed.service.clone()),
        tracking_code: Some(typed.tracking_code.clone()),
        named_staff,
        text: typed.text.clone(),
        location,
        uploads: submitted
            .files
            .into_iter()
            .filter(|(name, _, _)| name == "attachment")
            .map(|(_, file_name, content)| Upload {
                kind: "attachment".into(),
                file_name,
                content,
            })
            .collect(),
    };
    let principal = page.user.as_ref().map(|user| &user.principal);
    match complaints.submit(Filer::Person(principal), &form).await {
        Ok(case) if case.applicant.is_some() => {
            Ok(Redirect::to(&format!("/cases/{}?filed=1", case.id.0)).into_response())
        }
        Ok(case) => {
            let tr = page.layout.tr;
            let view = FiledPage {
                layout: page.layout.clone(),
                tracking_code: tr.grouped(&case.tracking_code, 3),
                track_href: format!("/cases/track?code={}", case.tracking_code),
            };
            Ok((StatusCode::CREATED, page.render(&view)?).into_response())
        }
        Err(error) => {
            let field = match &error {
                daftar_app::CaseError::InvalidField { field, .. } => field.clone(),
                daftar_app::CaseError::InvalidFields(problems) => problems
                    .first()
                    .map(|p| p.field.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let (status, message) = page.form_error(error)?;
            let field = if field == "location" {
                "latitude".into()
            } else {
                field
            };
            render(
                &complaints,
                &cases,
                &zoning,
                &state,
                &page,
                status,
                typed,
                Some((message, field)),
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    complaints: &Complaints,
    cases: &Cases,
    zoning: &Zoning,
    state: &crate::app::AppState,
    page: &Page,
    status: StatusCode,
    typed: Typed,
    error: Option<(String, String)>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let principal = page.user.as_ref().map(|user| &user.principal);
    let signed_in = matches!(principal, Some(daftar_app::Principal::Citizen { .. }));
    let (staff, my_codes) = match principal.filter(|_| signed_in) {
        Some(who) => (
            complaints
                .staff_met(who)
                .await?
                .into_iter()
                .map(|met| (met.staff.0.to_string(), met.display_name))
                .collect(),
            cases
                .my_cases(who)
                .await?
                .into_iter()
                .map(|case| case.tracking_code)
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut services: Vec<(String, String)> = cases
        .catalog()
        .services()
        .iter()
        .filter(|service| {
            !complaints
                .kinds()
                .services()
                .contains(&service.identifier.as_str())
        })
        .map(|service| (service.identifier.clone(), tr.text(&service.title)))
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    let map = crate::web::sketch::point_map(zoning, state.config.map_tiles_url.as_deref()).await?;
    let (error, error_field) = error.unzip();
    let view = FormPage {
        layout: page.layout.clone(),
        signed_in,
        sign_in_href: format!(
            "/sign-in?next={}",
            crate::web::url_encoded(&page.layout.path_and_query)
        ),
        kinds: complaints
            .kinds()
            .all()
            .iter()
            .map(|kind| KindView {
                code: kind.code.clone(),
                name: tr.text(&kind.name),
                description: tr.text(&kind.description),
                needs_sign_in: kind.sign_in,
            })
            .collect(),
        services,
        staff,
        my_codes,
        typed,
        error,
        error_field: error_field.unwrap_or_default(),
        map,
    };
    let has_map = view.map.is_some();
    let mut response = page.render(&view)?;
    *response.status_mut() = status;
    if let (true, Some(origin)) = (
        has_map,
        state
            .config
            .map_tiles_url
            .as_deref()
            .and_then(crate::web::sketch::tiles_origin),
    ) {
        response.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_str(&crate::edge::page_policy_with_images_from(&origin))
                .map_err(anyhow::Error::from)?,
        );
    }
    Ok(response)
}
