//! The service catalog: `GET /services` (with `?q=` Persian-aware search and `?group=`),
//! `GET /services/{id}` (the whole identity card and form) and `GET /services.csv`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use daftar_core::catalog::Service;
use serde::Deserialize;
use serde_json::{Value, json};

use super::QueryParams;
use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/services", get(list))
        .route("/api/v1/services.csv", get(csv))
        .route("/api/v1/services/{id}", get(card))
}

#[derive(Debug, Default, Deserialize)]
struct ListParams {
    #[serde(default)]
    q: String,
    group: Option<String>,
}

fn summary(service: &Service) -> Value {
    json!({
        "identifier": service.identifier,
        "title": service.title,
        "group": service.group.slug(),
        "group_name": {"fa": service.group.name_fa(), "en": service.group.name_en()},
        "description": service.description,
        "audience": service.audience,
        "average_time": {"fa": service.average_time.label_fa(), "en": service.average_time.label_en()},
        "fee": {"fa": service.fee.label_fa(), "en": service.fee.label_en()},
        "in_person_visits": service.in_person_visits,
        "instant": service.workflow.is_none(),
        "url": format!("/services/{}", service.identifier),
    })
}

async fn list(
    State(state): State<AppState>,
    QueryParams(params): QueryParams<ListParams>,
) -> Json<Value> {
    let services: Vec<Value> = state
        .services
        .catalog
        .search(&params.q)
        .into_iter()
        .filter(|s| params.group.as_deref().is_none_or(|g| s.group.slug() == g))
        .map(summary)
        .collect();
    Json(json!({ "count": services.len(), "services": services }))
}

async fn card(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let service = state.services.catalog.get(&id).ok_or(AppError::NotFound)?;
    let mut card = serde_json::to_value(service).map_err(anyhow::Error::from)?;
    if let Value::Object(map) = &mut card {
        map.insert(
            "url".into(),
            json!(format!("/services/{}", service.identifier)),
        );
    }
    Ok(Json(card))
}

async fn csv(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"daftar-services.csv\"",
            ),
        ],
        state.services.catalog.to_csv(),
    )
}
