//! The detailed plan's storage: the versions of the zone rules (their TOML text) and of
//! the zoning map (its features as GeoJSON). Nothing here is changed once written: a new
//! rules file or map is a new version, and cases keep the version they were decided on.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{Result, StoreError, from_db_time, to_db_time};

/// The zoning side of storage. One method is one transaction.
#[async_trait]
pub trait ZoningStore: Send + Sync + std::fmt::Debug {
    /// Keeps a version of the zone rules. Loading the same text again changes nothing
    /// (false); other text under a version already kept is a [`StoreError::Conflict`].
    async fn save_zone_rules(&self, version: &str, body: &str, now: Timestamp) -> Result<bool>;
    /// The rules of `version`, or the latest loaded when `None`.
    async fn zone_rules(&self, version: Option<&str>) -> Result<Option<StoredZoneRules>>;
    /// Stores a new version of the zoning map, with all its features, under rules
    /// already kept; returns the new version's number (1, 2, …).
    async fn save_zoning_map(
        &self,
        rules_version: &str,
        features: &[NewZoneFeature],
        now: Timestamp,
    ) -> Result<i64>;
    /// The latest version of the map with its features, in the file's order.
    async fn latest_zoning_map(&self) -> Result<Option<StoredZoningMap>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredZoneRules {
    pub version: String,
    pub body: String,
    pub loaded_at: Timestamp,
}

/// A feature of a map about to be stored: a sub-zone's code, its geometry as GeoJSON,
/// and the slugs of the area's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewZoneFeature {
    pub code: String,
    pub geometry: String,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredZoningMap {
    pub version: i64,
    pub rules_version: String,
    pub imported_at: Timestamp,
    pub features: Vec<NewZoneFeature>,
}

#[derive(Debug, FromRow)]
struct RulesRow {
    version: String,
    body: String,
    loaded_at: i64,
}

#[derive(Debug, FromRow)]
struct FeatureRow {
    code: String,
    geometry: String,
    flags: String,
}

#[async_trait]
impl<S> ZoningStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> RulesRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> FeatureRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn save_zone_rules(&self, version: &str, body: &str, now: Timestamp) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let kept: Option<(String,)> =
            sqlx::query_as("SELECT body FROM zone_rules WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        match kept {
            Some((kept,)) if kept == body => return Ok(false),
            Some(_) => return Err(StoreError::Conflict("zone rules of this version")),
            None => {}
        }
        sqlx::query("INSERT INTO zone_rules (version, body, loaded_at) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(body)
            .bind(to_db_time(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn zone_rules(&self, version: Option<&str>) -> Result<Option<StoredZoneRules>> {
        let row: Option<RulesRow> = match version {
            Some(version) => {
                sqlx::query_as("SELECT version, body, loaded_at FROM zone_rules WHERE version = $1")
                    .bind(version)
                    .fetch_optional(self.reader())
                    .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT version, body, loaded_at FROM zone_rules
                     ORDER BY loaded_at DESC, version DESC LIMIT 1",
                )
                .fetch_optional(self.reader())
                .await?
            }
        };
        Ok(row.map(|row| StoredZoneRules {
            version: row.version,
            body: row.body,
            loaded_at: from_db_time(row.loaded_at),
        }))
    }

    async fn save_zoning_map(
        &self,
        rules_version: &str,
        features: &[NewZoneFeature],
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        let rules: Option<(String,)> =
            sqlx::query_as("SELECT version FROM zone_rules WHERE version = $1")
                .bind(rules_version)
                .fetch_optional(&mut *tx)
                .await?;
        if rules.is_none() {
            return Err(StoreError::NotFound("zone rules"));
        }
        let (version,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM zoning_maps")
                .fetch_one(&mut *tx)
                .await?;
        let count =
            i64::try_from(features.len()).map_err(|_| StoreError::Conflict("a map that large"))?;
        let inserted = sqlx::query(
            "INSERT INTO zoning_maps (version, rules_version, features, imported_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(version)
        .bind(rules_version)
        .bind(count)
        .bind(to_db_time(now))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // Two imports at once: the second is told to try again, and keeps nothing.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict("zoning map version"));
            }
            Err(error) => return Err(error.into()),
        }
        for (position, feature) in (0i64..).zip(features) {
            sqlx::query(
                "INSERT INTO zoning_features (map_version, position, code, geometry, flags)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(version)
            .bind(position)
            .bind(feature.code.as_str())
            .bind(feature.geometry.as_str())
            .bind(feature.flags.join(","))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    async fn latest_zoning_map(&self) -> Result<Option<StoredZoningMap>> {
        // One snapshot for the map and its features: an import in between must not mix two.
        let mut tx = self.reader().begin().await?;
        let map: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT version, rules_version, imported_at FROM zoning_maps
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version, rules_version, imported_at)) = map else {
            return Ok(None);
        };
        let rows: Vec<FeatureRow> = sqlx::query_as(
            "SELECT code, geometry, flags FROM zoning_features
             WHERE map_version = $1 ORDER BY position",
        )
        .bind(version)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(StoredZoningMap {
            version,
            rules_version,
            imported_at: from_db_time(imported_at),
            features: rows
                .into_iter()
                .map(|row| NewZoneFeature {
                    code: row.code,
                    geometry: row.geometry,
                    flags: row
                        .flags
                        .split(',')
                        .filter(|slug| !slug.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
                .collect(),
        }))
    }
}
