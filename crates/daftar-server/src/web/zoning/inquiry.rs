//! `/staff/zoning?lon=&lat=`: what the detailed plan says at a point, for staff (the API's
//! `GET /api/v1/zoning/inquiry` as a page).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::zoning::{parse_plot, parse_point};
use daftar_app::{Zoning, ZoningError};
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
    if !query.renewal_code.trim().is_empty() {
        let asked = match daftar_app::property::parse_property(&query.district, &query.renewal_code)
        {
            Ok((district, code)) => {
                zoning
                    .inquire_property(&user.principal, district, &code)
                    .await
            }
            Err(error) => Err(match error {
                daftar_app::PropertyError::Invalid(code) => ZoningError::Invalid(code),
                daftar_app::PropertyError::NotFound => ZoningError::NotFound,
                daftar_app::PropertyError::Refused(reason) => ZoningError::Refused(reason),
                daftar_app::PropertyError::Store(error) => ZoningError::Store(error),
            }),
        };
        match asked {
            Ok(inquiry) => {
                view.order = inquiry
                    .property_map_order()
                    .map(|order| order_view(&page, &order));
                view.answer = Some(answer(&page, inquiry));
            }
            Err(error @ (ZoningError::Invalid(_) | ZoningError::NoMap | ZoningError::NotFound)) => {
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
    } else if !query.lon.trim().is_empty() || !query.lat.trim().is_empty() {
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
