//! The HTTP layer's one error type, [`AppError`], and its one status mapping.
//!
//! A handler returns `AppError`; its response carries the error's code and arguments
//! as an extension, and [`with_error_body`], which the middleware every request passes
//! through ([`crate::edge`]) calls knowing the request's language and whether it came to
//! the API or to a page, writes the body: JSON
//! `{"error":{"code","message"}}` for the API, the error page otherwise. Internal errors
//! are logged once, here, and shown only as "something went wrong".

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use daftar_app::{AccountError, BillingError, CaseError};
use daftar_core::billing::PaymentOutcome;
use daftar_core::workflow::Refusal;
use jiff::Timestamp;

use crate::i18n::{self, Lang};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input (422). The code names the field and the rule, such as `mobile.invalid`.
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// A bad answer to one field of a form (422): the code and the field's name.
    #[error("invalid {field}: {code}")]
    InvalidField { code: &'static str, field: String },
    /// Wrong or missing credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Signed in without the right to this (403).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    /// Too many tries (429); the client may try again after `retry_after`.
    #[error("too many tries: {code}")]
    TooManyTries {
        code: &'static str,
        retry_after: Timestamp,
    },
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request is larger than its route takes (413): `request.too_large`, or
    /// `document.too_large` for one file.
    #[error("too large: {0}")]
    TooLarge(&'static str),
    /// The database does not answer (503).
    #[error("unavailable")]
    Unavailable,
    /// A service the request needs (the SMS gateway) did not take it (503); the code
    /// names it. Nothing was done, so the request may be made again.
    #[error("service down: {0}")]
    ServiceDown(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<daftar_store::StoreError> for AppError {
    fn from(error: daftar_store::StoreError) -> AppError {
        match error {
            daftar_store::StoreError::Conflict(what) => AppError::Conflict(what),
            daftar_store::StoreError::NotFound(_) => AppError::NotFound,
            error @ (daftar_store::StoreError::Database(_)
            | daftar_store::StoreError::Sqlite(_)
            | daftar_store::StoreError::Refused(_)
            | daftar_store::StoreError::TaskStopped(_)) => AppError::Internal(error.into()),
        }
    }
}

/// The cases' errors as statuses: a workflow's refusal by what it refuses.
impl From<CaseError> for AppError {
    fn from(error: CaseError) -> AppError {
        match error {
            CaseError::NotFound => AppError::NotFound,
            CaseError::NotAllowed(code) => AppError::Forbidden(code),
            CaseError::Changed => AppError::Conflict("case.changed"),
            CaseError::Invalid(code) => AppError::Invalid(code),
            CaseError::InvalidField { code, field } => AppError::InvalidField { code, field },
            // The API names the first; the pages list them all (web/cases/apply.rs).
            CaseError::InvalidFields(problems) => match problems.into_iter().next() {
                Some(first) => AppError::InvalidField {
                    code: first.code,
                    field: first.field,
                },
                None => AppError::Invalid("request.invalid"),
            },
            CaseError::Refused(refusal) => {
                let code = refusal.code();
                match refusal {
                    Refusal::NotYours => AppError::Forbidden(code),
                    Refusal::Closed | Refusal::NotNow | Refusal::AlreadyDecided => {
                        AppError::Conflict(code)
                    }
                    Refusal::MissingField(field) | Refusal::MissingDocument(field) => {
                        AppError::InvalidField { code, field }
                    }
                    Refusal::MissingWork(_) => AppError::Invalid(code),
                    Refusal::UnknownAction
                    | Refusal::DecisionRequired
                    | Refusal::CommentRequired => AppError::Invalid(code),
                }
            }
            CaseError::NoOffice => AppError::ServiceDown("office.none"),
            CaseError::Store(error) => error.into(),
            CaseError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<BillingError> for AppError {
    fn from(error: BillingError) -> AppError {
        match error {
            BillingError::Invalid(code) => AppError::Invalid(code),
            BillingError::NotFound => AppError::NotFound,
            BillingError::NotAllowed(code) => AppError::Forbidden(code),
            BillingError::PaymentRefused(PaymentOutcome::AmountMismatch) => {
                AppError::Invalid("payment.amount_mismatch")
            }
            BillingError::PaymentRefused(PaymentOutcome::BillCancelled) => {
                AppError::Conflict("payment.bill_cancelled")
            }
            BillingError::PaymentRefused(_) => AppError::Conflict("payment.already_paid"),
            BillingError::Store(error) => error.into(),
            BillingError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<daftar_app::PaymentError> for AppError {
    fn from(error: daftar_app::PaymentError) -> AppError {
        use daftar_app::PaymentError;
        match error {
            PaymentError::NotOffered | PaymentError::NotFound => AppError::NotFound,
            PaymentError::Invalid(code) => AppError::Invalid(code),
            PaymentError::NothingToPay(code) => AppError::Conflict(code),
            PaymentError::Tampered => AppError::Invalid("payment.tampered"),
            PaymentError::GatewayDown => AppError::ServiceDown("payment.gateway_down"),
            PaymentError::Store(error) => error.into(),
            PaymentError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<daftar_app::survey::SurveyError> for AppError {
    fn from(error: daftar_app::survey::SurveyError) -> AppError {
        use daftar_app::survey::SurveyError;
        match error {
            SurveyError::NotFound => AppError::NotFound,
            SurveyError::NotAllowed(code) => AppError::Forbidden(code),
            SurveyError::Invalid(code) => AppError::Invalid(code),
            SurveyError::Conflict(code) => AppError::Conflict(code),
            SurveyError::Store(error) => error.into(),
            SurveyError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<daftar_app::usage::UsageError> for AppError {
    fn from(error: daftar_app::usage::UsageError) -> AppError {
        use daftar_app::usage::UsageError;
        match error {
            UsageError::NotAllowed(code) => AppError::Forbidden(code),
            UsageError::Period(refused) => AppError::Invalid(refused.code()),
            UsageError::Store(error) => error.into(),
            UsageError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<daftar_app::ZoningError> for AppError {
    fn from(error: daftar_app::ZoningError) -> AppError {
        use daftar_app::ZoningError;
        match error {
            ZoningError::Invalid(code) => AppError::Invalid(code),
            ZoningError::NoMap => AppError::ServiceDown("zoning.no_map"),
            ZoningError::NotAllowed => AppError::Forbidden("zoning.staff_only"),
            ZoningError::NotFound => AppError::NotFound,
            ZoningError::Store(error) => error.into(),
            ZoningError::Refused(reason) => AppError::Internal(anyhow::anyhow!(reason)),
        }
    }
}

impl From<daftar_app::PropertyError> for AppError {
    fn from(error: daftar_app::PropertyError) -> AppError {
        use daftar_app::PropertyError;
        match error {
            PropertyError::Invalid(code) => AppError::Invalid(code),
            PropertyError::NotFound => AppError::NotFound,
            PropertyError::Store(error) => error.into(),
            PropertyError::Refused(reason) => AppError::Internal(anyhow::anyhow!(reason)),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> AppError {
        match error {
            AccountError::Invalid(code) => AppError::Invalid(code),
            AccountError::NotSignedIn(code) => AppError::Unauthorized(code),
            AccountError::NotRepresentative => AppError::Forbidden("auth.not_representative"),
            AccountError::Wait { code, until } => AppError::TooManyTries {
                code,
                retry_after: until,
            },
            AccountError::SecondFactorRequired => {
                AppError::Forbidden("auth.second_factor_required")
            }
            AccountError::Store(error) => error.into(),
            AccountError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<daftar_core::ir::IdError> for AppError {
    fn from(error: daftar_core::ir::IdError) -> AppError {
        AppError::Invalid(error.code())
    }
}

/// A file that could not be received, named by the field it came in: past the limit
/// (413, as the whole request would be), or not written (500).
pub fn received(error: daftar_app::files::ReceiveError, field: String) -> AppError {
    match error {
        daftar_app::files::ReceiveError::TooLarge => AppError::InvalidField {
            code: "document.too_large",
            field,
        },
        daftar_app::files::ReceiveError::Io(error) => AppError::Internal(error),
    }
}

/// A request axum could not read: too large for its route (413), or malformed (422).
fn unreadable(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("request.too_large")
    } else {
        AppError::Invalid("request.invalid")
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> AppError {
        unreadable(rejection.status())
    }
}

impl From<axum::extract::rejection::FormRejection> for AppError {
    fn from(rejection: axum::extract::rejection::FormRejection) -> AppError {
        unreadable(rejection.status())
    }
}

impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> AppError {
        unreadable(rejection.status())
    }
}

impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(_: axum::extract::rejection::PathRejection) -> AppError {
        AppError::NotFound
    }
}

impl From<axum::extract::multipart::MultipartRejection> for AppError {
    fn from(rejection: axum::extract::multipart::MultipartRejection) -> AppError {
        unreadable(rejection.status())
    }
}

impl From<axum::extract::multipart::MultipartError> for AppError {
    fn from(error: axum::extract::multipart::MultipartError) -> AppError {
        unreadable(error.status())
    }
}

/// What the middleware needs to write an error's body.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            // One file too large is refused as the whole request would have been.
            AppError::InvalidField {
                code: "document.too_large",
                ..
            } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) | AppError::InvalidField { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooManyTries { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable | AppError::ServiceDown(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, args) = match self {
            AppError::Invalid(code)
            | AppError::Unauthorized(code)
            | AppError::Forbidden(code)
            | AppError::Conflict(code)
            | AppError::TooLarge(code)
            | AppError::ServiceDown(code) => (*code, vec![]),
            AppError::InvalidField { code, field } => (*code, vec![("field", field.clone())]),
            AppError::NotFound => ("not_found", vec![]),
            AppError::TooManyTries { code, retry_after } => (
                *code,
                vec![("minutes", minutes_until(*retry_after).to_string())],
            ),
            AppError::Unavailable => ("unavailable", vec![]),
            AppError::Internal(_) => ("internal", vec![]),
        };
        ErrorBody { code, args }
    }
}

/// Whole minutes from now until `at`, at least one.
fn minutes_until(at: Timestamp) -> i64 {
    let seconds = at.as_second() - Timestamp::now().as_second();
    ((seconds + 59) / 60).max(1)
}

/// The translated message of an error code.
pub fn error_message(lang: Lang, body: &ErrorBody) -> String {
    let id = format!("err-{}", body.code.replace(['.', '_'], "-"));
    let message = i18n::message(lang, &id, &body.args);
    match lang {
        Lang::Fa => daftar_core::fa::to_persian_digits(&message),
        Lang::En => message,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(error) = &self {
            tracing::error!(
                error = format!("{error:#}"),
                "A request failed inside the server."
            );
        }
        let mut response = self.status().into_response();
        if let AppError::TooManyTries { retry_after, .. } = &self {
            let seconds = (retry_after.as_second() - Timestamp::now().as_second()).max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(self.body());
        response
    }
}

/// Writes the body of an error response, in the request's language: JSON for the API,
/// the error page otherwise. Other responses are returned as they are.
pub fn with_error_body(
    response: Response,
    lang: impl FnOnce() -> Lang,
    is_api: bool,
    path: &str,
    branding: &crate::app::Branding,
) -> Response {
    let Some(body) = response.extensions().get::<ErrorBody>().cloned() else {
        return response;
    };
    let lang = lang();
    let (mut parts, _) = response.into_parts();
    let message = error_message(lang, &body);
    let rendered = if is_api {
        let json = serde_json::json!({ "error": { "code": body.code, "message": message } });
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        json.to_string()
    } else {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        // The page's own layout when it was worked out (its user's header), else one
        // for nobody signed in.
        let layout = parts.extensions.remove::<crate::web::Layout>();
        crate::web::error_page(lang, branding, layout, parts.status, &message, path)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(rendered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use daftar_core::ir::IdError;

    /// Every code a response can carry, so each is checked for a message.
    const CODES: &[&str] = &[
        "request.invalid",
        "request.too_large",
        "code.format",
        "username.required",
        "password.required",
        "auth.wrong_code",
        "auth.now_locked",
        "auth.locked",
        "auth.wait",
        "auth.second_factor_required",
        "auth.not_representative",
        "auth.wrong_password",
        "auth.required",
        "auth.staff_only",
        "auth.forbidden",
        "auth.csrf",
        "username",
        "not_found",
        "unavailable",
        "internal",
        "rate_limited",
        "track.query",
        "district.invalid",
        "renewal_code.invalid",
        "renewal_code.district",
        "renewal_code.region",
        "renewal_code.block",
        "renewal_code.parcel",
        "renewal_code.building",
        "renewal_code.apartment",
        "renewal_code.shop",
        "paid_at.invalid",
        "trace_number.invalid",
        "payment.amount_mismatch",
        "payment.already_paid",
        "payment.bill_cancelled",
        "payment.expired",
        "queue.search",
        "queue.sort",
        "payment.refund",
        "payment.tampered",
        "payment.gateway_down",
        "office.none",
        "zoning.point",
        "zoning.plot_area",
        "zoning.setback",
        "case.needs_sketch",
        "zoning.query",
        "zoning.no_plot",
        "zoning.no_outline",
        "inquiry.formation_only",
        "inquiry.not_now",
        "inquiry.no_property",
        "visit.formation_only",
        "visit.not_now",
        "visit.day",
        "visit.slot",
        "visit.inspector",
        "visit.reason",
        "visit.slot_taken",
        "case.needs_inquiry",
        "case.needs_visit",
        "case.needs_map_order",
        "case.needs_not_buildable",
        "case.needs_violations_reviewed",
        "case.needs_first_ruling",
        "case.needs_appeal_ruling",
        "case.needs_objection_open",
        "case.needs_objection_closed",
        "case.needs_fines_settled",
        "case.needs_no_open_violation",
        "case.open_violation",
        "violation.objection_late",
        "violation.review_count",
        "violation.reason_required",
        "violation.reason_too_long",
        "violation.quantity",
        "violation.decision",
        "violation.review_not_now",
        "violation.no_sketch",
        "violation.no_property",
        "violation.property_not_registered",
        "ruling.item_count",
        "ruling.restore_use_only",
        "ruling.amount",
        "ruling.amount_thousands",
        "ruling.total_too_large",
        "violation.served_date",
        "ruling.outside_range",
        "ruling.number",
        "ruling.date",
        "ruling.date_future",
        "ruling.not_now",
        "ruling.secretary_only",
        "ruling.decision",
        "ruling.none",
        "permit.number",
        "permit.no_floors",
        "permit.level",
        "permit.same_level",
        "permit.area",
        "permit.parking",
        "permit.use",
        "permit.drafting_only",
        "permit.floor_line",
        "firm.name",
        "firm.legal_id",
        "firm.licence",
        "firm.valid_until",
        "firm.registered",
        "firm.violation_review_only",
        "letter.not_allowed",
        "letter.number",
        "letter.date",
        "letter.summary",
        "letter.case_open",
        "letter.property_not_registered",
        "violation.no_fine_values",
        "case.needs_unpaid_commercial_fine",
        "case.needs_defence_open",
        "case.needs_session_held",
        "case.needs_renewal_paid",
        "case.checklist_open",
        "checklist.not_yours",
        "checklist.no_item",
        "checklist.settled_by_fees",
        "checklist.document_required",
        "checklist.ticked",
        "permit.no_tariff",
        "permit.fee_too_large",
        "permit.fees_billed",
        "permit.field_too_long",
        "case.no_documents_for_action",
        "ruling.before_session",
        "violation.defence_late",
        "violation.session_date",
        "violation.session_after_defence",
        "sketch.inspectors_only",
        "sketch.not_now",
        "sketch.location",
        "sketch.use",
        "sketch.no_floors",
        "sketch.too_many_floors",
        "sketch.level",
        "sketch.same_level",
        "sketch.no_parts",
        "sketch.too_many_parts",
        "sketch.too_few_corners",
        "sketch.too_many_corners",
        "sketch.bad_coordinate",
        "sketch.not_closed",
        "sketch.self_intersecting",
        "sketch.no_area",
        "sketch.overlapping",
        "sketch.edge_count",
        "sketch.bad_edge",
        "sketch.edge_mismatch",
        "sketch.text_empty",
        "sketch.text_level",
        "sketch.text_use",
        "sketch.text_colon",
        "sketch.text_corner",
        "sketch.text_edge",
        "zoning.no_map",
        "zoning.staff_only",
        "clearance.not_owner",
        "clearance.unpaid_bills",
        "clearance_code.format",
        "clearance_code.check_digit",
        "serial.format",
        "serial.check_digit",
        "issued.revoke_not_allowed",
        "issued.reason",
        "issued.already_revoked",
        "issued.reissue_not_allowed",
        "issued.not_current",
        "issued.lapsed",
        "issued.extensions_used",
        "issued.not_extendable",
        "issued.not_reissuable",
        "outage.order",
        "outage.past",
        "outage.too_long",
        "outage.affected",
        "outage.admin_only",
        "outage.when",
        "survey.missing",
        "survey.score",
        "survey.unknown_item",
        "survey.remark_too_long",
        "survey.not_closed",
        "survey.answered",
        "survey.lapsed",
        "survey.month",
        "complaint.kind",
        "complaint.sign_in",
        "complaint.text_missing",
        "complaint.text_too_long",
        "complaint.too_many_files",
        "complaint.location",
        "complaint.service_missing",
        "complaint.service_unknown",
        "complaint.staff_missing",
        "complaint.staff_unknown",
        "complaint.staff_not_asked",
        "complaint.assign_named",
        "open311.too_many_ids",
        "complaint.tracking_code",
        "complaint.use_form",
        "case.action_spent",
        "case.action_lapsed",
        "conduct.not_allowed",
        "open311.admin_only",
        "open311.client_name",
        "open311.window",
        "open311.service_code",
        "open311.key",
        "usage.head_only",
        "usage.order",
        "usage.too_long",
        "usage.day",
        "case.closed",
        "case.unknown_action",
        "case.not_now",
        "case.not_yours",
        "case.already_decided",
        "case.decision_required",
        "case.comment_required",
        "case.missing_field",
        "case.missing_document",
        "case.changed",
        "case.applicants_only",
        "case.decision",
        "case.assignee",
        "service.instant",
        "field.unknown",
        "field.not_for_action",
        "field.required",
        "field.too_long",
        "field.number",
        "field.date",
        "field.option",
        "field.area",
        "document.kind",
        "document.required",
        "document.empty",
        "document.too_large",
        "document.too_many_for_case",
        "document.too_many_today",
        "document.type",
        "document.base64",
        "tracking_code.format",
        "tracking_code.check_digit",
    ];

    const ID_ERRORS: &[IdError] = &[
        IdError::NationalIdFormat,
        IdError::NationalIdInvalid,
        IdError::LegalIdFormat,
        IdError::LegalIdInvalid,
        IdError::MobileInvalid,
        IdError::BillIdFormat,
        IdError::BillIdCheckDigit,
        IdError::BillIdServiceType,
        IdError::PaymentIdFormat,
        IdError::PaymentIdCheckDigit,
        IdError::PaymentIdPair,
        IdError::PaymentAmount,
        IdError::PaymentPeriod,
        IdError::BarcodeFormat,
        IdError::ShebaFormat,
        IdError::ShebaChecksum,
        IdError::PostalCodeInvalid,
        IdError::PlateInvalid,
    ];

    #[test]
    fn every_error_code_has_a_message_in_persian_and_english() {
        let codes = CODES
            .iter()
            .copied()
            .chain(ID_ERRORS.iter().map(IdError::code));
        for code in codes {
            let body = ErrorBody {
                code,
                args: vec![
                    ("minutes", "3".into()),
                    ("field", "x".into()),
                    ("count", "2".into()),
                ],
            };
            for lang in [Lang::Fa, Lang::En] {
                let message = error_message(lang, &body);
                assert!(
                    !message.starts_with("err-"),
                    "{code} has no {lang:?} message"
                );
            }
        }
    }

    #[test]
    fn persian_messages_write_numbers_in_persian_digits() {
        let body = ErrorBody {
            code: "auth.locked",
            args: vec![("minutes", "15".into())],
        };
        assert!(error_message(Lang::Fa, &body).contains("۱۵"));
        assert!(error_message(Lang::En, &body).contains("15"));
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let error = AppError::Internal(anyhow::anyhow!("password=hunter2 connection refused"));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let message = error_message(Lang::En, &error.body());
        assert!(!message.contains("hunter2"));
    }
}
