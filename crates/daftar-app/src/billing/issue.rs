//! `daftar bills issue` and `daftar bills export`.

use std::io::Write;

use daftar_core::billing::{BillNumbers, Demand, Tariff};
use daftar_core::calendar::JalaliDate;
use daftar_store::{BillingProperty, BillingStore, NewBill};
use jiff::Timestamp;

/// Properties read and bills written per round, each round one transaction: large enough
/// that commits are a small part of a million bills, small enough to keep the memory low.
const PAGE: i64 = 50_000;

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
    store: &dyn BillingStore,
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
    let first = store
        .billing_properties(options.year, options.district, 0, PAGE)
        .await?;
    let mut current = bill_page(tariff, options, first)?;
    while let Some(page) = current {
        // The next page is read and computed while this one is written: on SQLite the
        // reader and the writer are different connections, on PostgreSQL different backends.
        let next_page = async {
            let next = store
                .billing_properties(options.year, options.district, page.last_id, PAGE)
                .await?;
            bill_page(tariff, options, next)
        };
        let billed = page.bills.len() as u64;
        let (inserted, next) =
            tokio::join!(store.insert_bills(page.bills, Timestamp::now()), next_page);
        let inserted = inserted?;
        summary.properties += page.properties;
        summary.nothing_owed += page.nothing_owed;
        summary.issued += inserted;
        summary.already_issued += billed - inserted;
        progress(summary.properties);
        current = next?;
    }
    Ok(summary)
}

/// A page of properties turned into bills.
struct BillPage {
    bills: Vec<NewBill>,
    properties: u64,
    nothing_owed: u64,
    last_id: i64,
}

/// Computes the bills of a page of properties; `None` when the page is empty.
fn bill_page(
    tariff: &Tariff,
    options: &IssueOptions,
    page: Vec<BillingProperty>,
) -> anyhow::Result<Option<BillPage>> {
    let Some(last) = page.last() else {
        return Ok(None);
    };
    let mut result = BillPage {
        bills: Vec::with_capacity(page.len()),
        properties: page.len() as u64,
        nothing_owed: 0,
        last_id: last.id,
    };
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
            result.nothing_owed += 1;
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
        result.bills.push(NewBill {
            property_id: property.id,
            year: options.year,
            period: 1,
            numbers,
            amount_rials: amount,
            lines_json: serde_json::to_string(&demand.lines)?,
            due_date: options.due_date,
        });
    }
    Ok(Some(result))
}

pub const EXPORT_HEADER: &str =
    "bill_id,payment_id,barcode,renewal_code,district,year,amount_rials,due_date";

/// Writes a year's bills as CSV, the due date in Jalali; returns how many.
pub async fn export_bills(
    store: &dyn BillingStore,
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
