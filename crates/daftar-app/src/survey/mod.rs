//! Satisfaction surveys: a closed case's applicant answers its survey once, within the
//! form's days (the closing SMS and their page invite them); the results are published
//! per service and per unit by Jalali month: a service's in steps of five responses (so
//! that neither a small group nor the difference between two readings shows one
//! answer), a unit's as the sum of its published services; never the remarks.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use daftar_core::calendar::JalaliDate;
use daftar_core::catalog::Catalog;
use daftar_core::roles::Role;
use daftar_core::survey::{SurveyForm, SurveyMonth, Tally};
use daftar_core::text::Text;
use daftar_store::{CaseId, CaseRecord, NewSurveyResponse, Store, StoreError};
use jiff::Timestamp;

use crate::accounts::Principal;
use crate::cases::{CaseError, Cases};

/// What went wrong with a survey, in the domain's words.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// No such case, or one that is not this user's.
    #[error("no such case")]
    NotFound,
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// A bad answer; the code names the rule (`survey.score`, `survey.missing`, …).
    #[error("invalid answer: {0}")]
    Invalid(&'static str),
    /// Not open to answer now: `survey.not_closed`, `survey.lapsed`, `survey.answered`.
    #[error("not now: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for SurveyError {
    fn from(error: StoreError) -> SurveyError {
        match error {
            StoreError::Conflict(_) => SurveyError::Conflict("survey.answered"),
            error => SurveyError::Store(error),
        }
    }
}

impl From<CaseError> for SurveyError {
    fn from(error: CaseError) -> SurveyError {
        match error {
            CaseError::NotFound => SurveyError::NotFound,
            CaseError::NotAllowed(code) => SurveyError::NotAllowed(code),
            CaseError::Store(error) => SurveyError::Store(error),
            other => SurveyError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Where a case's survey stands for its applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invitation {
    /// The case is not closed: nothing to answer yet.
    NotClosed,
    /// Open to answer until the day given.
    Open {
        until: JalaliDate,
    },
    Answered,
    /// Closed longer ago than the form's days.
    Lapsed,
}

/// A group's published results: a unit or a service in one month, from five responses.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// The unit's slug or the service's id.
    pub key: String,
    pub name: Text,
    pub responses: u64,
    /// Each item's key and tally, in the form's order.
    pub items: Vec<(String, Tally)>,
}

/// A month's published results.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResults {
    pub month: SurveyMonth,
    /// The months that have responses, the latest first.
    pub months: Vec<SurveyMonth>,
    pub units: Vec<GroupResult>,
    pub services: Vec<GroupResult>,
}

impl SurveyResults {
    /// `daftar-survey-1405-09.csv`.
    pub fn csv_file_name(&self) -> String {
        format!("daftar-survey-{}.csv", self.month.iso())
    }

    /// The published results as CSV: a row per group and item (`scope` is `unit` or
    /// `service`), with the mean to two decimals and the count of each score.
    pub fn to_csv(&self) -> Result<String, SurveyError> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = [
            "month",
            "scope",
            "key",
            "name_fa",
            "name_en",
            "item",
            "responses",
            "mean",
            "score_1",
            "score_2",
            "score_3",
            "score_4",
            "score_5",
        ];
        let write = |out: &mut csv::Writer<Vec<u8>>, row: &[String]| {
            out.write_record(row)
                .map_err(|e| SurveyError::Internal(anyhow::anyhow!("writing the CSV: {e}")))
        };
        write(&mut out, &header.map(str::to_owned))?;
        for (scope, groups) in [("unit", &self.units), ("service", &self.services)] {
            for group in groups {
                let responses = group.responses;
                for (item, tally) in &group.items {
                    let mut row = vec![
                        self.month.iso(),
                        scope.to_owned(),
                        group.key.clone(),
                        group.name.fa.clone(),
                        group.name.en.clone(),
                        item.clone(),
                        responses.to_string(),
                        format!("{:.2}", tally.mean().unwrap_or(0.0)),
                    ];
                    row.extend(tally.counts.iter().map(u64::to_string));
                    write(&mut out, &row)?;
                }
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| SurveyError::Internal(anyhow::anyhow!("writing the CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| SurveyError::Internal(e.into()))
    }
}

#[derive(Debug, Clone)]
pub struct Surveys {
    store: Arc<dyn Store>,
    /// Where the published results are read.
    reads: crate::replica::PublicReads,
    cases: Cases,
    catalog: Arc<Catalog>,
    form: Arc<SurveyForm>,
}

impl Surveys {
    pub fn new(
        store: Arc<dyn Store>,
        cases: Cases,
        catalog: Arc<Catalog>,
        form: Arc<SurveyForm>,
    ) -> Surveys {
        Surveys {
            reads: crate::replica::PublicReads::primary_only(store.clone()),
            store,
            cases,
            catalog,
            form,
        }
    }

    /// Lets the published results be read from a replica (see [`crate::replica`]).
    pub fn with_public_reads(mut self, reads: &crate::replica::PublicReads) -> Surveys {
        self.reads = reads.clone();
        self
    }

    pub fn form(&self) -> &SurveyForm {
        &self.form
    }

    /// A service's title, for the survey's page.
    pub fn service_title(&self, service_id: &str) -> Option<Text> {
        self.catalog
            .get(service_id)
            .map(|service| service.title.clone())
    }

    /// The applicant's case and where its survey stands; anyone else is answered as the
    /// case page answers them.
    pub async fn invitation(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<(CaseRecord, Invitation), SurveyError> {
        let case = self.cases.applicants_case(who, id).await?;
        let answered = self.store.survey_answered(id).await?;
        let invitation = self.invitation_of(
            &case,
            answered,
            JalaliDate::from_timestamp(Timestamp::now()),
        );
        Ok((case, invitation))
    }

    /// Where a case's survey stands on `today`, given whether it was answered.
    pub fn invitation_of(
        &self,
        case: &CaseRecord,
        answered: bool,
        today: JalaliDate,
    ) -> Invitation {
        let Some(closed_at) = case.closed_at else {
            return Invitation::NotClosed;
        };
        if answered {
            return Invitation::Answered;
        }
        let closed = JalaliDate::from_timestamp(closed_at);
        if self.form.open_on(closed, today) {
            Invitation::Open {
                until: closed.add_days(i64::from(self.form.answer_days)),
            }
        } else {
            Invitation::Lapsed
        }
    }

    /// The cases whose survey `who` answered, for their list of cases.
    pub async fn answered_by(&self, who: &Principal) -> Result<HashSet<CaseId>, SurveyError> {
        let Principal::Citizen { national_id, .. } = who else {
            return Ok(HashSet::new());
        };
        Ok(self
            .store
            .surveys_answered_by(national_id)
            .await?
            .into_iter()
            .collect())
    }

    /// The applicant answers their closed case's survey: every item from 1 to 5, and a
    /// remark if they like. Once per case.
    pub async fn answer(
        &self,
        who: &Principal,
        id: CaseId,
        answers: &BTreeMap<String, String>,
        remark: Option<&str>,
    ) -> Result<(), SurveyError> {
        let (case, invitation) = self.invitation(who, id).await?;
        match invitation {
            Invitation::NotClosed => return Err(SurveyError::Conflict("survey.not_closed")),
            Invitation::Answered => return Err(SurveyError::Conflict("survey.answered")),
            Invitation::Lapsed => return Err(SurveyError::Conflict("survey.lapsed")),
            Invitation::Open { .. } => {}
        }
        let response = self
            .form
            .check(answers, remark)
            .map_err(|refused| SurveyError::Invalid(refused.code()))?;
        let unit = self
            .catalog
            .get(&case.service_id)
            .map(|service| service.owner_unit)
            .ok_or_else(|| anyhow::anyhow!("case {} names an unknown service", id.0))?;
        let closed = case
            .closed_at
            .map(JalaliDate::from_timestamp)
            .unwrap_or_else(|| JalaliDate::from_timestamp(Timestamp::now()));
        self.store
            .answer_survey(
                &NewSurveyResponse {
                    case: id,
                    service_id: case.service_id.clone(),
                    unit: unit.slug().to_owned(),
                    month: SurveyMonth::of(closed),
                    scores: response.scores,
                    remark: response.remark,
                    answered_at: Timestamp::now(),
                },
                daftar_core::survey::PUBLISHED_FROM,
            )
            .await?;
        Ok(())
    }

    /// A month's published results (the latest month with any when none is asked for):
    /// per unit, in the units' order, summing its published services; then per service,
    /// by identifier. Only what was published shows: a service from five responses, in
    /// steps of five.
    pub async fn results(
        &self,
        month: Option<SurveyMonth>,
        from: crate::replica::ReadFrom,
    ) -> Result<SurveyResults, SurveyError> {
        let (month, months, tallies) = self
            .reads
            .read(from, |store| async move {
                let months = store.survey_months().await?;
                let month = month
                    .or_else(|| months.first().copied())
                    .unwrap_or_else(|| {
                        SurveyMonth::of(JalaliDate::from_timestamp(Timestamp::now()))
                    });
                let tallies = store.published_tallies(month).await?;
                Ok((month, months, tallies))
            })
            .await?;
        let mut by_unit: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
        let mut by_service: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
        for stored in &tallies {
            for (group, key) in [
                (&mut by_unit, &stored.unit),
                (&mut by_service, &stored.service_id),
            ] {
                group
                    .entry(key.clone())
                    .or_default()
                    .entry(stored.item.clone())
                    .or_default()
                    .add(&stored.tally);
            }
        }
        let place = |slug: &str| {
            Role::ALL
                .iter()
                .position(|role| role.slug() == slug)
                .unwrap_or(usize::MAX)
        };
        let mut units: Vec<(String, BTreeMap<String, Tally>)> = by_unit.into_iter().collect();
        units.sort_by_key(|(slug, _)| place(slug));
        let units = units
            .into_iter()
            .map(|(slug, items)| {
                let name = Role::from_slug(&slug)
                    .map(|role| {
                        let name = role.name();
                        Text::new(name.fa.to_owned(), name.en.to_owned())
                    })
                    .unwrap_or_else(|| Text::new(slug.clone(), slug.clone()));
                self.group(slug, name, &items)
            })
            .collect();
        let services = by_service
            .into_iter()
            .map(|(id, items)| {
                let name = self
                    .service_title(&id)
                    .unwrap_or_else(|| Text::new(id.clone(), id.clone()));
                self.group(id, name, &items)
            })
            .collect();
        Ok(SurveyResults {
            month,
            months,
            units,
            services,
        })
    }

    /// One group's result: its items in the form's order (an item no longer in the form
    /// after them).
    fn group(&self, key: String, name: Text, items: &BTreeMap<String, Tally>) -> GroupResult {
        let responses = items.values().map(Tally::responses).max().unwrap_or(0);
        let mut ordered: Vec<(String, Tally)> = items
            .iter()
            .map(|(item, tally)| (item.clone(), *tally))
            .collect();
        let place = |item: &str| {
            self.form
                .items
                .iter()
                .position(|known| known.key == item)
                .unwrap_or(usize::MAX)
        };
        ordered.sort_by_key(|(item, _)| place(item));
        GroupResult {
            key,
            name,
            responses,
            items: ordered,
        }
    }
}
