//! Planned outages (seed 000's service-level agreement: planned outages are announced on
//! the website in advance). An announcement says from when to when, and what is affected
//! in Persian and in English; the pages show it as a banner from a lead time before it
//! begins until it ends. It is information, not a switch: nothing stops serving.

use jiff::{SignedDuration, Timestamp};

/// The longest text of what is affected, in either language.
pub const MAX_AFFECTED_CHARS: usize = 500;

/// The longest planned outage an announcement may state.
pub const MAX_LENGTH: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The lead time the banner shows before an outage by default.
pub const DEFAULT_LEAD: SignedDuration = SignedDuration::from_hours(48);

/// A planned outage as announced: checked, ready to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOutage {
    pub from: Timestamp,
    pub to: Timestamp,
    pub affected_fa: String,
    pub affected_en: String,
}

/// Why an announcement is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutageRefused {
    #[error("the outage must end after it begins")]
    Order,
    #[error("the outage must end in the future")]
    Past,
    #[error("a planned outage lasts at most seven days")]
    TooLong,
    #[error("what is affected must be stated, up to 500 characters, in Persian and in English")]
    Affected,
}

impl OutageRefused {
    /// The error code the API and the pages answer with.
    pub fn code(self) -> &'static str {
        match self {
            OutageRefused::Order => "outage.order",
            OutageRefused::Past => "outage.past",
            OutageRefused::TooLong => "outage.too_long",
            OutageRefused::Affected => "outage.affected",
        }
    }
}

/// Where an outage stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Announced, not begun.
    Coming,
    /// Under way.
    Now,
    /// Over.
    Past,
}

impl Phase {
    pub fn slug(self) -> &'static str {
        match self {
            Phase::Coming => "coming",
            Phase::Now => "now",
            Phase::Past => "past",
        }
    }
}

impl PlannedOutage {
    /// An announcement made at `now`: it ends after it begins and after `now`, lasts at
    /// most [`MAX_LENGTH`], and states what is affected in both languages.
    pub fn new(
        from: Timestamp,
        to: Timestamp,
        affected_fa: &str,
        affected_en: &str,
        now: Timestamp,
    ) -> Result<PlannedOutage, OutageRefused> {
        if to <= from {
            return Err(OutageRefused::Order);
        }
        if to <= now {
            return Err(OutageRefused::Past);
        }
        if from.duration_until(to) > MAX_LENGTH {
            return Err(OutageRefused::TooLong);
        }
        // One line or a few, of printable text: a control character has no place on a
        // page, and breaks the Atom feed.
        let stated = |text: &str| {
            let text = text.trim().to_owned();
            let count = text.chars().count();
            let printable = !text.chars().any(|c| c.is_control() && c != '\n');
            ((1..=MAX_AFFECTED_CHARS).contains(&count) && printable).then_some(text)
        };
        Ok(PlannedOutage {
            from,
            to,
            affected_fa: stated(affected_fa).ok_or(OutageRefused::Affected)?,
            affected_en: stated(affected_en).ok_or(OutageRefused::Affected)?,
        })
    }
}

/// Where an outage from `from` to `to` stands at `now`.
pub fn phase(from: Timestamp, to: Timestamp, now: Timestamp) -> Phase {
    if now >= to {
        Phase::Past
    } else if now >= from {
        Phase::Now
    } else {
        Phase::Coming
    }
}

/// Whether the pages show an outage's banner at `now`: from `lead` before it begins until
/// it ends.
pub fn banner_shown(from: Timestamp, to: Timestamp, now: Timestamp, lead: SignedDuration) -> bool {
    now < to
        && from
            .checked_sub(lead)
            .map_or(true, |shown_from| now >= shown_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn an_announcement_states_a_coming_window_and_what_it_affects_in_both_languages() {
        let now = at("2026-12-04T10:00:00Z");
        let from = at("2026-12-06T20:30:00Z");
        let to = at("2026-12-06T23:30:00Z");
        let outage = PlannedOutage::new(from, to, "  پرداخت قبض  ", "Bill payment", now).unwrap();
        assert_eq!(outage.affected_fa, "پرداخت قبض");
        assert_eq!(
            PlannedOutage::new(to, from, "الف", "a", now),
            Err(OutageRefused::Order)
        );
        assert_eq!(
            PlannedOutage::new(from, from, "الف", "a", now),
            Err(OutageRefused::Order)
        );
        assert_eq!(
            PlannedOutage::new(
                at("2026-12-01T00:00:00Z"),
                at("2026-12-02T00:00:00Z"),
                "الف",
                "a",
                now
            ),
            Err(OutageRefused::Past)
        );
        assert_eq!(
            PlannedOutage::new(
                from,
                from + SignedDuration::from_hours(7 * 24 + 1),
                "الف",
                "a",
                now
            ),
            Err(OutageRefused::TooLong)
        );
        assert_eq!(
            PlannedOutage::new(from, to, " ", "a", now),
            Err(OutageRefused::Affected)
        );
        assert_eq!(
            PlannedOutage::new(from, to, "الف", &"a".repeat(501), now),
            Err(OutageRefused::Affected)
        );
        assert_eq!(
            PlannedOutage::new(from, to, "الف\u{0}ب", "a", now),
            Err(OutageRefused::Affected)
        );
    }

    #[test]
    fn the_banner_shows_from_the_lead_time_until_the_end() {
        let from = at("2026-12-06T20:30:00Z");
        let to = at("2026-12-06T23:30:00Z");
        let shown = |now: &str| banner_shown(from, to, at(now), DEFAULT_LEAD);
        assert!(!shown("2026-12-04T20:29:59Z"), "before the 48 hours");
        assert!(shown("2026-12-04T20:30:00Z"), "48 hours before");
        assert!(shown("2026-12-06T22:00:00Z"), "under way");
        assert!(!shown("2026-12-06T23:30:00Z"), "over");
        assert_eq!(phase(from, to, at("2026-12-05T00:00:00Z")), Phase::Coming);
        assert_eq!(phase(from, to, at("2026-12-06T21:00:00Z")), Phase::Now);
        assert_eq!(phase(from, to, at("2026-12-07T00:00:00Z")), Phase::Past);
    }
}
