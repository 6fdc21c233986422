//! `/staff/zoning?lon=&lat=`: what the detailed plan says at a point, for staff (the API's
//! `GET /api/v1/zoning/inquiry` as a page).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::zoning::{Inquiry, parse_plot, parse_point};
use daftar_app::{Zoning, ZoningError};
use daftar_core::zoning::MapOrder;
use serde::Deserialize;

use super::view::{Answer, OrderView, answer, order_view};

use crate::error::AppError;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Debug, Default, Deserialize)]
pub(super) struct PointQuery {
    /// A property, by its district and renewal code (instead of a point).
    #[serde(default)]
    district: String,
    #[serde(default)]
    renewal_code: String,
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

#[derive(Template)]
#[template(path = "zoning_inquiry.html")]
struct InquiryPage {
    layout: Layout,
    district: String,
    renewal_code: String,
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
        district: query.district.clone(),
        renewal_code: query.renewal_code.clone(),
        lon: query.lon.clone(),
        lat: query.lat.clone(),
        error: None,
        answer: None,
        area: query.area.clone(),
        depth: query.depth.clone(),
        frontage: query.frontage.clone(),
        order: None,
    };
    let asked = if !query.renewal_code.trim().is_empty() {
        Some(by_property(&zoning, &user.principal, &query).await)
    } else if !query.lon.trim().is_empty() || !query.lat.trim().is_empty() {
        Some(at_point(&zoning, &user.principal, &query).await)
    } else if user.staff().is_none() {
        return Err(ZoningError::NotAllowed.into());
    } else {
        None
    };
    match asked {
        Some(Ok((inquiry, order))) => {
            view.order = order.map(|order| order_view(&page, &order));
            view.answer = Some(answer(&page, inquiry));
        }
        Some(Err(
            error @ (ZoningError::Invalid(_) | ZoningError::NoMap | ZoningError::NotFound),
        )) => {
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
        Some(Err(error)) => return Err(error.into()),
        None => {}
    }
    page.render(&view)
}

/// The inquiry about the property typed, with its map order.
async fn by_property(
    zoning: &Zoning,
    who: &daftar_app::Principal,
    query: &PointQuery,
) -> Result<(Inquiry, Option<MapOrder>), ZoningError> {
    let (district, code) =
        daftar_app::property::parse_property(&query.district, &query.renewal_code)?;
    let inquiry = zoning.inquire_property(who, district, &code).await?;
    let order = inquiry.property_map_order();
    Ok((inquiry, order))
}

/// The inquiry at the point typed, with the map order of the plot typed there, if any.
async fn at_point(
    zoning: &Zoning,
    who: &daftar_app::Principal,
    query: &PointQuery,
) -> Result<(Inquiry, Option<MapOrder>), ZoningError> {
    let (lon, lat) = parse_point(&query.lon, &query.lat)?;
    let plot = (!query.area.trim().is_empty())
        .then(|| parse_plot(&query.area, &query.depth, &query.frontage))
        .transpose()?;
    let inquiry = zoning.inquire_at_point(who, lon, lat).await?;
    let order = plot
        .filter(|_| !inquiry.zones.is_empty())
        .map(|plot| inquiry.map_order(&plot));
    Ok((inquiry, order))
}
