//! `/staff/zoning?lon=&lat=`: what the detailed plan says at a point, for staff (the API's
//! `GET /api/v1/zoning/inquiry` as a page).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::zoning::{Inquiry, parse_plot, parse_point};
use daftar_app::{Zoning, ZoningError};
use daftar_core::zoning::MapOrder;
use serde::Deserialize;

use crate::error::AppError;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Debug, Default, Deserialize)]
pub(super) struct PointQuery {
    #[serde(default)]
    lon: String,
    #[serde(default)]
    lat: String,
    /// A plot there, for its map order: the deed's area (m²), and a setback's depth and
    /// frontage (m).
    #[serde(default)]
    area: String,
    #[serde(default)]
    depth: String,
    #[serde(default)]
    frontage: String,
}

/// The map order of the plot typed, as the page shows it.
struct OrderView {
    remaining: String,
    setback: String,
    floor_area: String,
    total_built: String,
    floors: String,
    parking: String,
    below_min_plot: bool,
    buildable: bool,
}

struct ZoneRow {
    code: String,
    name: String,
    family: String,
    density: String,
    occupancy: String,
    floors: String,
    min_plot: String,
    parking: String,
    uses: String,
}

struct Answer {
    zoning_version: String,
    rules_version: String,
    made_for_demo: bool,
    zones: Vec<ZoneRow>,
    flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "zoning_inquiry.html")]
struct InquiryPage {
    layout: Layout,
    lon: String,
    lat: String,
    error: Option<String>,
    answer: Option<Answer>,
    area: String,
    depth: String,
    frontage: String,
    order: Option<OrderView>,
}

pub(super) async fn inquiry_page(
    State(zoning): State<Zoning>,
    page: Page,
    QueryParams(query): QueryParams<PointQuery>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let mut view = InquiryPage {
        layout: page.layout.clone(),
        lon: query.lon.clone(),
        lat: query.lat.clone(),
        error: None,
        answer: None,
        area: query.area.clone(),
        depth: query.depth.clone(),
        frontage: query.frontage.clone(),
        order: None,
    };
    if !query.lon.trim().is_empty() || !query.lat.trim().is_empty() {
        let plot = (!query.area.trim().is_empty())
            .then(|| parse_plot(&query.area, &query.depth, &query.frontage))
            .transpose();
        let asked = match (parse_point(&query.lon, &query.lat), plot) {
            (Ok((lon, lat)), Ok(plot)) => zoning
                .inquire_at_point(&user.principal, lon, lat)
                .await
                .map(|inquiry| (inquiry, plot)),
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        match asked {
            Ok((inquiry, plot)) => {
                view.order = plot
                    .filter(|_| !inquiry.zones.is_empty())
                    .map(|plot| order_view(&page, &inquiry.map_order(&plot)));
                view.answer = Some(answer(&page, inquiry));
            }
            Err(error @ (ZoningError::Invalid(_) | ZoningError::NoMap)) => {
                let (status, message) = page.form_error(error)?;
                return Ok((
                    status,
                    page.render(&InquiryPage {
                        error: Some(message),
                        ..view
                    })?,
                )
                    .into_response());
            }
            Err(error) => return Err(error.into()),
        }
    } else if user.staff().is_none() {
        return Err(ZoningError::NotAllowed.into());
    }
    page.render(&view)
}

fn answer(page: &Page, inquiry: Inquiry) -> Answer {
    let tr = page.layout.tr;
    let sign = if tr.is_fa() { "٪" } else { "%" };
    let percent = |value: u32| format!("{}{sign}", tr.number(u64::from(value)));
    Answer {
        zoning_version: tr.number(u64::try_from(inquiry.zoning_version).unwrap_or(0)),
        rules_version: inquiry.rules_version,
        made_for_demo: inquiry.made_for_demo,
        zones: inquiry
            .zones
            .into_iter()
            .map(|found| {
                let zone = found.zone;
                ZoneRow {
                    code: zone.code.to_string(),
                    name: if tr.is_fa() {
                        zone.name_fa
                    } else {
                        zone.name_en
                    },
                    family: zone.family.name().in_lang(tr.lang).to_owned(),
                    density: percent(zone.max_density_pct),
                    occupancy: percent(zone.max_occupancy_pct),
                    floors: tr.number(u64::from(zone.max_floors)),
                    min_plot: tr.t1("zoning-m2", "area", &tr.number(u64::from(zone.min_plot_m2))),
                    parking: match zone.parking.m2_per_space {
                        Some(m2) => tr.t1("zoning-parking-per", "area", &tr.number(u64::from(m2))),
                        None => tr.t("zoning-parking-none"),
                    },
                    uses: zone
                        .uses
                        .iter()
                        .map(|part_use| part_use.name().in_lang(tr.lang))
                        .collect::<Vec<_>>()
                        .join(if tr.is_fa() { "، " } else { ", " }),
                }
            })
            .collect(),
        flags: inquiry
            .flags
            .iter()
            .map(|flag| flag.name().in_lang(tr.lang).to_owned())
            .collect(),
    }
}

fn order_view(page: &Page, order: &MapOrder) -> OrderView {
    let tr = page.layout.tr;
    let m2 = |centi: i64| {
        let text = crate::web::sketch::decimal(&tr, &daftar_core::sketch::centi_m2_text(centi));
        tr.t1("zoning-m2", "area", &text)
    };
    OrderView {
        remaining: m2(order.remaining_area_centi_m2),
        setback: m2(order.setback_area_centi_m2),
        floor_area: m2(order.floor_area_centi_m2),
        total_built: m2(order.total_built_centi_m2),
        floors: tr.number(u64::from(order.floors)),
        parking: tr.number(u64::from(order.parking_spaces)),
        below_min_plot: order.below_min_plot,
        buildable: order.buildable,
    }
}
