//! The operator-usage report on the pages, a file an action:
//!
//! - [`report`]: `/staff/reports/usage`, the office head's and manager's: a period's
//!   figures per staff member (sortable), per unit and for the office, with a chart.
//! - [`download`]: `/staff/reports/usage.csv` and `.xlsx`, the same period as files.

mod download;
mod report;

use axum::Router;
use axum::routing::get;
use daftar_core::calendar::JalaliDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/reports/usage", get(report::page))
        .route("/staff/reports/usage.csv", get(download::csv))
        .route("/staff/reports/usage.xlsx", get(download::xlsx))
}

/// The period as the form and the links carry it: Jalali days, today when left out.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The staff table's column: `name`, `sign_ins`, `active`, `actions`, `closed`,
    /// `wait` or `overdue`.
    #[serde(default)]
    sort: String,
    /// `asc` or `desc`.
    #[serde(default)]
    dir: String,
}

impl PeriodQuery {
    /// The first and last day; a day that is not one is refused by name.
    fn days(&self) -> Result<(JalaliDate, JalaliDate), AppError> {
        let today = JalaliDate::from_timestamp(jiff::Timestamp::now());
        let day = |text: &str| {
            let text = daftar_core::fa::normalize_digits(text.trim());
            if text.is_empty() {
                Ok(today)
            } else {
                JalaliDate::parse(&text).map_err(|_| AppError::Invalid("usage.day"))
            }
        };
        Ok((day(&self.from)?, day(&self.to)?))
    }
}
