//! `/dev-gateway/{authority}`: the development gateway's page, where a trial payment is
//! made or cancelled. Not found unless that gateway is in use (`--demo`, or
//! `--dev-payment-gateway`); marked «درگاه آزمایشی» on every screen.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "dev_gateway.html")]
struct DevGatewayView {
    layout: Layout,
    authority: String,
    amount: String,
    description: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    page: Page,
    Path(authority): Path<String>,
) -> Result<Response, AppError> {
    let gateway = state
        .services
        .payments
        .dev_gateway()
        .ok_or(AppError::NotFound)?;
    let order = gateway.order(&authority).ok_or(AppError::NotFound)?;
    let tr = page.layout.tr;
    page.render(&DevGatewayView {
        layout: page.layout.clone(),
        authority,
        amount: tr.t1("rials", "amount", &tr.number(order.amount_rials)),
        description: tr.digits(&order.description),
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct Decision {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(authority): Path<String>,
    Form(form): Form<Decision>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let gateway = state
        .services
        .payments
        .dev_gateway()
        .ok_or(AppError::NotFound)?;
    let back = gateway
        .decide(&authority, form.decision == "pay")
        .ok_or(AppError::NotFound)?;
    // The return address is absolute, as a real gateway needs it; this site's own is
    // followed as a path, so a proxy in front sees no change of host.
    let site = state.site(&headers);
    let back = back.strip_prefix(&site).unwrap_or(&back).to_owned();
    Ok(Redirect::to(&back).into_response())
}
