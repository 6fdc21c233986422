//! `GET /payments/{reference}/return`: the citizen back from the gateway, with the
//! gateway's `Authority` and `Status` in the query. The payment is checked and the
//! citizen sent on to the receipt.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Payments;
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::Path;
use crate::query::QueryParams;

/// What a gateway adds to the return address (Zarinpal's names).
#[derive(Debug, Default, Deserialize)]
pub(super) struct GatewayReturn {
    #[serde(rename = "Authority", default)]
    authority: String,
    #[serde(rename = "Status", default)]
    status: String,
}

pub(super) async fn finish(
    State(payments): State<Payments>,
    Path(reference): Path<String>,
    QueryParams(back): QueryParams<GatewayReturn>,
) -> Result<Response, AppError> {
    payments
        .finish(&reference, &back.authority, back.status == "OK")
        .await?;
    Ok(Redirect::to(&format!("/payments/{reference}")).into_response())
}
