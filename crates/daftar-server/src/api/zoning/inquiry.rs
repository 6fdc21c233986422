//! `GET /zoning/inquiry?district=&renewal_code=` or `?lon=&lat=`: the inquiry (استعلام
//! طرح تفصیلی) about a property, for staff and its owners, or at a point, for staff.

use axum::Json;
use axum::extract::State;
use daftar_app::Zoning;
use daftar_app::property::parse_property;
use daftar_app::zoning::{Inquiry, parse_point};
use daftar_core::zoning::MapOrder;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Bilingual, QueryParams};
use crate::auth::SignedInUser;
use crate::error::AppError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InquiryParams {
    /// The property's municipal district, with `renewal_code`.
    #[param(example = "1", max_length = 10)]
    district: Option<String>,
    /// The property's renewal code, with `district`.
    #[param(example = "01-101-12-0", max_length = 40)]
    renewal_code: Option<String>,
    /// Longitude, WGS 84 (east of Greenwich positive), as in GeoJSON; with `lat`, for
    /// staff.
    #[param(example = "51.425", max_length = 30)]
    lon: Option<String>,
    /// Latitude, WGS 84.
    #[param(example = "35.805", max_length = 30)]
    lat: Option<String>,
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
    /// What the street takes on each side of the property, when its record has it.
    setbacks: Vec<SetbackAnswer>,
    /// The property's map order; absent for a point.
    map_order: Option<MapOrderAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SetbackAnswer {
    /// `north`, `south`, `east` or `west`.
    side: String,
    depth_m: f64,
    frontage_m: f64,
}

/// What may be built on the plot (دستور نقشه); areas in m².
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MapOrderAnswer {
    deed_area_m2: f64,
    setback_area_m2: f64,
    /// After the setback: what density and occupancy are reckoned on.
    remaining_area_m2: f64,
    /// The most one floor may cover.
    floor_area_m2: f64,
    /// The most that may be built in all.
    total_built_m2: f64,
    floors: u32,
    parking_spaces: u32,
    /// The plot is below a zone's minimum: plan approval must look at it.
    below_min_plot: bool,
    /// Whether anything may be built (else the non-eligibility notice, عدم قابلیت).
    buildable: bool,
}

impl From<&MapOrder> for MapOrderAnswer {
    fn from(order: &MapOrder) -> MapOrderAnswer {
        let m2 = |centi: i64| centi as f64 / 100.0;
        MapOrderAnswer {
            deed_area_m2: m2(order.deed_area_centi_m2),
            setback_area_m2: m2(order.setback_area_centi_m2),
            remaining_area_m2: m2(order.remaining_area_centi_m2),
            floor_area_m2: m2(order.floor_area_centi_m2),
            total_built_m2: m2(order.total_built_centi_m2),
            floors: order.floors,
            parking_spaces: order.parking_spaces,
            below_min_plot: order.below_min_plot,
            buildable: order.buildable,
        }
    }
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
        let map_order = inquiry
            .property_map_order()
            .as_ref()
            .map(MapOrderAnswer::from);
        InquiryAnswer {
            map_order,
            setbacks: inquiry
                .setbacks
                .iter()
                .map(|setback| SetbackAnswer {
                    side: setback.side.slug().to_owned(),
                    depth_m: setback.depth_cm as f64 / 100.0,
                    frontage_m: setback.frontage_cm as f64 / 100.0,
                })
                .collect(),
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

#[utoipa::path(get, path = "/api/v1/zoning/inquiry", tag = "zoning", params(InquiryParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = InquiryAnswer),
        (status = 401, body = ApiError),
        (status = 403, description = "Not staff: a point names no property", body = ApiError),
        (status = 404, description = "No such property, or not the asker's", body = ApiError),
        (status = 422, description = "Neither a property nor a point; a malformed renewal code (the code names the part) or point; a property with no plot outline", body = ApiError),
        (status = 503, description = "No zoning map has been imported", body = ApiError),
    ))]
pub(super) async fn inquiry(
    State(zoning): State<Zoning>,
    SignedInUser(user): SignedInUser,
    QueryParams(params): QueryParams<InquiryParams>,
) -> Result<Json<InquiryAnswer>, AppError> {
    let inquiry = match (
        &params.district,
        &params.renewal_code,
        &params.lon,
        &params.lat,
    ) {
        (Some(district), Some(code), _, _) => {
            let (district, code) = parse_property(district, code)?;
            zoning
                .inquire_property(&user.principal, district, &code)
                .await?
        }
        (_, _, Some(lon), Some(lat)) => {
            let (lon, lat) = parse_point(lon, lat)?;
            zoning.inquire_at_point(&user.principal, lon, lat).await?
        }
        _ => return Err(AppError::Invalid("zoning.query")),
    };
    Ok(Json(inquiry.into()))
}
