//! `GET /api/v1/issued/{serial}/pdf`: the document as a PDF, for the case's applicant and
//! the staff who may see the case (for a clearance, the property's owners and staff).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use daftar_app::issued::{Printing, Purpose};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::ApiError;
use crate::app::AppState;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::{Path, Query};

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PdfQuery {
    /// `print` to open it in the browser's viewer (recorded as a print); else it is a
    /// download.
    #[param(inline)]
    purpose: Option<PurposeParam>,
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PurposeParam {
    Download,
    Print,
}

impl PdfQuery {
    pub(crate) fn purpose(&self) -> Purpose {
        match self.purpose {
            Some(PurposeParam::Print) => Purpose::Print,
            _ => Purpose::Download,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/issued/{serial}/pdf", tag = "issued",
    params(("serial" = String, Path, description = "The document's serial"), PdfQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PDF, with its QR code and its signed record attached", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = ApiError),
        (status = 404, description = "Unknown, or not this user's to have", body = ApiError),
        (status = 422, description = "A wrong check digit", body = ApiError),
    ))]
pub(in crate::api) async fn pdf(
    State(printing): State<Printing>,
    State(state): State<AppState>,
    SignedInUser(user): SignedInUser,
    Path(serial): Path<String>,
    Query(query): Query<PdfQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let serial = super::serial(&serial)?;
    let purpose = query.purpose();
    let pdf = printing
        .pdf(&user.principal, &serial, purpose, &state.site(&headers))
        .await?;
    Ok(crate::attachment::issued_pdf(pdf, purpose))
}
