//! `daftar bills issue` and `daftar bills export`.

use std::io::Write;

use daftar_core::billing::{BillNumbers, Demand, Tariff};
use daftar_core::calendar::JalaliDate;
use daftar_store::{NewBill, Store};
use jiff::Timestamp;

/// Properties read and bills written per round.
const PAGE: i64 = 10_000;

#[derive(Debug, Clone)]
pub struct IssueOptions {
    pub year: i32,
    pub district: Option<u16>,
    pub due_date: JalaliDate,
    /// The municipality's three-digit company code in the bill ID.
    pub company_code: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueSummary {
    pub properties: u64,
    pub issued: u64,
    pub already_issued: u64,
    /// Properties that owe nothing this year (exempt), so get no bill.
    pub nothing_owed: u64,
}

/// Issues the year's bills for every property (of a district), page by page; running it
/// again issues nothing twice. `progress` is told how many properties are done.
pub async fn issue_bills(
    store: &dyn Store,
    tariff: &Tariff,
    options: &IssueOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<IssueSummary> {
    anyhow::ensure!(
        tariff.year == options.year,
        "the tariff is for {}, not {}",
        tariff.year,
        options.year
    );
    let mut summary = IssueSummary::default();
    let mut after = 0;
    loop {
        let page = store
            .billing_properties(options.year, options.district, after, PAGE)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut bills = Vec::with_capacity(page.len());
        for property in &page {
            let demand = Demand::compute(
                tariff,
                property.district,
                property.land_area,
                property.built_area,
                property.property_use,
                property.arrears_rials,
            );
            let amount = demand.total_rials();
            if amount == 0 {
                summary.nothing_owed += 1;
                continue;
            }
            let property_number = u64::try_from(property.id)?;
            let numbers = BillNumbers::new(
                property_number,
                options.company_code,
                amount,
                options.year,
                1,
            )
            .map_err(|e| anyhow::anyhow!("property {}: {e}", property.id))?;
            bills.push(NewBill {
                property_id: property.id,
                year: options.year,
                period: 1,
                numbers,
                amount_rials: amount,
                lines_json: serde_json::to_string(&demand.lines)?,
                due_date: options.due_date,
            });
        }
        let inserted = store.insert_bills(&bills, Timestamp::now()).await?;
        summary.properties += page.len() as u64;
        summary.issued += inserted;
        summary.already_issued += bills.len() as u64 - inserted;
        progress(summary.properties);
    }
    Ok(summary)
}

pub const EXPORT_HEADER: &str =
    "bill_id,payment_id,barcode,renewal_code,district,year,amount_rials,due_date";

/// Writes a year's bills as CSV, the due date in Jalali; returns how many.
pub async fn export_bills(
    store: &dyn Store,
    year: i32,
    district: Option<u16>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<u64> {
    writeln!(out, "{EXPORT_HEADER}")?;
    let mut after = 0;
    let mut written = 0;
    loop {
        let page = store.bills_page(year, district, after, PAGE).await?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        for (_, bill) in &page {
            // Renewal codes are digits and dashes, so no field needs quoting.
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                bill.bill_id,
                bill.payment_id,
                bill.barcode,
                bill.renewal_code,
                bill.district,
                bill.year,
                bill.amount_rials,
                bill.due_date.iso_jalali()
            )?;
        }
        written += page.len() as u64;
    }
    out.flush()?;
    Ok(written)
}
