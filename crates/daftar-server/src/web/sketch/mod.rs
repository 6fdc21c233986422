//! The sketch on the case page: the latest version drawn (SVG, printable on one A4 page)
//! with who drew it and when, and for the inspector the form that records a new one
//! ([`record`]), which works without JavaScript: one line a part, corners as numbers.

mod record;

pub use record::routes;

use daftar_app::Sketches;
use daftar_app::cases::{CaseView, Standing};
use daftar_app::sketch::RecordedSketch;
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_core::sketch::svg;

use crate::error::AppError;
use crate::web::{Page, isolated};

/// The latest sketch of a case, ready for the page.
#[derive(Debug, Clone)]
pub struct SketchView {
    /// The drawing, generated here from numbers: no text of a user's is in it unescaped.
    pub svg: String,
    pub meta: String,
    pub total: String,
}

/// The sketch section of a case page the user has just been shown (through
/// [`daftar_app::Cases::view`], which checked and recorded the read): the latest drawing,
/// and for an inspector while the case waits on inspection, the form, holding what they
/// typed after a refusal or else the latest sketch to start from.
pub async fn for_case_page(
    sketches: &Sketches,
    places: &Places<'_>,
    page: &Page,
    view: &CaseView,
    typed: Option<SketchForm>,
) -> Result<(Option<SketchView>, Option<SketchForm>), AppError> {
    let kept = sketches.of_case_seen(view.case.id).await?;
    let latest = kept.first();
    let drawing = latest.map(|latest| drawing(page, latest));
    let inspects = matches!(&view.standing, Standing::Staff(roles) if roles.contains(&Role::Inspection))
        && view.tasks.iter().any(|task| task.role == Role::Inspection);
    let uses = daftar_core::sketch::PartUse::ALL
        .iter()
        .map(|part_use| {
            format!(
                "{}={}",
                part_use.slug(),
                part_use.name().in_lang(page.layout.tr.lang)
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    let form = inspects.then(|| {
        let form = typed.unwrap_or_else(|| match latest {
            Some(latest) => SketchForm {
                text: daftar_core::sketch::text::sketch_to_text(&latest.sketch),
                lat: latest
                    .location
                    .map(|(lat, _)| lat.to_string())
                    .unwrap_or_default(),
                lon: latest
                    .location
                    .map(|(_, lon)| lon.to_string())
                    .unwrap_or_default(),
                error: None,
                uses: String::new(),
                map: None,
                outline: String::new(),
            },
            None => SketchForm::default(),
        });
        SketchForm { uses, ..form }
    });
    let form = match form {
        Some(form) => {
            let marked = latest.and_then(|latest| latest.location);
            let (map, outline) = map_view(places, view, marked).await?;
            Some(SketchForm {
                map,
                outline,
                ..form
            })
        }
        None => None,
    };
    Ok((drawing, form))
}

/// Where the maps of a case page come from: the zones, the plots, and the tiles.
pub struct Places<'a> {
    pub zoning: &'a daftar_app::Zoning,
    pub properties: &'a daftar_app::Properties,
    /// The tile URL configured, if any.
    pub tiles: Option<&'a str>,
}

/// The inspector's map: the case's plot (when the GIS drew it) and the zones around it as
/// GeoJSON, centred on the plot, else on the place marked, else on the zoning map.
async fn map_view(
    places: &Places<'_>,
    view: &CaseView,
    marked: Option<(f64, f64)>,
) -> Result<(Option<MapView>, String), AppError> {
    use geo::Centroid;
    let property = daftar_app::cases::property_of(&view.case);
    let plot = match &property {
        Some((district, code)) => places.properties.plot(*district, code).await?,
        None => None,
    };
    let outline = plot.as_ref().and_then(|plot| plot.outline.as_ref());
    let local = outline.map(local_metres).unwrap_or_default();
    let centre = outline
        .and_then(|outline| outline.centroid())
        .map(|point| (point.x(), point.y()))
        .or(marked.map(|(lat, lon)| (lon, lat)));
    let Some((centre, zones)) = places.zoning.zones_near(centre, 400.0).await? else {
        return Ok((None, local));
    };
    let mut features = zone_features(&zones);
    if let Some(outline) = plot.as_ref().and_then(|plot| plot.outline_json())
        && let Ok(geometry) = serde_json::from_str::<serde_json::Value>(&outline)
    {
        features.push(serde_json::json!({"type": "Feature", "geometry": geometry,
            "properties": {"kind": "plot"}}));
    }
    let map = MapView {
        features: serde_json::json!({"type": "FeatureCollection", "features": features})
            .to_string(),
        centre_lat: centre.1.to_string(),
        centre_lon: centre.0.to_string(),
        tiles: usable_tiles(places.tiles),
    };
    Ok((Some(map), local))
}

/// A URL whose origin the page's policy cannot name would load nothing: left out.
fn usable_tiles(tiles: Option<&str>) -> String {
    tiles
        .filter(|url| tiles_origin(url).is_some())
        .unwrap_or_default()
        .to_owned()
}

fn zone_features(zones: &[daftar_app::zoning::ZoneShape]) -> Vec<serde_json::Value> {
    zones
        .iter()
        .filter_map(|zone| {
            let geometry: serde_json::Value = serde_json::from_str(&zone.geometry_json).ok()?;
            Some(serde_json::json!({"type": "Feature", "geometry": geometry,
                "properties": {"kind": "zone", "code": zone.code, "family": zone.family.slug()}}))
        })
        .collect()
}

/// A map to mark a place on (a complaint's): the zones around the zoning map's centre,
/// over the tiles when configured; none without a zoning map.
pub async fn point_map(
    zoning: &daftar_app::Zoning,
    tiles: Option<&str>,
) -> Result<Option<MapView>, AppError> {
    let Some((centre, zones)) = zoning.zones_near(None, 1_500.0).await? else {
        return Ok(None);
    };
    Ok(Some(MapView {
        features:
            serde_json::json!({"type": "FeatureCollection", "features": zone_features(&zones)})
                .to_string(),
        centre_lat: centre.1.to_string(),
        centre_lon: centre.0.to_string(),
        tiles: usable_tiles(tiles),
    }))
}

/// A plot's outline in metres from its south-west corner (x east, y north), as the
/// drawing board's grid has them: `x,y x,y …` of its first ring. Over a plot's few metres
/// the earth is flat enough.
fn local_metres(outline: &geo::MultiPolygon<f64>) -> String {
    use geo::BoundingRect;
    let (Some(rect), Some(polygon)) = (outline.bounding_rect(), outline.0.first()) else {
        return String::new();
    };
    let (lon0, lat0) = (rect.min().x, rect.min().y);
    let per_degree_lon = 111_320.0 * lat0.to_radians().cos();
    polygon
        .exterior()
        .coords()
        .map(|c| {
            format!(
                "{:.2},{:.2}",
                (c.x - lon0) * per_degree_lon,
                (c.y - lat0) * 110_540.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The origin a tile URL loads images from (`https://gis.example.ir`), which the page's
/// policy must allow; none for a URL that is not http(s) with a host.
pub fn tiles_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    let valid = matches!(scheme, "https" | "http")
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    valid.then(|| format!("{scheme}://{host}"))
}

/// The inspector's map, for static/map.js: what to draw and where.
#[derive(Debug, Clone, Default)]
pub struct MapView {
    /// A GeoJSON FeatureCollection: zones (`kind` zone, `code`, `family`) and the plot.
    pub features: String,
    pub centre_lat: String,
    pub centre_lon: String,
    /// The tile URL, empty for none.
    pub tiles: String,
}

fn drawing(page: &Page, latest: &RecordedSketch) -> SketchView {
    let tr = page.layout.tr;
    let when = tr.day(JalaliDate::from_timestamp(latest.drawn_at));
    let separator = if tr.is_fa() { "، " } else { ", " };
    SketchView {
        svg: svg::render(&latest.sketch, tr.is_fa()),
        meta: tr.t2(
            "case-sketch-meta",
            "version",
            &tr.number(u64::try_from(latest.version).unwrap_or(0)),
            "who",
            &format!("{}{separator}{when}", isolated(&latest.drawn_by_name)),
        ),
        total: tr.t1(
            "case-sketch-total",
            "area",
            &decimal(
                &tr,
                &daftar_core::sketch::centi_m2_text(latest.sketch.total_centi_m2),
            ),
        ),
    }
}

/// A decimal as the page's language writes it: Persian digits and separator in Persian.
pub(in crate::web) fn decimal(tr: &crate::i18n::Tr, text: &str) -> String {
    if tr.is_fa() {
        tr.digits(text).replace('.', "٫")
    } else {
        text.to_owned()
    }
}

/// The inspector's form: the sketch as text (one line a part), the property's place, and
/// the message of a refused attempt.
#[derive(Debug, Clone, Default)]
pub struct SketchForm {
    pub text: String,
    pub lat: String,
    pub lon: String,
    pub error: Option<String>,
    /// The uses the drawing board offers, `slug=name;…` in the page's language.
    pub uses: String,
    /// The map where the property is marked, when a zoning map is loaded.
    pub map: Option<MapView>,
    /// The plot's outline in local metres, drawn under the board (empty when unknown).
    pub outline: String,
}

#[cfg(test)]
mod tests {
    use super::tiles_origin;

    #[test]
    fn a_tile_url_names_the_origin_its_images_come_from() {
        assert_eq!(
            tiles_origin("https://gis.example.ir/tiles/{z}/{x}/{y}.png").as_deref(),
            Some("https://gis.example.ir")
        );
        assert_eq!(
            tiles_origin("http://10.0.0.5:8080/{z}/{x}/{y}").as_deref(),
            Some("http://10.0.0.5:8080")
        );
        for bad in [
            "",
            "gis.example.ir/{z}",
            "javascript://x",
            "https://",
            "https://a b/",
        ] {
            assert_eq!(tiles_origin(bad), None, "{bad}");
        }
    }
}
