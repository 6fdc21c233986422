//! The billing SQL both backends run, written once (see [`crate::shared`] for how).
//!
//! Bulk work goes in multi-row statements of [`CHUNK`] rows: one round trip per chunk
//! instead of one per row, which is what makes a million bills or payments a matter of
//! seconds.

use daftar_core::billing::{Area, PropertyUse};
use daftar_core::calendar::JalaliDate;

use crate::shared::corrupt;
use crate::{BillView, BillingProperty, StoreError, from_db_time};

/// Rows per multi-row statement: well under both backends' limit on parameters.
pub(crate) const CHUNK: usize = 1000;

pub(crate) const BILL_VIEW_COLUMNS: &str = "b.bill_id, b.payment_id, b.barcode, p.renewal_code, \
     p.district, b.year, b.period, b.amount_rials, b.lines, b.due_date, b.paid_at, \
     b.trace_number, b.cancelled_at";

pub(crate) type BillViewRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

pub(crate) fn bill_view(row: BillViewRow) -> Result<BillView, StoreError> {
    let (
        bill_id,
        payment_id,
        barcode,
        renewal_code,
        district,
        year,
        period,
        amount,
        lines,
        due,
        paid_at,
        trace,
        cancelled,
    ) = row;
    Ok(BillView {
        bill_id,
        payment_id,
        barcode,
        renewal_code,
        district: u16::try_from(district).map_err(|_| corrupt("district"))?,
        year: i32::try_from(year).map_err(|_| corrupt("year"))?,
        period: u8::try_from(period).map_err(|_| corrupt("period"))?,
        amount_rials: u64::try_from(amount).map_err(|_| corrupt("amount"))?,
        lines_json: lines,
        due_date: JalaliDate::parse(&due).map_err(|_| corrupt("due date"))?,
        paid_at: paid_at.map(from_db_time),
        trace_number: trace,
        cancelled: cancelled.is_some(),
    })
}

pub(crate) type BillingPropertyRow = (i64, i64, i64, i64, String, i64);

pub(crate) fn billing_property(row: BillingPropertyRow) -> Result<BillingProperty, StoreError> {
    let (id, district, land, built, property_use, arrears) = row;
    Ok(BillingProperty {
        id,
        district: u16::try_from(district).map_err(|_| corrupt("district"))?,
        land_area: Area::from_centi_m2(u64::try_from(land).map_err(|_| corrupt("area"))?),
        built_area: Area::from_centi_m2(u64::try_from(built).map_err(|_| corrupt("area"))?),
        property_use: PropertyUse::parse(&property_use).ok_or_else(|| corrupt("property use"))?,
        arrears_rials: u64::try_from(arrears).unwrap_or(0),
    })
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

macro_rules! shared_billing_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::BillingStore for $store {
            async fn upsert_properties(
                &self,
                records: &[$crate::PropertyRecord],
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::ImportCounts> {
                let mut counts = $crate::ImportCounts::default();
                let mut tx = self.writer.begin().await?;
                for record in records {
                    let existing: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM properties WHERE renewal_code = $1")
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
                    .bind($crate::shared_billing::to_i64(record.land_area.centi_m2()))
                    .bind($crate::shared_billing::to_i64(record.built_area.centi_m2()))
                    .bind(record.property_use.slug())
                    .bind($crate::to_db_time(now));
                    let (id,) = values.fetch_one(&mut *tx).await?;
                    if existing.is_some() {
                        counts.updated += 1;
                    } else {
                        counts.inserted += 1;
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
            ) -> $crate::Result<Vec<$crate::BillingProperty>> {
                let rows: Vec<$crate::shared_billing::BillingPropertyRow> = sqlx::query_as(
                    "SELECT p.id, p.district, p.land_area_centi, p.built_area_centi, p.use_kind,
                         CAST(COALESCE((SELECT SUM(b.amount_rials) FROM bills b
                             WHERE b.property_id = p.id AND b.year < $1
                               AND b.paid_at IS NULL AND b.cancelled_at IS NULL), 0) AS BIGINT)
                     FROM properties p
                     WHERE p.id > $2 AND (p.district = $3 OR $4)
                     ORDER BY p.id LIMIT $5",
                )
                .bind(i64::from(year))
                .bind(after_id)
                .bind(district.map(i64::from).unwrap_or(0))
                .bind(district.is_none())
                .bind(limit)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_billing::billing_property).collect()
            }

            async fn insert_bills(
                &self,
                bills: &[$crate::NewBill],
                now: jiff::Timestamp,
            ) -> $crate::Result<u64> {
                let mut inserted = 0;
                let mut tx = self.writer.begin().await?;
                for chunk in bills.chunks($crate::shared_billing::CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO bills (property_id, year, period, bill_id, payment_id, barcode,
                             amount_rials, lines, due_date, issued_at) ",
                    );
                    insert.push_values(chunk, |mut row, bill| {
                        row.push_bind(bill.property_id)
                            .push_bind(i64::from(bill.year))
                            .push_bind(i64::from(bill.period))
                            .push_bind(bill.numbers.bill_id.as_str().to_owned())
                            .push_bind(bill.numbers.payment_id.as_str().to_owned())
                            .push_bind(bill.numbers.barcode.as_str().to_owned())
                            .push_bind($crate::shared_billing::to_i64(bill.amount_rials))
                            .push_bind(bill.lines_json.clone())
                            .push_bind(bill.due_date.iso_jalali())
                            .push_bind($crate::to_db_time(now));
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    inserted += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(inserted)
            }

            async fn bills_page(
                &self,
                year: i32,
                district: Option<u16>,
                after_id: i64,
                limit: i64,
            ) -> $crate::Result<Vec<(i64, $crate::BillView)>> {
                let mut query = sqlx::QueryBuilder::<$db>::new("SELECT b.id, ");
                query.push($crate::shared_billing::BILL_VIEW_COLUMNS);
                query.push(" FROM bills b JOIN properties p ON p.id = b.property_id WHERE b.year = ");
                query.push_bind(i64::from(year));
                query.push(" AND b.id > ");
                query.push_bind(after_id);
                if let Some(district) = district {
                    query.push(" AND p.district = ");
                    query.push_bind(i64::from(district));
                }
                query.push(" ORDER BY b.id LIMIT ");
                query.push_bind(limit);
                let rows = query.build().fetch_all(&self.reader).await?;
                let mut page = Vec::with_capacity(rows.len());
                for row in rows {
                    use sqlx::Row;
                    let id: i64 = row.try_get(0)?;
                    let view = (
                        row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?,
                        row.try_get(5)?, row.try_get(6)?, row.try_get(7)?, row.try_get(8)?,
                        row.try_get(9)?, row.try_get(10)?, row.try_get(11)?, row.try_get(12)?,
                        row.try_get(13)?,
                    );
                    page.push((id, $crate::shared_billing::bill_view(view)?));
                }
                Ok(page)
            }

            async fn bill_by_barcode(&self, barcode: &str) -> $crate::Result<Option<$crate::BillView>> {
                if let Some(found) = self.fast_bill_by_barcode(barcode) {
                    return found;
                }
                let row: Option<$crate::shared_billing::BillViewRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM bills b JOIN properties p ON p.id = b.property_id WHERE b.barcode = $1",
                    $crate::shared_billing::BILL_VIEW_COLUMNS
                ))
                .bind(barcode)
                .fetch_optional(&self.reader)
                .await?;
                row.map($crate::shared_billing::bill_view).transpose()
            }

            async fn bills_of_property(
                &self,
                district: u16,
                renewal_code: &str,
            ) -> $crate::Result<Vec<$crate::BillView>> {
                let rows: Vec<$crate::shared_billing::BillViewRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM bills b JOIN properties p ON p.id = b.property_id
                     WHERE p.district = $1 AND p.renewal_code = $2 ORDER BY b.year DESC, b.period DESC",
                    $crate::shared_billing::BILL_VIEW_COLUMNS
                ))
                .bind(i64::from(district))
                .bind(renewal_code)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared_billing::bill_view).collect()
            }

            async fn record_payments(
                &self,
                payments: &[$crate::IncomingPayment],
                source: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::PaymentReport> {
                use daftar_core::billing::{BillFacts, PaymentOutcome};
                use std::collections::{HashMap, HashSet};
                let mut outcomes = Vec::with_capacity(payments.len());
                let mut seen_traces: HashSet<&str> = HashSet::new();
                let mut paid_now: HashSet<i64> = HashSet::new();
                let mut tx = self.writer.begin().await?;
                for chunk in payments.chunks($crate::shared_billing::CHUNK) {
                    let mut lookup = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, barcode, amount_rials, paid_at, cancelled_at FROM bills WHERE barcode IN (",
                    );
                    let mut list = lookup.separated(", ");
                    for payment in chunk {
                        list.push_bind(payment.barcode.as_str().to_owned());
                    }
                    lookup.push(")");
                    let bills: HashMap<String, (i64, BillFacts)> = lookup
                        .build_query_as::<(i64, String, i64, Option<i64>, Option<i64>)>()
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .map(|(id, barcode, amount, paid_at, cancelled_at)| {
                            let facts = BillFacts {
                                amount_rials: u64::try_from(amount).unwrap_or(0),
                                paid: paid_at.is_some(),
                                cancelled: cancelled_at.is_some(),
                            };
                            (barcode, (id, facts))
                        })
                        .collect();
                    let mut known = sqlx::QueryBuilder::<$db>::new(
                        "SELECT trace_number FROM payments WHERE trace_number IN (",
                    );
                    let mut list = known.separated(", ");
                    for payment in chunk {
                        list.push_bind(payment.trace_number.clone());
                    }
                    known.push(")");
                    let recorded: HashSet<String> = known
                        .build_query_as::<(String,)>()
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .map(|(trace,)| trace)
                        .collect();

                    let mut to_record = Vec::new();
                    let mut applied = Vec::new();
                    for payment in chunk {
                        let trace_seen = recorded.contains(&payment.trace_number)
                            || !seen_traces.insert(payment.trace_number.as_str());
                        let bill = bills.get(payment.barcode.as_str()).map(|(id, facts)| {
                            let paid = facts.paid || paid_now.contains(id);
                            (*id, BillFacts { paid, ..*facts })
                        });
                        let outcome = PaymentOutcome::decide(trace_seen, bill.map(|(_, f)| f), payment.amount_rials);
                        outcomes.push(outcome);
                        if outcome == PaymentOutcome::Duplicate {
                            continue;
                        }
                        let bill_row = bill.map(|(id, _)| id);
                        if outcome == PaymentOutcome::Applied {
                            if let Some(id) = bill_row {
                                paid_now.insert(id);
                                applied.push(payment.trace_number.clone());
                            }
                        }
                        to_record.push((payment, bill_row, outcome));
                    }
                    if !to_record.is_empty() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO payments (trace_number, bill_row, barcode, amount_rials, paid_at,
                                 outcome, source, recorded_at) ",
                        );
                        insert.push_values(&to_record, |mut row, (payment, bill_row, outcome)| {
                            row.push_bind(payment.trace_number.clone())
                                .push_bind(*bill_row)
                                .push_bind(payment.barcode.as_str().to_owned())
                                .push_bind($crate::shared_billing::to_i64(payment.amount_rials))
                                .push_bind($crate::to_db_time(payment.paid_at))
                                .push_bind(outcome.slug())
                                .push_bind(source.to_owned())
                                .push_bind($crate::to_db_time(now));
                        });
                        insert.build().execute(&mut *tx).await?;
                    }
                    if !applied.is_empty() {
                        let mut update = sqlx::QueryBuilder::<$db>::new(
                            "UPDATE bills SET paid_at = p.paid_at, trace_number = p.trace_number
                             FROM payments p WHERE p.bill_row = bills.id AND p.trace_number IN (",
                        );
                        let mut list = update.separated(", ");
                        for trace in applied {
                            list.push_bind(trace);
                        }
                        update.push(")");
                        update.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok($crate::PaymentReport { outcomes })
            }

            async fn properties_owned_by(
                &self,
                national_id: &daftar_core::ir::NationalId,
            ) -> $crate::Result<Vec<$crate::OwnedProperty>> {
                let rows: Vec<(String, i64, String)> = sqlx::query_as(
                    "SELECT p.renewal_code, p.district, p.address FROM properties p
                     JOIN property_owners o ON o.property_id = p.id
                     WHERE o.national_id = $1 ORDER BY p.district, p.renewal_code",
                )
                .bind(national_id.as_str())
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter()
                    .map(|(renewal_code, district, address)| {
                        Ok($crate::OwnedProperty {
                            renewal_code,
                            district: u16::try_from(district).map_err(|_| $crate::shared::corrupt("district"))?,
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
            ) -> $crate::Result<$crate::ClearanceOutcome> {
                let mut tx = self.writer.begin().await?;
                let property: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM properties WHERE district = $1 AND renewal_code = $2",
                )
                .bind(i64::from(district))
                .bind(renewal_code)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((property_id,)) = property else {
                    return Ok($crate::ClearanceOutcome::UnknownProperty);
                };
                let unpaid: Vec<$crate::shared_billing::BillViewRow> = sqlx::query_as(&format!(
                    "SELECT {} FROM bills b JOIN properties p ON p.id = b.property_id
                     WHERE b.property_id = $1 AND b.paid_at IS NULL AND b.cancelled_at IS NULL
                     ORDER BY b.year, b.period",
                    $crate::shared_billing::BILL_VIEW_COLUMNS
                ))
                .bind(property_id)
                .fetch_all(&mut *tx)
                .await?;
                if !unpaid.is_empty() {
                    let bills = unpaid
                        .into_iter()
                        .map($crate::shared_billing::bill_view)
                        .collect::<$crate::Result<Vec<_>>>()?;
                    return Ok($crate::ClearanceOutcome::Owes(bills));
                }
                sqlx::query(
                    "INSERT INTO clearances (code, property_id, renewal_code, district, issued_at, issued_by)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(code)
                .bind(property_id)
                .bind(renewal_code)
                .bind(i64::from(district))
                .bind($crate::to_db_time(now))
                .bind(issued_by)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::ClearanceOutcome::Issued($crate::Clearance {
                    code: code.to_owned(),
                    renewal_code: renewal_code.to_owned(),
                    district,
                    issued_at: $crate::from_db_time($crate::to_db_time(now)),
                }))
            }

            async fn clearance(&self, code: &str) -> $crate::Result<Option<$crate::Clearance>> {
                let row: Option<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT code, renewal_code, district, issued_at FROM clearances WHERE code = $1",
                )
                .bind(code)
                .fetch_optional(&self.reader)
                .await?;
                row.map(|(code, renewal_code, district, issued_at)| {
                    Ok($crate::Clearance {
                        code,
                        renewal_code,
                        district: u16::try_from(district).map_err(|_| $crate::shared::corrupt("district"))?,
                        issued_at: $crate::from_db_time(issued_at),
                    })
                })
                .transpose()
            }
        }
    };
}
