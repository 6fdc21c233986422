//! The operator-usage report (seed 000's service-level agreement: the provider reports,
//! daily or for any requested period, how operator staff used the electronic service
//! desk). Computed from the case history and the staff sign-ins, never from logs: per
//! staff member, their sign-ins, active time, actions by kind and by service, cases
//! closed, the median wait from a case reaching their queue to their action, and the
//! overdue tasks they hold; per unit and for the office, the same summed.
//!
//! An action counts for the unit whose queue it was taken in, as the case's workflow
//! says, not for the roles its actor holds today: a staff member who moved between units
//! within the period is counted in each for what they did there.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use crate::calendar::JalaliDate;
use crate::roles::Role;

/// One staff action of the case history, as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAction {
    pub staff: i64,
    /// The staff member's name, as the staff list has it.
    pub name: String,
    /// The unit whose queue the case was in; `None` when the workflow no longer says.
    pub unit: Option<Role>,
    pub service: String,
    /// The action's id in its workflow (`approve`, `assign`, …).
    pub kind: String,
    pub at: Timestamp,
    /// When the case reached the state the action was taken in: the case's history row
    /// before this one.
    pub reached: Option<Timestamp>,
    /// The action closed the case.
    pub closed: bool,
}

/// A staff member's sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub staff: i64,
    pub name: String,
    pub at: Timestamp,
}

/// The figures of one staff member, one unit or the office.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figures {
    pub sign_ins: u64,
    /// Summed over days: from the first to the last action of each Tehran day.
    pub active_seconds: i64,
    pub actions: u64,
    pub by_kind: BTreeMap<String, u64>,
    pub by_service: BTreeMap<String, u64>,
    pub cases_closed: u64,
    /// The median of the waits from a case reaching the queue to the action.
    pub median_wait_seconds: Option<i64>,
    /// Open tasks marked to them past their due day, at the report's making.
    pub overdue_held: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUsage {
    pub staff: i64,
    pub name: String,
    /// The units they acted for in the period.
    pub units: Vec<Role>,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitUsage {
    pub unit: Role,
    /// How many staff acted for it.
    pub staff: u64,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub from: JalaliDate,
    /// The last day, included.
    pub to: JalaliDate,
    /// Staff who signed in or acted, by name.
    pub staff: Vec<StaffUsage>,
    /// Units acted for, in the roles' order.
    pub units: Vec<UnitUsage>,
    pub office: Figures,
}

/// Why a period is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodRefused {
    #[error("the period must end on or after its first day")]
    Order,
    #[error("a report covers at most 366 days")]
    TooLong,
}

impl PeriodRefused {
    pub fn code(self) -> &'static str {
        match self {
            PeriodRefused::Order => "usage.order",
            PeriodRefused::TooLong => "usage.too_long",
        }
    }
}

/// Checks a period of days, both included.
pub fn check_period(from: JalaliDate, to: JalaliDate) -> Result<(), PeriodRefused> {
    let days = from.days_until(to);
    if days < 0 {
        Err(PeriodRefused::Order)
    } else if days >= 366 {
        Err(PeriodRefused::TooLong)
    } else {
        Ok(())
    }
}

/// Adds up the period's actions and sign-ins, and the overdue tasks held now
/// (`(staff, count)`).
pub fn summarize(
    from: JalaliDate,
    to: JalaliDate,
    actions: &[StaffAction],
    sign_ins: &[SignIn],
    overdue_held: &[(i64, u64)],
) -> UsageReport {
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    for sign_in in sign_ins {
        names
            .entry(sign_in.staff)
            .or_insert_with(|| sign_in.name.clone());
    }
    let mut by_staff: BTreeMap<i64, Vec<&StaffAction>> = BTreeMap::new();
    let mut by_unit: BTreeMap<Role, Vec<&StaffAction>> = BTreeMap::new();
    let mut by_unit_member: BTreeMap<(Role, i64), Vec<&StaffAction>> = BTreeMap::new();
    for action in actions {
        names
            .entry(action.staff)
            .or_insert_with(|| action.name.clone());
        by_staff.entry(action.staff).or_default().push(action);
        if let Some(unit) = action.unit {
            by_unit.entry(unit).or_default().push(action);
            by_unit_member
                .entry((unit, action.staff))
                .or_default()
                .push(action);
        }
    }
    let signed_in = |staff: i64| sign_ins.iter().filter(|s| s.staff == staff).count() as u64;
    let held = |staff: i64| {
        overdue_held
            .iter()
            .filter(|(who, _)| *who == staff)
            .map(|(_, count)| count)
            .sum::<u64>()
    };
    let mut staff: Vec<StaffUsage> = names
        .iter()
        .map(|(id, name)| {
            let theirs = by_staff.get(id).map(Vec::as_slice).unwrap_or_default();
            let mut figures = of_actions(theirs);
            figures.sign_ins = signed_in(*id);
            figures.overdue_held = held(*id);
            let units: BTreeSet<Role> = theirs.iter().filter_map(|a| a.unit).collect();
            StaffUsage {
                staff: *id,
                name: name.clone(),
                units: units.into_iter().collect(),
                figures,
            }
        })
        .collect();
    staff.sort_by(|a, b| a.name.cmp(&b.name).then(a.staff.cmp(&b.staff)));
    let units = by_unit
        .iter()
        .map(|(unit, theirs)| {
            let members: BTreeSet<i64> = theirs.iter().map(|a| a.staff).collect();
            let mut figures = of_actions(theirs);
            figures.sign_ins = members.iter().map(|m| signed_in(*m)).sum();
            figures.overdue_held = members.iter().map(|m| held(*m)).sum();
            // A day's active time is each member's own, summed.
            figures.active_seconds = members
                .iter()
                .filter_map(|m| by_unit_member.get(&(*unit, *m)))
                .map(|own| active_seconds(own))
                .sum();
            UnitUsage {
                unit: *unit,
                staff: members.len() as u64,
                figures,
            }
        })
        .collect();
    let all: Vec<&StaffAction> = actions.iter().collect();
    let mut office = of_actions(&all);
    office.sign_ins = sign_ins.len() as u64;
    office.overdue_held = overdue_held.iter().map(|(_, count)| count).sum();
    office.active_seconds = staff.iter().map(|s| s.figures.active_seconds).sum();
    UsageReport {
        from,
        to,
        staff,
        units,
        office,
    }
}

/// The figures a set of actions gives (one person's when active time is read from it).
fn of_actions(actions: &[&StaffAction]) -> Figures {
    let mut figures = Figures {
        actions: actions.len() as u64,
        active_seconds: active_seconds(actions),
        ..Figures::default()
    };
    for action in actions {
        count(&mut figures.by_kind, &action.kind);
        count(&mut figures.by_service, &action.service);
        figures.cases_closed += u64::from(action.closed);
    }
    let mut waits: Vec<i64> = actions
        .iter()
        .filter_map(|a| Some((a.at.as_second() - a.reached?.as_second()).max(0)))
        .collect();
    figures.median_wait_seconds = median(&mut waits);
    figures
}

/// Adds one to `key`'s count, copying the key only the first time.
fn count(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(count) => *count += 1,
        None => {
            counts.insert(key.to_owned(), 1);
        }
    }
}

/// Tehran's offset from UTC: 3:30 all year since Iran ended daylight saving in 2022.
const TEHRAN_OFFSET_SECONDS: i64 = 3 * 3600 + 1800;

/// From the first to the last action of each Tehran day, summed over days.
fn active_seconds(actions: &[&StaffAction]) -> i64 {
    let mut days: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for action in actions {
        let second = action.at.as_second();
        let span = days
            .entry((second + TEHRAN_OFFSET_SECONDS).div_euclid(86_400))
            .or_insert((second, second));
        span.0 = span.0.min(second);
        span.1 = span.1.max(second);
    }
    days.values().map(|(first, last)| last - first).sum()
}

/// The median; of an even count, the mean of the middle two, rounded down.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]).div_euclid(2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn action(staff: i64, unit: Role, kind: &str, when: &str, reached: &str) -> StaffAction {
        StaffAction {
            staff,
            name: format!("staff {staff}"),
            unit: Some(unit),
            service: "s1".into(),
            kind: kind.into(),
            at: at(when),
            reached: Some(at(reached)),
            closed: kind == "approve",
        }
    }

    fn day() -> JalaliDate {
        JalaliDate::new(1405, 9, 13).unwrap()
    }

    #[test]
    fn a_staff_members_day_adds_up() {
        let actions = [
            action(
                1,
                Role::Formation,
                "refer",
                "2026-12-04T05:30:00Z",
                "2026-12-04T05:00:00Z",
            ),
            action(
                1,
                Role::Formation,
                "approve",
                "2026-12-04T09:30:00Z",
                "2026-12-04T07:30:00Z",
            ),
            action(
                1,
                Role::Formation,
                "approve",
                "2026-12-04T11:00:00Z",
                "2026-12-03T11:00:00Z",
            ),
        ];
        let sign_ins = [SignIn {
            staff: 1,
            name: "staff 1".into(),
            at: at("2026-12-04T05:00:00Z"),
        }];
        let report = summarize(day(), day(), &actions, &sign_ins, &[(1, 2)]);
        let figures = &report.staff[0].figures;
        assert_eq!(figures.sign_ins, 1);
        assert_eq!(figures.actions, 3);
        assert_eq!(figures.active_seconds, 5 * 3600 + 1800, "05:30 to 11:00");
        assert_eq!(figures.by_kind["approve"], 2);
        assert_eq!(figures.cases_closed, 2);
        assert_eq!(
            figures.median_wait_seconds,
            Some(2 * 3600),
            "30 min, 2 h, 24 h"
        );
        assert_eq!(figures.overdue_held, 2);
        assert_eq!(report.office, *figures);
    }

    #[test]
    fn a_member_who_changed_units_counts_in_each_for_what_they_did_there() {
        let actions = [
            action(
                7,
                Role::Formation,
                "refer",
                "2026-12-01T06:00:00Z",
                "2026-12-01T05:00:00Z",
            ),
            action(
                7,
                Role::Consulting,
                "approve",
                "2026-12-03T06:00:00Z",
                "2026-12-03T05:00:00Z",
            ),
            action(
                8,
                Role::Consulting,
                "approve",
                "2026-12-03T07:00:00Z",
                "2026-12-03T05:00:00Z",
            ),
        ];
        let report = summarize(day(), day(), &actions, &[], &[]);
        let unit = |role| report.units.iter().find(|u| u.unit == role).unwrap();
        assert_eq!(unit(Role::Formation).figures.actions, 1);
        assert_eq!(unit(Role::Formation).staff, 1);
        assert_eq!(unit(Role::Consulting).figures.actions, 2);
        assert_eq!(unit(Role::Consulting).staff, 2);
        assert_eq!(report.staff[0].units, [Role::Formation, Role::Consulting]);
        assert_eq!(report.office.actions, 3);
        assert_eq!(report.office.median_wait_seconds, Some(3600));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_middle_twos_mean() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut [9, 1, 4, 2]), Some(3));
    }

    #[test]
    fn a_period_ends_after_it_begins_and_lasts_a_year_at_most() {
        let first = JalaliDate::new(1405, 1, 1).unwrap();
        assert_eq!(check_period(first, first), Ok(()));
        assert_eq!(
            check_period(first.add_days(1), first),
            Err(PeriodRefused::Order)
        );
        assert_eq!(check_period(first, first.add_days(365)), Ok(()));
        assert_eq!(
            check_period(first, first.add_days(366)),
            Err(PeriodRefused::TooLong)
        );
    }
}
