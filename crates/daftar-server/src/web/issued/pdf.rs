//! `/issued/{serial}/pdf`: a document's PDF from the case page (or the property file),
//! to download or, with `?purpose=print`, to open in the browser's viewer to print.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use daftar_app::issued::Printing;

use crate::api::issued::pdf::PdfQuery;
use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::web::Page;

pub(super) async fn pdf(
    State(printing): State<Printing>,
    State(state): State<AppState>,
    page: Page,
    Path(serial): Path<String>,
    Query(query): Query<PdfQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let serial = crate::api::issued::serial(&serial)?;
    let purpose = query.purpose();
    let pdf = printing
        .pdf(&user.principal, &serial, purpose, &state.site(&headers))
        .await?;
    Ok(crate::attachment::issued_pdf(pdf, purpose))
}
