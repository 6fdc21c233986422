//! [`JalaliDate`], a day of the Solar Hijri calendar, and its conversions.
//!
//! Every Jalali ↔ Gregorian conversion goes through ICU4X's Persian calendar, which
//! follows the astronomical calendar Iran uses; small hand-rolled algorithms (the
//! 33-year cycle and its variants) are wrong on some recent years (IRAN_IDS.md
//! section 8). Day arithmetic works on the ICU "rata die" (a running day number), so
//! adding days never has to know how long a month is.

use std::fmt;
use std::sync::LazyLock;

use icu_calendar::cal::Persian;
use icu_calendar::types::RataDie;
use icu_calendar::{Date, Iso};
use jiff::civil::Weekday;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

use super::CalendarError;
use crate::fa;

/// The first Jalali year a [`JalaliDate`] can hold.
pub const MIN_YEAR: i32 = 1;
/// The last Jalali year a [`JalaliDate`] can hold: the last whole Jalali year whose
/// Gregorian days all fit in [`jiff::civil::Date`], which ends at 9999-12-31.
pub const MAX_YEAR: i32 = 9377;

/// Day number of 1 Farvardin 1 (21 March 622 in the proleptic Gregorian calendar).
/// Checked against ICU by a test.
const MIN_RD: i64 = 226_895;
/// Day number of the last day of Esfand 9377 (20 March 9999). Checked against ICU by a test.
const MAX_RD: i64 = 3_651_773;

const MONTHS_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];
const MONTHS_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];

/// Iran's time zone. The bundled tz database always has it; the fixed +03:30 fallback
/// (Iran's offset since it dropped daylight saving in 2022) only keeps this function
/// total should the bundle ever lose the name.
pub(crate) static TEHRAN: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZone::get("Asia/Tehran").unwrap_or_else(|_| {
        Offset::from_seconds(3 * 3600 + 30 * 60)
            .map(TimeZone::fixed)
            .unwrap_or(TimeZone::UTC)
    })
});

/// A day of the Jalali (Solar Hijri) calendar, between 1 Farvardin [`MIN_YEAR`] and the
/// end of Esfand [`MAX_YEAR`].
///
/// Dates order chronologically. `Display`, `Serialize` and `Deserialize` use the ISO-like
/// form `1403-12-30`; pages use [`JalaliDate::format_fa`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliDate {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: i32,
    month: u8,
    day: u8,
    /// ICU's day number of this date, kept so that arithmetic and conversions need no
    /// fallible step. Always agrees with the three fields above.
    rd: i64,
}

impl JalaliDate {
    /// The date `year-month-day`, if the Jalali calendar has it: months have 31 days in
    /// Farvardin–Shahrivar, 30 in Mehr–Bahman and 29 in Esfand, 30 in a leap year.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CalendarError::OutOfRange);
        }
        let date = Date::try_new_persian(year, month, day).map_err(|_| CalendarError::Invalid {
            year,
            month,
            day,
        })?;
        Ok(Self {
            year,
            month,
            day,
            rd: date.to_rata_die().to_i64_date(),
        })
    }

    /// Reads a date typed as year, month, day: `1403-12-30`, `1403/12/30`, `۱۴۰۳/۱۲/۳۰`,
    /// `1403-1-5`. The year has four digits, so that a day-first date such as
    /// `30/12/1403` is refused rather than misread. Direction marks that come along when
    /// Persian text is copied (LRM, RLM, ALM) and surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, CalendarError> {
        let cleaned: String = fa::normalize_digits(input)
            .chars()
            .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}'))
            .collect();
        let cleaned = cleaned.trim();
        let separator = if cleaned.contains('/') { '/' } else { '-' };
        let mut parts = cleaned.split(separator);
        let (Some(year), Some(month), Some(day), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CalendarError::Format);
        };
        let all_digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
            lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        if !all_digits(year, 4..=4) || !all_digits(month, 1..=2) || !all_digits(day, 1..=2) {
            return Err(CalendarError::Format);
        }
        // The lengths were checked, so these parses cannot overflow.
        match (year.parse(), month.parse(), day.parse()) {
            (Ok(year), Ok(month), Ok(day)) => Self::new(year, month, day),
            _ => Err(CalendarError::Format),
        }
    }

    /// The Jalali date of a Gregorian date; [`CalendarError::OutOfRange`] before
    /// 21 March 622 or after 20 March 9999.
    pub fn from_gregorian(date: jiff::civil::Date) -> Result<Self, CalendarError> {
        let iso = Date::try_new_iso(i32::from(date.year()), date.month() as u8, date.day() as u8)
            .map_err(|_| CalendarError::OutOfRange)?;
        Self::from_rd(iso.to_rata_die().to_i64_date()).ok_or(CalendarError::OutOfRange)
    }

    /// The Gregorian date of this day.
    pub fn to_gregorian(&self) -> jiff::civil::Date {
        let iso = Date::from_rata_die(RataDie::new(self.rd), Iso);
        // Every supported day falls between 622 and 9999, inside jiff's range, so the
        // fallback is never taken; it only spares a panic path.
        jiff::civil::Date::new(
            iso.year().extended_year() as i16,
            iso.month().ordinal as i8,
            iso.day_of_month().0 as i8,
        )
        .unwrap_or(jiff::civil::Date::MAX)
    }

    /// The day `ts` falls on in Tehran. Instants outside the supported years (before
    /// AD 622 or after 9999) clamp to the first or last supported day: no record of a
    /// municipality carries one, and a clock reading should not need error handling.
    /// The moment this day begins in Tehran.
    pub fn start_in_tehran(&self) -> Timestamp {
        self.to_gregorian()
            .to_zoned(TEHRAN.clone())
            .map(|zoned| zoned.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// The moment of this day at `hour:minute` on Tehran's clock; `None` for a time that
    /// is not one (24:00, 12:60).
    pub fn at_tehran_time(&self, hour: u8, minute: u8) -> Option<Timestamp> {
        let time =
            jiff::civil::Time::new(i8::try_from(hour).ok()?, i8::try_from(minute).ok()?, 0, 0)
                .ok()?;
        self.to_gregorian()
            .to_datetime(time)
            .to_zoned(TEHRAN.clone())
            .ok()
            .map(|zoned| zoned.timestamp())
    }

    pub fn from_timestamp(ts: Timestamp) -> Self {
        // `to_datetime` borrows the zone: `to_zoned` would clone it, an atomic count shared by
        // every thread, on every request that asks for today.
        let date = TEHRAN.to_datetime(ts).date();
        Self::from_gregorian(date).unwrap_or_else(|_| {
            let first = Self::from_rd_clamped(MIN_RD);
            if date < first.to_gregorian() {
                first
            } else {
                Self::from_rd_clamped(MAX_RD)
            }
        })
    }

    /// The date `days` days later (earlier if negative), or `None` outside the supported
    /// years.
    pub fn checked_add_days(self, days: i64) -> Option<Self> {
        Self::from_rd(self.rd.checked_add(days)?)
    }

    /// The date `days` days later (earlier if negative), stopping at the first or last
    /// supported day rather than failing.
    pub fn add_days(self, days: i64) -> Self {
        Self::from_rd_clamped(self.rd.saturating_add(days))
    }

    /// The same day `months` months later, or the month's last day when it is shorter
    /// (the 31st of Shahrivar plus one month is the 30th of Mehr); `None` past the
    /// supported years.
    pub fn checked_add_months(self, months: u32) -> Option<Self> {
        let index = i64::from(self.year()) * 12 + i64::from(self.month()) - 1 + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        let last = Self::days_in_month(year, month).ok()?;
        Self::new(year, month, self.day().min(last)).ok()
    }

    /// How many days from `self` to `other`: positive when `other` is later.
    pub fn days_until(self, other: Self) -> i64 {
        other.rd - self.rd
    }

    /// The day of the week. The Iranian week starts on Saturday (شنبه).
    pub fn weekday(&self) -> Weekday {
        self.to_gregorian().weekday()
    }

    /// How many days the month has: 31, 30 or 29/30 for Esfand by the leap year.
    pub fn days_in_month(year: i32, month: u8) -> Result<u8, CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CalendarError::OutOfRange);
        }
        Date::try_new_persian(year, month, 1)
            .map(|d| d.days_in_month())
            .map_err(|_| CalendarError::Invalid {
                year,
                month,
                day: 1,
            })
    }

    /// The Jalali year, e.g. 1403.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 (Farvardin) to 12 (Esfand).
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// The Persian month name, e.g. «اسفند».
    pub fn month_name_fa(&self) -> &'static str {
        MONTHS_FA[self.month_index()]
    }

    /// The month name as transliterated on English pages, e.g. "Esfand".
    pub fn month_name_en(&self) -> &'static str {
        MONTHS_EN[self.month_index()]
    }

    /// The Persian name of the weekday, e.g. «پنجشنبه».
    pub fn weekday_name_fa(&self) -> &'static str {
        match self.weekday() {
            Weekday::Saturday => "شنبه",
            Weekday::Sunday => "یکشنبه",
            Weekday::Monday => "دوشنبه",
            Weekday::Tuesday => "سه\u{200C}شنبه",
            Weekday::Wednesday => "چهارشنبه",
            Weekday::Thursday => "پنجشنبه",
            Weekday::Friday => "جمعه",
        }
    }

    /// The date as written on Persian pages and documents: «۳۰ اسفند ۱۴۰۳».
    pub fn format_fa(&self) -> String {
        fa::to_persian_digits(&format!(
            "{} {} {}",
            self.day,
            self.month_name_fa(),
            self.year
        ))
    }

    /// The date as written on English pages: "30 Esfand 1403".
    pub fn format_en(&self) -> String {
        format!("{} {} {}", self.day, self.month_name_en(), self.year)
    }

    /// The machine form `1403-12-30`, zero-padded, which sorts like the dates.
    pub fn iso_jalali(&self) -> String {
        iso_date(self.year, self.month, self.day)
    }

    /// The same day in the Gregorian calendar, ISO 8601: `2027-03-20`.
    pub fn iso_gregorian(&self) -> String {
        let day = self.to_gregorian();
        iso_date(i32::from(day.year()), day.month() as u8, day.day() as u8)
    }

    /// The month as an index into the name tables; months are 1..=12 by construction,
    /// the clamp only keeps the indexing visibly in bounds.
    fn month_index(&self) -> usize {
        usize::from(self.month.clamp(1, 12) - 1)
    }

    /// The date of a day number in the supported range, or `None`.
    fn from_rd(rd: i64) -> Option<Self> {
        (MIN_RD..=MAX_RD)
            .contains(&rd)
            .then(|| Self::from_rd_clamped(rd))
    }

    /// The date of a day number, clamped into the supported range.
    fn from_rd_clamped(rd: i64) -> Self {
        let rd = rd.clamp(MIN_RD, MAX_RD);
        let date = Date::from_rata_die(RataDie::new(rd), Persian);
        Self {
            year: date.year().extended_year(),
            month: date.month().ordinal,
            day: date.day_of_month().0,
            rd,
        }
    }
}

/// `YYYY-MM-DD`, written digit by digit: the public look-up writes two per answer, and
/// `format!` costs several times as much. Years are 1 to 9999 by construction.
fn iso_date(year: i32, month: u8, day: u8) -> String {
    let digit = |value: u32| char::from(b'0' + (value % 10) as u8);
    let year = year.clamp(0, 9999).unsigned_abs();
    let mut text = String::with_capacity(10);
    for divisor in [1000, 100, 10, 1] {
        text.push(digit(year / divisor));
    }
    for part in [u32::from(month), u32::from(day)] {
        text.push('-');
        text.push(digit(part / 10));
        text.push(digit(part));
    }
    text
}

impl fmt::Display for JalaliDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso_jalali())
    }
}

impl fmt::Debug for JalaliDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JalaliDate({self})")
    }
}

impl std::str::FromStr for JalaliDate {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for JalaliDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for JalaliDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A moment as shown on Persian pages, in Tehran time: «۳۰ اسفند ۱۴۰۳، ساعت ۱۴:۳۰».
pub fn format_timestamp_fa(ts: Timestamp) -> String {
    let (date, zoned) = tehran(ts);
    fa::to_persian_digits(&format!(
        "{}، ساعت {:02}:{:02}",
        date.format_fa(),
        zoned.hour(),
        zoned.minute()
    ))
}

/// A moment as shown on English pages, in Tehran time: "30 Esfand 1403, 14:30".
pub fn format_timestamp_en(ts: Timestamp) -> String {
    let (date, zoned) = tehran(ts);
    format!(
        "{}, {:02}:{:02}",
        date.format_en(),
        zoned.hour(),
        zoned.minute()
    )
}

fn tehran(ts: Timestamp) -> (JalaliDate, Zoned) {
    (JalaliDate::from_timestamp(ts), ts.to_zoned(TEHRAN.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn jd(year: i32, month: u8, day: u8) -> JalaliDate {
        JalaliDate::new(year, month, day).unwrap()
    }

    #[test]
    fn nowruz_falls_on_the_reference_gregorian_dates() {
        assert_eq!(jd(1387, 1, 1).to_gregorian(), date(2008, 3, 20));
        assert_eq!(jd(1403, 1, 1).to_gregorian(), date(2024, 3, 20));
        assert_eq!(jd(1400, 1, 1).to_gregorian(), date(2021, 3, 21));
        assert_eq!(
            JalaliDate::from_gregorian(date(2008, 3, 20)).unwrap(),
            jd(1387, 1, 1)
        );
        assert_eq!(
            JalaliDate::from_gregorian(date(2024, 3, 20)).unwrap(),
            jd(1403, 1, 1)
        );
        assert_eq!(
            JalaliDate::from_gregorian(date(2021, 3, 21)).unwrap(),
            jd(1400, 1, 1)
        );
    }

    #[test]
    fn adding_months_keeps_the_day_or_takes_the_shorter_months_last() {
        assert_eq!(
            jd(1405, 9, 13).checked_add_months(12),
            Some(jd(1406, 9, 13))
        );
        assert_eq!(jd(1405, 6, 31).checked_add_months(1), Some(jd(1405, 7, 30)));
        assert_eq!(
            jd(1405, 11, 20).checked_add_months(3),
            Some(jd(1406, 2, 20))
        );
        // 1403 is a leap year and 1404 is not: Esfand 30th a year on is Esfand 29th.
        assert_eq!(
            jd(1403, 12, 30).checked_add_months(12),
            Some(jd(1404, 12, 29))
        );
        assert_eq!(jd(1405, 1, 1).checked_add_months(0), Some(jd(1405, 1, 1)));
    }

    #[test]
    fn a_time_of_day_is_read_on_tehrans_clock() {
        // Tehran keeps +03:30 all year (no daylight saving since 1401).
        let at = jd(1405, 9, 15).at_tehran_time(20, 30).unwrap();
        assert_eq!(at.to_string(), "2026-12-06T17:00:00Z");
        assert_eq!(JalaliDate::from_timestamp(at), jd(1405, 9, 15));
        assert_eq!(jd(1405, 9, 15).at_tehran_time(24, 0), None);
        assert_eq!(jd(1405, 9, 15).at_tehran_time(12, 60), None);
    }

    #[test]
    fn esfand_30_exists_only_in_leap_years() {
        assert!(JalaliDate::new(1403, 12, 30).is_ok());
        assert_eq!(jd(1403, 12, 30).to_gregorian(), date(2025, 3, 20));
        assert_eq!(
            JalaliDate::new(1404, 12, 30),
            Err(CalendarError::Invalid {
                year: 1404,
                month: 12,
                day: 30
            })
        );
    }

    #[test]
    fn months_have_31_then_30_then_29_days() {
        for month in 1..=6 {
            assert_eq!(JalaliDate::days_in_month(1404, month), Ok(31));
            assert!(JalaliDate::new(1404, month, 31).is_ok());
            assert!(JalaliDate::new(1404, month, 32).is_err());
        }
        for month in 7..=11 {
            assert_eq!(JalaliDate::days_in_month(1404, month), Ok(30));
            assert!(JalaliDate::new(1404, month, 31).is_err());
        }
        assert_eq!(JalaliDate::days_in_month(1404, 12), Ok(29));
        assert_eq!(JalaliDate::days_in_month(1403, 12), Ok(30));
    }

    #[test]
    fn month_zero_month_thirteen_and_day_zero_are_invalid() {
        for (m, d) in [(0, 1), (13, 1), (1, 0)] {
            assert_eq!(
                JalaliDate::new(1403, m, d).unwrap_err().code(),
                "date.invalid"
            );
        }
        assert_eq!(
            JalaliDate::days_in_month(1403, 13).unwrap_err().code(),
            "date.invalid"
        );
    }

    #[test]
    fn years_outside_the_supported_range_are_refused() {
        assert_eq!(JalaliDate::new(0, 1, 1).unwrap_err().code(), "date.range");
        assert_eq!(
            JalaliDate::new(9378, 1, 1).unwrap_err().code(),
            "date.range"
        );
        assert_eq!(
            JalaliDate::new(i32::MIN, 1, 1).unwrap_err().code(),
            "date.range"
        );
        assert!(JalaliDate::from_gregorian(date(600, 1, 1)).is_err());
        assert!(JalaliDate::from_gregorian(date(9999, 12, 31)).is_err());
    }

    #[test]
    fn the_range_constants_agree_with_icu() {
        let first = jd(MIN_YEAR, 1, 1);
        assert_eq!(first.rd, MIN_RD);
        let last_day = JalaliDate::days_in_month(MAX_YEAR, 12).unwrap();
        let last = jd(MAX_YEAR, 12, last_day);
        assert_eq!(last.rd, MAX_RD);
        assert_eq!(last.to_gregorian(), date(9999, 3, 20));
        assert_eq!(first.checked_add_days(-1), None);
        assert_eq!(last.checked_add_days(1), None);
        assert_eq!(last.add_days(i64::MAX), last);
        assert_eq!(first.add_days(i64::MIN), first);
    }

    #[test]
    fn parse_accepts_dashes_slashes_and_persian_digits() {
        let expected = jd(1403, 12, 30);
        for input in [
            "1403-12-30",
            "1403/12/30",
            "۱۴۰۳/۱۲/۳۰",
            "١٤٠٣-١٢-٣٠",
            " 1403-12-30 ",
            "\u{200F}۱۴۰۳/۱۲/۳۰\u{200E}",
        ] {
            assert_eq!(JalaliDate::parse(input), Ok(expected), "{input:?}");
        }
        assert_eq!(JalaliDate::parse("1404-1-5"), Ok(jd(1404, 1, 5)));
        assert_eq!("1404/01/05".parse(), Ok(jd(1404, 1, 5)));
    }

    #[test]
    fn parse_refuses_other_shapes_with_date_format() {
        for input in [
            "",
            "1403",
            "1403-12",
            "1403-12-30-1",
            "30/12/1403",
            "03-12-30",
            "1403-012-30",
            "1403-12/30",
            "1403-+1-30",
            "1403--1-30",
            "۱۴۰۳ ۱۲ ۳۰",
            "1403-12-3O",
        ] {
            assert_eq!(
                JalaliDate::parse(input).map_err(|e| e.code()),
                Err("date.format"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn parse_refuses_days_the_calendar_lacks_with_date_invalid() {
        assert_eq!(
            JalaliDate::parse("1404/12/30").unwrap_err().code(),
            "date.invalid"
        );
        assert_eq!(
            JalaliDate::parse("1404-07-31").unwrap_err().code(),
            "date.invalid"
        );
    }

    #[test]
    fn display_and_serde_use_the_zero_padded_form() {
        let d = jd(1404, 1, 5);
        assert_eq!(d.to_string(), "1404-01-05");
        assert_eq!(d.iso_jalali(), "1404-01-05");
        assert_eq!(format!("{d:?}"), "JalaliDate(1404-01-05)");
    }

    #[test]
    fn iso_dates_are_zero_padded_and_gregorian_as_jiff_writes_them() {
        for ((year, month, day), jalali) in [
            ((1405, 12, 29), "1405-12-29"),
            ((1404, 1, 5), "1404-01-05"),
            ((900, 7, 30), "0900-07-30"),
            ((1399, 10, 1), "1399-10-01"),
        ] {
            let date = JalaliDate::new(year, month, day).unwrap();
            assert_eq!(date.iso_jalali(), jalali);
            assert_eq!(date.to_string(), jalali);
            assert_eq!(date.iso_gregorian(), date.to_gregorian().to_string());
        }
        assert_eq!(
            JalaliDate::new(1405, 12, 29).unwrap().iso_gregorian(),
            "2027-03-20"
        );
    }

    #[test]
    fn serde_reads_the_same_forms_as_parse() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};

        let read = |s: &str| {
            let deserializer: StrDeserializer<'_, Error> = s.into_deserializer();
            JalaliDate::deserialize(deserializer)
        };
        assert_eq!(read("1403-12-30"), Ok(jd(1403, 12, 30)));
        assert_eq!(read("۱۴۰۳/۱۲/۳۰"), Ok(jd(1403, 12, 30)));
        assert!(
            read("1404-12-30")
                .unwrap_err()
                .to_string()
                .contains("not a day")
        );
    }

    #[test]
    fn dates_order_chronologically() {
        assert!(jd(1403, 12, 30) < jd(1404, 1, 1));
        assert!(jd(1404, 1, 31) < jd(1404, 2, 1));
        assert_eq!(jd(1403, 12, 30).days_until(jd(1404, 1, 1)), 1);
        // 1403 is a leap year.
        assert_eq!(jd(1404, 1, 1).days_until(jd(1403, 1, 1)), -366);
        assert_eq!(jd(1405, 1, 1).days_until(jd(1404, 1, 1)), -365);
    }

    #[test]
    fn adding_days_crosses_months_and_years() {
        assert_eq!(jd(1403, 12, 29).add_days(1), jd(1403, 12, 30));
        assert_eq!(jd(1403, 12, 29).add_days(2), jd(1404, 1, 1));
        assert_eq!(jd(1404, 12, 29).add_days(1), jd(1405, 1, 1));
        assert_eq!(jd(1404, 6, 31).add_days(1), jd(1404, 7, 1));
        assert_eq!(jd(1404, 1, 1).add_days(-1), jd(1403, 12, 30));
        assert_eq!(jd(1404, 1, 1).add_days(365), jd(1405, 1, 1));
    }

    #[test]
    fn weekdays_follow_the_gregorian_calendar() {
        // 21 March 2025 was a Friday.
        assert_eq!(jd(1404, 1, 1).weekday(), Weekday::Friday);
        assert_eq!(jd(1403, 12, 30).weekday(), Weekday::Thursday);
        assert_eq!(jd(1403, 12, 30).weekday_name_fa(), "پنجشنبه");
        assert_eq!(jd(1404, 1, 2).weekday_name_fa(), "شنبه");
    }

    #[test]
    fn month_names_are_in_calendar_order() {
        let fa: Vec<_> = (1..=12).map(|m| jd(1404, m, 1).month_name_fa()).collect();
        assert_eq!(fa[0], "فروردین");
        assert_eq!(fa[1], "اردیبهشت");
        assert_eq!(fa[4], "مرداد");
        assert_eq!(fa[11], "اسفند");
        let en: Vec<_> = (1..=12).map(|m| jd(1404, m, 1).month_name_en()).collect();
        assert_eq!(en[0], "Farvardin");
        assert_eq!(en[11], "Esfand");
    }

    #[test]
    fn dates_are_formatted_for_persian_and_english_pages() {
        assert_eq!(jd(1403, 12, 30).format_fa(), "۳۰ اسفند ۱۴۰۳");
        assert_eq!(jd(1403, 12, 30).format_en(), "30 Esfand 1403");
        assert_eq!(jd(1404, 1, 5).format_fa(), "۵ فروردین ۱۴۰۴");
    }

    #[test]
    fn timestamps_are_read_in_tehran_time() {
        // 20:45 UTC on 20 March 2025 is 00:15 on 21 March in Tehran: already 1 Farvardin.
        let ts: Timestamp = "2025-03-20T20:45:00Z".parse().unwrap();
        assert_eq!(JalaliDate::from_timestamp(ts), jd(1404, 1, 1));
        assert_eq!(format_timestamp_fa(ts), "۱ فروردین ۱۴۰۴، ساعت ۰۰:۱۵");
        assert_eq!(format_timestamp_en(ts), "1 Farvardin 1404, 00:15");

        let ts: Timestamp = "2025-03-20T11:00:00Z".parse().unwrap();
        assert_eq!(format_timestamp_fa(ts), "۳۰ اسفند ۱۴۰۳، ساعت ۱۴:۳۰");
        assert_eq!(format_timestamp_en(ts), "30 Esfand 1403, 14:30");
    }

    #[test]
    fn extreme_timestamps_clamp_instead_of_failing() {
        let first = JalaliDate::from_timestamp(Timestamp::MIN);
        assert_eq!((first.year(), first.month(), first.day()), (MIN_YEAR, 1, 1));
        assert_eq!(JalaliDate::from_timestamp(Timestamp::MAX).year(), MAX_YEAR);
        assert!(!format_timestamp_fa(Timestamp::MAX).is_empty());
    }

    #[test]
    fn every_day_from_1300_to_1500_survives_a_round_trip_through_gregorian() {
        let mut previous: Option<jiff::civil::Date> = None;
        for year in 1300..=1500 {
            for month in 1..=12 {
                let days = JalaliDate::days_in_month(year, month).unwrap();
                for day in 1..=days {
                    let jalali = jd(year, month, day);
                    let gregorian = jalali.to_gregorian();
                    assert_eq!(JalaliDate::from_gregorian(gregorian), Ok(jalali));
                    if let Some(previous) = previous {
                        assert_eq!(previous.tomorrow().unwrap(), gregorian, "after {jalali}");
                    }
                    previous = Some(gregorian);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_supported_day_survives_a_round_trip_through_gregorian(rd in MIN_RD..=MAX_RD) {
            let jalali = JalaliDate::from_rd_clamped(rd);
            prop_assert_eq!(JalaliDate::from_gregorian(jalali.to_gregorian()), Ok(jalali));
            prop_assert_eq!(JalaliDate::new(jalali.year(), jalali.month(), jalali.day()), Ok(jalali));
            prop_assert_eq!(JalaliDate::parse(&jalali.to_string()), Ok(jalali));
        }

        #[test]
        fn adding_days_agrees_with_gregorian_arithmetic(
            start in 1300_i32..1500, offset in -100_000_i64..100_000
        ) {
            let a = jd(start, 1, 1);
            let b = a.add_days(offset);
            prop_assert_eq!(a.days_until(b), offset);
            let span = jiff::Span::new().days(offset);
            prop_assert_eq!(a.to_gregorian().checked_add(span).unwrap(), b.to_gregorian());
        }

        #[test]
        fn parse_never_panics(input in "\\PC{0,20}") {
            let _ = JalaliDate::parse(&input);
        }
    }
}
