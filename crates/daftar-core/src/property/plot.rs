//! A plot as the municipality's GIS and the deed registry know it: its deed (registration
//! plate, section, area), its outline, and what the street takes on each side. Imported as
//! a GeoJSON FeatureCollection, one feature per property.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

use super::RenewalCode;
use crate::billing::Area;
use crate::zoning::map::{checked_area, parse_layer};
use crate::zoning::{PlotFacts, Setback, Side, ZoningMapError};

/// The deed's facts (سند): the registration plate (پلاک ثبتی, main and sub number, as
/// `4512/73`), the registration section (بخش ثبتی) and the area on the deed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deed {
    pub registration_plate: String,
    pub registration_section: u16,
    pub deed_area_centi_m2: i64,
}

/// One property's plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub district: u16,
    pub renewal_code: RenewalCode,
    pub deed: Deed,
    /// WGS 84 longitude and latitude; a plot the GIS has not drawn has none.
    pub outline: Option<MultiPolygon<f64>>,
    pub setbacks: Vec<Setback>,
}

impl Plot {
    /// What the map order needs of the plot.
    pub fn facts(&self) -> PlotFacts {
        PlotFacts {
            deed_area_centi_m2: self.deed.deed_area_centi_m2,
            setbacks: self.setbacks.clone(),
        }
    }

    /// The plot's extent in centimetres east and north of its south-west corner (the
    /// sketch's frame), when the GIS has drawn it.
    pub fn local_extent_cm(&self) -> Option<(i64, i64)> {
        use geo::BoundingRect;
        let rect = self.outline.as_ref()?.bounding_rect()?;
        let per_degree_lon = 111_320.0 * rect.min().y.to_radians().cos();
        let width = (rect.max().x - rect.min().x) * per_degree_lon * 100.0;
        let depth = (rect.max().y - rect.min().y) * 110_540.0 * 100.0;
        Some((width.round() as i64, depth.round() as i64))
    }

    /// The outline as a GeoJSON geometry, as it is stored.
    pub fn outline_json(&self) -> Option<String> {
        self.outline
            .as_ref()
            .map(|outline| geojson::Geometry::from(outline).to_string())
    }

    /// The outline as stored, read back.
    pub fn outline_from_json(text: &str) -> Option<MultiPolygon<f64>> {
        let geometry: geojson::Geometry = text.parse().ok()?;
        crate::zoning::map::multi_polygon(&geometry)
    }
}

/// A registration plate: a main number, and a sub number after a slash (either script).
pub fn parse_registration_plate(input: &str) -> Option<String> {
    let text = crate::fa::normalize_digits(input.trim()).replace(['\u{2215}', '\u{FF0F}'], "/");
    let mut numbers = text.split('/').map(str::trim);
    let main = numbers.next()?;
    let sub = numbers.next();
    let is_number = |n: &str| (1..=6).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit());
    if numbers.next().is_some() || !is_number(main) || sub.is_some_and(|s| !is_number(s)) {
        return None;
    }
    Some(match sub {
        Some(sub) => format!("{main}/{sub}"),
        None => main.to_owned(),
    })
}

/// Reads the plots layer. Each feature has `properties` `district`, `renewal_code`,
/// `registration_plate`, `registration_section`, `deed_area_m2` and, optionally,
/// `setbacks` (`[{"side": "north", "depth_m": 1.5, "frontage_m": 10}]`); its geometry
/// is the outline (a Polygon or MultiPolygon) or null. Refused whole, naming each bad
/// feature by index, if any is wrong or two features are the same property.
pub fn parse_plots(text: &str) -> Result<Vec<Plot>, ZoningMapError> {
    let mut seen = std::collections::HashMap::new();
    let mut index = 0;
    parse_layer(text, |feature| {
        let plot = check_plot(feature);
        index += 1;
        let plot = plot?;
        let key = (plot.district, plot.renewal_code.clone());
        match seen.insert(key, index - 1) {
            Some(first) => Err(format!("the same property as features[{first}]")),
            None => Ok(plot),
        }
    })
}

fn check_plot(feature: &geojson::Feature) -> Result<Plot, String> {
    let property = |name: &str| feature.properties.as_ref().and_then(|p| p.get(name));
    let text = |name: &str| -> Result<String, String> {
        match property(name) {
            Some(serde_json::Value::String(text)) => Ok(text.clone()),
            Some(serde_json::Value::Number(number)) => Ok(number.to_string()),
            _ => Err(format!("no properties.{name}")),
        }
    };
    let district = crate::fa::normalize_digits(&text("district")?)
        .parse::<u16>()
        .ok()
        .filter(|d| (1..=99).contains(d))
        .ok_or("properties.district is not a district from 1 to 99")?;
    let renewal_code = RenewalCode::parse(&text("renewal_code")?)
        .map_err(|error| format!("properties.renewal_code: {error}"))?;
    let registration_plate = parse_registration_plate(&text("registration_plate")?)
        .ok_or("properties.registration_plate is not a plate such as 4512/73")?;
    let registration_section = crate::fa::normalize_digits(&text("registration_section")?)
        .parse::<u16>()
        .ok()
        .filter(|s| (1..=999).contains(s))
        .ok_or("properties.registration_section is not a section from 1 to 999")?;
    let deed_area = Area::parse_m2(&text("deed_area_m2")?)
        .filter(|area| !area.is_zero())
        .ok_or("properties.deed_area_m2 is not an area in m² above 0")?;
    let setbacks = match property("setbacks") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(value) => setbacks(value)?,
    };
    let outline = match &feature.geometry {
        Some(geometry) => Some(checked_area(geometry)?),
        None => None,
    };
    Ok(Plot {
        district,
        renewal_code,
        deed: Deed {
            registration_plate,
            registration_section,
            deed_area_centi_m2: i64::try_from(deed_area.centi_m2()).unwrap_or(i64::MAX),
        },
        outline,
        setbacks,
    })
}

fn setbacks(value: &serde_json::Value) -> Result<Vec<Setback>, String> {
    let listed = value
        .as_array()
        .ok_or("properties.setbacks is not a list")?;
    let mut setbacks = Vec::with_capacity(listed.len());
    for (n, entry) in listed.iter().enumerate() {
        let side = entry
            .get("side")
            .and_then(|side| side.as_str())
            .and_then(Side::from_slug)
            .ok_or_else(|| format!("setbacks[{n}].side is not north, south, east or west"))?;
        let centimetres = |name: &str| {
            entry
                .get(name)
                .and_then(serde_json::Value::as_f64)
                .filter(|metres| (0.0..=1000.0).contains(metres))
                .map(|metres| (metres * 100.0).round() as i64)
                .ok_or_else(|| format!("setbacks[{n}].{name} is not metres from 0 to 1000"))
        };
        let setback = Setback {
            side,
            depth_cm: centimetres("depth_m")?,
            frontage_cm: centimetres("frontage_m")?,
        };
        if setbacks.iter().any(|s: &Setback| s.side == side) {
            return Err(format!("setbacks[{n}]: the {} side twice", side.slug()));
        }
        setbacks.push(setback);
    }
    Ok(setbacks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(features: &[serde_json::Value]) -> String {
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
    }

    fn feature(code: &str, geometry: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "type": "Feature",
            "properties": {
                "district": 1, "renewal_code": code, "registration_plate": "۴۵۱۲/۷۳",
                "registration_section": "11", "deed_area_m2": 200,
                "setbacks": [{"side": "north", "depth_m": 1.5, "frontage_m": 10}]
            },
            "geometry": geometry
        })
    }

    fn square() -> serde_json::Value {
        serde_json::json!({"type": "Polygon", "coordinates":
            [[[51.4, 35.7], [51.4001, 35.7], [51.4001, 35.7001], [51.4, 35.7001], [51.4, 35.7]]]})
    }

    #[test]
    fn a_plot_is_read_with_its_deed_outline_and_setbacks() {
        let plots = parse_plots(&layer(&[
            feature("01-101-12-0", square()),
            feature("01-101-12-1", serde_json::Value::Null),
        ]))
        .unwrap();
        assert_eq!(plots.len(), 2);
        let plot = &plots[0];
        assert_eq!(plot.renewal_code.as_str(), "01-101-12-0");
        assert_eq!(plot.deed.registration_plate, "4512/73");
        assert_eq!(plot.deed.registration_section, 11);
        assert_eq!(plot.facts().deed_area_centi_m2, 20_000);
        assert_eq!(plot.setbacks[0].depth_cm, 150);
        assert!(plot.outline.is_some());
        assert!(plots[1].outline.is_none());
        let stored = plot.outline_json().unwrap();
        assert_eq!(Plot::outline_from_json(&stored), plot.outline);
    }

    #[test]
    fn bad_plots_are_named_by_index_and_nothing_is_taken() {
        let crossing = serde_json::json!({"type": "Polygon", "coordinates":
            [[[51.4, 35.7], [51.4001, 35.7001], [51.4001, 35.7], [51.4, 35.7001], [51.4, 35.7]]]});
        let error = parse_plots(&layer(&[
            feature("01-101-12-0", square()),
            feature("01-101-12345-0", square()),
            feature("01-101-12-2", crossing),
            feature("01-101-12-0", serde_json::Value::Null),
        ]))
        .unwrap_err();
        let ZoningMapError::BadFeatures { count, listed } = error else {
            panic!("{error:?}");
        };
        assert_eq!(count, 3);
        let indexes: Vec<usize> = listed.iter().map(|e| e.index).collect();
        assert_eq!(indexes, [1, 2, 3]);
        assert!(listed[0].problem.contains("block"), "{}", listed[0].problem);
        assert!(
            listed[1].problem.contains("invalid polygon"),
            "{}",
            listed[1].problem
        );
        assert!(
            listed[2].problem.contains("features[0]"),
            "{}",
            listed[2].problem
        );
    }

    #[test]
    fn registration_plates_are_a_main_and_a_sub_number() {
        assert_eq!(
            parse_registration_plate(" ۱۲ / ۳ ").as_deref(),
            Some("12/3")
        );
        assert_eq!(parse_registration_plate("4512").as_deref(), Some("4512"));
        for bad in ["", "/3", "12/", "1/2/3", "12a", "1234567"] {
            assert_eq!(parse_registration_plate(bad), None, "{bad}");
        }
    }
}
