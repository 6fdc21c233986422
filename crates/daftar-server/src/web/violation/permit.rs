//! `POST /properties/{district}/{renewal_code}/permit` from the property file: permit
//! drafting records what the property's permit allowed — its number, the parking spaces,
//! and a floor a line (`1 residential 114`: level, use, area in m²) — so that a later
//! sketch is compared with it. Refused, the file comes back with what was typed.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::property::parse_property;
use daftar_core::sketch::PartUse;
use daftar_core::violation::{PermitAllowance, PermitFloor};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::web::Page;

/// Permit drafting's form on the property file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PermitForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub parking: String,
    /// A floor a line: level, use (its slug or Persian name), area in m².
    #[serde(default)]
    pub floors: String,
    #[serde(skip)]
    pub error: Option<String>,
}

/// The floors as typed, one a line; a bad line is refused naming its number.
fn parse_floors(text: &str) -> Result<Vec<PermitFloor>, AppError> {
    let bad = |n: usize| AppError::InvalidField {
        code: "permit.floor_line",
        field: n.to_string(),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            let line = daftar_core::fa::normalize_digits(line);
            let words: Vec<&str> = line.split_whitespace().collect();
            let [level, floor_use, area] = words[..] else {
                return Err(bad(n + 1));
            };
            let level = level
                .replace('−', "-")
                .parse::<i16>()
                .map_err(|_| bad(n + 1))?;
            let floor_use = PartUse::from_slug(floor_use)
                .or_else(|| PartUse::ALL.into_iter().find(|u| u.name().fa == floor_use))
                .ok_or_else(|| bad(n + 1))?;
            let area = daftar_core::fa::parse_decimal(area).ok_or_else(|| bad(n + 1))?;
            PermitFloor::from_m2(level, area, floor_use).map_err(|_| bad(n + 1))
        })
        .collect()
}

pub(super) async fn record(
    State(state): State<AppState>,
    page: Page,
    Path((district, renewal_code)): Path<(String, String)>,
    Form(form): Form<PermitForm>,
) -> Result<Response, AppError> {
    page.csrf.verify(&form.csrf)?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let (district, code) = parse_property(&district, &renewal_code)?;
    let attempt = async {
        let parking = daftar_core::fa::normalize_digits(form.parking.trim())
            .parse::<u32>()
            .map_err(|_| AppError::Invalid("permit.parking"))?;
        let permit = PermitAllowance::new(&form.number, parse_floors(&form.floors)?, parking)
            .map_err(|error| AppError::Invalid(error.code()))?;
        state
            .services
            .violations
            .record_permit(&user.principal, district, &code, &permit)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/properties/{district}/{}?recorded=1#permit",
            code.as_str()
        ))
        .into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let forms = crate::web::property::FileForms {
                permit: Some(PermitForm {
                    error: Some(message),
                    ..form
                }),
                ..Default::default()
            };
            crate::web::property::file_response(&state, page, district, &code, forms, status).await
        }
    }
}
