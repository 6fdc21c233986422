//! `POST /bills/pay`: the citizen handed to the gateway to pay a bill.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::Form;
use crate::web::Page;

#[derive(Debug, Deserialize)]
pub(super) struct PayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bill_id: String,
    #[serde(default)]
    payment_id: String,
}

pub(super) async fn pay(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Form(form): Form<PayForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let site = state.site(&headers);
    let pay_url = state
        .services
        .payments
        .pay(&form.bill_id, &form.payment_id, &site)
        .await?;
    // A page of this site (the development gateway) is a redirect. The pages' policy
    // lets a form lead only to this site, redirects included, so another site's gateway
    // is reached from a page that goes on to it by itself, with a link besides.
    if pay_url.starts_with('/') {
        return Ok(Redirect::to(&pay_url).into_response());
    }
    page.render(&ToGateway {
        layout: page.layout.clone(),
        pay_url,
    })
}

#[derive(askama::Template)]
#[template(path = "to_gateway.html")]
struct ToGateway {
    layout: crate::web::Layout,
    pay_url: String,
}
