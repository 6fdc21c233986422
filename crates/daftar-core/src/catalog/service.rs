//! One catalog entry: the service identity card (شناسنامه خدمت) of seed 000, with the
//! unit that owns the service, its application form and the workflow its cases follow.
//!
//! The struct is read straight from a catalog file, so every field name here is a key of
//! the file format (catalog/README.md). Every card field is required, even when it is an
//! empty list: a card that silently lacks its fee or its visits would be shown to the
//! public as if it had none.

use serde::{Deserialize, Deserializer, Serialize};

use super::form::Form;
use super::values::{Access, Audience, ElectronicStatus, Group, Hours, Level, Nature, Start};
use crate::fa;
use crate::roles::Role;

pub use crate::text::Text;

/// A catalog entry as its file describes it. A [`super::Catalog`] holds only entries that
/// passed every check of the loader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service identifier (شناسه خدمت), e.g. `10012656000sh13`: lowercase ASCII
    /// letters and digits, also the file's name and the last part of its address.
    pub identifier: String,
    pub title: Text,
    pub group: Group,
    pub description: Text,
    /// What the applicant must have at hand (مدارک مورد نیاز), as the card lists it.
    pub required_inputs: Vec<Text>,
    /// One or both of G2C and G2B.
    pub audience: Vec<Audience>,
    pub nature: Nature,
    pub level: Level,
    pub start: Start,
    /// The laws and regulations the service rests on (قوانین و مقررات).
    pub rules: Text,
    pub average_time: AverageTime,
    pub hours: Hours,
    /// How many times the applicant must come to the office (تعداد بار مراجعه حضوری).
    pub in_person_visits: u8,
    pub fee: Fee,
    pub user_guide: UserGuide,
    /// Identifiers of the services this one is made of (زیرخدمت); each must exist.
    pub sub_services: Vec<String>,
    /// Where to complain about the service (نحوه دسترسی به شکایت).
    pub complaint_channel: Text,
    pub access: Access,
    /// The public telephone for questions about the service, ASCII digits.
    pub phone: String,
    pub electronic_status: ElectronicStatus,
    /// The page of our desk where the service is requested, a path such as
    /// `/services/10012656000sh13`.
    pub request_address: String,
    /// The page of our desk where the answer is received.
    pub result_address: String,
    /// The service-level agreement (توافق‌نامه شرح خدمات).
    pub sla: Sla,
    /// The unit (a role slug) whose work queue receives new cases of this service.
    #[serde(deserialize_with = "role_from_slug")]
    pub owner_unit: Role,
    pub form: Form,
    /// The name of the workflow definition the service's cases follow, or `None` for an
    /// instant service that opens no case (such as tracking a bill).
    pub workflow: Option<String>,
}

/// The average time to deliver (متوسط مدت زمان ارائه خدمت): typed, so that the desk can
/// compute a due date and the card can print it in either language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AverageTime {
    /// Answered on the spot (لحظه‌ای).
    Instant,
    /// This many working days (Saturday to Wednesday, holidays excluded).
    WorkingDays(u16),
}

impl AverageTime {
    pub fn working_days(self) -> Option<u16> {
        match self {
            AverageTime::Instant => None,
            AverageTime::WorkingDays(days) => Some(days),
        }
    }

    /// As the card prints it; in Persian with Persian digits.
    pub fn label(self) -> Text {
        Text::new(self.label_fa(), self.label_en())
    }

    fn label_fa(self) -> String {
        match self {
            AverageTime::Instant => "لحظه\u{200c}ای".to_owned(),
            AverageTime::WorkingDays(days) => {
                format!("{} روز کاری", fa::to_persian_digits(&days.to_string()))
            }
        }
    }

    fn label_en(self) -> String {
        match self {
            AverageTime::Instant => "Instant".to_owned(),
            AverageTime::WorkingDays(1) => "1 working day".to_owned(),
            AverageTime::WorkingDays(days) => format!("{days} working days"),
        }
    }
}

/// The fee (هزینه ارائه خدمت) the applicant pays for the service itself, in rials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fee {
    Free,
    FixedRials(u64),
    /// Set by a tariff the city council approves each year (the office's fee, and the
    /// tolls the request raises), so the card cannot print one number.
    ByTariff,
}

impl Fee {
    /// As the card prints it.
    pub fn label(self) -> Text {
        Text::new(self.label_fa(), self.label_en())
    }

    fn label_fa(self) -> String {
        match self {
            Fee::Free => "رایگان".to_owned(),
            Fee::FixedRials(rials) => format!("{} ریال", fa::format_number(rials)),
            Fee::ByTariff => "طبق تعرفه مصوب".to_owned(),
        }
    }

    fn label_en(self) -> String {
        match self {
            Fee::Free => "Free".to_owned(),
            Fee::FixedRials(rials) => format!("{} rials", fa::format_number_en(rials)),
            Fee::ByTariff => "By the approved tariff".to_owned(),
        }
    }
}

/// The user guide (فایل راهنمای کاربران): short instructions written into the card, or
/// the path of a guide file served by our desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserGuide {
    Text(Text),
    /// A path on our desk, such as `/guides/building_permit.pdf`.
    Path(String),
}

/// The service-level agreement. Persian is the binding text; the English rendering is
/// optional because it is only ever a translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    pub fa: String,
    pub en: Option<String>,
}

/// Reads `owner_unit`: roles.rs owns the slugs, so the catalog asks it rather than keep a
/// second list that could drift.
fn role_from_slug<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Role, D::Error> {
    let slug = String::deserialize(deserializer)?;
    Role::from_slug(&slug).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|role| role.slug()).collect();
        serde::de::Error::custom(format!(
            "unknown role `{slug}`, expected one of {}",
            known.join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_time_reads_as_a_word_or_a_count_of_working_days() {
        #[derive(Deserialize)]
        struct One {
            value: AverageTime,
        }
        let instant: One = toml::from_str(r#"value = "instant""#).expect("instant parses");
        assert_eq!(instant.value, AverageTime::Instant);
        let days: One = toml::from_str("value = { working_days = 7 }").expect("days parse");
        assert_eq!(days.value.working_days(), Some(7));
        assert_eq!(days.value.label().fa, "۷ روز کاری");
        assert_eq!(days.value.label().en, "7 working days");
    }

    #[test]
    fn fee_reads_as_free_a_fixed_amount_or_by_tariff() {
        #[derive(Deserialize)]
        struct One {
            value: Fee,
        }
        let parse = |s: &str| toml::from_str::<One>(s).map(|one| one.value).ok();
        assert_eq!(parse(r#"value = "free""#), Some(Fee::Free));
        assert_eq!(parse(r#"value = "by_tariff""#), Some(Fee::ByTariff));
        assert_eq!(
            parse("value = { fixed_rials = 250000 }"),
            Some(Fee::FixedRials(250_000))
        );
        assert_eq!(parse("value = 0"), None);
        assert_eq!(Fee::FixedRials(250_000).label().en, "250,000 rials");
        assert_eq!(Fee::FixedRials(250_000).label().fa, "۲۵۰٬۰۰۰ ریال");
    }
}
