//! The detailed plan's storage: the versions of the zone rules (their TOML text) and of
//! the zoning map (its features as GeoJSON). Nothing here is changed once written: a new
//! rules file or map is a new version, and cases keep the version they were decided on.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{CaseId, Result, StaffId, StoreError, from_db_time, to_db_time};

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
    /// Keeps an inquiry's answer as the case's next one, in the transaction that checks
    /// the case is still at `expected_version` with an open task for the formation unit
    /// and moves its version on (else a [`StoreError::Conflict`], keeping nothing).
    /// Returns the inquiry's number (1, 2, …) and the case's new version.
    async fn save_case_inquiry(
        &self,
        inquiry: &NewCaseInquiry,
        expected_version: i64,
    ) -> Result<(i64, i64)>;
    /// The inquiries recorded on a case, newest first, with who recorded each.
    async fn case_inquiries(&self, case: CaseId) -> Result<Vec<StoredCaseInquiry>>;
}

/// An inquiry's answer about to be recorded on a case, as JSON (the zones, setbacks,
/// flags and the map order computed from them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCaseInquiry {
    pub case: CaseId,
    pub zoning_version: i64,
    pub answer_json: String,
    pub recorded_by: StaffId,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCaseInquiry {
    pub version: i64,
    pub zoning_version: i64,
    pub answer_json: String,
    pub recorded_by_name: String,
    pub recorded_at: Timestamp,
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
    for<'r> (i64, i64, String, String, i64): FromRow<'r, <S::Db as Database>::Row>,
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

    async fn save_case_inquiry(
        &self,
        inquiry: &NewCaseInquiry,
        expected_version: i64,
    ) -> Result<(i64, i64)> {
        let mut tx = self.writer().begin().await?;
        // The compare-and-set every action makes, while formation has the case.
        let moved = sqlx::query(
            "UPDATE cases SET version = version + 1, updated_at = $3
             WHERE id = $1 AND version = $2 AND closed_at IS NULL
               AND EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = $1 AND t.role = 'formation')",
        )
        .bind(inquiry.case.0)
        .bind(expected_version)
        .bind(to_db_time(inquiry.recorded_at))
        .execute(&mut *tx)
        .await?;
        if S::rows_affected(&moved) != 1 {
            return Err(StoreError::Conflict("case version"));
        }
        let (version,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM case_inquiries WHERE case_id = $1",
        )
        .bind(inquiry.case.0)
        .fetch_one(&mut *tx)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO case_inquiries
                 (case_id, version, zoning_version, answer, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(inquiry.case.0)
        .bind(version)
        .bind(inquiry.zoning_version)
        .bind(inquiry.answer_json.as_str())
        .bind(inquiry.recorded_by.0)
        .bind(to_db_time(inquiry.recorded_at))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict("inquiry version"));
            }
            Err(error) => return Err(error.into()),
        }
        tx.commit().await?;
        Ok((version, expected_version + 1))
    }

    async fn case_inquiries(&self, case: CaseId) -> Result<Vec<StoredCaseInquiry>> {
        let rows: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT q.version, q.zoning_version, q.answer, s.display_name, q.recorded_at
             FROM case_inquiries q JOIN staff_users s ON s.id = q.recorded_by
             WHERE q.case_id = $1 ORDER BY q.version DESC",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(version, zoning_version, answer_json, recorded_by_name, at)| StoredCaseInquiry {
                    version,
                    zoning_version,
                    answer_json,
                    recorded_by_name,
                    recorded_at: from_db_time(at),
                },
            )
            .collect())
    }
}
