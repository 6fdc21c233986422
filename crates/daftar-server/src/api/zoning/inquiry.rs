//! `GET /zoning/inquiry?lon=&lat=`: the inquiry (استعلام طرح تفصیلی) at a point, for staff.

use axum::Json;
use axum::extract::State;
use daftar_app::Zoning;
use daftar_app::zoning::{Inquiry, parse_point};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Bilingual, QueryParams};
use crate::auth::SignedInUser;
use crate::error::AppError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PointParams {
    /// Longitude, WGS 84 (east of Greenwich positive), as in GeoJSON.
    #[param(example = "51.425", max_length = 30)]
    lon: String,
    /// Latitude, WGS 84.
    #[param(example = "35.805", max_length = 30)]
    lat: String,
}

/// What the plan says at a place.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InquiryAnswer {
    /// The zoning map's version the answer comes from: a case records it.
    zoning_version: i64,
    rules_version: String,
    /// The rules were made up for a demo, not a municipality's plan.
    made_for_demo: bool,
    /// Empty when the place is off the map.
    zones: Vec<ZoneAnswer>,
    /// `worn_out_fabric`, `subdivision_ban`, `heritage`.
    flags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ZoneAnswer {
    #[schema(example = "R121")]
    code: String,
    /// `housing`, `activity`, `mixed` or `green`.
    family: String,
    name: Bilingual,
    /// The part of the place in this zone, 0 to 1.
    share: f64,
    max_density_pct: u32,
    max_occupancy_pct: u32,
    max_floors: u32,
    min_plot_m2: u32,
    /// Built area per parking space required; none when the zone needs no parking.
    parking_m2_per_space: Option<u32>,
    /// The uses the zone permits: `residential`, `commercial`, `office`, …
    uses: Vec<String>,
}

impl From<Inquiry> for InquiryAnswer {
    fn from(inquiry: Inquiry) -> InquiryAnswer {
        InquiryAnswer {
            zoning_version: inquiry.zoning_version,
            rules_version: inquiry.rules_version,
            made_for_demo: inquiry.made_for_demo,
            zones: inquiry
                .zones
                .into_iter()
                .map(|found| {
                    let zone = found.zone;
                    ZoneAnswer {
                        code: zone.code.to_string(),
                        family: zone.family.slug().to_owned(),
                        name: Bilingual::new(zone.name_fa, zone.name_en),
                        share: f64::from(found.share_permille) / 1000.0,
                        max_density_pct: zone.max_density_pct,
                        max_occupancy_pct: zone.max_occupancy_pct,
                        max_floors: zone.max_floors,
                        min_plot_m2: zone.min_plot_m2,
                        parking_m2_per_space: zone.parking.m2_per_space,
                        uses: zone
                            .uses
                            .iter()
                            .map(|part_use| part_use.slug().to_owned())
                            .collect(),
                    }
                })
                .collect(),
            flags: inquiry
                .flags
                .iter()
                .map(|flag| flag.slug().to_owned())
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/zoning/inquiry", tag = "zoning", params(PointParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = InquiryAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not staff: a point names no property", body = ApiError),
        (status = 422, description = "Not a longitude and latitude", body = ApiError),
        (status = 503, description = "No zoning map has been imported", body = ApiError),
    ))]
pub(super) async fn inquiry(
    State(zoning): State<Zoning>,
    SignedInUser(user): SignedInUser,
    QueryParams(params): QueryParams<PointParams>,
) -> Result<Json<InquiryAnswer>, AppError> {
    let (lon, lat) = parse_point(&params.lon, &params.lat)?;
    Ok(Json(
        zoning
            .inquire_at_point(&user.principal, lon, lat)
            .await?
            .into(),
    ))
}
