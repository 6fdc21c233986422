//! Complaints' storage: the register row a complaint's case opens with
//! ([`NewCase::complaint`](crate::NewCase::complaint)), the staff member's conduct record
//! read from it, the staff a citizen met on their cases; and Open311's clients and lists
//! ([`Open311Store`]).

mod open311;

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::sql::{SqlBackend, Statement};
use crate::{CaseId, Result, StaffId, from_db_time};

pub use open311::{
    NewOpen311Client, Open311Client, Open311Query, Open311Row, Open311Status, Open311Store,
};

/// The complaints' side of storage. One method is one transaction.
#[async_trait]
pub trait ComplaintStore: Send + Sync + std::fmt::Debug {
    /// A case's register row, if it is a complaint.
    async fn complaint(&self, case: CaseId) -> Result<Option<StoredComplaint>>;
    /// The complaints naming `staff` filed in `offices`, newest first: their conduct
    /// record as a reader of those offices sees it.
    async fn complaints_naming(
        &self,
        staff: StaffId,
        offices: &[String],
    ) -> Result<Vec<ConductEntry>>;
    /// The staff members of `office` named in complaints, with how many name each, the
    /// most named first.
    async fn named_staff(&self, office: &str) -> Result<Vec<NamedStaff>>;
    /// The staff who acted on the cases of `applicant`, each once (for naming one in a
    /// complaint).
    async fn staff_who_acted_for(&self, applicant: &str) -> Result<Vec<NamedStaff>>;
}

/// What a complaint's case opens with, beside its answers.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComplaint {
    pub kind: String,
    /// Listed to Open311 clients.
    pub public: bool,
    pub description: String,
    /// In millionths of a degree.
    pub location_micro: Option<(i64, i64)>,
    pub named_staff: Option<StaffId>,
    pub client: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComplaint {
    pub case: CaseId,
    pub kind: String,
    pub public: bool,
    pub named_staff: Option<StaffId>,
    pub client: Option<i64>,
    pub location_micro: Option<(i64, i64)>,
}

/// A complaint on a staff member's conduct record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductEntry {
    pub case: CaseId,
    pub tracking_code: String,
    pub kind: String,
    pub state: String,
    /// The case's answers, as JSON: the finding and the answer are among them.
    pub fields_json: String,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedStaff {
    pub staff: StaffId,
    pub display_name: String,
    pub count: i64,
}

#[derive(Debug, FromRow)]
struct ComplaintRow {
    case_id: i64,
    kind: String,
    public: bool,
    named_staff: Option<i64>,
    client_id: Option<i64>,
    latitude_micro: Option<i64>,
    longitude_micro: Option<i64>,
}

#[derive(Debug, FromRow)]
struct ConductRow {
    case_id: i64,
    tracking_code: String,
    kind: String,
    state: String,
    fields: String,
    created_at: i64,
    updated_at: i64,
}

#[derive(Debug, FromRow)]
struct NamedRow {
    staff: i64,
    display_name: String,
    count: i64,
}

fn location(latitude: Option<i64>, longitude: Option<i64>) -> Option<(i64, i64)> {
    latitude.zip(longitude)
}

/// Writes a case's register row in the transaction that opens it.
pub(crate) async fn insert_complaint<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    case: i64,
    complaint: &NewComplaint,
    now: i64,
) -> Result<()>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    sqlx::query(
        "INSERT INTO complaints (case_id, kind, public, description, latitude_micro,
             longitude_micro, named_staff, client_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(case)
    .bind(complaint.kind.as_str())
    .bind(complaint.public)
    .bind(complaint.description.as_str())
    .bind(complaint.location_micro.map(|(lat, _)| lat))
    .bind(complaint.location_micro.map(|(_, lon)| lon))
    .bind(complaint.named_staff.map(|s| s.0))
    .bind(complaint.client)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl<S> ComplaintStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> ComplaintRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> ConductRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> NamedRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn complaint(&self, case: CaseId) -> Result<Option<StoredComplaint>> {
        let row: Option<ComplaintRow> = sqlx::query_as(
            "SELECT case_id, kind, public, named_staff, client_id, latitude_micro,
                 longitude_micro
             FROM complaints WHERE case_id = $1",
        )
        .bind(case.0)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|row| StoredComplaint {
            case: CaseId(row.case_id),
            kind: row.kind,
            public: row.public,
            named_staff: row.named_staff.map(StaffId),
            client: row.client_id,
            location_micro: location(row.latitude_micro, row.longitude_micro),
        }))
    }

    async fn complaints_naming(
        &self,
        staff: StaffId,
        offices: &[String],
    ) -> Result<Vec<ConductEntry>> {
        if offices.is_empty() {
            return Ok(Vec::new());
        }
        let mut statement = Statement::new(
            "SELECT c.id AS case_id, c.tracking_code, k.kind, c.state, c.fields,
                 k.created_at, c.updated_at
             FROM complaints k JOIN cases c ON c.id = k.case_id
             WHERE k.named_staff = ",
        );
        statement.bind(staff.0).push(" AND c.office_code IN (");
        for (n, office) in offices.iter().enumerate() {
            if n > 0 {
                statement.push(", ");
            }
            statement.bind(office.as_str());
        }
        statement.push(") ORDER BY k.created_at DESC, k.case_id DESC");
        let rows: Vec<ConductRow> = statement.query_as().fetch_all(self.reader()).await?;
        Ok(rows
            .into_iter()
            .map(|row| ConductEntry {
                case: CaseId(row.case_id),
                tracking_code: row.tracking_code,
                kind: row.kind,
                state: row.state,
                fields_json: row.fields,
                filed_at: from_db_time(row.created_at),
                updated_at: from_db_time(row.updated_at),
            })
            .collect())
    }

    async fn named_staff(&self, office: &str) -> Result<Vec<NamedStaff>> {
        let rows: Vec<NamedRow> = sqlx::query_as(
            "SELECT k.named_staff AS staff, s.display_name, COUNT(*) AS count
             FROM complaints k
             JOIN cases c ON c.id = k.case_id
             JOIN staff_users s ON s.id = k.named_staff
             WHERE c.office_code = $1
             GROUP BY k.named_staff, s.display_name
             ORDER BY count DESC, s.display_name",
        )
        .bind(office)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(named).collect())
    }

    async fn staff_who_acted_for(&self, applicant: &str) -> Result<Vec<NamedStaff>> {
        let rows: Vec<NamedRow> = sqlx::query_as(
            "SELECT s.id AS staff, s.display_name, COUNT(*) AS count
             FROM cases c
             JOIN case_history h ON h.case_id = c.id
             JOIN staff_users s ON s.id = h.actor_staff_id
             WHERE c.applicant_national_id = $1
             GROUP BY s.id, s.display_name
             ORDER BY s.display_name",
        )
        .bind(applicant)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(named).collect())
    }
}

fn named(row: NamedRow) -> NamedStaff {
    NamedStaff {
        staff: StaffId(row.staff),
        display_name: row.display_name,
        count: row.count,
    }
}
