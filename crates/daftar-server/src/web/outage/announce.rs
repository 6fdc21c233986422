//! `POST /outages` and `POST /outages/{id}/withdrawal`: the system admin announces a
//! planned outage (Jalali days and Tehran times, what is affected in both languages) or
//! withdraws one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::outage::Outages;
use daftar_core::calendar::JalaliDate;
use jiff::Timestamp;
use serde::Deserialize;

use super::list::{AnnounceForm, render};
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;

/// A Jalali day and an `HH:MM` on Tehran's clock, typed in either script.
fn moment(day: &str, time: &str) -> Result<Timestamp, AppError> {
    let refused = || AppError::Invalid("outage.when");
    let day =
        JalaliDate::parse(&daftar_core::fa::normalize_digits(day.trim())).map_err(|_| refused())?;
    let time = daftar_core::fa::normalize_digits(time.trim());
    let (hour, minute) = time.split_once(':').ok_or_else(refused)?;
    let hour = hour.parse::<u8>().map_err(|_| refused())?;
    let minute = minute.parse::<u8>().map_err(|_| refused())?;
    day.at_tehran_time(hour, minute).ok_or_else(refused)
}

pub(super) async fn announce(
    State(outages): State<Outages>,
    page: Page,
    Form(form): Form<AnnounceForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    // Nobody else's typing is read, nor shown back with the admin's form.
    outages.may_announce(&user.principal)?;
    let attempt = async {
        let from = moment(&form.from_day, &form.from_time)?;
        let to = moment(&form.to_day, &form.to_time)?;
        outages
            .announce(
                &user.principal,
                from,
                to,
                &form.affected_fa,
                &form.affected_en,
            )
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(id) => Ok(Redirect::to(&format!("/outages?done=1#outage-{id}")).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            render(&outages, &page, status, Some((form, Some(message))), None).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

pub(super) async fn withdraw(
    State(outages): State<Outages>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    outages.withdraw(&user.principal, id).await?;
    Ok(Redirect::to("/outages?done=1").into_response())
}
