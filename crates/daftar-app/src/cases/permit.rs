//! The building permit as permit drafting (unit 6) issues it: its fees billed from the
//! inspector's sketch by the year's permit tariff (`tariffs/permit-<year>.toml`), and the
//! facts the signed permit states — the map order's figures, the floors and areas by use
//! as sketched, parking, setbacks, the supervising engineer and the validity the tariff
//! gives.

use std::collections::BTreeMap;

use daftar_core::billing::permit_fees::PermitTariff;
use daftar_core::calendar::JalaliDate;
use daftar_store::{CaseRecord, Store};
use jiff::Timestamp;

use super::CaseError;

/// The longest permit number or engineer's code printed (the QR code carries them).
const MAX_PERMIT_FIELD: usize = 40;
/// Days a permit's fee bill gives to pay.
const FEE_DUE_DAYS: i64 = 30;
/// The first period of a year a property's case bills take (renewal bills take 1 to 4).
pub(crate) const FIRST_CASE_BILL_PERIOD: u8 = crate::violation::FIRST_FINE_PERIOD;

/// The year's permit tariff.
fn tariff(today: JalaliDate) -> Result<PermitTariff, CaseError> {
    Ok(PermitTariff::built_in(today.year())
        .ok_or(CaseError::Invalid("permit.no_tariff"))?
        .map_err(anyhow::Error::from)?)
}

/// The inspector's latest sketch of the case, with its version.
async fn latest_sketch(
    store: &dyn Store,
    case: &CaseRecord,
) -> Result<(i64, daftar_core::sketch::Sketch), CaseError> {
    let sketch = store
        .sketches_of_case(case.id)
        .await?
        .into_iter()
        .next()
        .ok_or(CaseError::Invalid("case.needs_sketch"))?;
    Ok((
        sketch.version,
        serde_json::from_str(&sketch.sketch_json).map_err(anyhow::Error::from)?,
    ))
}

/// The bills a building permit's fees become: one bill for their sum by the national
/// rules (the property's bill ID, a payment ID for the amount, year and period), priced
/// from the inspector's latest sketch by the year's permit tariff, due in
/// [`FEE_DUE_DAYS`].
pub(crate) async fn fee_bills(
    store: &dyn Store,
    company_code: u16,
    case: &CaseRecord,
) -> Result<Vec<daftar_store::NewBill>, CaseError> {
    let Some((district, code)) = super::property_of(case) else {
        return Err(CaseError::Invalid("violation.no_property"));
    };
    if store
        .fine_bills(case.id)
        .await?
        .iter()
        .any(|bill| !bill.cancelled)
    {
        return Err(CaseError::Invalid("permit.fees_billed"));
    }
    let (_, sketch) = latest_sketch(store, case).await?;
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let year = today.year();
    let tariff = tariff(today)?;
    let fees = tariff.fees(&sketch);
    let lines: Vec<daftar_core::billing::DemandLine> = fees
        .iter()
        .map(|line| daftar_core::billing::DemandLine {
            kind: daftar_core::billing::LineKind::PermitFee,
            amount_rials: i64::try_from(line.amount_rials).unwrap_or(i64::MAX),
        })
        .collect();
    let amount: u64 = tariff
        .fees(&sketch)
        .iter()
        .map(|line| line.amount_rials)
        .sum();
    if amount == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![
        case_bill(
            store,
            CaseBill {
                district,
                renewal_code: code.as_str(),
                company_code,
                year,
                amount,
                lines: &lines,
                due_date: today.add_days(FEE_DUE_DAYS),
                too_large: "permit.fee_too_large",
            },
        )
        .await?,
    ])
}

/// A bill a case issues against its property (a ruling's fines, a permit's fees).
pub(crate) struct CaseBill<'a> {
    pub district: u16,
    pub renewal_code: &'a str,
    pub company_code: u16,
    pub year: i32,
    pub amount: u64,
    pub lines: &'a [daftar_core::billing::DemandLine],
    pub due_date: JalaliDate,
    /// The code an amount too large for a payment ID is refused with.
    pub too_large: &'static str,
}

/// The bill by the national rules: the property's bill ID, a payment ID for the amount,
/// the year and the next free period from [`FIRST_CASE_BILL_PERIOD`] (renewal bills take
/// the periods before it).
pub(crate) async fn case_bill(
    store: &dyn Store,
    bill: CaseBill<'_>,
) -> Result<daftar_store::NewBill, CaseError> {
    let Some((property_id, period)) = store
        .billing_slot(
            bill.district,
            bill.renewal_code,
            bill.year,
            FIRST_CASE_BILL_PERIOD,
        )
        .await?
    else {
        return Err(CaseError::Invalid("violation.property_not_registered"));
    };
    let numbers = daftar_core::billing::BillNumbers::new(
        u64::try_from(property_id).unwrap_or(0),
        bill.company_code,
        bill.amount,
        bill.year,
        period,
    )
    .map_err(|_| CaseError::Invalid(bill.too_large))?;
    Ok(daftar_store::NewBill {
        property_id,
        year: bill.year,
        period,
        numbers,
        amount_rials: bill.amount,
        lines_json: serde_json::to_string(bill.lines).map_err(anyhow::Error::from)?,
        due_date: bill.due_date,
    })
}

/// What a building permit states beside the case's tracking code and property, and the
/// day it holds until: the map order's figures (from the latest inquiry), the building as
/// sketched, and the supervising engineer and permit number typed when it is issued.
pub(crate) async fn permit_facts(
    store: &dyn Store,
    case: &CaseRecord,
    answers: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, JalaliDate), CaseError> {
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let tariff = tariff(today)?;
    let mut facts = sketch_facts(store, case).await?;
    // The engineer by their engineering-organisation code: a signed fact is public on the
    // verify page, and a person's name is not.
    for name in ["permit_number", "supervisor_code"] {
        if let Some(value) = answers.get(name).filter(|v| !v.trim().is_empty()) {
            if value.trim().chars().count() > MAX_PERMIT_FIELD {
                return Err(CaseError::InvalidField {
                    code: "permit.field_too_long",
                    field: name.to_owned(),
                });
            }
            facts.insert(name.to_owned(), value.trim().to_owned());
        }
    }
    let order = store
        .case_inquiries(case.id)
        .await?
        .first()
        .and_then(|latest| serde_json::from_str::<crate::zoning::Inquiry>(&latest.answer_json).ok())
        .and_then(|inquiry| inquiry.property_map_order());
    if let Some(order) = order {
        facts.insert("allowed_floors".into(), order.floors.to_string());
        facts.insert("allowed_total_m2".into(), centi(order.total_built_centi_m2));
        facts.insert("allowed_floor_m2".into(), centi(order.floor_area_centi_m2));
        facts.insert("parking_spaces".into(), order.parking_spaces.to_string());
        facts.insert("setback_m2".into(), centi(order.setback_area_centi_m2));
        facts.insert("deed_area_m2".into(), centi(order.deed_area_centi_m2));
    }
    facts.insert(
        "extension".into(),
        format!("{}x{}", tariff.free_extensions, tariff.extension_months),
    );
    let years = i32::from(tariff.validity_years);
    let valid_until = JalaliDate::new(today.year() + years, today.month(), today.day().min(29))
        .map_err(|e| anyhow::anyhow!("the permit's last day: {e}"))?;
    Ok((facts, valid_until))
}

/// What the inspector's latest sketch states: its version (the drawing printed with the
/// document is that one's), the floors above ground, the total area and the area by use.
pub(crate) async fn sketch_facts(
    store: &dyn Store,
    case: &CaseRecord,
) -> Result<BTreeMap<String, String>, CaseError> {
    let (sketch_version, sketch) = latest_sketch(store, case).await?;
    let mut facts = BTreeMap::new();
    facts.insert("sketch_version".into(), sketch_version.to_string());
    let above_ground = sketch
        .floors
        .iter()
        .filter(|floor| floor.level >= 0)
        .count();
    facts.insert("floors".into(), above_ground.to_string());
    facts.insert("total_area_m2".into(), centi(sketch.total_centi_m2));
    let mut by_use: BTreeMap<&str, i64> = BTreeMap::new();
    for part in sketch.floors.iter().flat_map(|floor| &floor.parts) {
        *by_use.entry(part.part_use.slug()).or_default() += part.area_centi_m2;
    }
    for (part_use, area) in by_use {
        facts.insert(format!("area_{part_use}_m2"), centi(area));
    }
    Ok(facts)
}

/// Hundredths of a square metre as printed: `152.5`.
fn centi(value: i64) -> String {
    let whole = value / 100;
    match value % 100 {
        0 => whole.to_string(),
        rest if rest % 10 == 0 => format!("{whole}.{}", rest / 10),
        rest => format!("{whole}.{rest:02}"),
    }
}
