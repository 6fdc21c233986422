//! The service catalog: `GET /services` (with `?q=` Persian-aware search and `?group=`),
//! `GET /services/{id}` (the whole identity card and form) and `GET /services.csv`.

use axum::extract::State;

use crate::extract::Path;
use axum::http::header;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use daftar_core::catalog::{Audience, Catalog, Service};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Bilingual, QueryParams};
use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/services", get(list))
        .route("/api/v1/services.csv", get(csv))
        .route("/api/v1/services/{id}", get(card))
}

/// `?q=` searches titles and descriptions, Persian-aware; `?group=` keeps one group.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    #[serde(default)]
    q: String,
    /// A group's slug, e.g. `construction`.
    group: Option<String>,
}

/// A service as the list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceSummary {
    identifier: String,
    title: Bilingual,
    group: &'static str,
    group_name: Bilingual,
    description: Bilingual,
    #[schema(value_type = Vec<String>, example = json!(["g2c"]))]
    audience: Vec<Audience>,
    average_time: Bilingual,
    fee: Bilingual,
    in_person_visits: u8,
    /// Answered at once, without a case.
    instant: bool,
    /// The service's page.
    url: String,
}

impl ServiceSummary {
    fn of(service: &Service) -> ServiceSummary {
        ServiceSummary {
            identifier: service.identifier.clone(),
            title: (&service.title).into(),
            group: service.group.slug(),
            group_name: (&service.group.name()).into(),
            description: (&service.description).into(),
            audience: service.audience.clone(),
            average_time: (&service.average_time.label()).into(),
            fee: (&service.fee.label()).into(),
            in_person_visits: service.in_person_visits,
            instant: service.workflow.is_none(),
            url: format!("/services/{}", service.identifier),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceList {
    count: usize,
    services: Vec<ServiceSummary>,
}

#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", params(ListParams),
    responses((status = 200, body = ServiceList), (status = 422, body = ApiError)))]
pub(super) async fn list(
    State(catalog): State<Arc<Catalog>>,
    QueryParams(params): QueryParams<ListParams>,
) -> Json<ServiceList> {
    let services: Vec<ServiceSummary> = catalog
        .search(&params.q)
        .into_iter()
        .filter(|s| params.group.as_deref().is_none_or(|g| s.group.slug() == g))
        .map(ServiceSummary::of)
        .collect();
    Json(ServiceList {
        count: services.len(),
        services,
    })
}

/// A service's whole identity card (seed 000's fields) and its application form, as the
/// catalog file has them, with the service's page as `url`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceCard<'s> {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    card: &'s Service,
    url: String,
}

#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "catalog",
    params(("id" = String, Path, description = "The service identifier")),
    responses((status = 200, body = ServiceCard), (status = 404, body = ApiError)))]
pub(super) async fn card(
    State(catalog): State<Arc<Catalog>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let service = catalog.get(&id).ok_or(AppError::NotFound)?;
    let card = ServiceCard {
        card: service,
        url: format!("/services/{}", service.identifier),
    };
    Ok(Json(card).into_response())
}

/// The whole catalog as CSV, one row per service.
#[utoipa::path(get, path = "/api/v1/services.csv", tag = "catalog",
    responses((status = 200, description = "One row per service", content_type = "text/csv")))]
pub(super) async fn csv(State(catalog): State<Arc<Catalog>>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"daftar-services.csv\"",
            ),
        ],
        catalog.to_csv(),
    )
}
