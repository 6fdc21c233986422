//! The files the pages load: the stylesheet, the small scripts (the inspector's drawing
//! board and map, with Leaflet for the map), the Vazirmatn font
//! (vendored under its OFL licence, `fonts/OFL.txt` at the repository root), and the municipality's
//! emblem. All are compiled into the program, so nothing is loaded from elsewhere.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::Path;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/daftar.css", get(stylesheet))
        .route("/static/daftar.js", get(script))
        .route("/static/sketch.js", get(sketch_script))
        .route("/static/map.js", get(map_script))
        .route("/static/leaflet/leaflet.js", get(leaflet_script))
        .route("/static/leaflet/leaflet.css", get(leaflet_stylesheet))
        .route("/static/emblem", get(emblem))
        .route("/static/fonts/{name}", get(font))
}

/// The stylesheet and the script change with a release: browsers ask again after an hour.
const AN_HOUR: &str = "public, max-age=3600";
/// A font file's content never changes under its name.
const A_WEEK: &str = "public, max-age=604800";

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, AN_HOUR),
        ],
        include_str!("../../static/daftar.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, AN_HOUR),
        ],
        include_str!("../../static/daftar.js"),
    )
}

/// The sketch's drawing board, loaded by the case page of an inspector only.
async fn sketch_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, AN_HOUR),
        ],
        include_str!("../../static/sketch.js"),
    )
}

/// The inspector's map, loaded with Leaflet by the case page of an inspector only.
async fn map_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, AN_HOUR),
        ],
        include_str!("../../static/map.js"),
    )
}

/// Leaflet 1.9.4 (BSD-2-Clause, `static/leaflet/LICENSE`), vendored: no CDN.
async fn leaflet_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, A_WEEK),
        ],
        include_str!("../../static/leaflet/leaflet.js"),
    )
}

async fn leaflet_stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, A_WEEK),
        ],
        include_str!("../../static/leaflet/leaflet.css"),
    )
}

async fn emblem(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, state.branding.emblem_type),
            (header::CACHE_CONTROL, AN_HOUR),
        ],
        state.branding.emblem.clone(),
    )
        .into_response()
}

/// The font files, by name: the web pages' WOFF2, and the TTF that documents embed.
const FONTS: [(&str, &str, &[u8]); 5] = [
    (
        "Vazirmatn-Regular.woff2",
        "font/woff2",
        include_bytes!("../../../../fonts/Vazirmatn-Regular.woff2"),
    ),
    (
        "Vazirmatn-Bold.woff2",
        "font/woff2",
        include_bytes!("../../../../fonts/Vazirmatn-Bold.woff2"),
    ),
    (
        "Vazirmatn-Regular.ttf",
        "font/ttf",
        include_bytes!("../../../../fonts/Vazirmatn-Regular.ttf"),
    ),
    (
        "Vazirmatn-Bold.ttf",
        "font/ttf",
        include_bytes!("../../../../fonts/Vazirmatn-Bold.ttf"),
    ),
    (
        "OFL.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../../../fonts/OFL.txt"),
    ),
];

async fn font(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, content_type, bytes) = FONTS
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, A_WEEK),
        ],
        *bytes,
    )
        .into_response())
}
