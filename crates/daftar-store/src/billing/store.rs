//! [`BillingStore`] for both backends: plain SQL over [`SqlBackend`], and the paths each
//! backend writes its own way through [`BulkBilling`].

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use super::{BillPageRow, BulkBilling};
use crate::sql::{SqlBackend, Statement};
use crate::*;

#[async_trait]
impl<S> BillingStore for S
where
    S: SqlBackend + BulkBilling,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> bool: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<S::Db as Database>::Row>,
    for<'r> ClearanceRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn upsert_properties(
        &self,
        records: &[crate::PropertyRecord],
        now: jiff::Timestamp,
    ) -> crate::Result<crate::ImportCounts> {
        let mut counts = crate::ImportCounts::default();
        let mut tx = self.writer().begin().await?;
        for record in records {
            let existing: Option<(i64, i64)> =
                sqlx::query_as("SELECT id, district FROM properties WHERE renewal_code = $1")
                    .bind(record.renewal_code.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let values = sqlx::query_as::<_, (i64,)>(if existing.is_some() {
                "UPDATE properties SET district = $2, address = $3, postal_code = $4,
                     land_area_centi = $5, built_area_centi = $6, use_kind = $7, updated_at = $8
                 WHERE renewal_code = $1 RETURNING id"
            } else {
                "INSERT INTO properties (renewal_code, district, address, postal_code,
                     land_area_centi, built_area_centi, use_kind, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            })
            .bind(record.renewal_code.as_str())
            .bind(i64::from(record.district))
            .bind(&record.address)
            .bind(record.postal_code.as_ref().map(|code| code.as_str()))
            .bind(crate::billing::sql::to_i64(record.land_area.centi_m2()))
            .bind(crate::billing::sql::to_i64(record.built_area.centi_m2()))
            .bind(record.property_use.slug())
            .bind(crate::to_db_time(now));
            let (id,) = values.fetch_one(&mut *tx).await?;
            match existing {
                Some((_, district)) => {
                    counts.updated += 1;
                    if district != i64::from(record.district) {
                        // Its bills carry the district the look-up shows.
                        sqlx::query("UPDATE bills SET district = $2 WHERE property_id = $1")
                            .bind(id)
                            .bind(i64::from(record.district))
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                None => counts.inserted += 1,
            }
            sqlx::query("DELETE FROM property_owners WHERE property_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for owner in &record.owners {
                sqlx::query(
                    "INSERT INTO property_owners (property_id, national_id, name, mobile, share_hundredths)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (property_id, national_id) DO UPDATE SET
                         share_hundredths = property_owners.share_hundredths + excluded.share_hundredths",
                )
                .bind(id)
                .bind(owner.national_id.as_str())
                .bind(&owner.name)
                .bind(owner.mobile.as_ref().map(|m| m.e164()))
                .bind(i64::from(owner.share.hundredths_of_percent()))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(counts)
    }

    async fn billing_properties(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> crate::Result<Vec<crate::BillingProperty>> {
        self.billing_properties_page(year, district, after_id, limit)
            .await
    }

    async fn insert_bills(
        &self,
        bills: Vec<crate::NewBill>,
        now: jiff::Timestamp,
    ) -> crate::Result<u64> {
        self.bulk_insert_bills(bills, now).await
    }

    async fn bills_page(
        &self,
        year: i32,
        district: Option<u16>,
        after_id: i64,
        limit: i64,
    ) -> crate::Result<Vec<(i64, crate::BillView)>> {
        let mut query = Statement::new("SELECT b.id, ");
        query
            .push(crate::billing::sql::BILL_VIEW_COLUMNS)
            .push(" FROM ")
            .push(crate::billing::sql::BILL_VIEW_FROM)
            .push(" WHERE b.year = ")
            .bind(i64::from(year))
            .push(" AND b.id > ")
            .bind(after_id);
        if let Some(district) = district {
            query.push(" AND b.district = ").bind(i64::from(district));
        }
        query.push(" ORDER BY b.id LIMIT ").bind(limit);
        let rows: Vec<BillPageRow> = query.query_as().fetch_all(self.reader()).await?;
        let mut page = Vec::with_capacity(rows.len());
        for row in rows {
            page.push((row.id, crate::billing::sql::bill_view(row.view)?));
        }
        Ok(page)
    }

    async fn bill_by_barcode(&self, barcode: &str) -> crate::Result<Option<crate::BillView>> {
        if let Some(found) = self.fast_bill_by_barcode(barcode) {
            return found;
        }
        let row: Option<crate::billing::sql::BillViewRow> =
            sqlx::query_as(crate::billing::sql::BILL_BY_BARCODE.as_str())
                .bind(barcode)
                .fetch_optional(self.reader())
                .await?;
        row.map(crate::billing::sql::bill_view).transpose()
    }

    async fn bills_of_property(
        &self,
        district: u16,
        renewal_code: &str,
    ) -> crate::Result<Vec<crate::BillView>> {
        let rows: Vec<crate::billing::sql::BillViewRow> = sqlx::query_as(&format!(
            "SELECT {} FROM {}
             WHERE b.property_id =
                 (SELECT id FROM properties WHERE district = $1 AND renewal_code = $2)
             ORDER BY b.year DESC, b.period DESC",
            crate::billing::sql::BILL_VIEW_COLUMNS,
            crate::billing::sql::BILL_VIEW_FROM
        ))
        .bind(i64::from(district))
        .bind(renewal_code)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(crate::billing::sql::bill_view)
            .collect()
    }

    async fn record_payments(
        &self,
        payments: Vec<crate::IncomingPayment>,
        source: &str,
        now: jiff::Timestamp,
    ) -> crate::Result<crate::PaymentReport> {
        self.bulk_record_payments(payments, source, now).await
    }

    async fn properties_owned_by(
        &self,
        national_id: &daftar_core::ir::NationalId,
    ) -> crate::Result<Vec<crate::OwnedProperty>> {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT p.renewal_code, p.district, p.address FROM properties p
             JOIN property_owners o ON o.property_id = p.id
             WHERE o.national_id = $1 ORDER BY p.district, p.renewal_code",
        )
        .bind(national_id.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(renewal_code, district, address)| {
                Ok(crate::OwnedProperty {
                    renewal_code,
                    district: u16::try_from(district)
                        .map_err(|_| crate::decode::corrupt("district"))?,
                    address,
                })
            })
            .collect()
    }

    async fn issue_clearance(
        &self,
        district: u16,
        renewal_code: &str,
        code: &str,
        issued_by: &str,
        now: jiff::Timestamp,
        valid_since: jiff::Timestamp,
    ) -> crate::Result<crate::ClearanceOutcome> {
        let mut tx = self.writer().begin().await?;
        let property: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM properties WHERE district = $1 AND renewal_code = $2")
                .bind(i64::from(district))
                .bind(renewal_code)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((property_id,)) = property else {
            return Ok(crate::ClearanceOutcome::UnknownProperty);
        };
        let unpaid: Vec<crate::billing::sql::BillViewRow> = sqlx::query_as(&format!(
            "SELECT {} FROM {}
             WHERE b.property_id = $1 AND paying.bill_row IS NULL AND b.cancelled_at IS NULL
             ORDER BY b.year, b.period",
            crate::billing::sql::BILL_VIEW_COLUMNS,
            crate::billing::sql::BILL_VIEW_FROM
        ))
        .bind(property_id)
        .fetch_all(&mut *tx)
        .await?;
        if !unpaid.is_empty() {
            let bills = unpaid
                .into_iter()
                .map(crate::billing::sql::bill_view)
                .collect::<crate::Result<Vec<_>>>()?;
            return Ok(crate::ClearanceOutcome::Owes(bills));
        }
        let valid: Option<ClearanceRow> = sqlx::query_as(
            "SELECT code, renewal_code, district, issued_at FROM clearances
             WHERE property_id = $1 AND issued_at >= $2 ORDER BY issued_at DESC LIMIT 1",
        )
        .bind(property_id)
        .bind(crate::to_db_time(valid_since))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(valid) = valid {
            return Ok(crate::ClearanceOutcome::Issued(valid.clearance()?));
        }
        sqlx::query(
            "INSERT INTO clearances (code, property_id, renewal_code, district, issued_at, issued_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code)
        .bind(property_id)
        .bind(renewal_code)
        .bind(i64::from(district))
        .bind(crate::to_db_time(now))
        .bind(issued_by)
        .execute(&mut *tx)
        .await
        .map_err(|error| match error {
            sqlx::Error::Database(e) if e.is_unique_violation() => {
                crate::StoreError::Conflict("clearance code")
            }
            error => error.into(),
        })?;
        tx.commit().await?;
        Ok(crate::ClearanceOutcome::Issued(crate::Clearance {
            code: code.to_owned(),
            renewal_code: renewal_code.to_owned(),
            district,
            issued_at: crate::from_db_time(crate::to_db_time(now)),
        }))
    }

    async fn clearance(&self, code: &str) -> crate::Result<Option<crate::Clearance>> {
        let row: Option<ClearanceRow> = sqlx::query_as(
            "SELECT code, renewal_code, district, issued_at FROM clearances WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(self.reader())
        .await?;
        row.map(ClearanceRow::clearance).transpose()
    }

    async fn clearances_of_owner(
        &self,
        national_id: &daftar_core::ir::NationalId,
    ) -> crate::Result<Vec<crate::Clearance>> {
        let rows: Vec<ClearanceRow> = sqlx::query_as(
            "SELECT c.code, c.renewal_code, c.district, c.issued_at FROM clearances c
             JOIN property_owners o ON o.property_id = c.property_id
             WHERE o.national_id = $1 ORDER BY c.issued_at DESC, c.code",
        )
        .bind(national_id.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(ClearanceRow::clearance).collect()
    }
}

/// A clearance as its table holds it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClearanceRow {
    code: String,
    renewal_code: String,
    district: i64,
    issued_at: i64,
}

impl ClearanceRow {
    fn clearance(self) -> crate::Result<crate::Clearance> {
        Ok(crate::Clearance {
            code: self.code,
            renewal_code: self.renewal_code,
            district: u16::try_from(self.district)
                .map_err(|_| crate::decode::corrupt("district"))?,
            issued_at: crate::from_db_time(self.issued_at),
        })
    }
}
