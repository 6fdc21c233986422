//! Satisfaction surveys (seed 000's service-level agreement: the page offers published
//! survey results). When a case closes its applicant is invited to one short survey, one
//! response per case: each item on a 5-point scale and an optional remark. The items and
//! the scale are data ([`SurveyForm::parse`], `surveys/satisfaction.toml`).
//!
//! The results are published per service and per unit by Jalali month, as each item's
//! [`Tally`]: a group is shown only from [`PUBLISHED_FROM`] responses up, so that no
//! single answer can be told; remarks are never published.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::calendar::JalaliDate;
use crate::text::Text;

/// The points of the scale: 1 = خیلی کم … 5 = خیلی زیاد.
pub const SCALE_POINTS: usize = 5;

/// The fewest responses a service's results are published from, and the step they are
/// published in.
pub const PUBLISHED_FROM: u64 = 5;

/// The longest remark, in characters.
pub const MAX_REMARK_CHARS: usize = 1_000;

/// The survey: its items, the scale's labels, and how long an invitation stands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyForm {
    /// Days after a case closes in which its applicant may answer.
    pub answer_days: u16,
    /// The scale's labels, from 1 up.
    pub scale: Vec<Text>,
    #[serde(rename = "item")]
    pub items: Vec<SurveyItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyItem {
    /// Names the item in the results, the API and the CSV (ASCII, `a-z0-9_`).
    pub key: String,
    /// A few words naming it in the published results.
    pub label: Text,
    pub question: Text,
}

/// Why a survey file does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyFormError {
    #[error("the survey file is not valid TOML of a survey: {0}")]
    Toml(String),
    #[error("the scale must have exactly 5 labels")]
    Scale,
    #[error("the survey must have 1 to 20 items")]
    Items,
    #[error("item key {0:?} must be 1–32 of a-z, 0-9 and _, and used once")]
    Key(String),
    #[error("answer_days must be at least 1")]
    Days,
}

/// Why a response is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyRefused {
    #[error("item {0} is not answered")]
    Missing(String),
    #[error("an answer must be a whole number from 1 to 5")]
    Score,
    #[error("item {0} is not in the survey")]
    Unknown(String),
    #[error("a remark is at most 1,000 characters")]
    RemarkTooLong,
}

impl SurveyRefused {
    /// The error code the API and the pages answer with.
    pub fn code(&self) -> &'static str {
        match self {
            SurveyRefused::Missing(_) => "survey.missing",
            SurveyRefused::Score => "survey.score",
            SurveyRefused::Unknown(_) => "survey.unknown_item",
            SurveyRefused::RemarkTooLong => "survey.remark_too_long",
        }
    }
}

/// A response as checked: a score from 1 to 5 for every item, in the form's order, and
/// the remark, trimmed, when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponse {
    pub scores: Vec<(String, u8)>,
    pub remark: Option<String>,
}

impl SurveyForm {
    pub fn parse(text: &str) -> Result<SurveyForm, SurveyFormError> {
        let form: SurveyForm =
            toml::from_str(text).map_err(|e| SurveyFormError::Toml(e.message().to_owned()))?;
        if form.scale.len() != SCALE_POINTS {
            return Err(SurveyFormError::Scale);
        }
        if form.items.is_empty() || form.items.len() > 20 {
            return Err(SurveyFormError::Items);
        }
        if form.answer_days == 0 {
            return Err(SurveyFormError::Days);
        }
        for (at, item) in form.items.iter().enumerate() {
            let well_formed = (1..=32).contains(&item.key.len())
                && item
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            let repeated = form.items[..at].iter().any(|other| other.key == item.key);
            if !well_formed || repeated {
                return Err(SurveyFormError::Key(item.key.clone()));
            }
        }
        Ok(form)
    }

    /// The form Daftar ships: `surveys/satisfaction.toml`.
    pub fn built_in() -> SurveyForm {
        SurveyForm::parse(include_str!("../../../../surveys/satisfaction.toml"))
            .expect("surveys/satisfaction.toml is checked by a test")
    }

    /// Checks a response as typed: `answers` maps an item's key to its score as text
    /// (Persian or Latin digits).
    pub fn check(
        &self,
        answers: &BTreeMap<String, String>,
        remark: Option<&str>,
    ) -> Result<SurveyResponse, SurveyRefused> {
        if let Some(unknown) = answers
            .keys()
            .find(|key| !self.items.iter().any(|item| &item.key == *key))
        {
            return Err(SurveyRefused::Unknown(unknown.clone()));
        }
        let mut scores = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let typed = answers
                .get(&item.key)
                .map(|score| crate::fa::normalize_digits(score.trim()))
                .filter(|score| !score.is_empty())
                .ok_or_else(|| SurveyRefused::Missing(item.key.clone()))?;
            let score = typed
                .parse::<u8>()
                .ok()
                .filter(|score| (1..=SCALE_POINTS as u8).contains(score))
                .ok_or(SurveyRefused::Score)?;
            scores.push((item.key.clone(), score));
        }
        let remark = remark.map(str::trim).filter(|remark| !remark.is_empty());
        if remark.is_some_and(|remark| remark.chars().count() > MAX_REMARK_CHARS) {
            return Err(SurveyRefused::RemarkTooLong);
        }
        Ok(SurveyResponse {
            scores,
            remark: remark.map(str::to_owned),
        })
    }

    /// Whether a case closed on `closed` may still be answered on `today`.
    pub fn open_on(&self, closed: JalaliDate, today: JalaliDate) -> bool {
        closed.days_until(today) <= i64::from(self.answer_days)
    }

    /// An item's question, by key.
    pub fn item(&self, key: &str) -> Option<&SurveyItem> {
        self.items.iter().find(|item| item.key == key)
    }
}

/// Text that is not a month such as `1405-09`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a month such as 1405-09")]
pub struct NotAMonth;

impl NotAMonth {
    pub fn code(self) -> &'static str {
        "survey.month"
    }
}

/// A Jalali month as the results group by it: 140509 for Azar 1405.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SurveyMonth(u32);

impl SurveyMonth {
    pub fn of(date: JalaliDate) -> SurveyMonth {
        SurveyMonth(date.year().unsigned_abs() * 100 + u32::from(date.month()))
    }

    /// From its number (140509); `None` for one that is not a month.
    pub fn from_number(number: u32) -> Option<SurveyMonth> {
        let month = number % 100;
        ((1..=12).contains(&month) && number / 100 > 0).then_some(SurveyMonth(number))
    }

    /// From `1405-09` (Persian or Latin digits).
    pub fn parse(text: &str) -> Option<SurveyMonth> {
        let text = crate::fa::normalize_digits(text.trim());
        let (year, month) = text.split_once('-')?;
        let year: u32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(SurveyMonth(year * 100 + month))
    }

    /// A month chosen in a form or a query: nothing typed is `Ok(None)` (the caller's
    /// default), and text that is not a month is `Err`.
    pub fn chosen(text: Option<&str>) -> Result<Option<SurveyMonth>, NotAMonth> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => SurveyMonth::parse(text).map(Some).ok_or(NotAMonth),
        }
    }

    pub fn number(self) -> u32 {
        self.0
    }

    pub fn year(self) -> i32 {
        (self.0 / 100) as i32
    }

    pub fn month(self) -> u8 {
        (self.0 % 100) as u8
    }

    /// `1405-09`.
    pub fn iso(self) -> String {
        format!("{}-{:02}", self.year(), self.month())
    }

    /// The month's first day, for its name.
    pub fn first_day(self) -> Option<JalaliDate> {
        JalaliDate::new(self.year(), self.month(), 1).ok()
    }
}

/// How one item was answered in a group: the number of each score, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub counts: [u64; SCALE_POINTS],
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
    }

    pub fn responses(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The mean score; `None` with no response.
    pub fn mean(&self) -> Option<f64> {
        let responses = self.responses();
        (responses > 0).then(|| {
            let total: u64 = (1..)
                .zip(self.counts)
                .map(|(score, count)| score * count)
                .sum();
            total as f64 / responses as f64
        })
    }

    /// Each score's share of the responses, in percent, rounded so that they add up to
    /// 100 (largest remainders); all zero with no response.
    pub fn percentages(&self) -> [u32; SCALE_POINTS] {
        let responses = self.responses();
        let mut shares = [0u32; SCALE_POINTS];
        if responses == 0 {
            return shares;
        }
        let mut remainders = [(0u64, 0usize); SCALE_POINTS];
        for (at, count) in self.counts.iter().enumerate() {
            let exact = count * 100;
            shares[at] = (exact / responses) as u32;
            remainders[at] = (exact % responses, at);
        }
        let given: u32 = shares.iter().sum();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, at) in remainders.iter().take((100 - given) as usize) {
            shares[*at] += 1;
        }
        shares
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn all(score: &str) -> BTreeMap<String, String> {
        let form = SurveyForm::built_in();
        form.items
            .iter()
            .map(|item| (item.key.clone(), score.to_owned()))
            .collect()
    }

    #[test]
    fn the_built_in_form_has_the_desks_five_items_on_a_five_point_scale() {
        let form = SurveyForm::built_in();
        let keys: Vec<&str> = form.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["informed", "on_time", "no_rework", "conduct", "overall"]
        );
        assert_eq!(form.scale[0].fa, "خیلی کم");
        assert_eq!(form.scale[4].fa, "خیلی زیاد");
        assert_eq!(form.answer_days, 30);
    }

    #[test]
    fn a_form_with_a_bad_scale_or_key_does_not_load() {
        let base = include_str!("../../../../surveys/satisfaction.toml");
        let four = base.replace("  { fa = \"خیلی زیاد\", en = \"Very much\" },\n", "");
        assert_eq!(SurveyForm::parse(&four), Err(SurveyFormError::Scale));
        let twice = base.replace("key = \"on_time\"", "key = \"informed\"");
        assert_eq!(
            SurveyForm::parse(&twice),
            Err(SurveyFormError::Key("informed".into()))
        );
        let spaced = base.replace("key = \"on_time\"", "key = \"on time\"");
        assert!(matches!(
            SurveyForm::parse(&spaced),
            Err(SurveyFormError::Key(_))
        ));
    }

    #[test]
    fn a_response_needs_every_item_from_one_to_five() {
        let form = SurveyForm::built_in();
        let checked = form.check(&all("۴"), Some("  خوب بود  ")).unwrap();
        assert_eq!(checked.scores.len(), 5);
        assert!(checked.scores.iter().all(|(_, score)| *score == 4));
        assert_eq!(checked.remark.as_deref(), Some("خوب بود"));

        let mut missing = all("3");
        missing.remove("conduct");
        assert_eq!(
            form.check(&missing, None),
            Err(SurveyRefused::Missing("conduct".into()))
        );
        for bad in ["0", "6", "x", "2.5", "-1"] {
            assert_eq!(
                form.check(&all(bad), None),
                Err(SurveyRefused::Score),
                "{bad}"
            );
        }
        let mut extra = all("3");
        extra.insert("age".into(), "3".into());
        assert_eq!(
            form.check(&extra, None),
            Err(SurveyRefused::Unknown("age".into()))
        );
        let long = "ا".repeat(MAX_REMARK_CHARS + 1);
        assert_eq!(
            form.check(&all("3"), Some(&long)),
            Err(SurveyRefused::RemarkTooLong)
        );
        assert_eq!(form.check(&all("3"), Some("   ")).unwrap().remark, None);
        assert_eq!(
            form.check(&answers(&[]), None).unwrap_err().code(),
            "survey.missing"
        );
    }

    #[test]
    fn an_invitation_stands_for_the_forms_days_after_closing() {
        let form = SurveyForm::built_in();
        let closed = JalaliDate::new(1405, 9, 1).unwrap();
        assert!(form.open_on(closed, closed));
        assert!(form.open_on(closed, closed.add_days(30)));
        assert!(!form.open_on(closed, closed.add_days(31)));
    }

    #[test]
    fn months_read_and_print_as_year_dash_month() {
        let month = SurveyMonth::parse("۱۴۰۵-۰۹").unwrap();
        assert_eq!(month.number(), 140509);
        assert_eq!(month.iso(), "1405-09");
        assert_eq!(
            SurveyMonth::of(JalaliDate::new(1405, 12, 29).unwrap()).iso(),
            "1405-12"
        );
        assert_eq!(SurveyMonth::parse("1405-13"), None);
        assert_eq!(SurveyMonth::parse("1405"), None);
        assert_eq!(SurveyMonth::from_number(140500), None);
        assert_eq!(SurveyMonth::chosen(Some(" ")), Ok(None));
        assert_eq!(SurveyMonth::chosen(Some("1405-09")), Ok(Some(month)));
        assert_eq!(SurveyMonth::chosen(Some("x")), Err(NotAMonth));
    }

    #[test]
    fn a_tally_gives_the_mean_and_shares_that_add_up_to_a_hundred() {
        let tally = Tally {
            counts: [1, 1, 1, 0, 0],
        };
        assert_eq!(tally.mean(), Some(2.0));
        assert_eq!(tally.percentages(), [34, 33, 33, 0, 0]);
        let mut more = tally;
        more.add(&Tally {
            counts: [0, 0, 0, 1, 1],
        });
        assert_eq!(more.responses(), 5);
        assert_eq!(more.mean(), Some(3.0));
        assert_eq!(more.percentages(), [20; 5]);
        assert_eq!(Tally::default().mean(), None);
        assert_eq!(Tally::default().percentages(), [0; 5]);
    }
}
