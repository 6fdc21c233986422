//! `POST /fire-safety-firms` (violation review) registers a fire-safety firm;
//! `GET /fire-safety-firms` (staff) lists them by name, each licence expired or not.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::Violations;
use daftar_core::violation::FireSafetyFirm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct FirmBody {
    #[schema(max_length = 200)]
    name: String,
    /// The legal entity's national ID (11 digits).
    #[schema(example = "10380284790", max_length = 20)]
    legal_id: String,
    #[schema(max_length = 40)]
    licence_number: String,
    /// Jalali, the licence's last valid day.
    #[schema(example = "1406-06-31", max_length = 12)]
    licence_valid_until: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FirmAnswer {
    name: String,
    legal_id: String,
    licence_number: String,
    licence_valid_until: String,
    /// The licence's last day has passed.
    expired: bool,
}

#[utoipa::path(post, path = "/api/v1/fire-safety-firms", tag = "staff", request_body = FirmBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered"),
        (status = 401, body = ApiError),
        (status = 403, description = "Not the violation-review unit", body = ApiError),
        (status = 409, description = "A firm with this legal ID is registered (`firm.registered`)", body = ApiError),
        (status = 422, description = "A field is wrong: the code names it", body = ApiError),
    ))]
pub(in crate::api) async fn register(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    ApiJson(body): ApiJson<FirmBody>,
) -> Result<StatusCode, AppError> {
    let firm = FireSafetyFirm::new(
        &body.name,
        &body.legal_id,
        &body.licence_number,
        &body.licence_valid_until,
    )
    .map_err(|error| AppError::Invalid(error.0))?;
    violations.register_firm(&user.principal, &firm).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/fire-safety-firms", tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every registered firm, by name", body = [FirmAnswer]),
        (status = 401, body = ApiError),
        (status = 403, description = "Not staff", body = ApiError),
    ))]
pub(in crate::api) async fn list(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
) -> Result<Json<Vec<FirmAnswer>>, AppError> {
    Ok(Json(
        violations
            .firms(&user.principal)
            .await?
            .into_iter()
            .map(|registered| FirmAnswer {
                name: registered.firm.name,
                legal_id: registered.firm.legal_id.as_str().to_owned(),
                licence_number: registered.firm.licence_number,
                licence_valid_until: registered.firm.licence_valid_until.to_string(),
                expired: registered.expired,
            })
            .collect(),
    ))
}
