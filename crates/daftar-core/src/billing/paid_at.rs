//! When a payment was made, as banks and gateways write it: an ISO timestamp, or a Jalali
//! date and time in Tehran (`1405-02-10 14:30`).

use crate::calendar::JalaliDate;
use crate::calendar::TEHRAN;
use jiff::Timestamp;
use jiff::civil::Time;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("write the time as ISO (2026-05-01T10:30:00Z) or Jalali in Tehran (1405-02-10 14:30)")]
pub struct PaidAtError;

/// Parses `2026-05-01T10:30:00Z` (any offset), or `1405-02-10 14:30[:00]` read as
/// Asia/Tehran time. Persian digits are accepted.
pub fn parse_paid_at(input: &str) -> Result<Timestamp, PaidAtError> {
    let text = crate::fa::normalize_digits(input.trim());
    // A settlement file holds a million of these: Jalali years this century start with 1
    // and Gregorian ones with 2, so each is parsed by the parser it is written for first.
    if text.starts_with('1')
        && let Some(timestamp) = jalali_in_tehran(&text)
    {
        return Ok(timestamp);
    }
    text.parse::<Timestamp>().map_err(|_| PaidAtError)
}

fn jalali_in_tehran(text: &str) -> Option<Timestamp> {
    let (date, time) = text.split_once([' ', 'T'])?;
    let date = JalaliDate::parse(date).ok()?;
    let time: Time = time.trim().parse().ok()?;
    let zoned = date
        .to_gregorian()
        .to_datetime(time)
        .to_zoned(TEHRAN.clone());
    zoned.ok().map(|zoned| zoned.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_are_taken_as_written() {
        let at = parse_paid_at("2026-05-01T10:30:00Z").unwrap();
        assert_eq!(at.to_string(), "2026-05-01T10:30:00Z");
        let offset = parse_paid_at("2026-05-01T14:00:00+03:30").unwrap();
        assert_eq!(offset, at);
        // A Gregorian year that starts with 1 is still read as ISO.
        let old = parse_paid_at("1999-12-31T20:30:00Z").unwrap();
        assert_eq!(old.to_string(), "1999-12-31T20:30:00Z");
    }

    #[test]
    fn jalali_times_are_read_in_tehran() {
        // 10 Ordibehesht 1405 is 30 April 2026; Tehran is UTC+03:30.
        let at = parse_paid_at("1405-02-10 14:30").unwrap();
        assert_eq!(at.to_string(), "2026-04-30T11:00:00Z");
        assert_eq!(parse_paid_at("۱۴۰۵-۰۲-۱۰ ۱۴:۳۰"), Ok(at));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "yesterday",
            "1405-13-01 10:00",
            "1405-02-10",
            "1405-02-10 25:00",
        ] {
            assert_eq!(parse_paid_at(bad), Err(PaidAtError), "{bad}");
        }
    }
}
