//! The zoning map: the detailed plan's sub-zones as polygons, read from the GeoJSON the
//! municipality's GIS exports, and found again by a point or a plot through an R-tree.
//!
//! Coordinates are WGS 84 longitude and latitude, as GeoJSON has them. A plot's share of
//! each zone is a ratio of areas, so it is reckoned in degrees: over a plot's few metres
//! the distortion is the same for both areas.

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Point, Validation};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
use serde::{Deserialize, Serialize};

use super::{SubZoneCode, ZoneRules};

/// What the map marks on an area besides its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaFlag {
    /// بافت فرسوده: worn-out urban fabric, with its own incentives.
    WornOutFabric,
    /// ممنوعیت تفکیک: plots may not be subdivided.
    SubdivisionBan,
    /// On a historic axis or near a listed building: the heritage office must agree.
    Heritage,
}

impl AreaFlag {
    pub const ALL: [AreaFlag; 3] = [
        AreaFlag::WornOutFabric,
        AreaFlag::SubdivisionBan,
        AreaFlag::Heritage,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            AreaFlag::WornOutFabric => "worn_out_fabric",
            AreaFlag::SubdivisionBan => "subdivision_ban",
            AreaFlag::Heritage => "heritage",
        }
    }

    pub fn from_slug(slug: &str) -> Option<AreaFlag> {
        AreaFlag::ALL.into_iter().find(|flag| flag.slug() == slug)
    }

    pub fn name(self) -> crate::text::Text<&'static str> {
        let (fa, en) = match self {
            AreaFlag::WornOutFabric => ("بافت فرسوده", "Worn-out urban fabric"),
            AreaFlag::SubdivisionBan => ("ممنوعیت تفکیک", "No subdivision"),
            AreaFlag::Heritage => ("حریم میراث فرهنگی", "Heritage area"),
        };
        crate::text::Text { fa, en }
    }
}

/// One sub-zone's area on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneFeature {
    pub code: SubZoneCode,
    pub area: MultiPolygon<f64>,
    pub flags: Vec<AreaFlag>,
}

impl ZoneFeature {
    /// The area as a GeoJSON geometry, as it is stored.
    pub fn geometry_json(&self) -> String {
        geojson::Geometry::from(&self.area).to_string()
    }

    /// A feature as stored: its code, GeoJSON geometry and flags, read back.
    pub fn from_stored(code: &str, geometry: &str, flags: &[String]) -> Option<ZoneFeature> {
        let geometry: geojson::Geometry = geometry.parse().ok()?;
        Some(ZoneFeature {
            code: SubZoneCode::parse(code)?,
            area: multi_polygon(&geometry)?,
            flags: flags
                .iter()
                .filter_map(|slug| AreaFlag::from_slug(slug))
                .collect(),
        })
    }
}

/// Why a feature of an imported map was refused; `index` counts from 0, as the file's
/// `features` array does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureError {
    pub index: usize,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoningMapError {
    #[error("not a GeoJSON FeatureCollection: {0}")]
    NotGeoJson(String),
    #[error("the map has no features")]
    Empty,
    /// How many features are wrong, and the first of them (at most 100).
    #[error("{count} features are wrong, the first: features[{}]: {}", .listed[0].index, .listed[0].problem)]
    BadFeatures {
        count: usize,
        listed: Vec<FeatureError>,
    },
}

/// At most this many bad features are listed; a file that wrong needs fixing at its source.
const LISTED_ERRORS: usize = 100;

/// Reads a zoning map, checking every feature against the rules: a known sub-zone in
/// `properties.code`, a valid Polygon or MultiPolygon within WGS 84's range, known
/// `properties.flags`. Refused whole, listing the bad features, if any is wrong.
pub fn parse_zoning_map(text: &str, rules: &ZoneRules) -> Result<Vec<ZoneFeature>, ZoningMapError> {
    parse_layer(text, |feature| check_feature(feature, rules))
}

/// Reads a GeoJSON FeatureCollection, each feature through `check`; refused whole,
/// listing the bad features by index, if any is wrong.
pub(crate) fn parse_layer<T>(
    text: &str,
    mut check: impl FnMut(&geojson::Feature) -> Result<T, String>,
) -> Result<Vec<T>, ZoningMapError> {
    let collection: geojson::FeatureCollection = text
        .parse()
        .map_err(|e: geojson::Error| ZoningMapError::NotGeoJson(e.to_string()))?;
    if collection.features.is_empty() {
        return Err(ZoningMapError::Empty);
    }
    let mut checked = Vec::with_capacity(collection.features.len());
    let mut listed = Vec::new();
    let mut count = 0;
    for (index, feature) in collection.features.iter().enumerate() {
        match check(feature) {
            Ok(item) => checked.push(item),
            Err(problem) => {
                count += 1;
                if listed.len() < LISTED_ERRORS {
                    listed.push(FeatureError { index, problem });
                }
            }
        }
    }
    if count == 0 {
        Ok(checked)
    } else {
        Err(ZoningMapError::BadFeatures { count, listed })
    }
}

fn check_feature(feature: &geojson::Feature, rules: &ZoneRules) -> Result<ZoneFeature, String> {
    let property = |name: &str| feature.properties.as_ref().and_then(|p| p.get(name));
    let code_text = property("code")
        .and_then(|value| value.as_str())
        .ok_or("no properties.code")?;
    let code = SubZoneCode::parse(code_text)
        .ok_or_else(|| format!("{code_text:?} is not a sub-zone code"))?;
    if rules.zone(&code).is_none() {
        return Err(format!(
            "sub-zone {code} is not in the zone rules {}",
            rules.version
        ));
    }
    let geometry = feature.geometry.as_ref().ok_or("no geometry")?;
    let area = checked_area(geometry)?;
    let mut flags = Vec::new();
    if let Some(listed) = property("flags") {
        let listed = listed.as_array().ok_or("properties.flags is not a list")?;
        for slug in listed {
            let slug = slug.as_str().unwrap_or_default();
            flags.push(AreaFlag::from_slug(slug).ok_or_else(|| format!("unknown flag {slug:?}"))?);
        }
    }
    flags.sort();
    flags.dedup();
    Ok(ZoneFeature { code, area, flags })
}

/// A Polygon or MultiPolygon of WGS 84 longitudes and latitudes, valid (closed, not
/// crossing itself) and with an area, or what is wrong with it.
pub(crate) fn checked_area(geometry: &geojson::Geometry) -> Result<MultiPolygon<f64>, String> {
    let area = multi_polygon(geometry).ok_or("the geometry is not a Polygon or MultiPolygon")?;
    let in_range = area.0.iter().flat_map(|polygon| {
        polygon
            .exterior()
            .coords()
            .chain(polygon.interiors().iter().flat_map(|ring| ring.coords()))
    });
    for coord in in_range {
        if !(coord.x.abs() <= 180.0 && coord.y.abs() <= 90.0) {
            return Err(format!(
                "({}, {}) is not a longitude and latitude",
                coord.x, coord.y
            ));
        }
    }
    if let Some(problem) = area.validation_errors().into_iter().next() {
        return Err(format!("invalid polygon: {problem}"));
    }
    if area.unsigned_area() == 0.0 {
        return Err("the polygon has no area".into());
    }
    Ok(area)
}

pub(crate) fn multi_polygon(geometry: &geojson::Geometry) -> Option<MultiPolygon<f64>> {
    match &geometry.value {
        geojson::GeometryValue::Polygon { .. } => geo::Polygon::try_from(&geometry.value)
            .ok()
            .map(|polygon| MultiPolygon(vec![polygon])),
        geojson::GeometryValue::MultiPolygon { .. } => MultiPolygon::try_from(&geometry.value).ok(),
        _ => None,
    }
}

/// A zone a plot lies in, with its share of the plot's area in thousandths.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneAt<'a> {
    pub feature: &'a ZoneFeature,
    pub share_permille: u32,
}

/// A zoning map's version with its features in an R-tree of their bounding boxes.
#[derive(Debug)]
pub struct ZoneIndex {
    pub version: i64,
    pub rules_version: String,
    features: Vec<ZoneFeature>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl ZoneIndex {
    pub fn new(version: i64, rules_version: String, features: Vec<ZoneFeature>) -> ZoneIndex {
        let boxes = features
            .iter()
            .enumerate()
            .filter_map(|(n, feature)| {
                let rect = feature.area.bounding_rect()?;
                let corners = ([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
                Some(GeomWithData::new(
                    Rectangle::from_corners(corners.0, corners.1),
                    n,
                ))
            })
            .collect();
        ZoneIndex {
            version,
            rules_version,
            features,
            tree: RTree::bulk_load(boxes),
        }
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The zones a point lies in (more than one only on a shared edge).
    pub fn at_point(&self, lon: f64, lat: f64) -> Vec<&ZoneFeature> {
        let point = Point::new(lon, lat);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|entry| &self.features[entry.data])
            .filter(|feature| feature.area.intersects(&point))
            .collect()
    }

    /// The zones a plot lies in, each with its share of the plot's area; the shares of a
    /// plot wholly on the map add up to 1000 (to within rounding).
    pub fn for_plot(&self, plot: &MultiPolygon<f64>) -> Vec<ZoneAt<'_>> {
        let Some(rect) = plot.bounding_rect() else {
            return Vec::new();
        };
        let whole = plot.unsigned_area();
        if whole == 0.0 {
            return Vec::new();
        }
        let envelope =
            AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut found: Vec<ZoneAt<'_>> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|entry| &self.features[entry.data])
            .filter_map(|feature| {
                let shared = feature.area.intersection(plot).unsigned_area();
                let share = (shared / whole * 1000.0).round() as u32;
                (share > 0).then_some(ZoneAt {
                    feature,
                    share_permille: share.min(1000),
                })
            })
            .collect();
        found.sort_by(|a, b| {
            b.share_permille
                .cmp(&a.share_permille)
                .then(a.feature.code.cmp(&b.feature.code))
        });
        found
    }

    /// The zones whose boxes meet a box of longitudes and latitudes, at most `limit` of
    /// them: what a map of the place draws.
    pub fn in_box(&self, min: (f64, f64), max: (f64, f64), limit: usize) -> Vec<&ZoneFeature> {
        let envelope = AABB::from_corners([min.0, min.1], [max.0, max.1]);
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .take(limit)
            .map(|entry| &self.features[entry.data])
            .collect()
    }

    /// The middle of the map's extent (longitude, latitude), if it has any feature.
    pub fn centre(&self) -> Option<(f64, f64)> {
        let envelope = self.tree.root().envelope();
        (!self.features.is_empty()).then(|| {
            let (lower, upper) = (envelope.lower(), envelope.upper());
            ((lower[0] + upper[0]) / 2.0, (lower[1] + upper[1]) / 2.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of `side` degrees at (`lon`, `lat`) as a GeoJSON feature.
    fn square(code: &str, lon: f64, lat: f64, side: f64, extra: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"{extra}}},"geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{},{lat}],[{},{}],[{lon},{}],[{lon},{lat}]]]}}}}"#,
            lon + side,
            lon + side,
            lat + side,
            lat + side
        )
    }

    fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    #[test]
    fn a_map_is_read_and_found_by_point_and_by_plot() {
        let rules = ZoneRules::demo();
        let text = collection(&[
            square(
                "R121",
                51.40,
                35.80,
                0.01,
                r#","flags":["worn_out_fabric"]"#,
            ),
            square("M111", 51.41, 35.80, 0.01, ""),
        ]);
        let features = parse_zoning_map(&text, &rules).unwrap();
        assert_eq!(features[0].flags, [AreaFlag::WornOutFabric]);
        let index = ZoneIndex::new(1, rules.version.clone(), features);
        let here = index.at_point(51.405, 35.805);
        assert_eq!(here.len(), 1);
        assert_eq!(here[0].code.as_str(), "R121");
        assert!(index.at_point(51.45, 35.805).is_empty(), "off the map");
        // A plot across the line at 51.41: a quarter in R121, three quarters in M111.
        let plot = MultiPolygon(vec![geo::Polygon::new(
            vec![
                (51.4095, 35.805),
                (51.4115, 35.805),
                (51.4115, 35.806),
                (51.4095, 35.806),
                (51.4095, 35.805),
            ]
            .into(),
            vec![],
        )]);
        let shares: Vec<(&str, u32)> = index
            .for_plot(&plot)
            .iter()
            .map(|at| (at.feature.code.as_str(), at.share_permille))
            .collect();
        assert_eq!(shares, [("M111", 750), ("R121", 250)]);
    }

    #[test]
    fn a_bad_feature_refuses_the_map_and_is_named_by_index() {
        let rules = ZoneRules::demo();
        let bow_tie = r#"{"type":"Feature","properties":{"code":"R111"},"geometry":{"type":"Polygon","coordinates":[[[51.0,35.0],[51.1,35.1],[51.1,35.0],[51.0,35.1],[51.0,35.0]]]}}"#;
        let text = collection(&[
            square("R121", 51.40, 35.80, 0.01, ""),
            square("R999", 51.41, 35.80, 0.01, ""),
            bow_tie.to_owned(),
            square("G111", 51.42, 35.80, 0.01, r#","flags":["nice_view"]"#),
        ]);
        let Err(ZoningMapError::BadFeatures {
            count,
            listed: errors,
        }) = parse_zoning_map(&text, &rules)
        else {
            panic!("the map was taken");
        };
        assert_eq!(count, 3);
        let indexes: Vec<usize> = errors.iter().map(|error| error.index).collect();
        assert_eq!(indexes, [1, 2, 3]);
        assert!(errors[0].problem.contains("R999"));
        assert!(
            errors[1].problem.contains("self-intersection"),
            "{}",
            errors[1].problem
        );
        assert!(errors[2].problem.contains("nice_view"));
        assert!(matches!(
            parse_zoning_map("{}", &rules),
            Err(ZoningMapError::NotGeoJson(_))
        ));
        assert!(matches!(
            parse_zoning_map(&collection(&[]), &rules),
            Err(ZoningMapError::Empty)
        ));
    }

    #[test]
    fn a_feature_survives_being_stored() {
        let rules = ZoneRules::demo();
        let features = parse_zoning_map(
            &collection(&[square(
                "G111",
                51.4,
                35.8,
                0.001,
                r#","flags":["heritage"]"#,
            )]),
            &rules,
        )
        .unwrap();
        let flags: Vec<String> = features[0]
            .flags
            .iter()
            .map(|flag| flag.slug().to_owned())
            .collect();
        let back = ZoneFeature::from_stored("G111", &features[0].geometry_json(), &flags).unwrap();
        assert_eq!(back, features[0]);
    }
}
