//! [`HolidayCalendar`]: the weekend and the holidays, read from a small text format, and
//! the working-day arithmetic that legal deadlines are counted in.
//!
//! The format, one statement a line (`#` starts a comment, blank lines are ignored):
//!
//! ```text
//! weekend: friday                 # or e.g. `weekend: thursday friday`; at most once
//! fixed: 01-01 عید نوروز          # MM-DD name: a solar holiday, every year
//! 1404-01-13 روز طبیعت            # YYYY-MM-DD name: a holiday in that year only
//! ```
//!
//! Days are English weekday names. Dates may use Persian digits or `/`, as
//! [`JalaliDate::parse`] accepts. A `fixed: 12-30` holiday exists only in leap years.
//! Lunar holidays are written as dated lines, copied each year from the official
//! calendar: they depend on the sighting of the moon and are never computed here.

use std::collections::BTreeMap;

use jiff::civil::Weekday;

use super::{CalendarError, JalaliDate};
use crate::fa;

/// The calendar shipped with Daftar: Friday weekend, the fixed solar holidays and the
/// lunar holidays of the years it lists.
const BUILT_IN: &str = include_str!("../../data/holidays.txt");

/// A leap year, so that `fixed: 12-30` passes validation (it then applies in leap years
/// only, the only years that have the day).
const LEAP_YEAR: i32 = 1403;

/// The days an office is closed: the weekend and the holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    /// Indexed by [`Weekday::to_monday_zero_offset`].
    weekend: [bool; 7],
    /// Solar holidays by (month, day), every year.
    fixed: BTreeMap<(u8, u8), Vec<String>>,
    /// One-off holidays, in practice the lunar ones of the listed years.
    dated: BTreeMap<JalaliDate, Vec<String>>,
}

impl HolidayCalendar {
    /// Reads a holiday calendar in the format of the module documentation. An error names
    /// the first line (counted from 1) that could not be read.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut calendar = Self {
            weekend: [false; 7],
            fixed: BTreeMap::new(),
            dated: BTreeMap::new(),
        };
        let mut weekend_seen = false;
        // Windows editors start Persian text files with a byte-order mark.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let fail = |reason: String| CalendarError::HolidayLine { line, reason };
            let content = raw.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            if let Some(days) = content.strip_prefix("weekend:") {
                if weekend_seen {
                    return Err(fail("the weekend is given more than once".into()));
                }
                weekend_seen = true;
                calendar.weekend = parse_weekend(days).map_err(fail)?;
            } else if let Some(rest) = content.strip_prefix("fixed:") {
                let (month_day, name) = split_name(rest).map_err(fail)?;
                let key = parse_month_day(month_day).map_err(fail)?;
                let names = calendar.fixed.entry(key).or_default();
                names.push(fa::normalize_text(name));
            } else {
                let (date, name) = split_name(content).map_err(fail)?;
                let date = JalaliDate::parse(date).map_err(|e| {
                    fail(match e {
                        CalendarError::Format => "expected `weekend:`, `fixed:` or a dated \
                                                  holiday `YYYY-MM-DD name`"
                            .into(),
                        other => other.to_string(),
                    })
                })?;
                let names = calendar.dated.entry(date).or_default();
                names.push(fa::normalize_text(name));
            }
        }
        Ok(calendar)
    }

    /// The calendar shipped in `data/holidays.txt`.
    ///
    /// The file is compiled in, and the test
    /// `the_built_in_calendar_parses_and_has_the_fixed_solar_holidays` parses it, so the
    /// `expect` below can only fire on a build whose tests fail.
    pub fn built_in() -> Self {
        Self::parse(BUILT_IN).expect("data/holidays.txt is checked by a unit test")
    }

    /// Whether `date` falls on the weekend.
    pub fn is_weekend(&self, date: JalaliDate) -> bool {
        self.weekend[weekday_index(date.weekday())]
    }

    /// The names of the holidays on `date`, solar ones first; empty on an ordinary day.
    pub fn holidays_on(&self, date: JalaliDate) -> Vec<&str> {
        let fixed = self.fixed.get(&(date.month(), date.day()));
        let dated = self.dated.get(&date);
        fixed
            .into_iter()
            .chain(dated)
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// Whether `date` is a holiday (weekends aside).
    pub fn is_holiday(&self, date: JalaliDate) -> bool {
        self.fixed.contains_key(&(date.month(), date.day())) || self.dated.contains_key(&date)
    }

    /// Whether the office is open on `date`: neither the weekend nor a holiday.
    pub fn is_working_day(&self, date: JalaliDate) -> bool {
        !self.is_weekend(date) && !self.is_holiday(date)
    }

    /// Whether the calendar lists one-off (lunar) holidays in `year`. When it does not,
    /// working days counted in that year ignore the lunar holidays, and a caller should
    /// warn that the year's official calendar has not been loaded.
    pub fn covers_year(&self, year: i32) -> bool {
        let Ok(first) = JalaliDate::new(year, 1, 1) else {
            return false;
        };
        // The first one-off holiday on or after 1 Farvardin tells.
        self.dated
            .range(first..)
            .next()
            .is_some_and(|(date, _)| date.year() == year)
    }

    /// Every holiday in `year` with its name, in date order (solar before lunar on a
    /// shared day), for a page that lists the year's holidays. Weekends are not listed.
    pub fn holidays_in_year(&self, year: i32) -> Vec<(JalaliDate, &str)> {
        let mut list: Vec<(JalaliDate, &str)> = self
            .fixed
            .iter()
            .filter_map(|(&(month, day), names)| {
                let date = JalaliDate::new(year, month, day).ok()?;
                Some(names.iter().map(move |name| (date, name.as_str())))
            })
            .flatten()
            .collect();
        list.extend(
            self.dated
                .iter()
                .filter(|(date, _)| date.year() == year)
                .flat_map(|(date, names)| names.iter().map(|name| (*date, name.as_str()))),
        );
        // A stable sort keeps the solar name first on a shared day.
        list.sort_by_key(|(date, _)| *date);
        list
    }

    /// The day on which `n` working days after `start` have passed: the `n`-th working
    /// day strictly after `start`. `start` itself never counts, whether or not the office
    /// is open on it, and `n = 0` gives `start` back unchanged. So a request filed on
    /// Tuesday 28 Esfand 1403 with a one-working-day deadline is due on Thursday
    /// 30 Esfand (29 Esfand is a holiday), and with two on 5 Farvardin 1404 (Friday
    /// 1 Farvardin and Nowruz in between). For `n ≥ 1` the result is always a working
    /// day, unless the count runs past the last supported date, where it stops.
    pub fn add_working_days(&self, start: JalaliDate, n: u32) -> JalaliDate {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            let Some(next) = date.checked_add_days(1) else {
                return date;
            };
            date = next;
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The number of working days in the half-open span after `a` up to and including
    /// `b`, negative when `b` is before `a`. It is the inverse of
    /// [`add_working_days`](Self::add_working_days): when `n ≥ 1` and
    /// `b = add_working_days(a, n)`, `working_days_between(a, b) == n`.
    pub fn working_days_between(&self, a: JalaliDate, b: JalaliDate) -> i64 {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0_i64;
        let mut date = from;
        while date < to {
            let Some(next) = date.checked_add_days(1) else {
                break;
            };
            date = next;
            if self.is_working_day(date) {
                count += 1;
            }
        }
        sign * count
    }
}

fn weekday_index(day: Weekday) -> usize {
    // `to_monday_zero_offset` is 0..=6.
    day.to_monday_zero_offset().unsigned_abs().into()
}

/// Reads the days after `weekend:`.
fn parse_weekend(days: &str) -> Result<[bool; 7], String> {
    let mut weekend = [false; 7];
    for name in days.split_whitespace() {
        let day = match name.to_ascii_lowercase().as_str() {
            "saturday" => Weekday::Saturday,
            "sunday" => Weekday::Sunday,
            "monday" => Weekday::Monday,
            "tuesday" => Weekday::Tuesday,
            "wednesday" => Weekday::Wednesday,
            "thursday" => Weekday::Thursday,
            "friday" => Weekday::Friday,
            _ => return Err(format!("{name:?} is not an English weekday name")),
        };
        weekend[weekday_index(day)] = true;
    }
    if !weekend.contains(&true) {
        return Err("the weekend names no day".into());
    }
    // Working-day arithmetic needs open days to count.
    if !weekend.contains(&false) {
        return Err("the weekend leaves no working day".into());
    }
    Ok(weekend)
}

/// Splits `"<date> <name>"` at the first whitespace; the name must not be empty.
fn split_name(text: &str) -> Result<(&str, &str), String> {
    let text = text.trim();
    match text.split_once(char::is_whitespace) {
        Some((date, name)) if !name.trim().is_empty() => Ok((date, name.trim())),
        _ => Err(format!(
            "{text:?} needs a date followed by the holiday's name"
        )),
    }
}

/// Reads the `MM-DD` of a `fixed:` line.
fn parse_month_day(text: &str) -> Result<(u8, u8), String> {
    let digits = fa::normalize_digits(text);
    let invalid = || format!("{text:?} is not a month and day written MM-DD");
    let (month, day) = digits.split_once(['-', '/']).ok_or_else(invalid)?;
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u8>().ok())
            .flatten()
    };
    let (Some(month), Some(day)) = (number(month), number(day)) else {
        return Err(invalid());
    };
    JalaliDate::new(LEAP_YEAR, month, day)
        .map(|_| (month, day))
        .map_err(|_| format!("{text:?} is not a day of the Jalali year"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jd(year: i32, month: u8, day: u8) -> JalaliDate {
        JalaliDate::new(year, month, day).unwrap()
    }

    /// A calendar with only the solar holidays around Nowruz, so that the arithmetic
    /// tests do not depend on the lunar dates of the built-in file.
    fn nowruz_only(weekend: &str) -> HolidayCalendar {
        HolidayCalendar::parse(&format!(
            "weekend: {weekend}\n\
             fixed: 12-29 روز ملی شدن صنعت نفت\n\
             fixed: 01-01 عید نوروز\nfixed: 01-02 عید نوروز\n\
             fixed: 01-03 عید نوروز\nfixed: 01-04 عید نوروز\n\
             fixed: 01-12 روز جمهوری اسلامی\nfixed: 01-13 روز طبیعت\n"
        ))
        .unwrap()
    }

    #[test]
    fn the_built_in_calendar_parses_and_has_the_fixed_solar_holidays() {
        let calendar = HolidayCalendar::parse(BUILT_IN).unwrap();
        assert_eq!(calendar, HolidayCalendar::built_in());
        let fixed = [
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 4),
            (1, 12),
            (1, 13),
            (3, 14),
            (3, 15),
            (11, 22),
            (12, 29),
        ];
        // Every year, not only those whose lunar holidays are listed.
        for year in [1390, 1403, 1404, 1405, 1420] {
            for (month, day) in fixed {
                let date = jd(year, month, day);
                assert!(calendar.is_holiday(date), "{date}");
                assert!(!calendar.is_working_day(date), "{date}");
            }
        }
        let fixed_count = calendar.fixed.len();
        assert_eq!(fixed_count, fixed.len());
    }

    #[test]
    fn the_built_in_weekend_is_friday_alone() {
        let calendar = HolidayCalendar::built_in();
        // 1403-01-18 to 1403-01-24 is a week from Saturday to Friday.
        let week: Vec<bool> = (18..=24)
            .map(|day| calendar.is_weekend(jd(1403, 1, day)))
            .collect();
        assert_eq!(week, [false, false, false, false, false, false, true]);
        assert_eq!(jd(1403, 1, 24).weekday(), Weekday::Friday);
    }

    #[test]
    fn the_built_in_calendar_lists_lunar_holidays_for_1404_and_1405_only() {
        let calendar = HolidayCalendar::built_in();
        assert!(calendar.covers_year(1404));
        assert!(calendar.covers_year(1405));
        assert!(!calendar.covers_year(1403));
        assert!(!calendar.covers_year(1406));
        assert!(
            calendar
                .dated
                .keys()
                .all(|d| (1404..=1405).contains(&d.year()))
        );
        // Each year has some fifteen lunar holidays, whatever their exact dates.
        for year in [1404, 1405] {
            let lunar = calendar.dated.keys().filter(|d| d.year() == year).count();
            assert!((14..=20).contains(&lunar), "{year}: {lunar}");
        }
    }

    #[test]
    fn parse_reads_weekends_fixed_and_dated_holidays_and_comments() {
        let calendar = HolidayCalendar::parse(
            "# an office that also closes on Thursdays\n\
             \n\
             weekend: Thursday friday   # two days\n\
             fixed: ۰۱-۰۱ نوروز\n\
             fixed: 12/30 روز کبیسه\n\
             ۱۴۰۴/۰۱/۱۱ عید فطر\n\
             1404-01-11 دومین نام\n",
        )
        .unwrap();
        assert!(calendar.is_weekend(jd(1404, 1, 7)), "a Thursday");
        assert!(calendar.is_weekend(jd(1404, 1, 8)), "a Friday");
        assert!(!calendar.is_weekend(jd(1404, 1, 9)), "a Saturday");
        assert_eq!(calendar.holidays_on(jd(1410, 1, 1)), ["نوروز"]);
        assert_eq!(
            calendar.holidays_on(jd(1404, 1, 11)),
            ["عید فطر", "دومین نام"]
        );
        assert!(!calendar.is_holiday(jd(1405, 1, 11)));
        assert!(calendar.is_holiday(jd(1403, 12, 30)));
        assert!(calendar.covers_year(1404));
    }

    #[test]
    fn parse_ignores_a_byte_order_mark_and_windows_line_ends() {
        let calendar =
            HolidayCalendar::parse("\u{FEFF}weekend: friday\r\nfixed: 01-01 نوروز\r\n").unwrap();
        assert_eq!(calendar.holidays_on(jd(1404, 1, 1)), ["نوروز"]);
        assert!(calendar.is_weekend(jd(1404, 1, 8)));
    }

    #[test]
    fn a_holiday_file_without_a_weekend_line_has_no_weekend() {
        let calendar = HolidayCalendar::parse("fixed: 01-01 نوروز").unwrap();
        assert!((1..=7).all(|day| !calendar.is_weekend(jd(1404, 2, day))));
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases = [
            ("weekend: friday\nweekend: friday", 2),
            ("# c\nweekend: jomeh", 2),
            ("weekend:", 1),
            (
                "weekend: monday tuesday wednesday thursday friday saturday sunday",
                1,
            ),
            ("\n\nfixed: 13-01 نام", 3),
            ("fixed: 07-31 نام", 1),
            ("fixed: 1-1-1 نام", 1),
            ("fixed: 01-01", 1),
            ("1404-01-01", 1),
            ("1404-12-30 نام", 1),
            ("holiday 1404-01-01", 1),
            ("fixed 01-01 نام", 1),
        ];
        for (text, line) in cases {
            let error = HolidayCalendar::parse(text).unwrap_err();
            assert_eq!(error.code(), "holidays.line");
            assert!(
                matches!(&error, CalendarError::HolidayLine { line: l, .. } if *l == line),
                "{text:?}: {error}"
            );
            assert!(error.to_string().contains(&format!("line {line}")));
        }
    }

    #[test]
    fn parse_errors_say_what_is_wrong_with_the_line() {
        let message = |text: &str| HolidayCalendar::parse(text).unwrap_err().to_string();
        assert!(message("1404-12-30 نام").contains("1404-12-30 is not a day"));
        assert!(message("holiday 1404-01-01").contains("expected `weekend:`"));
        assert!(message("weekend: jomeh").contains("\"jomeh\" is not an English weekday"));
        assert!(message("fixed: 01-01").contains("needs a date followed by"));
    }

    #[test]
    fn holidays_on_lists_solar_then_lunar_names() {
        let calendar =
            HolidayCalendar::parse("fixed: 12-29 روز ملی شدن صنعت نفت\n1404-12-29 عید فطر\n")
                .unwrap();
        assert_eq!(
            calendar.holidays_on(jd(1404, 12, 29)),
            ["روز ملی شدن صنعت نفت", "عید فطر"]
        );
        assert!(calendar.holidays_on(jd(1404, 12, 28)).is_empty());
        assert_eq!(
            calendar.holidays_in_year(1404),
            [
                (jd(1404, 12, 29), "روز ملی شدن صنعت نفت"),
                (jd(1404, 12, 29), "عید فطر")
            ]
        );
    }

    #[test]
    fn holidays_in_year_skips_esfand_30_in_common_years() {
        let calendar = HolidayCalendar::parse("fixed: 12-30 روز کبیسه").unwrap();
        assert_eq!(calendar.holidays_in_year(1404), []);
        assert_eq!(
            calendar.holidays_in_year(1403),
            [(jd(1403, 12, 30), "روز کبیسه")]
        );
    }

    #[test]
    fn working_days_skip_the_oil_day_and_nowruz() {
        let calendar = nowruz_only("friday");
        let start = jd(1403, 12, 28);
        assert_eq!(start.weekday(), Weekday::Tuesday);
        assert_eq!(calendar.add_working_days(start, 0), start);
        // 29 Esfand is a holiday; 30 Esfand (a Thursday) is open.
        assert_eq!(calendar.add_working_days(start, 1), jd(1403, 12, 30));
        // 1 Farvardin is a Friday and Nowruz runs to the 4th (a Monday).
        assert_eq!(calendar.add_working_days(start, 2), jd(1404, 1, 5));
        assert_eq!(calendar.add_working_days(start, 3), jd(1404, 1, 6));
        assert_eq!(calendar.working_days_between(start, jd(1404, 1, 5)), 2);
        assert_eq!(calendar.working_days_between(jd(1404, 1, 5), start), -2);
        assert_eq!(calendar.working_days_between(start, start), 0);
    }

    #[test]
    fn working_days_skip_a_thursday_and_friday_weekend() {
        let calendar = nowruz_only("thursday friday");
        let wednesday = jd(1404, 1, 6);
        assert_eq!(wednesday.weekday(), Weekday::Wednesday);
        assert_eq!(calendar.add_working_days(wednesday, 1), jd(1404, 1, 9));
        // From the last day of Nowruz: Tue 5, Wed 6, then Sat 9.
        assert_eq!(calendar.add_working_days(jd(1404, 1, 4), 3), jd(1404, 1, 9));
        // Sat 9, Sun 10, Mon 11; the 12th and 13th are holidays; Thu 14 and Fri 15 the
        // weekend; then Sat 16.
        assert_eq!(
            calendar.add_working_days(jd(1404, 1, 8), 4),
            jd(1404, 1, 16)
        );
    }

    #[test]
    fn counting_from_a_holiday_does_not_count_the_holiday() {
        let calendar = nowruz_only("friday");
        assert_eq!(calendar.add_working_days(jd(1404, 1, 1), 1), jd(1404, 1, 5));
        assert_eq!(
            calendar.working_days_between(jd(1404, 1, 1), jd(1404, 1, 4)),
            0
        );
    }

    #[test]
    fn working_days_stop_at_the_end_of_the_supported_years() {
        let calendar = nowruz_only("friday");
        let last = jd(super::super::MAX_YEAR, 12, 29);
        let end = calendar.add_working_days(last, 10);
        assert_eq!(end.checked_add_days(1), None);
    }

    proptest! {
        #[test]
        fn add_working_days_lands_on_a_working_day(
            year in 1395_i32..1415, day_of_year in 0_i64..365, n in 1_u32..120,
        ) {
            let calendar = HolidayCalendar::built_in();
            let start = jd(year, 1, 1).add_days(day_of_year);
            let end = calendar.add_working_days(start, n);
            prop_assert!(end > start);
            prop_assert!(calendar.is_working_day(end), "{} → {}", start, end);
            prop_assert_eq!(calendar.working_days_between(start, end), i64::from(n));
            prop_assert_eq!(calendar.working_days_between(end, start), -i64::from(n));
        }

        #[test]
        fn parse_never_panics(text in "(\\PC{0,30}\n){0,4}") {
            let _ = HolidayCalendar::parse(&text);
        }
    }

    /// Prints the lunar holidays of a Jalali year as computed from ICU's Umm al-Qura
    /// calendar, the draft from which `data/holidays.txt` was written. It is a helper to
    /// rerun by hand, not a check: the official dates often differ by a day.
    ///
    /// `cargo test -p daftar-core draft_lunar -- --ignored --nocapture`
    #[test]
    #[ignore = "prints a draft for data/holidays.txt; run by hand"]
    fn draft_lunar_holidays_from_umm_al_qura() {
        use icu_calendar::Date;
        use icu_calendar::cal::{Hijri, Persian};

        // (Hijri month, day or 0 for the month's last day, name)
        let holidays: [(u8, u8, &str); 17] = [
            (1, 9, "تاسوعای حسینی"),
            (1, 10, "عاشورای حسینی"),
            (2, 20, "اربعین حسینی"),
            (2, 28, "رحلت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)"),
            (2, 0, "شهادت امام رضا (ع)"),
            (3, 8, "شهادت امام حسن عسکری (ع)"),
            (3, 17, "میلاد رسول اکرم (ص) و امام جعفر صادق (ع)"),
            (6, 3, "شهادت حضرت فاطمه زهرا (س)"),
            (7, 13, "ولادت امام علی (ع)"),
            (7, 27, "مبعث رسول اکرم (ص)"),
            (8, 15, "ولادت حضرت قائم (عج)"),
            (9, 21, "شهادت امام علی (ع)"),
            (10, 1, "عید سعید فطر"),
            (10, 2, "تعطیل به مناسبت عید سعید فطر"),
            (10, 25, "شهادت امام جعفر صادق (ع)"),
            (12, 10, "عید سعید قربان"),
            (12, 18, "عید سعید غدیر خم"),
        ];
        let calendar = Hijri::new_umm_al_qura();
        for jalali_year in [1404, 1405] {
            let mut lines = Vec::new();
            // A Jalali year overlaps two or three Hijri years.
            for hijri_year in (jalali_year + 40)..=(jalali_year + 44) {
                for (month, day, name) in holidays {
                    let Ok(first) =
                        Date::try_new_hijri_with_calendar(hijri_year, month, 1, calendar)
                    else {
                        continue;
                    };
                    let day = if day == 0 { first.days_in_month() } else { day };
                    let Ok(date) =
                        Date::try_new_hijri_with_calendar(hijri_year, month, day, calendar)
                    else {
                        continue;
                    };
                    let persian = date.to_calendar(Persian);
                    if persian.year().extended_year() == jalali_year {
                        let jalali = JalaliDate::new(
                            jalali_year,
                            persian.month().ordinal,
                            persian.day_of_month().0,
                        )
                        .unwrap();
                        lines.push(format!(
                            "{jalali} {name}   # {hijri_year}-{month:02}-{day:02} AH, {}",
                            jalali.to_gregorian()
                        ));
                    }
                }
            }
            lines.sort();
            println!("# {jalali_year}\n{}\n", lines.join("\n"));
        }
    }
}
