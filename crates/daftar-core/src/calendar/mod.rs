//! The Jalali (Solar Hijri) calendar as the office uses it: dates, their Persian and
//! English forms, and working-day arithmetic for deadlines.
//!
//! - [`JalaliDate`] is a day of the Jalali calendar, converted to and from Gregorian by
//!   ICU4X's Persian calendar; [`format_timestamp_fa`] shows a moment in Tehran time.
//! - [`HolidayCalendar`] knows the weekend and the holidays, all loaded from data (the
//!   built-in `data/holidays.txt` or an office's own file), and counts working days.
//!
//! The lunar holidays move about eleven days a year and are fixed each year by the
//! official calendar, so they are data, never computed here (IRAN_IDS.md section 8).

mod date;
mod holidays;

pub(crate) use date::TEHRAN;
pub use date::{JalaliDate, MAX_YEAR, MIN_YEAR, format_timestamp_en, format_timestamp_fa};
pub use holidays::HolidayCalendar;

/// Why a date or a holiday file was refused. [`CalendarError::code`] gives the stable key
/// the web layer turns into a localised message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not shaped like a Jalali date (year-month-day, four-digit year).
    #[error("a Jalali date is written year-month-day, such as 1403-12-30")]
    Format,
    /// The numbers do not name a day of the calendar, e.g. 1404-12-30 or month 13.
    #[error("{year:04}-{month:02}-{day:02} is not a day of the Jalali calendar")]
    Invalid { year: i32, month: u8, day: u8 },
    /// The date lies outside the years a [`JalaliDate`] holds.
    #[error("only Jalali years {MIN_YEAR} to {MAX_YEAR} are supported")]
    OutOfRange,
    /// A line of a holiday file could not be read.
    #[error("holiday file, line {line}: {reason}")]
    HolidayLine { line: usize, reason: String },
}

impl CalendarError {
    /// A stable key for the error, e.g. `"date.invalid"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "date.format",
            Self::Invalid { .. } => "date.invalid",
            Self::OutOfRange => "date.range",
            Self::HolidayLine { .. } => "holidays.line",
        }
    }
}
