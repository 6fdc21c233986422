//! The property file's storage: each property's plot (deed, outline, setbacks) as the GIS
//! exports it, and the file as staff and owners read it — the register's facts and
//! owners, the cases on the property with their sketches and inquiries, the documents the
//! office approved on them, its clearances, and who among the staff read it.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::decode::corrupt;
use crate::sql::SqlBackend;
use crate::{CaseId, Result, StaffId, from_db_time, to_db_time};

/// The property side of storage. One method is one transaction.
#[async_trait]
pub trait PropertyStore: Send + Sync + std::fmt::Debug {
    /// Inserts each plot, or replaces the one kept under its district and renewal code,
    /// all or none; returns how many were new.
    async fn save_plots(&self, plots: &[NewPlot], now: Timestamp) -> Result<u64>;
    /// The plot of a property.
    async fn plot(&self, district: u16, renewal_code: &str) -> Result<Option<NewPlot>>;
    /// The property's file, or `None` when neither the register nor the GIS knows it; a
    /// staff `reader`'s read is kept in the same transaction.
    async fn property_file(
        &self,
        district: u16,
        renewal_code: &str,
        reader: Option<StaffId>,
        now: Timestamp,
    ) -> Result<Option<StoredPropertyFile>>;
}

/// A plot as kept: the outline as a GeoJSON geometry, the setbacks as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlot {
    pub district: u16,
    pub renewal_code: String,
    pub registration_plate: String,
    pub registration_section: u16,
    pub deed_area_centi_m2: i64,
    pub outline: Option<String>,
    pub setbacks_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPropertyFile {
    pub registered: Option<RegisteredProperty>,
    pub plot: Option<NewPlot>,
    /// Newest first.
    pub cases: Vec<PropertyCase>,
    /// The documents approved on its cases, newest first: the office's archive.
    pub documents: Vec<ArchivedDocument>,
    /// Clearance codes with when each was issued, newest first.
    pub clearances: Vec<(String, Timestamp)>,
    /// The last 50 staff reads, newest first (this one included).
    pub reads: Vec<PropertyRead>,
}

/// What the register says of the property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredProperty {
    pub address: String,
    pub postal_code: Option<String>,
    pub land_area_centi_m2: i64,
    pub built_area_centi_m2: i64,
    pub use_kind: String,
    pub owners: Vec<PropertyOwner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyOwner {
    pub national_id: String,
    pub name: String,
    pub share_hundredths: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyCase {
    pub id: CaseId,
    pub tracking_code: String,
    pub service_id: String,
    pub workflow_id: String,
    pub workflow_version: i64,
    pub state: String,
    pub created_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub sketches: i64,
    pub inquiries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedDocument {
    pub case: CaseId,
    pub tracking_code: String,
    pub document_id: i64,
    pub kind: String,
    pub version: i64,
    pub file_name: String,
    pub approved_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyRead {
    pub staff_name: String,
    pub at: Timestamp,
}

#[derive(Debug, FromRow)]
struct PlotRow {
    district: i64,
    renewal_code: String,
    registration_plate: String,
    registration_section: i64,
    deed_area_centi_m2: i64,
    outline: Option<String>,
    setbacks: String,
}

#[derive(Debug, FromRow)]
struct RegisteredRow {
    id: i64,
    address: String,
    postal_code: Option<String>,
    land_area_centi: i64,
    built_area_centi: i64,
    use_kind: String,
}

#[derive(Debug, FromRow)]
struct CaseRow {
    id: i64,
    tracking_code: String,
    service_id: String,
    workflow_id: String,
    workflow_version: i64,
    state: String,
    created_at: i64,
    closed_at: Option<i64>,
    sketches: i64,
    inquiries: i64,
}

#[derive(Debug, FromRow)]
struct DocumentRow {
    case_id: i64,
    tracking_code: String,
    id: i64,
    kind: String,
    version: i64,
    file_name: String,
    approved_at: i64,
}

const PLOT_COLUMNS: &str = "district, renewal_code, registration_plate, registration_section, \
     deed_area_centi_m2, outline, setbacks";

fn plot_of(row: PlotRow) -> Result<NewPlot> {
    Ok(NewPlot {
        district: u16::try_from(row.district).map_err(|_| corrupt("plot district"))?,
        registration_section: u16::try_from(row.registration_section)
            .map_err(|_| corrupt("plot registration section"))?,
        renewal_code: row.renewal_code,
        registration_plate: row.registration_plate,
        deed_area_centi_m2: row.deed_area_centi_m2,
        outline: row.outline,
        setbacks_json: row.setbacks,
    })
}

#[async_trait]
impl<S> PropertyStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'r> PlotRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> RegisteredRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> CaseRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> DocumentRow: FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (i64,): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (String, i64): FromRow<'r, <S::Db as Database>::Row>,
    for<'r> (String, String, i64): FromRow<'r, <S::Db as Database>::Row>,
{
    async fn save_plots(&self, plots: &[NewPlot], now: Timestamp) -> Result<u64> {
        let mut tx = self.writer().begin().await?;
        let mut new = 0;
        for plot in plots {
            let kept: Option<(i64,)> = sqlx::query_as(
                "SELECT district FROM plots WHERE district = $1 AND renewal_code = $2",
            )
            .bind(i64::from(plot.district))
            .bind(plot.renewal_code.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if kept.is_none() {
                new += 1;
            }
            sqlx::query(
                "INSERT INTO plots (district, renewal_code, registration_plate,
                     registration_section, deed_area_centi_m2, outline, setbacks, imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (district, renewal_code) DO UPDATE SET
                     registration_plate = excluded.registration_plate,
                     registration_section = excluded.registration_section,
                     deed_area_centi_m2 = excluded.deed_area_centi_m2,
                     outline = excluded.outline, setbacks = excluded.setbacks,
                     imported_at = excluded.imported_at",
            )
            .bind(i64::from(plot.district))
            .bind(plot.renewal_code.as_str())
            .bind(plot.registration_plate.as_str())
            .bind(i64::from(plot.registration_section))
            .bind(plot.deed_area_centi_m2)
            .bind(plot.outline.as_deref())
            .bind(plot.setbacks_json.as_str())
            .bind(to_db_time(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn plot(&self, district: u16, renewal_code: &str) -> Result<Option<NewPlot>> {
        let row: Option<PlotRow> = sqlx::query_as(&format!(
            "SELECT {PLOT_COLUMNS} FROM plots WHERE district = $1 AND renewal_code = $2"
        ))
        .bind(i64::from(district))
        .bind(renewal_code)
        .fetch_optional(self.reader())
        .await?;
        row.map(plot_of).transpose()
    }

    async fn property_file(
        &self,
        district: u16,
        renewal_code: &str,
        reader: Option<StaffId>,
        now: Timestamp,
    ) -> Result<Option<StoredPropertyFile>> {
        let district = i64::from(district);
        // The read is written with the file it read: one transaction, on the writer.
        let mut tx = self.writer().begin().await?;
        let registered: Option<RegisteredRow> = sqlx::query_as(
            "SELECT id, address, postal_code, land_area_centi, built_area_centi, use_kind
             FROM properties WHERE district = $1 AND renewal_code = $2",
        )
        .bind(district)
        .bind(renewal_code)
        .fetch_optional(&mut *tx)
        .await?;
        let plot: Option<PlotRow> = sqlx::query_as(&format!(
            "SELECT {PLOT_COLUMNS} FROM plots WHERE district = $1 AND renewal_code = $2"
        ))
        .bind(district)
        .bind(renewal_code)
        .fetch_optional(&mut *tx)
        .await?;
        if registered.is_none() && plot.is_none() {
            return Ok(None);
        }
        let registered = match registered {
            Some(row) => {
                let owners: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT national_id, name, share_hundredths FROM property_owners
                     WHERE property_id = $1 ORDER BY share_hundredths DESC, national_id",
                )
                .bind(row.id)
                .fetch_all(&mut *tx)
                .await?;
                Some(RegisteredProperty {
                    address: row.address,
                    postal_code: row.postal_code,
                    land_area_centi_m2: row.land_area_centi,
                    built_area_centi_m2: row.built_area_centi,
                    use_kind: row.use_kind,
                    owners: owners
                        .into_iter()
                        .map(|(national_id, name, share_hundredths)| PropertyOwner {
                            national_id,
                            name,
                            share_hundredths,
                        })
                        .collect(),
                })
            }
            None => None,
        };
        let cases: Vec<CaseRow> = sqlx::query_as(
            "SELECT c.id, c.tracking_code, c.service_id, c.workflow_id, c.workflow_version,
                 c.state, c.created_at, c.closed_at,
                 (SELECT COUNT(*) FROM case_sketches k WHERE k.case_id = c.id) AS sketches,
                 (SELECT COUNT(*) FROM case_inquiries q WHERE q.case_id = c.id) AS inquiries
             FROM cases c WHERE c.district = $1 AND c.renewal_code = $2
             ORDER BY c.id DESC LIMIT 200",
        )
        .bind(district)
        .bind(renewal_code)
        .fetch_all(&mut *tx)
        .await?;
        let documents: Vec<DocumentRow> = sqlx::query_as(
            "SELECT d.case_id, c.tracking_code, d.id, d.kind, d.version, d.file_name,
                 d.approved_at
             FROM documents d JOIN cases c ON c.id = d.case_id
             WHERE c.district = $1 AND c.renewal_code = $2 AND d.approved_at IS NOT NULL
             ORDER BY d.approved_at DESC, d.id DESC LIMIT 500",
        )
        .bind(district)
        .bind(renewal_code)
        .fetch_all(&mut *tx)
        .await?;
        let clearances: Vec<(String, i64)> = sqlx::query_as(
            "SELECT code, issued_at FROM clearances
             WHERE district = $1 AND renewal_code = $2 ORDER BY issued_at DESC LIMIT 100",
        )
        .bind(district)
        .bind(renewal_code)
        .fetch_all(&mut *tx)
        .await?;
        if let Some(reader) = reader {
            sqlx::query(
                "INSERT INTO property_reads (district, renewal_code, staff_id, at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(district)
            .bind(renewal_code)
            .bind(reader.0)
            .bind(to_db_time(now))
            .execute(&mut *tx)
            .await?;
        }
        let reads: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.display_name, r.at FROM property_reads r
             JOIN staff_users s ON s.id = r.staff_id
             WHERE r.district = $1 AND r.renewal_code = $2 ORDER BY r.id DESC LIMIT 50",
        )
        .bind(district)
        .bind(renewal_code)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(StoredPropertyFile {
            registered,
            plot: plot.map(plot_of).transpose()?,
            cases: cases
                .into_iter()
                .map(|row| PropertyCase {
                    id: CaseId(row.id),
                    tracking_code: row.tracking_code,
                    service_id: row.service_id,
                    workflow_id: row.workflow_id,
                    workflow_version: row.workflow_version,
                    state: row.state,
                    created_at: from_db_time(row.created_at),
                    closed_at: row.closed_at.map(from_db_time),
                    sketches: row.sketches,
                    inquiries: row.inquiries,
                })
                .collect(),
            documents: documents
                .into_iter()
                .map(|row| ArchivedDocument {
                    case: CaseId(row.case_id),
                    tracking_code: row.tracking_code,
                    document_id: row.id,
                    kind: row.kind,
                    version: row.version,
                    file_name: row.file_name,
                    approved_at: from_db_time(row.approved_at),
                })
                .collect(),
            clearances: clearances
                .into_iter()
                .map(|(code, at)| (code, from_db_time(at)))
                .collect(),
            reads: reads
                .into_iter()
                .map(|(staff_name, at)| PropertyRead {
                    staff_name,
                    at: from_db_time(at),
                })
                .collect(),
        }))
    }
}
