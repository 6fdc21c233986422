//! `POST /cases/{id}/ruling` from the case page: the commission's secretary records the
//! ruling (a draft until the workflow's «issue» action); refused, the page comes back with
//! what was typed and the message.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use daftar_app::Violations;
use daftar_app::violation::RulingRequest;
use daftar_core::violation::{ReviewedViolation, RulingDecision, RulingItem};

use crate::app::AppState;
use crate::error::AppError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::web::Page;
use crate::web::cases::{WorkForms, case_page_refused};

#[derive(Debug, Clone, Default)]
pub struct RulingForm {
    pub appeal: bool,
    pub number: String,
    pub date: String,
    pub items: Vec<RulingFormItem>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RulingFormItem {
    pub n: usize,
    pub title: String,
    /// The violation's fine range, to decide within.
    pub range: String,
    /// `fine`, `demolition` or `restore_use`.
    pub decision: String,
    pub amount: String,
    pub reason: String,
    /// Whether restoring the use may be ruled (a change of use).
    pub restorable: bool,
}

pub(super) fn form(
    tr: &Tr,
    appeal: bool,
    standing: &[&ReviewedViolation],
    typed: Option<RulingForm>,
) -> RulingForm {
    if let Some(typed) = typed {
        return typed;
    }
    RulingForm {
        appeal,
        number: String::new(),
        date: daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).to_string(),
        items: standing
            .iter()
            .enumerate()
            .map(|(n, reviewed)| {
                let violation = &reviewed.violation;
                let row = super::row(tr, n, violation);
                RulingFormItem {
                    n: n + 1,
                    title: super::title(tr, n, violation),
                    range: row.fine,
                    decision: if violation.note.demolishes() {
                        "demolition".into()
                    } else {
                        "fine".into()
                    },
                    amount: String::new(),
                    reason: String::new(),
                    restorable: violation.kind
                        == daftar_core::violation::ViolationKind::ChangeOfUse,
                }
            })
            .collect(),
        error: None,
    }
}

pub(super) async fn rule(
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
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let item = |name: &str, n: usize| field(&format!("{name}_{n}"));
    let attempt = async {
        let version = field("version")
            .parse::<i64>()
            .map_err(|_| AppError::Invalid("request.invalid"))?;
        let mut items = Vec::with_capacity(count);
        for n in 1..=count {
            let decision = match item("decision", n).as_str() {
                "demolition" => RulingDecision::Demolition,
                "restore_use" => RulingDecision::RestoreUse,
                "fine" => {
                    let digits: String = daftar_core::fa::normalize_digits(&item("amount", n))
                        .chars()
                        .filter(|c| !matches!(c, ',' | '\u{066C}' | ' '))
                        .collect();
                    let amount_rials =
                        digits.parse::<i64>().map_err(|_| AppError::InvalidField {
                            code: "ruling.amount",
                            field: n.to_string(),
                        })?;
                    RulingDecision::Fine { amount_rials }
                }
                _ => {
                    return Err(AppError::InvalidField {
                        code: "ruling.decision",
                        field: n.to_string(),
                    });
                }
            };
            items.push(RulingItem {
                decision,
                outside_range_reason: Some(item("reason", n)),
            });
        }
        violations
            .rule(
                &user.principal,
                id,
                &RulingRequest {
                    expected_version: version,
                    number: field("number"),
                    date: field("date"),
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
            let typed = RulingForm {
                appeal: field("appeal") == "1",
                number: field("number"),
                date: field("date"),
                items: (1..=count)
                    .map(|n| RulingFormItem {
                        n,
                        title: item("title", n),
                        range: item("range", n),
                        decision: item("decision", n),
                        amount: item("amount", n),
                        reason: item("reason", n),
                        restorable: item("restorable", n) == "1",
                    })
                    .collect(),
                error: Some(message),
            };
            let forms = WorkForms {
                ruling: Some(typed),
                ..WorkForms::default()
            };
            case_page_refused(&state, &page, id, status, forms).await
        }
    }
}
