//! The closed sets of values a service card chooses from: its group, audience, nature,
//! level, how it starts, its hours, access and electronic status.
//!
//! Each is an enum rather than free text so that a typo in a catalog file is an error
//! at load time, not a strange word on the public card. Every enum has the same small
//! surface: `ALL` (for select lists and tests), `slug()` (what the files, the CSV and the
//! API carry; equal to its serde name) and `name()` for the card, in both languages.

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// The group a service is listed under (گروه خدمت). Groups are few and fixed in code so
/// that the public catalog's sections, their names and their order stay the same from
/// one office to the next; the order is that of the units in seed 001.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    UrbanPlanning,
    InspectionsViolations,
    PermitsCertificates,
    RenewalTolls,
    Traffic,
    CitizenRelations,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::UrbanPlanning,
        Group::InspectionsViolations,
        Group::PermitsCertificates,
        Group::RenewalTolls,
        Group::Traffic,
        Group::CitizenRelations,
    ];

    fn names(self) -> [&'static str; 3] {
        match self {
            Group::UrbanPlanning => [
                "urban_planning",
                "شهرسازی و تشکیل پرونده",
                "Urban planning and files",
            ],
            Group::InspectionsViolations => [
                "inspections_violations",
                "بازدید، تخلفات و ایمنی",
                "Inspections, violations and safety",
            ],
            Group::PermitsCertificates => [
                "permits_certificates",
                "پروانه و گواهی\u{200c}های ساختمانی",
                "Building permits and certificates",
            ],
            // The group of seed 000's card, with its name as the register writes it.
            Group::RenewalTolls => [
                "renewal_tolls",
                "عوارض نوسازی و شهرداری",
                "Renewal tolls and municipal charges",
            ],
            Group::Traffic => [
                "traffic",
                "عوارض خودرو و طرح ترافیک",
                "Vehicle tolls and the traffic zone",
            ],
            Group::CitizenRelations => [
                "citizen_relations",
                "پیگیری، مشاوره و ارتباط با شهروندان",
                "Follow-up, advice and citizen relations",
            ],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// Who the service is for (نوع خدمت). A card lists one or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Audience {
    /// Citizens (خدمت به شهروندان).
    #[serde(rename = "g2c")]
    G2c,
    /// Businesses (خدمت به کسب و کار).
    #[serde(rename = "g2b")]
    G2b,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::G2c, Audience::G2b];

    fn names(self) -> [&'static str; 3] {
        match self {
            Audience::G2c => ["g2c", "خدمت به شهروندان (G2C)", "Citizens (G2C)"],
            Audience::G2b => ["g2b", "خدمت به کسب و کار (G2B)", "Businesses (G2B)"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// The service's nature (ماهیت خدمت): an operational service the municipality provides
/// like a business would, or a sovereign one where it exercises public authority
/// (permits, violations, fines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    Operational,
    Sovereign,
}

impl Nature {
    pub const ALL: [Nature; 2] = [Nature::Operational, Nature::Sovereign];

    fn names(self) -> [&'static str; 3] {
        match self {
            Nature::Operational => ["operational", "تصدی\u{200c}گری", "Operational"],
            Nature::Sovereign => ["sovereign", "حاکمیتی", "Sovereign"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// The level of government delivering the service (سطح خدمت).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    National,
    Provincial,
    City,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::National, Level::Provincial, Level::City];

    fn names(self) -> [&'static str; 3] {
        match self {
            Level::National => ["national", "ملی", "National"],
            Level::Provincial => ["provincial", "استانی", "Provincial"],
            Level::City => ["city", "شهری", "City"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// What starts the service (نحوه شروع): the applicant's request, as for every built-in
/// service, or, as the national register also allows, a given event or a set date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    OnRequest,
    OnEvent,
    Scheduled,
}

impl Start {
    pub const ALL: [Start; 3] = [Start::OnRequest, Start::OnEvent, Start::Scheduled];

    fn names(self) -> [&'static str; 3] {
        match self {
            Start::OnRequest => ["on_request", "درخواست خدمت", "On the applicant's request"],
            Start::OnEvent => ["on_event", "رویداد مشخص", "On a given event"],
            Start::Scheduled => ["scheduled", "زمان مشخص", "At a set date"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// When the service can be requested (ساعات مراجعه).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hours {
    /// Around the clock (شبانه‌روز), as online-only services are.
    AroundTheClock,
    /// The office's working hours, for services that need the counter.
    OfficeHours,
}

impl Hours {
    pub const ALL: [Hours; 2] = [Hours::AroundTheClock, Hours::OfficeHours];

    fn names(self) -> [&'static str; 3] {
        match self {
            Hours::AroundTheClock => ["around_the_clock", "شبانه\u{200c}روز", "24 hours a day"],
            Hours::OfficeHours => ["office_hours", "ساعات اداری", "Office hours"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// How the service is reached (نحوه دسترسی به خدمت).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Internet,
    InPerson,
    /// Online, or at the office's counter for those who prefer it.
    Both,
}

impl Access {
    pub const ALL: [Access; 3] = [Access::Internet, Access::InPerson, Access::Both];

    fn names(self) -> [&'static str; 3] {
        match self {
            Access::Internet => ["internet", "اینترنتی", "Internet"],
            Access::InPerson => ["in_person", "حضوری", "In person"],
            Access::Both => ["both", "اینترنتی و حضوری", "Internet and in person"],
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

/// How much of the service is electronic (وضعیت الکترونیکی بودن).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectronicStatus {
    /// No step needs the applicant at the counter.
    FullyElectronic,
    /// Requested online, but some step (originals, a signature, collecting a printed
    /// certificate) needs a visit.
    PartlyElectronic,
    NotElectronic,
}

impl ElectronicStatus {
    pub const ALL: [ElectronicStatus; 3] = [
        ElectronicStatus::FullyElectronic,
        ElectronicStatus::PartlyElectronic,
        ElectronicStatus::NotElectronic,
    ];

    fn names(self) -> [&'static str; 3] {
        match self {
            ElectronicStatus::FullyElectronic => {
                ["fully_electronic", "الکترونیکی", "Fully electronic"]
            }
            ElectronicStatus::PartlyElectronic => [
                "partly_electronic",
                "نیمه\u{200c}الکترونیکی",
                "Partly electronic",
            ],
            ElectronicStatus::NotElectronic => {
                ["not_electronic", "غیرالکترونیکی", "Not electronic"]
            }
        }
    }

    pub fn slug(self) -> &'static str {
        self.names()[0]
    }

    pub fn name(self) -> Text<&'static str> {
        let [_, fa, en] = self.names();
        Text::new(fa, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `value = "<slug>"` the way a catalog file would be read.
    fn from_slug<T: serde::de::DeserializeOwned>(slug: &str) -> Result<T, toml::de::Error> {
        #[derive(Deserialize)]
        struct One<T> {
            value: T,
        }
        toml::from_str::<One<T>>(&format!("value = \"{slug}\"")).map(|one| one.value)
    }

    #[test]
    fn every_slug_is_the_name_the_files_use() {
        for v in Group::ALL {
            assert_eq!(from_slug::<Group>(v.slug()).ok(), Some(v));
        }
        for v in Audience::ALL {
            assert_eq!(from_slug::<Audience>(v.slug()).ok(), Some(v));
        }
        for v in Nature::ALL {
            assert_eq!(from_slug::<Nature>(v.slug()).ok(), Some(v));
        }
        for v in Level::ALL {
            assert_eq!(from_slug::<Level>(v.slug()).ok(), Some(v));
        }
        for v in Start::ALL {
            assert_eq!(from_slug::<Start>(v.slug()).ok(), Some(v));
        }
        for v in Hours::ALL {
            assert_eq!(from_slug::<Hours>(v.slug()).ok(), Some(v));
        }
        for v in Access::ALL {
            assert_eq!(from_slug::<Access>(v.slug()).ok(), Some(v));
        }
        for v in ElectronicStatus::ALL {
            assert_eq!(from_slug::<ElectronicStatus>(v.slug()).ok(), Some(v));
        }
    }

    #[test]
    fn groups_are_listed_in_their_display_order() {
        let mut sorted = Group::ALL;
        sorted.sort();
        assert_eq!(sorted, Group::ALL);
    }
}
