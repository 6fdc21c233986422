//! What a property owes for a year, and the numbers of the bill that asks for it.

use serde::{Deserialize, Serialize};

use super::{Area, PropertyUse, Tariff};
use crate::calendar::JalaliDate;
use crate::ir::{Barcode, BillId, IdError, PaymentId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    RenewalToll,
    WasteFee,
    ArrearsPenalty,
    Discount,
    /// A fine of the Article 100 commission's final ruling.
    ViolationFine,
    /// A building permit's fee (`tariffs/permit-<year>.toml`).
    PermitFee,
}

impl LineKind {
    /// The line's name as a printed bill gives it.
    pub fn name_fa(self) -> &'static str {
        match self {
            LineKind::RenewalToll => "عوارض نوسازی",
            LineKind::WasteFee => "بهای خدمات پسماند",
            LineKind::ArrearsPenalty => "جریمه دیرکرد سال‌های پیش",
            LineKind::Discount => "تخفیف",
            LineKind::ViolationFine => "جریمه کمیسیون ماده ۱۰۰",
            LineKind::PermitFee => "عوارض صدور پروانه ساختمانی",
        }
    }
}

/// One line of a demand; discounts are negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandLine {
    pub kind: LineKind,
    pub amount_rials: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    pub lines: Vec<DemandLine>,
}

/// `value × percent / 100`, rounded down, in integers.
fn percent_of(value: u64, percent: u64) -> u64 {
    value.saturating_mul(percent) / 100
}

impl Demand {
    /// The demand on a property for the tariff's year. `arrears_rials` is what earlier
    /// years' bills still owe; it draws a penalty line, and is billed on its own bills.
    pub fn compute(
        tariff: &Tariff,
        district: u16,
        land: Area,
        built: Area,
        property_use: PropertyUse,
        arrears_rials: u64,
    ) -> Demand {
        // Land is billed while nothing is built on it; once built, the building.
        let area = if built.is_zero() { land } else { built };
        let coefficient = tariff
            .use_coefficient_percent
            .get(&property_use)
            .copied()
            .unwrap_or(100);
        let toll = percent_of(
            area.centi_m2().saturating_mul(tariff.rate_per_m2(district)) / 100,
            coefficient,
        );
        let waste_rate = tariff
            .waste_rate_per_m2
            .get(&property_use)
            .copied()
            .unwrap_or(0);
        let waste = match waste_rate {
            0 => 0,
            rate => (built.centi_m2().saturating_mul(rate) / 100).max(tariff.waste_minimum_rials),
        };
        let mut lines = vec![
            DemandLine {
                kind: LineKind::RenewalToll,
                amount_rials: to_i64(toll),
            },
            DemandLine {
                kind: LineKind::WasteFee,
                amount_rials: to_i64(waste),
            },
        ];
        let penalty = percent_of(arrears_rials, tariff.arrears_penalty_percent);
        if penalty > 0 {
            lines.push(DemandLine {
                kind: LineKind::ArrearsPenalty,
                amount_rials: to_i64(penalty),
            });
        }
        for discount in tariff
            .discounts
            .iter()
            .filter(|d| d.applies_to == property_use)
        {
            let off = percent_of(toll, discount.percent);
            if off > 0 {
                lines.push(DemandLine {
                    kind: LineKind::Discount,
                    amount_rials: -to_i64(off),
                });
            }
        }
        Demand { lines }
    }

    /// The total a bill asks for: the lines' sum rounded down to whole thousands of rials,
    /// which is what a payment ID can carry; never below zero.
    pub fn total_rials(&self) -> u64 {
        let sum: i64 = self.lines.iter().map(|line| line.amount_rials).sum();
        u64::try_from(sum.max(0)).unwrap_or(0) / 1000 * 1000
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The identifiers printed on a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillNumbers {
    pub bill_id: BillId,
    pub payment_id: PaymentId,
    pub barcode: Barcode,
}

/// Renewal-toll bills carry service type 6, municipal dues.
pub const MUNICIPAL_SERVICE_DIGIT: u8 = 6;

impl BillNumbers {
    /// The numbers of a property's bill: the bill ID names the property (its register
    /// number) and the municipality (`company_code`); the payment ID the amount, year and
    /// period.
    pub fn new(
        property_number: u64,
        company_code: u16,
        amount_rials: u64,
        year: i32,
        period: u8,
    ) -> Result<BillNumbers, IdError> {
        let bill_id = BillId::new(property_number, company_code, MUNICIPAL_SERVICE_DIGIT)?;
        let payment_id = PaymentId::new(&bill_id, amount_rials, year, period)?;
        let barcode = Barcode::new(&bill_id, &payment_id)?;
        Ok(BillNumbers {
            bill_id,
            payment_id,
            barcode,
        })
    }
}

/// A bill's status as its payer is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BillStatus {
    Unpaid,
    Paid,
    Cancelled,
    /// Unpaid after its due date: the payment ID is no longer taken; the amount moves to
    /// the next year's bill as arrears.
    Expired,
}

impl BillStatus {
    /// The status of a bill that is `paid` or `cancelled` or neither, on `today`.
    pub fn on(paid: bool, cancelled: bool, due: JalaliDate, today: JalaliDate) -> BillStatus {
        match (paid, cancelled) {
            (true, _) => BillStatus::Paid,
            (_, true) => BillStatus::Cancelled,
            _ if today > due => BillStatus::Expired,
            _ => BillStatus::Unpaid,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            BillStatus::Unpaid => "unpaid",
            BillStatus::Paid => "paid",
            BillStatus::Cancelled => "cancelled",
            BillStatus::Expired => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tariff() -> Tariff {
        Tariff::built_in(1405).unwrap().unwrap()
    }

    fn m2(value: &str) -> Area {
        Area::parse_m2(value).unwrap()
    }

    #[test]
    fn the_toll_is_area_times_district_rate_times_use_coefficient() {
        let demand = Demand::compute(
            &tariff(),
            1,
            m2("200"),
            m2("150.5"),
            PropertyUse::Commercial,
            0,
        );
        // 150.5 m² × 24,000 × 250% = 9,030,000; waste 150.5 × 3,500 = 526,750.
        assert_eq!(
            demand.lines[0],
            DemandLine {
                kind: LineKind::RenewalToll,
                amount_rials: 9_030_000
            }
        );
        assert_eq!(
            demand.lines[1],
            DemandLine {
                kind: LineKind::WasteFee,
                amount_rials: 526_750
            }
        );
        assert_eq!(demand.lines.len(), 2);
        assert_eq!(demand.total_rials(), 9_556_000, "rounded down to thousands");
    }

    #[test]
    fn vacant_land_is_billed_on_its_land_area_without_waste() {
        let demand = Demand::compute(&tariff(), 9, m2("300"), m2("0"), PropertyUse::VacantLand, 0);
        // 300 × default 9,000 × 150%.
        assert_eq!(demand.lines[0].amount_rials, 4_050_000);
        assert_eq!(demand.lines[1].amount_rials, 0);
    }

    #[test]
    fn small_homes_pay_the_minimum_waste_fee() {
        let demand = Demand::compute(
            &tariff(),
            1,
            m2("60"),
            m2("50"),
            PropertyUse::Residential,
            0,
        );
        assert_eq!(demand.lines[1].amount_rials, 250_000);
    }

    #[test]
    fn arrears_draw_a_penalty_line_and_discounts_are_lines_of_their_own() {
        let demand = Demand::compute(
            &tariff(),
            2,
            m2("100"),
            m2("100"),
            PropertyUse::Educational,
            1_000_000,
        );
        let kinds: Vec<LineKind> = demand.lines.iter().map(|line| line.kind).collect();
        assert_eq!(
            kinds,
            [
                LineKind::RenewalToll,
                LineKind::WasteFee,
                LineKind::ArrearsPenalty,
                LineKind::Discount
            ]
        );
        assert_eq!(demand.lines[2].amount_rials, 120_000);
        assert_eq!(
            demand.lines[3].amount_rials,
            -(demand.lines[0].amount_rials / 2)
        );
    }

    #[test]
    fn a_religious_place_is_exempt_and_owes_nothing() {
        let demand = Demand::compute(
            &tariff(),
            1,
            m2("500"),
            m2("400"),
            PropertyUse::Religious,
            0,
        );
        assert_eq!(demand.total_rials(), 0);
    }

    #[test]
    fn bill_numbers_validate_and_carry_amounts_of_a_hundred_million_rials_and_more() {
        let numbers = BillNumbers::new(12_345_678, 101, 1_234_567_890, 1405, 1).unwrap();
        assert_eq!(numbers.payment_id.amount_rials(), 1_234_567_000);
        assert_eq!(numbers.bill_id.service_type().digit(), 6);
        let parsed = Barcode::parse(numbers.barcode.as_str()).unwrap();
        assert_eq!(parsed.payment().amount_rials(), 1_234_567_000);
    }

    #[test]
    fn a_bill_is_expired_only_when_unpaid_after_its_due_date() {
        let due = JalaliDate::parse("1405-03-31").unwrap();
        let before = JalaliDate::parse("1405-03-31").unwrap();
        let after = JalaliDate::parse("1405-04-01").unwrap();
        assert_eq!(
            BillStatus::on(false, false, due, before),
            BillStatus::Unpaid
        );
        assert_eq!(
            BillStatus::on(false, false, due, after),
            BillStatus::Expired
        );
        assert_eq!(BillStatus::on(true, false, due, after), BillStatus::Paid);
        assert_eq!(
            BillStatus::on(false, true, due, before),
            BillStatus::Cancelled
        );
    }
}
