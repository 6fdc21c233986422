//! `POST /properties/{district}/{renewal_code}/permit`: what a property's permit allowed
//! (floors with area and use, parking spaces), recorded by permit drafting or the register
//! import, so that a later sketch of the property is compared with it.

use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::Violations;
use daftar_app::property::parse_property;
use daftar_core::sketch::PartUse;
use daftar_core::violation::{PermitAllowance, PermitFloor};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PermitBody {
    #[schema(example = "1405-0101-2231", max_length = 40)]
    number: String,
    #[schema(min_items = 1, max_items = 70)]
    floors: Vec<PermitFloorBody>,
    #[schema(minimum = 0, maximum = 2000)]
    parking_spaces: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PermitFloorBody {
    /// 0 the ground floor, −1 the first basement.
    #[schema(minimum = -5, maximum = 60)]
    level: i16,
    #[schema(example = 120.5)]
    area_m2: f64,
    /// `residential`, `commercial`, `office`, `parking`, `storage`, `common` or `other`.
    #[serde(rename = "use")]
    #[schema(pattern = "^(residential|commercial|office|parking|storage|common|other)$")]
    floor_use: String,
}

#[utoipa::path(post, path = "/api/v1/properties/{district}/{renewal_code}/permit", tag = "properties",
    request_body = PermitBody,
    params(
        ("district" = String, Path, description = "The municipal district"),
        ("renewal_code" = String, Path, description = "The property's renewal code"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The permit recorded, replacing the one before"),
        (status = 401, body = ApiError),
        (status = 403, description = "Not permit drafting or the system admin", body = ApiError),
        (status = 422, description = "A malformed property or permit: the code names the rule", body = ApiError),
    ))]
pub(in crate::api) async fn record(
    State(violations): State<Violations>,
    SignedInUser(user): SignedInUser,
    Path((district, renewal_code)): Path<(String, String)>,
    ApiJson(body): ApiJson<PermitBody>,
) -> Result<StatusCode, AppError> {
    let (district, code) = parse_property(&district, &renewal_code)?;
    let mut floors = Vec::with_capacity(body.floors.len());
    for floor in body.floors {
        let floor_use = PartUse::from_slug(&floor.floor_use).ok_or(AppError::InvalidField {
            code: "permit.use",
            field: floor.level.to_string(),
        })?;
        floors.push(
            PermitFloor::from_m2(floor.level, floor.area_m2, floor_use)
                .map_err(|error| AppError::Invalid(error.code()))?,
        );
    }
    let permit = PermitAllowance::new(&body.number, floors, body.parking_spaces)
        .map_err(|error| AppError::Invalid(error.code()))?;
    violations
        .record_permit(&user.principal, district, &code, &permit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
