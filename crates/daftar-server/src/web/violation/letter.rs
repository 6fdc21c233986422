//! `POST /properties/{district}/{renewal_code}/registry-letter` from the property file: the
//! violation-review unit (or formation) types in a registry letter — its number, date and
//! what it says differs — with its scan, which opens a violation case on the property for
//! the owner the register names. Refused, the file comes back with what was typed.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::cases::Upload;
use daftar_app::property::parse_property;
use daftar_app::violation::{RegistryLetter, may_record_letters};

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Multipart, Path};
use crate::web::Page;
use crate::web::cases::multipart::read_multipart;
use crate::web::property::{FileForms, file_response};

/// The registry letter's form on the property file, as typed.
#[derive(Debug, Clone, Default)]
pub struct LetterForm {
    pub number: String,
    pub date: String,
    pub summary: String,
    pub error: Option<String>,
}

pub(super) async fn open(
    State(state): State<AppState>,
    page: Page,
    Path((district, renewal_code)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (district, code) = parse_property(&district, &renewal_code)?;
    let mut typed = LetterForm::default();
    // Nobody's scan is read before they are known to be signed in and to record letters.
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    if !user.staff().is_some_and(may_record_letters) {
        return Err(AppError::Forbidden("letter.not_allowed"));
    }
    let attempt = async {
        let submitted = read_multipart(&state.services.cases, multipart).await?;
        let text = |name: &str| submitted.text.get(name).cloned().unwrap_or_default();
        page.csrf.verify(&text("csrf"))?;
        typed.number = text("number");
        typed.date = text("date");
        typed.summary = text("summary");
        let (_, file_name, content) = submitted
            .files
            .into_iter()
            .find(|(name, _, content)| name == "scan" && content.size() > 0)
            .ok_or(AppError::InvalidField {
                code: "document.required",
                field: "scan".into(),
            })?;
        let letter = RegistryLetter {
            number: typed.number.clone(),
            date: typed.date.clone(),
            summary: typed.summary.clone(),
            scan: Upload {
                kind: String::new(),
                file_name,
                content,
            },
        };
        state
            .services
            .violations
            .open_from_registry_letter(&user.principal, district, &code, letter)
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id.0)).into_response()),
        Err(error @ (AppError::Unauthorized(_) | AppError::Forbidden(_))) => Err(error),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let forms = FileForms {
                letter: Some(LetterForm {
                    error: Some(message),
                    ..typed
                }),
                ..Default::default()
            };
            file_response(&state, page, district, &code, forms, status).await
        }
    }
}
