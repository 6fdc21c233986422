//! Satisfaction surveys' storage: a closed case's one response, kept with its tallies in
//! one transaction; the tallies published in steps of `publish_every` responses per
//! service (copied in the transaction of the response that completes a step), and read
//! back by month for the published results.

use async_trait::async_trait;
use daftar_core::ir::NationalId;
use daftar_core::survey::{SCALE_POINTS, SurveyMonth, Tally};
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::{CaseId, Result, StoreError, to_db_time};

/// The surveys' side of storage. One method is one transaction.
#[async_trait]
pub trait SurveyStore: Send + Sync + std::fmt::Debug {
    /// Keeps a case's response and adds its scores to its service's tallies for the month;
    /// when the service's responses that month reach a multiple of `publish_every`, its
    /// tallies are published as they stand. A case answered already is a
    /// `Conflict("survey")` and changes nothing.
    async fn answer_survey(&self, response: &NewSurveyResponse, publish_every: u64) -> Result<()>;
    /// Whether the case's survey was answered.
    async fn survey_answered(&self, case: CaseId) -> Result<bool>;
    /// The cases of `applicant` whose survey was answered.
    async fn surveys_answered_by(&self, applicant: &NationalId) -> Result<Vec<CaseId>>;
    /// Every published tally of a month: one a service and item.
    async fn published_tallies(&self, month: SurveyMonth) -> Result<Vec<StoredTally>>;
    /// The months that have published tallies, the latest first.
    async fn survey_months(&self) -> Result<Vec<SurveyMonth>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyResponse {
    pub case: CaseId,
    pub service_id: String,
    /// The slug of the unit that owns the service.
    pub unit: String,
    /// The month the case closed.
    pub month: SurveyMonth,
    /// Each item's key and score, 1 to 5.
    pub scores: Vec<(String, u8)>,
    pub remark: Option<String>,
    pub answered_at: Timestamp,
}

/// One item's tally for one service in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTally {
    pub service_id: String,
    pub unit: String,
    pub item: String,
    pub tally: Tally,
}

#[derive(Debug, FromRow)]
struct TallyRow {
    service_id: String,
    unit: String,
    item: String,
    score_1: i64,
    score_2: i64,
    score_3: i64,
    score_4: i64,
    score_5: i64,
}

#[async_trait]
impl<S> SurveyStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> i32: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i32,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> TallyRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn answer_survey(&self, response: &NewSurveyResponse, publish_every: u64) -> Result<()> {
        // `informed=4,on_time=5,…`: the keys are a-z, 0-9 and _ (the survey form checks).
        let scores = response
            .scores
            .iter()
            .map(|(item, score)| format!("{item}={score}"))
            .collect::<Vec<_>>()
            .join(",");
        let month = month_column(response.month);
        let mut tx = self.writer().begin().await?;
        let kept = sqlx::query(
            "INSERT INTO survey_responses (case_id, service_id, unit, month, scores, remark,
                 answered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(response.case.0)
        .bind(response.service_id.as_str())
        .bind(response.unit.as_str())
        .bind(month)
        .bind(scores.as_str())
        .bind(response.remark.as_deref())
        .bind(to_db_time(response.answered_at))
        .execute(&mut *tx)
        .await;
        match kept {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict("survey"));
            }
            Err(e) => return Err(e.into()),
        }
        for (item, score) in &response.scores {
            let mut counts = [0i64; SCALE_POINTS];
            let at = usize::from(score.saturating_sub(1)).min(SCALE_POINTS - 1);
            counts[at] = 1;
            sqlx::query(
                "INSERT INTO survey_tallies (month, service_id, unit, item,
                     score_1, score_2, score_3, score_4, score_5)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (month, service_id, item) DO UPDATE SET
                     unit = excluded.unit,
                     score_1 = survey_tallies.score_1 + excluded.score_1,
                     score_2 = survey_tallies.score_2 + excluded.score_2,
                     score_3 = survey_tallies.score_3 + excluded.score_3,
                     score_4 = survey_tallies.score_4 + excluded.score_4,
                     score_5 = survey_tallies.score_5 + excluded.score_5",
            )
            .bind(month)
            .bind(response.service_id.as_str())
            .bind(response.unit.as_str())
            .bind(item.as_str())
            .bind(counts[0])
            .bind(counts[1])
            .bind(counts[2])
            .bind(counts[3])
            .bind(counts[4])
            .execute(&mut *tx)
            .await?;
        }
        // Every item is answered, so any item's total is the service's responses.
        let (responses,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(score_1 + score_2 + score_3 + score_4 + score_5), 0)
             FROM survey_tallies WHERE month = $1 AND service_id = $2",
        )
        .bind(month)
        .bind(response.service_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let every = i64::try_from(publish_every.max(1)).unwrap_or(i64::MAX);
        if responses > 0 && responses % every == 0 {
            sqlx::query("DELETE FROM survey_published WHERE month = $1 AND service_id = $2")
                .bind(month)
                .bind(response.service_id.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO survey_published (month, service_id, unit, item,
                     score_1, score_2, score_3, score_4, score_5)
                 SELECT month, service_id, unit, item, score_1, score_2, score_3, score_4, score_5
                 FROM survey_tallies WHERE month = $1 AND service_id = $2",
            )
            .bind(month)
            .bind(response.service_id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn survey_answered(&self, case: CaseId) -> Result<bool> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT case_id FROM survey_responses WHERE case_id = $1")
                .bind(case.0)
                .fetch_optional(self.reader())
                .await?;
        Ok(found.is_some())
    }

    async fn surveys_answered_by(&self, applicant: &NationalId) -> Result<Vec<CaseId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT r.case_id FROM survey_responses r JOIN cases c ON c.id = r.case_id
             WHERE c.applicant_national_id = $1",
        )
        .bind(applicant.as_str())
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(|(id,)| CaseId(id)).collect())
    }

    async fn published_tallies(&self, month: SurveyMonth) -> Result<Vec<StoredTally>> {
        let rows: Vec<TallyRow> = sqlx::query_as(
            "SELECT service_id, unit, item, score_1, score_2, score_3, score_4, score_5
             FROM survey_published WHERE month = $1
             ORDER BY service_id, item",
        )
        .bind(month_column(month))
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredTally {
                tally: Tally {
                    counts: [
                        row.score_1,
                        row.score_2,
                        row.score_3,
                        row.score_4,
                        row.score_5,
                    ]
                    .map(|count| u64::try_from(count).unwrap_or(0)),
                },
                service_id: row.service_id,
                unit: row.unit,
                item: row.item,
            })
            .collect())
    }

    async fn survey_months(&self) -> Result<Vec<SurveyMonth>> {
        let rows: Vec<(i32,)> = sqlx::query_as(
            "SELECT DISTINCT month FROM survey_published ORDER BY month DESC LIMIT 120",
        )
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(month,)| SurveyMonth::from_number(u32::try_from(month).ok()?))
            .collect())
    }
}

fn month_column(month: SurveyMonth) -> i32 {
    i32::try_from(month.number()).unwrap_or(i32::MAX)
}
