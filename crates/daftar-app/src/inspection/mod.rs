//! Inspection visits: formation books the visit in an inspector's calendar — a working
//! day, one of the office's slots, one visit per inspector per slot — and the applicant
//! is sent the Jalali date and time; a visit may be moved, each change kept; an
//! inspector's day lists the office's visits in time order; a visit whose day has passed
//! with no sketch drawn is overdue.

use std::sync::Arc;

use daftar_core::calendar::JalaliDate;
use daftar_core::fa;
use daftar_core::roles::{OfficeCode, Role};
use daftar_store::{
    CaseId, DayVisit, NewNotification, NewVisit, Recipient, StaffId, StaffSummary, Store,
    StoreError, StoredVisit,
};
use jiff::Timestamp;

use crate::accounts::Principal;
use crate::cases::{CaseError, Cases};

/// A booking as formation sends it, the slot as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    /// The case's version the clerk saw.
    pub expected_version: i64,
    pub inspector: StaffId,
    /// Jalali, typed in either script: `1405-03-10`.
    pub day: String,
    /// One of the office's slots: `09:00`.
    pub slot: String,
    /// Why a booked visit is moved; required then.
    pub reason: Option<String>,
}

/// What a booking may choose from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingChoices {
    pub inspectors: Vec<StaffSummary>,
    pub days: Vec<JalaliDate>,
    pub slots: Vec<String>,
}

/// A visit just booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub visit: i64,
    pub case_version: i64,
    pub day: JalaliDate,
    pub slot: String,
}

#[derive(Debug, Clone)]
pub struct Inspection {
    cases: Cases,
    store: Arc<dyn Store>,
    /// Every office's slots, unless it has its own.
    slots: Vec<String>,
    /// The offices with slots of their own, by office code.
    office_slots: Arc<std::collections::HashMap<String, Vec<String>>>,
}

/// Slots as configured, `09:00` each (either script), sorted, the repeated ones once.
fn slot_list<'a>(slots: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut list = slots
        .into_iter()
        .map(|slot| parse_slot(slot).ok_or_else(|| format!("{slot:?} is not a time of day")))
        .collect::<Result<Vec<_>, _>>()?;
    list.sort();
    list.dedup();
    Ok(list)
}

impl Inspection {
    /// Over the cases and the store, with the slots of every office (`09:00`, …) and
    /// those of the offices that keep their own (`0101=08:30,10:00`); refused, naming
    /// it, when one is not a time of day.
    pub fn new(
        cases: Cases,
        store: Arc<dyn Store>,
        slots: &[String],
        office_slots: &[String],
    ) -> Result<Inspection, String> {
        let slots = slot_list(slots.iter().map(String::as_str))?;
        let mut by_office = std::collections::HashMap::new();
        for entry in office_slots {
            let (office, times) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not OFFICE=HH:MM,HH:MM"))?;
            let office = OfficeCode::parse(office.trim())
                .map_err(|_| format!("{office:?} is not an office code"))?;
            by_office.insert(office.as_str().to_owned(), slot_list(times.split(','))?);
        }
        Ok(Inspection {
            cases,
            store,
            slots,
            office_slots: Arc::new(by_office),
        })
    }

    /// The slots of an office: its own, or every office's.
    pub fn slots_of(&self, office: &OfficeCode) -> &[String] {
        self.office_slots
            .get(office.as_str())
            .unwrap_or(&self.slots)
    }

    /// The inspectors, days and slots a booking on the case may choose from.
    pub async fn choices(&self, who: &Principal, id: CaseId) -> Result<BookingChoices, CaseError> {
        let (case, _, _) = self.cases.for_staff_work(who, id).await?;
        Ok(BookingChoices {
            inspectors: self
                .store
                .staff_in_role(&case.office, Role::Inspection)
                .await?,
            days: self.cases.upcoming_working_days(30),
            slots: self.slots_of(&case.office).to_vec(),
        })
    }

    /// Books the case's visit, or moves the one booked: a member of formation or
    /// inspection, while one of them has the case.
    pub async fn book(
        &self,
        who: &Principal,
        id: CaseId,
        request: &BookingRequest,
    ) -> Result<Booked, CaseError> {
        let (case, roles, tasks) = self.cases.for_staff_work(who, id).await?;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotFound);
        };
        let books = |role: &Role| matches!(role, Role::Formation | Role::Inspection);
        if !roles.iter().any(books) {
            return Err(CaseError::NotAllowed("visit.formation_only"));
        }
        if !tasks.iter().any(|task| books(&task.role)) {
            return Err(CaseError::NotAllowed("visit.not_now"));
        }
        let day = JalaliDate::parse(&request.day).map_err(|_| CaseError::InvalidField {
            code: "visit.day",
            field: "day".into(),
        })?;
        let today = JalaliDate::from_timestamp(Timestamp::now());
        if day <= today || !self.cases.is_working_day(day) {
            return Err(CaseError::InvalidField {
                code: "visit.day",
                field: "day".into(),
            });
        }
        let slot = parse_slot(&request.slot)
            .filter(|slot| self.slots_of(&case.office).contains(slot))
            .ok_or(CaseError::InvalidField {
                code: "visit.slot",
                field: "slot".into(),
            })?;
        let inspectors = self
            .store
            .staff_in_role(&case.office, Role::Inspection)
            .await?;
        if !inspectors
            .iter()
            .any(|inspector| inspector.id == request.inspector)
        {
            return Err(CaseError::InvalidField {
                code: "visit.inspector",
                field: "inspector".into(),
            });
        }
        let moving = self.store.live_visit(id).await?.is_some();
        let reason = request
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|reason| !reason.is_empty())
            .map(|reason| reason.chars().take(500).collect::<String>());
        if moving && reason.is_none() {
            return Err(CaseError::InvalidField {
                code: "visit.reason",
                field: "reason".into(),
            });
        }
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let when = format!(
            "{} {} ساعت {}",
            day.weekday_name_fa(),
            day.format_fa(),
            fa::to_persian_digits(&slot)
        );
        let text = if moving {
            format!(
                "زمان بازدید ملک پرونده {} تغییر کرد: {when}.",
                case.tracking_code
            )
        } else {
            format!(
                "بازدید ملک پرونده {}: {when}. لطفاً در ملک حاضر باشید.",
                case.tracking_code
            )
        };
        let (visit, case_version) = self
            .store
            .book_visit(
                &NewVisit {
                    case: id,
                    office: case.office.as_str().to_owned(),
                    inspector: request.inspector,
                    day: day.iso_jalali(),
                    slot: slot.clone(),
                    booked_by: account.id,
                    booked_at: Timestamp::now(),
                    reason,
                },
                request.expected_version,
                &NewNotification {
                    to: Recipient::Citizen(case.applicant.clone().ok_or_else(|| {
                        anyhow::anyhow!("an inspection visit booked on an anonymous case")
                    })?),
                    text,
                },
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict("inspector's slot") => CaseError::InvalidField {
                    code: "visit.slot_taken",
                    field: "slot".into(),
                },
                StoreError::Conflict(_) => CaseError::Changed,
                error => error.into(),
            })?;
        Ok(Booked {
            visit,
            case_version,
            day,
            slot,
        })
    }

    /// Every visit booked for a case, the moved ones too, newest first, for whoever may
    /// read the case.
    pub async fn visits_of_case(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<Vec<StoredVisit>, CaseError> {
        self.cases.view(who, id).await?;
        self.visits_of_case_seen(id).await
    }

    /// The same, for a page that has just shown the case through [`Cases::view`].
    pub async fn visits_of_case_seen(&self, id: CaseId) -> Result<Vec<StoredVisit>, CaseError> {
        Ok(self.store.visits_of_case(id).await?)
    }

    /// The visits on `day` in the offices where `who` holds a role, in time order.
    pub async fn day(&self, who: &Principal, day: JalaliDate) -> Result<Vec<DayVisit>, CaseError> {
        let mut visits = Vec::new();
        for office in offices_of(who)? {
            visits.extend(
                self.store
                    .visits_on_day(office.as_str(), &day.iso_jalali())
                    .await?,
            );
        }
        visits.sort_by(|a, b| {
            a.slot
                .cmp(&b.slot)
                .then(a.inspector_name.cmp(&b.inspector_name))
        });
        Ok(visits)
    }

    /// The visits past their day with no sketch drawn, in `who`'s offices, oldest first.
    pub async fn overdue(&self, who: &Principal) -> Result<Vec<DayVisit>, CaseError> {
        let today = JalaliDate::from_timestamp(Timestamp::now()).iso_jalali();
        let mut visits = Vec::new();
        for office in offices_of(who)? {
            visits.extend(self.store.overdue_visits(office.as_str(), &today).await?);
        }
        visits.sort_by(|a, b| (&a.day, &a.slot).cmp(&(&b.day, &b.slot)));
        Ok(visits)
    }
}

/// The offices a staff member holds a role in; a citizen has none to see.
fn offices_of(who: &Principal) -> Result<Vec<OfficeCode>, CaseError> {
    let Principal::Staff(account) = who else {
        return Err(CaseError::NotAllowed("auth.staff_only"));
    };
    let mut offices: Vec<OfficeCode> = account
        .roles
        .iter()
        .map(|(office, _)| office.clone())
        .collect();
    offices.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    offices.dedup();
    Ok(offices)
}

/// A time of day as `HH:MM`, typed in either script.
fn parse_slot(text: &str) -> Option<String> {
    let text = fa::normalize_digits(text.trim());
    let (hours, minutes) = text.split_once(':')?;
    let hours: u8 = hours.parse().ok()?;
    let minutes: u8 = minutes.parse().ok()?;
    (hours < 24 && minutes < 60 && text.len() <= 5).then(|| format!("{hours:02}:{minutes:02}"))
}

#[cfg(test)]
mod tests {
    use super::parse_slot;

    #[test]
    fn an_office_may_keep_slots_of_its_own() {
        assert_eq!(
            super::slot_list(["۱۰:۰۰", "08:30", "10:00"]).unwrap(),
            ["08:30", "10:00"]
        );
        assert!(super::slot_list(["noon"]).is_err());
    }

    #[test]
    fn slots_are_times_of_day_in_either_script() {
        assert_eq!(parse_slot("۹:۳۰").as_deref(), Some("09:30"));
        assert_eq!(parse_slot("13:00").as_deref(), Some("13:00"));
        for bad in ["", "24:00", "9", "09:60", "nine", "09:00:00"] {
            assert_eq!(parse_slot(bad), None, "{bad}");
        }
    }
}
