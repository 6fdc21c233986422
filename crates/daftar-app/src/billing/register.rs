//! `daftar properties import`: the register, one CSV row per owner.

use std::collections::BTreeMap;

use daftar_core::billing::{Area, PropertyUse, RenewalCode, Share};
use daftar_core::fa;
use daftar_core::ir::{Mobile, NationalId, PostalCode};
use daftar_store::{BillingStore, ImportCounts, Owner, PropertyRecord};
use jiff::Timestamp;

use super::csv_file::{RejectedRow, check_header, reader};

pub const PROPERTY_HEADER: [&str; 11] = [
    "renewal_code",
    "district",
    "address",
    "postal_code",
    "land_area_m2",
    "built_area_m2",
    "use",
    "owner_national_id",
    "owner_name",
    "owner_mobile",
    "owner_share",
];

#[derive(Debug, Default)]
pub struct PropertyImport {
    pub counts: ImportCounts,
    pub rejected: Vec<RejectedRow>,
}

/// Validates the file row by row and stores the good rows in one transaction; bad rows
/// are reported with their line and reason. Importing again updates, never duplicates.
pub async fn import_properties(
    store: &dyn BillingStore,
    text: &str,
) -> anyhow::Result<PropertyImport> {
    let mut csv = reader(text);
    check_header(&mut csv, &PROPERTY_HEADER).map_err(anyhow::Error::msg)?;
    let mut rejected = Vec::new();
    let mut properties: BTreeMap<String, PropertyRecord> = BTreeMap::new();
    for (index, row) in csv.records().enumerate() {
        let line = index as u64 + 2;
        let parsed = row
            .map_err(|e| format!("unreadable row: {e}"))
            .and_then(|row| parse_row(&row));
        match parsed {
            Ok(record) => match properties.get_mut(record.renewal_code.as_str()) {
                // One row per owner: later rows add owners to the property of the first.
                Some(existing) => existing.owners.extend(record.owners),
                None => {
                    properties.insert(record.renewal_code.as_str().to_owned(), record);
                }
            },
            Err(reason) => rejected.push(RejectedRow { line, reason }),
        }
    }
    let records: Vec<PropertyRecord> = properties.into_values().collect();
    let counts = store.upsert_properties(&records, Timestamp::now()).await?;
    Ok(PropertyImport { counts, rejected })
}

fn parse_row(row: &csv::StringRecord) -> Result<PropertyRecord, String> {
    if row.len() != PROPERTY_HEADER.len() {
        return Err(format!(
            "expected {} fields, found {}",
            PROPERTY_HEADER.len(),
            row.len()
        ));
    }
    let field = |index: usize| row.get(index).unwrap_or("");
    let renewal_code =
        RenewalCode::parse(field(0)).map_err(|error| format!("renewal_code: {error}"))?;
    let district: u16 = fa::normalize_digits(field(1))
        .parse()
        .ok()
        .filter(|d| (1..=99).contains(d))
        .ok_or("district must be a number from 1 to 99")?;
    let address = fa::normalize_text(field(2));
    if address.is_empty() {
        return Err("address is empty".into());
    }
    let postal_code = match field(3) {
        "" => None,
        raw => Some(PostalCode::parse(raw).map_err(|_| "postal_code is not a valid postal code")?),
    };
    let land_area = Area::parse_m2(field(4)).ok_or("land_area_m2 is not an area in m²")?;
    let built_area = Area::parse_m2(field(5)).ok_or("built_area_m2 is not an area in m²")?;
    let property_use = PropertyUse::parse(field(6)).ok_or("use is not a known use")?;
    let national_id =
        NationalId::parse(field(7)).map_err(|_| "owner_national_id is not a valid national ID")?;
    let name = fa::normalize_text(field(8));
    if name.is_empty() {
        return Err("owner_name is empty".into());
    }
    let mobile = match field(9) {
        "" => None,
        raw => Some(Mobile::parse(raw).map_err(|_| "owner_mobile is not a valid mobile number")?),
    };
    let share = Share::parse_percent(field(10))
        .ok_or("owner_share must be a percentage above 0 up to 100")?;
    Ok(PropertyRecord {
        renewal_code,
        district,
        address,
        postal_code,
        land_area,
        built_area,
        property_use,
        owners: vec![Owner {
            national_id,
            name,
            mobile,
            share,
        }],
    })
}
