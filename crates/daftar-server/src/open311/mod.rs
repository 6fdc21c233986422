//! Open311 GeoReport v2 at `/open311/v2` (wave2-domain §5; docs/SLA.md), the civic-tech
//! standard apps such as FixMyStreet speak: the public complaint kinds as services
//! ([`services`]), the public complaints as requests, a client's post with its API key
//! ([`requests`]), every answer in JSON or XML by the file's extension, and errors in the
//! standard's shape ([`format`]). No answer carries who filed a request.

mod format;
mod requests;
mod services;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top_level).post(requests::post))
        .route("/open311/v2/services/{file}", get(services::definition))
        .route("/open311/v2/requests/{file}", get(requests::one))
        .route("/open311/v2/tokens/{file}", get(requests::token))
}

/// `services.{json,xml}` and `requests.{json,xml}`: one route, as the names share it.
async fn top_level(
    state: axum::extract::State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    query: axum::extract::RawQuery,
) -> axum::response::Response {
    match format::split(&file) {
        Some(("services", format)) => services::list(&state, format),
        Some(("requests", format)) => requests::list(&state, format, query.0.as_deref()).await,
        Some((_, format)) => format::error(format, 404, "No such resource."),
        None => format::error(format::Format::Json, 404, "No such resource."),
    }
}
