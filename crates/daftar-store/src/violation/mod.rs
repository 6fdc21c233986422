//! Building violations' storage: what a property's permit allowed, the violations computed
//! from a case's sketch and their review, the commission's rulings, and the bills a final
//! ruling's fines became. The JSON columns hold the domain's types
//! (`daftar_core::violation`); the totals beside them are what the queue sorts and shows.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{BillView, CaseId, Result, StaffId, StoreError, from_db_time, to_db_time};

/// The violations' side of storage. One method is one transaction.
#[async_trait]
pub trait ViolationStore: Send + Sync + std::fmt::Debug {
    /// Records what a property's permit allowed, replacing what was recorded before.
    async fn save_permit(&self, permit: &NewPermit) -> Result<()>;
    async fn permit(&self, district: u16, renewal_code: &str) -> Result<Option<StoredPermit>>;
    /// The violations computed from the case's latest sketch, and their review.
    async fn case_violations(&self, case: CaseId) -> Result<Option<StoredViolations>>;
    /// Keeps the violation-review unit's review, in the transaction that checks the case
    /// is still at `expected_version` with an open task for the unit and moves its
    /// version on (else a [`StoreError::Conflict`], keeping nothing); returns the new
    /// version.
    async fn save_review(&self, review: &NewReview, expected_version: i64) -> Result<i64>;
    /// Keeps a ruling as its round's and level's (replacing a draft of the same round and
    /// level), in the transaction that checks the case is still at `expected_version` with an open task
    /// for the commission's secretary and moves its version on.
    async fn save_ruling(&self, ruling: &NewRuling, expected_version: i64) -> Result<i64>;
    /// The case's rulings, by round, first instance first.
    async fn rulings(&self, case: CaseId) -> Result<Vec<StoredRuling>>;
    /// The bills the case's fines became, oldest first.
    async fn fine_bills(&self, case: CaseId) -> Result<Vec<BillView>>;
    /// Open cases of `workflow` about the property (a property with an open violation
    /// case gets no certificate).
    async fn open_cases_on(
        &self,
        workflow: &str,
        district: u16,
        renewal_code: &str,
    ) -> Result<Vec<CaseId>>;
    /// The register's row id of a property (what its bill IDs carry), and the next free
    /// period from `first` of its bills in `year`.
    async fn billing_slot(
        &self,
        district: u16,
        renewal_code: &str,
        year: i32,
        first: u8,
    ) -> Result<Option<(i64, u8)>>;
    /// The national ID of the property's registered owner with the largest share (the
    /// lowest ID breaks a tie): whom a case the office opens on the property is for.
    async fn register_owner(&self, district: u16, renewal_code: &str) -> Result<Option<String>>;
    /// Registers a fire-safety firm; a legal ID already registered is a
    /// [`StoreError::Conflict`].
    async fn register_firm(&self, firm: &NewFirm) -> Result<i64>;
    /// Every registered firm, by name.
    async fn firms(&self) -> Result<Vec<StoredFirm>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFirm {
    pub name: String,
    pub legal_id: String,
    pub licence_number: String,
    /// Jalali, `1405-09-30`.
    pub licence_valid_until: String,
    pub registered_by: StaffId,
    pub registered_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StoredFirm {
    pub id: i64,
    pub name: String,
    pub legal_id: String,
    pub licence_number: String,
    pub licence_valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPermit {
    pub district: u16,
    pub renewal_code: String,
    pub permit_json: String,
    pub recorded_by: StaffId,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPermit {
    pub permit_json: String,
    pub recorded_by_name: String,
    pub recorded_at: Timestamp,
}

/// Violations computed from a sketch, written with it (see [`crate::NewSketch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedViolations {
    pub json: String,
    pub count: i64,
    pub total_centi_m2: i64,
    pub fine_min_rials: i64,
    pub fine_max_rials: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredViolations {
    pub computed_json: String,
    pub computed_at: Timestamp,
    pub reviewed: Option<StoredReview>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReview {
    pub json: String,
    /// The computed list it reviewed.
    pub of_json: String,
    pub by_name: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    pub case: CaseId,
    pub reviewed_json: String,
    pub of_json: String,
    pub by: StaffId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRuling {
    pub case: CaseId,
    /// Which time the case is before the commission, from 1: an unpaid commercial fine
    /// sends it back for a new round.
    pub round: i64,
    /// `first` or `appeal`.
    pub level: String,
    pub ruling_json: String,
    pub by: StaffId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRuling {
    pub round: i64,
    pub level: String,
    pub ruling_json: String,
    pub by_name: String,
    pub at: Timestamp,
}

#[derive(Debug, FromRow)]
struct ViolationsRow {
    computed: String,
    computed_at: i64,
    reviewed: Option<String>,
    reviewed_of: Option<String>,
    reviewed_by_name: Option<String>,
    reviewed_at: Option<i64>,
}

#[derive(Debug, FromRow)]
struct RulingRow {
    round: i64,
    level: String,
    ruling: String,
    by_name: String,
    recorded_at: i64,
}

#[derive(Debug, FromRow)]
struct PermitRow {
    permit: String,
    by_name: String,
    recorded_at: i64,
}

/// Moves the case's version on from `expected`, while it is open and a unit of `role`
/// holds it: the compare-and-set every action makes.
const MOVE_VERSION: &str = "UPDATE cases SET version = version + 1, updated_at = $3
     WHERE id = $1 AND version = $2 AND closed_at IS NULL
       AND EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = $1 AND t.role = $4)";

/// Runs [`MOVE_VERSION`] in `tx`: a case no longer at `expected` (or not held by `role`)
/// is a [`StoreError::Conflict`], and the caller's transaction writes nothing.
async fn move_version<S>(
    tx: &mut sqlx::Transaction<'_, S::Db>,
    case: CaseId,
    expected: i64,
    at: Timestamp,
    role: &str,
) -> Result<()>
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
{
    let moved = sqlx::query(MOVE_VERSION)
        .bind(case.0)
        .bind(expected)
        .bind(to_db_time(at))
        .bind(role)
        .execute(&mut **tx)
        .await?;
    if S::rows_affected(&moved) != 1 {
        return Err(StoreError::Conflict("case version"));
    }
    Ok(())
}

#[async_trait]
impl<S> ViolationStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> ViolationsRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> RulingRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> PermitRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> crate::billing::sql::BillViewRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (String,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64, i64): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> StoredFirm: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn register_firm(&self, firm: &NewFirm) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        let inserted: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO fire_safety_firms (name, legal_id, licence_number, licence_valid_until,
                 registered_by, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(firm.name.as_str())
        .bind(firm.legal_id.as_str())
        .bind(firm.licence_number.as_str())
        .bind(firm.licence_valid_until.as_str())
        .bind(firm.registered_by.0)
        .bind(to_db_time(firm.registered_at))
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::Conflict("firm.registered"));
            }
            Err(error) => return Err(error.into()),
        };
        tx.commit().await?;
        Ok(id)
    }

    async fn register_owner(&self, district: u16, renewal_code: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT o.national_id FROM properties p
             JOIN property_owners o ON o.property_id = p.id
             WHERE p.district = $1 AND p.renewal_code = $2
             ORDER BY o.share_hundredths DESC, o.national_id LIMIT 1",
        )
        .bind(i64::from(district))
        .bind(renewal_code)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|(national_id,)| national_id))
    }

    async fn firms(&self) -> Result<Vec<StoredFirm>> {
        Ok(sqlx::query_as(
            "SELECT id, name, legal_id, licence_number, licence_valid_until
             FROM fire_safety_firms ORDER BY name, id",
        )
        .fetch_all(self.reader())
        .await?)
    }

    async fn save_permit(&self, permit: &NewPermit) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO property_permits (district, renewal_code, permit, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (district, renewal_code) DO UPDATE SET permit = excluded.permit,
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(i64::from(permit.district))
        .bind(permit.renewal_code.as_str())
        .bind(permit.permit_json.as_str())
        .bind(permit.recorded_by.0)
        .bind(to_db_time(permit.recorded_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn permit(&self, district: u16, renewal_code: &str) -> Result<Option<StoredPermit>> {
        let row: Option<PermitRow> = sqlx::query_as(
            "SELECT p.permit, s.display_name AS by_name, p.recorded_at
             FROM property_permits p JOIN staff_users s ON s.id = p.recorded_by
             WHERE p.district = $1 AND p.renewal_code = $2",
        )
        .bind(i64::from(district))
        .bind(renewal_code)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|row| StoredPermit {
            permit_json: row.permit,
            recorded_by_name: row.by_name,
            recorded_at: from_db_time(row.recorded_at),
        }))
    }

    async fn case_violations(&self, case: CaseId) -> Result<Option<StoredViolations>> {
        let row: Option<ViolationsRow> = sqlx::query_as(
            "SELECT v.computed, v.computed_at, v.reviewed, v.reviewed_of,
                 s.display_name AS reviewed_by_name, v.reviewed_at
             FROM case_violations v LEFT JOIN staff_users s ON s.id = v.reviewed_by
             WHERE v.case_id = $1",
        )
        .bind(case.0)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|row| StoredViolations {
            computed_json: row.computed,
            computed_at: from_db_time(row.computed_at),
            reviewed: match (row.reviewed, row.reviewed_of, row.reviewed_at) {
                (Some(json), Some(of_json), Some(at)) => Some(StoredReview {
                    json,
                    of_json,
                    by_name: row.reviewed_by_name.unwrap_or_default(),
                    at: from_db_time(at),
                }),
                _ => None,
            },
        }))
    }

    async fn save_review(&self, review: &NewReview, expected_version: i64) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        move_version::<S>(
            &mut tx,
            review.case,
            expected_version,
            review.at,
            "violation_review",
        )
        .await?;
        let updated = sqlx::query(
            "UPDATE case_violations SET reviewed = $2, reviewed_of = $3, reviewed_by = $4,
                 reviewed_at = $5
             WHERE case_id = $1 AND computed = $3",
        )
        .bind(review.case.0)
        .bind(review.reviewed_json.as_str())
        .bind(review.of_json.as_str())
        .bind(review.by.0)
        .bind(to_db_time(review.at))
        .execute(&mut *tx)
        .await?;
        // The list reviewed is the one computed now, or the review is of a stale list.
        if S::rows_affected(&updated) != 1 {
            return Err(StoreError::Conflict("violations recomputed"));
        }
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    async fn save_ruling(&self, ruling: &NewRuling, expected_version: i64) -> Result<i64> {
        let mut tx = self.writer().begin().await?;
        move_version::<S>(
            &mut tx,
            ruling.case,
            expected_version,
            ruling.at,
            "commission_secretary",
        )
        .await?;
        sqlx::query(
            "INSERT INTO case_rulings (case_id, round, level, ruling, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (case_id, round, level) DO UPDATE SET ruling = excluded.ruling,
                 recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        )
        .bind(ruling.case.0)
        .bind(ruling.round)
        .bind(ruling.level.as_str())
        .bind(ruling.ruling_json.as_str())
        .bind(ruling.by.0)
        .bind(to_db_time(ruling.at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    async fn rulings(&self, case: CaseId) -> Result<Vec<StoredRuling>> {
        let rows: Vec<RulingRow> = sqlx::query_as(
            "SELECT r.round, r.level, r.ruling, s.display_name AS by_name, r.recorded_at
             FROM case_rulings r JOIN staff_users s ON s.id = r.recorded_by
             WHERE r.case_id = $1 ORDER BY r.round, r.level DESC",
        )
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredRuling {
                round: row.round,
                level: row.level,
                ruling_json: row.ruling,
                by_name: row.by_name,
                at: from_db_time(row.recorded_at),
            })
            .collect())
    }

    async fn fine_bills(&self, case: CaseId) -> Result<Vec<BillView>> {
        let rows: Vec<crate::billing::sql::BillViewRow> = sqlx::query_as(&format!(
            "SELECT {} FROM {} JOIN case_fine_bills f ON f.bill_row = b.id
             WHERE f.case_id = $1 ORDER BY b.id",
            crate::billing::sql::BILL_VIEW_COLUMNS,
            crate::billing::sql::BILL_VIEW_FROM
        ))
        .bind(case.0)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::billing::sql::bill_view)
            .collect()
    }

    async fn open_cases_on(
        &self,
        workflow: &str,
        district: u16,
        renewal_code: &str,
    ) -> Result<Vec<CaseId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM cases
             WHERE district = $1 AND renewal_code = $2 AND workflow_id = $3
               AND closed_at IS NULL ORDER BY id",
        )
        .bind(i64::from(district))
        .bind(renewal_code)
        .bind(workflow)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(id,)| CaseId(id)).collect())
    }

    async fn billing_slot(
        &self,
        district: u16,
        renewal_code: &str,
        year: i32,
        first: u8,
    ) -> Result<Option<(i64, u8)>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT p.id, COALESCE((SELECT MAX(b.period) + 1 FROM bills b
                 WHERE b.property_id = p.id AND b.year = $3 AND b.period >= $4), $4)
             FROM properties p WHERE p.district = $1 AND p.renewal_code = $2",
        )
        .bind(i64::from(district))
        .bind(renewal_code)
        .bind(i64::from(year))
        .bind(i64::from(first))
        .fetch_optional(self.reader())
        .await?;
        match row {
            None => Ok(None),
            Some((id, period)) => match u8::try_from(period) {
                Ok(period) if period <= 99 => Ok(Some((id, period))),
                _ => Err(StoreError::Conflict("no bill period left this year")),
            },
        }
    }
}
