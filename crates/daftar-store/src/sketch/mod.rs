//! The inspector's sketches of a case: each recording a new version, none ever changed,
//! with who drew it.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::{CaseId, Result, StaffId, StoreError, from_db_time, to_db_time};

/// The sketches' side of storage. One method is one transaction.
#[async_trait]
pub trait SketchStore: Send + Sync + std::fmt::Debug {
    /// Keeps a sketch as the case's next version, in the transaction that checks the case
    /// is still at `expected_version` with an open task for the inspection unit and moves
    /// its version on: a second recording at the same version, or one after the case has
    /// left inspection, is a [`StoreError::Conflict`] and keeps nothing. Returns the
    /// sketch's number (1, 2, …) and the case's new version.
    async fn save_sketch(&self, sketch: &NewSketch, expected_version: i64) -> Result<(i64, i64)>;
    /// Every version of a case's sketch, newest first, with who drew each.
    async fn sketches_of_case(&self, case: CaseId) -> Result<Vec<StoredSketch>>;
    /// Whether the case has a sketch at all (what an action that needs one asks).
    async fn has_sketch(&self, case: CaseId) -> Result<bool>;
}

/// A checked sketch about to be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSketch {
    pub case: CaseId,
    /// The checked sketch as JSON.
    pub sketch_json: String,
    pub total_centi_m2: i64,
    /// Where the property is, in ten-millionths of a degree (latitude, longitude).
    pub location_e7: Option<(i64, i64)>,
    pub drawn_by: StaffId,
    pub drawn_at: Timestamp,
    /// The violations computed from it, replacing the case's earlier ones (and their
    /// review, which was of another sketch).
    pub violations: Option<crate::ComputedViolations>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSketch {
    pub version: i64,
    pub sketch_json: String,
    pub total_centi_m2: i64,
    pub location_e7: Option<(i64, i64)>,
    pub drawn_by: StaffId,
    pub drawn_by_name: String,
    pub drawn_at: Timestamp,
}

#[derive(Debug, FromRow)]
struct SketchRow {
    version: i64,
    sketch: String,
    total_centi_m2: i64,
    lat_e7: Option<i64>,
    lon_e7: Option<i64>,
    drawn_by: i64,
    drawn_by_name: String,
    drawn_at: i64,
}

#[async_trait]
impl<S> SketchStore for S
where
    S: crate::sql::SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'r> SketchRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
{
    async fn save_sketch(&self, sketch: &NewSketch, expected_version: i64) -> Result<(i64, i64)> {
        let mut tx = self.writer().begin().await?;
        // The case moves on only from the version the inspector saw, and only while the
        // inspection unit has it: the compare-and-set every action makes.
        let moved = sqlx::query(
            "UPDATE cases SET version = version + 1, updated_at = $3
             WHERE id = $1 AND version = $2 AND closed_at IS NULL
               AND EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = $1 AND t.role = 'inspection')",
        )
        .bind(sketch.case.0)
        .bind(expected_version)
        .bind(to_db_time(sketch.drawn_at))
        .execute(&mut *tx)
        .await?;
        if S::rows_affected(&moved) != 1 {
            return Err(StoreError::Conflict("case version"));
        }
        let (version,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM case_sketches WHERE case_id = $1",
        )
        .bind(sketch.case.0)
        .fetch_one(&mut *tx)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO case_sketches
                 (case_id, version, sketch, total_centi_m2, lat_e7, lon_e7, drawn_by, drawn_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(sketch.case.0)
        .bind(version)
        .bind(sketch.sketch_json.as_str())
        .bind(sketch.total_centi_m2)
        .bind(sketch.location_e7.map(|(lat, _)| lat))
        .bind(sketch.location_e7.map(|(_, lon)| lon))
        .bind(sketch.drawn_by.0)
        .bind(to_db_time(sketch.drawn_at))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            // Two inspectors recording at once: the second is told the case moved on.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict("sketch version"));
            }
            Err(error) => return Err(error.into()),
        }
        if let Some(violations) = &sketch.violations {
            sqlx::query(
                "INSERT INTO case_violations (case_id, computed, violation_count, total_centi_m2,
                     fine_min_rials, fine_max_rials, computed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (case_id) DO UPDATE SET computed = excluded.computed,
                     violation_count = excluded.violation_count,
                     total_centi_m2 = excluded.total_centi_m2,
                     fine_min_rials = excluded.fine_min_rials,
                     fine_max_rials = excluded.fine_max_rials,
                     computed_at = excluded.computed_at,
                     reviewed = NULL, reviewed_of = NULL, reviewed_by = NULL, reviewed_at = NULL",
            )
            .bind(sketch.case.0)
            .bind(violations.json.as_str())
            .bind(violations.count)
            .bind(violations.total_centi_m2)
            .bind(violations.fine_min_rials)
            .bind(violations.fine_max_rials)
            .bind(to_db_time(sketch.drawn_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok((version, expected_version + 1))
    }

    async fn has_sketch(&self, case: CaseId) -> Result<bool> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM case_sketches WHERE case_id = $1 LIMIT 1")
                .bind(case.0)
                .fetch_optional(self.reader())
                .await?;
        Ok(found.is_some())
    }

    async fn sketches_of_case(&self, case: CaseId) -> Result<Vec<StoredSketch>> {
        let rows: Vec<SketchRow> = sqlx::query_as(
            "SELECT k.version, k.sketch, k.total_centi_m2, k.lat_e7, k.lon_e7, k.drawn_by,
                 s.display_name AS drawn_by_name, k.drawn_at
             FROM case_sketches k JOIN staff_users s ON s.id = k.drawn_by
             WHERE k.case_id = $1 ORDER BY k.version DESC",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredSketch {
                version: row.version,
                sketch_json: row.sketch,
                total_centi_m2: row.total_centi_m2,
                location_e7: row.lat_e7.zip(row.lon_e7),
                drawn_by: StaffId(row.drawn_by),
                drawn_by_name: row.drawn_by_name,
                drawn_at: from_db_time(row.drawn_at),
            })
            .collect())
    }
}
