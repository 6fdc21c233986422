//! The office's units and the roles its staff hold.
//!
//! Seed 001 names thirteen units; each has one role, and three roles stand above them:
//! the office head (رئیس دفتر), the office manager (مدیر دفتر) and the system admin.
//! A role is always held in one office (see [`OfficeCode`]), never globally.

use serde::Serialize;

use crate::text::Text;

/// A staff role. The slug is what URLs, the API and the database carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Formation,
    Inspection,
    ViolationReview,
    PlanApproval,
    CertificateDrafting,
    PermitDrafting,
    RenewalClearance,
    FollowUp,
    MunicipalLiaison,
    Consulting,
    VehicleTolls,
    TechnicalManager,
    InternalInspection,
    /// The Article 100 commission's secretary (دبیر کمیسیون ماده ۱۰۰): not one of the
    /// office's units, but the commission's clerk, who keeps its docket and records its
    /// rulings.
    CommissionSecretary,
    OfficeHead,
    OfficeManager,
    SystemAdmin,
}

impl Role {
    /// Every role, units first in seed 001's order.
    pub const ALL: [Role; 17] = [
        Role::Formation,
        Role::Inspection,
        Role::ViolationReview,
        Role::PlanApproval,
        Role::CertificateDrafting,
        Role::PermitDrafting,
        Role::RenewalClearance,
        Role::FollowUp,
        Role::MunicipalLiaison,
        Role::Consulting,
        Role::VehicleTolls,
        Role::TechnicalManager,
        Role::InternalInspection,
        Role::CommissionSecretary,
        Role::OfficeHead,
        Role::OfficeManager,
        Role::SystemAdmin,
    ];

    pub fn slug(self) -> &'static str {
        self.info().slug
    }

    pub fn name(self) -> Text<&'static str> {
        let info = self.info();
        Text::new(info.name_fa, info.name_en)
    }

    /// What the unit does, from seed 001.
    pub fn duties(self) -> Text<&'static str> {
        let info = self.info();
        Text::new(info.duties_fa, info.duties_en)
    }

    /// Roles that oversee the office's work and may read any of its cases, whatever
    /// the workflow: the head, the manager, follow-up and internal inspection.
    pub fn oversees(self) -> bool {
        matches!(
            self,
            Role::OfficeHead | Role::OfficeManager | Role::FollowUp | Role::InternalInspection
        )
    }

    /// Whether the role is one of the thirteen units (as opposed to office head,
    /// office manager and system admin).
    pub fn is_unit(self) -> bool {
        !matches!(
            self,
            Role::OfficeHead | Role::OfficeManager | Role::SystemAdmin | Role::CommissionSecretary
        )
    }

    pub fn from_slug(slug: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.slug() == slug)
    }

    fn info(self) -> &'static RoleInfo {
        &ROLE_TABLE[self as usize]
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

struct RoleInfo {
    slug: &'static str,
    name_fa: &'static str,
    name_en: &'static str,
    duties_fa: &'static str,
    duties_en: &'static str,
}

/// Indexed by the enum's discriminant; a test checks the order.
const ROLE_TABLE: [RoleInfo; 17] = [
    RoleInfo {
        slug: "formation",
        name_fa: "واحد تشکیل",
        name_en: "Formation",
        duties_fa: "تشکیل پرونده، ثبت گزارش ناظر، استعلام طرح تفصیلی، ارسال دفاعیه، ابطال پیش‌فروش، اصلاح اطلاعات و درخواست انشعاب آب و فاضلاب",
        duties_en: "Opens files, registers supervisor reports, detailed-plan inquiries, defences, pre-sale cancellations, data corrections and water and sewage connections",
    },
    RoleInfo {
        slug: "inspection",
        name_fa: "واحد بازدید",
        name_en: "Inspection",
        duties_fa: "بازدید ملک، ترسیم کروکی با ابعاد و مساحت و ثبت آن طبق ضوابط شهرداری",
        duties_en: "Visits the property, draws its sketch with dimensions and area, and records it by the municipality's rules",
    },
    RoleInfo {
        slug: "violation_review",
        name_fa: "بررسی خلاف",
        name_en: "Violation review",
        duties_fa: "بررسی خلاف‌ها، نامه‌های ثبت، اعتراض به آرای کمیسیون ماده ۱۰۰ و ثبت شرکت‌های ایمنی آتش‌نشانی",
        duties_en: "Reviews violations, registry letters, Article 100 objections, and registers fire-safety firms",
    },
    RoleInfo {
        slug: "plan_approval",
        name_fa: "تایید نقشه معماری",
        name_en: "Architectural plan approval",
        duties_fa: "بررسی نقشه‌های معماری و ارجاع به فضای سبز و آتش‌نشانی",
        duties_en: "Reviews architectural plans and refers them to green space and the fire department",
    },
    RoleInfo {
        slug: "certificate_drafting",
        name_fa: "پیش‌نویس گواهی",
        name_en: "Certificate drafting",
        duties_fa: "دریافت و بررسی مدارک گواهی عدم خلاف، پایان کار و بلامانع",
        duties_en: "Receives and checks the documents of no-violation, completion and no-objection certificates",
    },
    RoleInfo {
        slug: "permit_drafting",
        name_fa: "پیش‌نویس صدور پروانه",
        name_en: "Permit drafting",
        duties_fa: "برگه‌های برق، مکانیک و سازه، تعهدات و چک‌لیست‌ها، پرداخت‌ها و شناسنامه فنی ساختمان",
        duties_en: "Electrical, mechanical and structural sheets, commitments and checklists, payments and the building's technical identity card",
    },
    RoleInfo {
        slug: "renewal_clearance",
        name_fa: "مفاصا حساب نوسازی و پسماند",
        name_en: "Renewal and waste clearance",
        duties_fa: "مفاصا حساب نوسازی، فیش‌های نوسازی و پسماند، عوارض گودبرداری و حفاری",
        duties_en: "Renewal clearances, renewal and waste slips, excavation and digging fees",
    },
    RoleInfo {
        slug: "follow_up",
        name_fa: "نظارت و پیگیری",
        name_en: "Monitoring and follow-up",
        duties_fa: "پیگیری پرونده‌ها از ابتدا تا انتها و تسریع پرونده‌های معطل",
        duties_en: "Follows every file from start to end and speeds up stuck ones",
    },
    RoleInfo {
        slug: "municipal_liaison",
        name_fa: "رابطین شهرداری",
        name_en: "Municipal liaisons",
        duties_fa: "پیگیری پرونده‌های دفتر در مناطق شهرداری",
        duties_en: "Follows the office's files in the district municipalities",
    },
    RoleInfo {
        slug: "consulting",
        name_fa: "واحد مشاوره",
        name_en: "Consulting",
        duties_fa: "پاسخ به پرسش‌های فنی متقاضیان و کارکنان درباره طرح تفصیلی و ضوابط",
        duties_en: "Answers technical questions on the detailed plan and municipal rules",
    },
    RoleInfo {
        slug: "vehicle_tolls",
        name_fa: "عوارض خودرو",
        name_en: "Vehicle tolls",
        duties_fa: "صدور و تعویض آرم طرح ترافیک، استرداد و اعتراض به جرائم دوربین",
        duties_en: "Traffic-zone badges, replacements, refunds and camera-fine objections",
    },
    RoleInfo {
        slug: "technical_manager",
        name_fa: "مدیر فنی",
        name_en: "Technical manager",
        duties_fa: "پاسخ به مسائل فنی و ارتباط با شهرداری، آتش‌نشانی و نظام مهندسی",
        duties_en: "Answers technical questions and deals with the municipality, fire department and engineering council",
    },
    RoleInfo {
        slug: "internal_inspection",
        name_fa: "بازرسی و نظارت",
        name_en: "Internal inspection",
        duties_fa: "نظارت بر عملکرد کارکنان و رسیدگی به اختلاف متقاضیان و کارکنان",
        duties_en: "Oversees staff conduct and settles disputes between applicants and staff",
    },
    RoleInfo {
        slug: "commission_secretary",
        name_fa: "دبیرخانه کمیسیون ماده ۱۰۰",
        name_en: "Article 100 commission secretary",
        duties_fa: "ثبت پرونده در دستور جلسه کمیسیون ماده ۱۰۰، ثبت رای بدوی و تجدیدنظر",
        duties_en: "Puts files on the Article 100 commission's docket and records its first-instance and appeal rulings",
    },
    RoleInfo {
        slug: "office_head",
        name_fa: "رئیس دفتر",
        name_en: "Office head",
        duties_fa: "بررسی و تایید پرونده‌ها پیش از تایید مدیر دفتر",
        duties_en: "Reviews and approves files before the office manager",
    },
    RoleInfo {
        slug: "office_manager",
        name_fa: "مدیر دفتر",
        name_en: "Office manager",
        duties_fa: "تایید نهایی پرونده‌ها و ارسال به منطقه",
        duties_en: "Gives files their final approval and sends them to the district",
    },
    RoleInfo {
        slug: "system_admin",
        name_fa: "مدیر سامانه",
        name_en: "System admin",
        duties_fa: "مدیریت کاربران، نقش‌ها و تنظیمات سامانه",
        duties_en: "Manages users, roles and the system's settings",
    },
];

/// A city-services office's code, such as `0101` (district 01, office 01).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OfficeCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an office code is four digits, such as 0101")]
pub struct OfficeCodeError;

impl OfficeCode {
    pub fn parse(input: &str) -> Result<OfficeCode, OfficeCodeError> {
        let code = crate::fa::normalize_digits(input.trim());
        if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(OfficeCode(code))
        } else {
            Err(OfficeCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The district the office belongs to: its first two digits.
    pub fn district(&self) -> u8 {
        self.0[..2].parse().unwrap_or(0)
    }
}

impl std::fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enum_order_and_slugs_round_trip() {
        for (index, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role as usize, index);
            assert_eq!(Role::from_slug(role.slug()), Some(role));
        }
    }

    #[test]
    fn there_are_thirteen_units_and_four_other_roles() {
        assert_eq!(Role::ALL.iter().filter(|r| r.is_unit()).count(), 13);
        assert!(!Role::OfficeHead.is_unit());
        assert!(!Role::CommissionSecretary.is_unit());
    }

    #[test]
    fn an_unknown_slug_is_no_role() {
        assert_eq!(Role::from_slug("mayor"), None);
    }

    #[test]
    fn office_codes_are_four_digits_and_accept_persian_digits() {
        let code = OfficeCode::parse("۰۱۰۱").unwrap();
        assert_eq!(code.as_str(), "0101");
        assert_eq!(code.district(), 1);
        assert!(OfficeCode::parse("101").is_err());
        assert!(OfficeCode::parse("01a1").is_err());
    }
}
