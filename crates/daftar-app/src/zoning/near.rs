//! The zones near a place, for a map of it: the case page's map, where the inspector marks
//! the property, draws them as vector shapes (and so works with no tiles, offline).

use daftar_core::zoning::Family;

use super::{Zoning, ZoningError};

/// A zone as a map draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneShape {
    pub code: String,
    pub family: Family,
    /// The zone's area as a GeoJSON geometry (WGS 84).
    pub geometry_json: String,
}

/// At most this many zones are drawn: a map of a neighbourhood, not of the city.
const MOST_ZONES: usize = 400;

impl Zoning {
    /// The zones within about `metres` of `place` (longitude, latitude), or of the middle
    /// of the map when no place is given; with that middle. `None` before any map.
    pub async fn zones_near(
        &self,
        place: Option<(f64, f64)>,
        metres: f64,
    ) -> Result<Option<((f64, f64), Vec<ZoneShape>)>, ZoningError> {
        let in_force = match self.in_force().await {
            Ok(in_force) => in_force,
            Err(ZoningError::NoMap) => return Ok(None),
            Err(error) => return Err(error),
        };
        let Some(centre) = place.or_else(|| in_force.index.centre()) else {
            return Ok(None);
        };
        // A degree of latitude is about 111 km; of longitude, that times the cosine.
        let (half_lat, half_lon) = (
            metres / 111_000.0,
            metres / (111_000.0 * centre.1.to_radians().cos().max(0.1)),
        );
        let shapes = in_force
            .index
            .in_box(
                (centre.0 - half_lon, centre.1 - half_lat),
                (centre.0 + half_lon, centre.1 + half_lat),
                MOST_ZONES,
            )
            .into_iter()
            .map(|feature| ZoneShape {
                code: feature.code.to_string(),
                family: feature.code.family(),
                geometry_json: feature.geometry_json(),
            })
            .collect();
        Ok(Some((centre, shapes)))
    }
}
