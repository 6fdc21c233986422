//! `POST /cases/{id}/sketch`: the inspector records a sketch of the building, floor by
//! floor, each part a polygon in local metres (x east, y north); the server checks it and
//! works out the areas.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use daftar_app::Sketches;
use daftar_app::sketch::SketchRequest;
use daftar_core::sketch::{FloorInput, PartInput, PartUse, SketchInput};
use serde::Deserialize;
use utoipa::ToSchema;

use super::SketchAnswer;
use crate::api::cases::case_id;
use crate::api::{ApiError, ApiJson};
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SketchBody {
    /// The case's version the inspector saw.
    version: i64,
    #[schema(min_items = 1, max_items = 60)]
    floors: Vec<FloorBody>,
    location: Option<LocationBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct FloorBody {
    /// 0 the ground floor, −1 the first basement, 1 the first floor up.
    #[schema(minimum = -10, maximum = 80)]
    level: i16,
    #[schema(min_items = 1, max_items = 40)]
    parts: Vec<PartBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PartBody {
    /// `residential`, `commercial`, `office`, `parking`, `storage`, `common` or `other`.
    #[serde(rename = "use")]
    #[schema(pattern = "^(residential|commercial|office|parking|storage|common|other)$")]
    part_use: String,
    /// The corners in metres, the last the same as the first.
    #[schema(min_items = 4, max_items = 201)]
    corners: Vec<[f64; 2]>,
    /// The measured length of each edge in metres, in the corners' order; they must agree
    /// with the corners within 5 cm or 1%.
    #[schema(max_items = 200)]
    edges_m: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LocationBody {
    #[schema(minimum = -90, maximum = 90)]
    lat: f64,
    #[schema(minimum = -180, maximum = 180)]
    lon: f64,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/sketch", tag = "cases", request_body = SketchBody,
    params(("id" = i64, Path, description = "The case's id")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The sketch kept, with its areas", body = SketchAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not an inspector of the case's office, or the case is not at inspection", body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, description = "The case changed since the version given", body = ApiError),
        (status = 422, description = "The sketch does not hold: the code says what, the field names the floor, part and corner or edge", body = ApiError),
    ))]
pub(in crate::api) async fn record(
    State(sketches): State<Sketches>,
    SignedInUser(user): SignedInUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SketchBody>,
) -> Result<(StatusCode, Json<SketchAnswer>), AppError> {
    let id = case_id(&id)?;
    let floors = body
        .floors
        .into_iter()
        .map(|floor| {
            let parts = floor
                .parts
                .into_iter()
                .map(|part| {
                    Ok(PartInput {
                        part_use: PartUse::from_slug(&part.part_use)
                            .ok_or(AppError::Invalid("sketch.use"))?,
                        corners: part.corners,
                        edges_m: part.edges_m,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(FloorInput {
                level: floor.level,
                parts,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let request = SketchRequest {
        expected_version: body.version,
        sketch: SketchInput { floors },
        location: body.location.map(|at| (at.lat, at.lon)),
    };
    let recorded = sketches.record(&user.principal, id, &request).await?;
    Ok((StatusCode::CREATED, Json(SketchAnswer::of(&recorded))))
}
