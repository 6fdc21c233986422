//! `GET /api/v1/outages`: the planned outages announced, the soonest start first.

use axum::Json;
use axum::extract::State;
use daftar_app::outage::Outages;
use daftar_core::outage::phase;
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutageList {
    outages: Vec<OutageEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutageEntry {
    id: i64,
    /// RFC 3339.
    #[schema(value_type = String, format = DateTime, example = "2026-12-06T17:00:00Z")]
    from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    to: Timestamp,
    /// What is affected, in Persian and in English.
    affected: Affected,
    /// `coming`, `now` or `past`.
    #[schema(example = "coming")]
    phase: &'static str,
    #[schema(value_type = String, format = DateTime)]
    announced_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Affected {
    fa: String,
    en: String,
}

#[utoipa::path(get, path = "/api/v1/outages", tag = "outages",
    responses((status = 200, description = "The announcements of the last 90 days and to come", body = OutageList)))]
pub(in crate::api) async fn list(
    State(outages): State<Outages>,
) -> Result<Json<OutageList>, AppError> {
    let now = Timestamp::now();
    Ok(Json(OutageList {
        outages: outages
            .listed()
            .await?
            .into_iter()
            .map(|outage| OutageEntry {
                id: outage.id,
                phase: phase(outage.from, outage.to, now).slug(),
                from: outage.from,
                to: outage.to,
                affected: Affected {
                    fa: outage.affected_fa,
                    en: outage.affected_en,
                },
                announced_at: outage.announced_at,
            })
            .collect(),
    }))
}
