//! A synthetic property register in the import's CSV format: districts 1–22, a realistic
//! mix of uses and areas, and owners with valid national IDs and mobiles. Seeded, so two
//! runs bill the same city.

use std::fmt::Write;

use daftar_core::ir::NationalId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const HEADER: &str = "renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share";

/// Uses and how often they occur, per thousand properties. Religious places owe nothing
/// under the 1405 tariff (a 100% discount and no waste fee), so they get no bill.
const USES: [(&str, u32); 7] = [
    ("residential", 700),
    ("commercial", 150),
    ("administrative", 40),
    ("industrial", 30),
    ("educational", 20),
    ("religious", 5),
    ("vacant_land", 55),
];

const FIRST_NAMES: [&str; 12] = [
    "مریم",
    "علی",
    "زهرا",
    "محمد",
    "فاطمه",
    "حسین",
    "سارا",
    "رضا",
    "نرگس",
    "مهدی",
    "لیلا",
    "امیر",
];
const LAST_NAMES: [&str; 12] = [
    "احمدی",
    "رضایی",
    "کریمی",
    "محمدی",
    "حسینی",
    "موسوی",
    "جعفری",
    "کاظمی",
    "رحیمی",
    "صادقی",
    "نوری",
    "طاهری",
];
const STREETS: [&str; 8] = [
    "ولیعصر",
    "شریعتی",
    "آزادی",
    "انقلاب",
    "دماوند",
    "پیروزی",
    "ستارخان",
    "جمهوری",
];

/// One property of the register, as its CSV rows say it.
#[derive(Debug, Clone)]
pub struct Property {
    pub renewal_code: String,
    pub district: u16,
    pub address: String,
    pub postal_code: Option<String>,
    pub land_centi_m2: u64,
    pub built_centi_m2: u64,
    pub use_kind: &'static str,
    pub owners: Vec<Owner>,
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub national_id: String,
    pub name: String,
    /// Local form, `09…`.
    pub mobile: String,
    pub share_hundredths: u32,
}

#[derive(Debug)]
pub struct Register {
    rng: StdRng,
    next: u64,
}

impl Register {
    pub fn new(seed: u64) -> Register {
        Register {
            rng: StdRng::seed_from_u64(seed),
            next: 0,
        }
    }

    /// The next `count` properties; about one in twelve has two owners with half each.
    pub fn properties(&mut self, count: u64) -> Vec<Property> {
        (0..count).map(|_| self.property()).collect()
    }

    fn property(&mut self) -> Property {
        let n = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        let district: u16 = rng.random_range(1..=22);
        // District, region, block, parcel: unique because n is (below nine million), and
        // each part within the digits the register gives it.
        let renewal_code = format!(
            "{district:02}-{}-{:02}-{}",
            n / 10_000 + 100,
            n / 10 % 1000,
            n % 10
        );
        let address = format!(
            "تهران، منطقه {district}، خیابان {}، پلاک {}",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..400)
        );
        let postal_code = rng.random_bool(0.85).then(|| postal_code(rng));
        let use_kind = pick_use(rng);
        let (land_centi_m2, built_centi_m2) = areas(rng, use_kind);
        let count = if rng.random_bool(1.0 / 12.0) { 2 } else { 1 };
        let owners = (0..count)
            .map(|_| Owner {
                national_id: national_id(rng),
                name: format!(
                    "{} {}",
                    FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                    LAST_NAMES[rng.random_range(0..LAST_NAMES.len())]
                ),
                mobile: format!(
                    "09{}{:07}",
                    rng.random_range(10..40),
                    rng.random_range(0..10_000_000)
                ),
                share_hundredths: 10_000 / count,
            })
            .collect();
        Property {
            renewal_code,
            district,
            address,
            postal_code,
            land_centi_m2,
            built_centi_m2,
            use_kind,
            owners,
        }
    }
}

/// The register file of `properties`, header first, one row per owner.
pub fn csv(properties: &[Property]) -> String {
    let mut csv = String::with_capacity(properties.len() * 190);
    csv.push_str(HEADER);
    csv.push('\n');
    for p in properties {
        for owner in &p.owners {
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{}",
                p.renewal_code,
                p.district,
                p.address,
                p.postal_code.as_deref().unwrap_or_default(),
                m2(p.land_centi_m2),
                m2(p.built_centi_m2),
                p.use_kind,
                owner.national_id,
                owner.name,
                owner.mobile,
                m2(u64::from(owner.share_hundredths)),
            );
        }
    }
    csv
}

fn pick_use(rng: &mut StdRng) -> &'static str {
    let mut roll = rng.random_range(0..1000);
    for (kind, weight) in USES {
        if roll < weight {
            return kind;
        }
        roll -= weight;
    }
    "residential"
}

/// Land and built area in hundredths of m² (the register writes up to two decimals);
/// nothing is built on vacant land.
fn areas(rng: &mut StdRng, use_kind: &str) -> (u64, u64) {
    let (land_range, built_factor) = match use_kind {
        "residential" => (60..600, 0.6..2.8),
        "commercial" => (15..400, 0.8..3.0),
        "administrative" | "educational" => (200..3000, 0.5..2.0),
        "industrial" => (500..5000, 0.3..0.9),
        "religious" => (100..1500, 0.5..1.2),
        _ => (100..2000, 0.0..0.0),
    };
    let land_centi = rng.random_range(land_range) * 100 + rng.random_range(0..4) * 25;
    let built_centi = if use_kind == "vacant_land" {
        0
    } else {
        (land_centi as f64 * rng.random_range(built_factor)) as u64
    };
    (land_centi, built_centi)
}

fn m2(centi: u64) -> String {
    match centi % 100 {
        0 => format!("{}", centi / 100),
        cents => format!("{}.{cents:02}", centi / 100),
    }
}

/// Ten digits whose first five are never 0 or 2 and whose first four are not one digit.
fn postal_code(rng: &mut StdRng) -> String {
    const ZONE_DIGITS: [u8; 8] = [1, 3, 4, 5, 6, 7, 8, 9];
    loop {
        let zone: Vec<u8> = (0..5)
            .map(|_| ZONE_DIGITS[rng.random_range(0..ZONE_DIGITS.len())])
            .collect();
        if zone[1..4].iter().all(|d| *d == zone[0]) {
            continue;
        }
        let mut code: String = zone.iter().map(|d| char::from(b'0' + d)).collect();
        let _ = write!(code, "{:05}", rng.random_range(0..100_000));
        return code;
    }
}

/// Nine random digits and their check digit; candidates the rule refuses (all one
/// digit, or digits 4–9 all zero) are drawn again, and `NationalId::parse` confirms.
pub fn national_id(rng: &mut StdRng) -> String {
    loop {
        let digits: [u32; 9] = std::array::from_fn(|_| rng.random_range(0..10));
        let id = with_check_digit(digits);
        if NationalId::parse(&id).is_ok() {
            return id;
        }
    }
}

/// The check digit of shared/IRAN_IDS.md §2: r = Σ s[i]·(10−i) mod 11; the check is r
/// when r < 2, else 11 − r.
fn with_check_digit(digits: [u32; 9]) -> String {
    let r = digits
        .iter()
        .zip((2..=10).rev())
        .map(|(d, weight)| d * weight)
        .sum::<u32>()
        % 11;
    let check = if r < 2 { r } else { 11 - r };
    digits
        .iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_follow_the_rule() {
        for valid in ["0499370899", "0790419904", "1583250689", "0684159414"] {
            let digits: [u32; 9] =
                std::array::from_fn(|i| valid.as_bytes()[i] as u32 - u32::from(b'0'));
            assert_eq!(with_check_digit(digits), valid);
        }
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..1000 {
            assert!(NationalId::parse(&national_id(&mut rng)).is_ok());
        }
    }
}
