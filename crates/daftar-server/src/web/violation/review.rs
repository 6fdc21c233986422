//! `POST /cases/{id}/violations/review` from the case page: the violation-review unit's
//! word on each computed violation; refused, the page comes back with what was typed.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Violations;
use daftar_app::violation::{ReviewInput, ReviewRequest};
use daftar_core::violation::{ReviewDecision, Unit, Violation};

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::web::Page;
use crate::web::cases::{WorkForms, case_page_refused};

/// The review form: one fieldset a computed violation.
#[derive(Debug, Clone, Default)]
pub struct ReviewForm {
    pub items: Vec<ReviewFormItem>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewFormItem {
    pub n: usize,
    pub title: String,
    /// `confirmed`, `corrected` or `dismissed`.
    pub decision: String,
    pub quantity: String,
    /// «m²», or «count» for a count.
    pub unit: String,
    pub reason: String,
}

pub(super) fn form(tr: &Tr, computed: &[Violation], typed: Option<ReviewForm>) -> ReviewForm {
    if let Some(typed) = typed {
        return typed;
    }
    ReviewForm {
        items: computed
            .iter()
            .enumerate()
            .map(|(n, violation)| ReviewFormItem {
                n: n + 1,
                title: super::title(tr, n, violation),
                decision: "confirmed".into(),
                quantity: String::new(),
                unit: match violation.unit {
                    Unit::M2 => tr.t("unit-m2"),
                    Unit::Count => tr.t("unit-count"),
                },
                reason: String::new(),
            })
            .collect(),
        error: None,
    }
}

pub(super) async fn review(
    State(state): State<AppState>,
    State(violations): State<Violations>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    page.csrf
        .verify(form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let Some(user) = page.user.as_ref() else {
        return Err(AppError::Unauthorized("auth.required"));
    };
    let id = crate::web::cases::case_id(&id)?;
    let count = form
        .get("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0)
        .min(200);
    let field = |name: &str, n: usize| {
        form.get(&format!("{name}_{n}"))
            .cloned()
            .unwrap_or_default()
    };
    let attempt = async {
        let version = form
            .get("version")
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or(AppError::Invalid("request.invalid"))?;
        let mut items = Vec::with_capacity(count);
        for n in 1..=count {
            let decision =
                ReviewDecision::from_slug(&field("decision", n)).ok_or(AppError::InvalidField {
                    code: "violation.decision",
                    field: n.to_string(),
                })?;
            let quantity = field("quantity", n);
            let quantity = match quantity.trim() {
                "" => None,
                text => Some(daftar_core::fa::parse_decimal(text).ok_or(
                    AppError::InvalidField {
                        code: "violation.quantity",
                        field: n.to_string(),
                    },
                )?),
            };
            items.push(ReviewInput {
                decision,
                quantity,
                reason: Some(field("reason", n)),
            });
        }
        violations
            .review(
                &user.principal,
                id,
                &ReviewRequest {
                    expected_version: version,
                    items,
                },
            )
            .await
            .map_err(AppError::from)
    };
    match attempt.await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{}?done=1#violations", id.0)).into_response()),
        Err(error) => {
            let (status, message) = page.form_error(error)?;
            let typed = ReviewForm {
                items: (1..=count)
                    .map(|n| ReviewFormItem {
                        n,
                        title: field("title", n),
                        decision: field("decision", n),
                        quantity: field("quantity", n),
                        unit: field("unit", n),
                        reason: field("reason", n),
                    })
                    .collect(),
                error: Some(message),
            };
            let forms = WorkForms {
                review: Some(typed),
                ..WorkForms::default()
            };
            case_page_refused(&state, &page, id, status, forms).await
        }
    }
}
