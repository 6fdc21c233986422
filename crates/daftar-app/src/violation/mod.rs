//! Building violations as the office works them: computed from the inspector's sketch
//! against the property's permit and the map order, reviewed by the violation-review unit,
//! ruled on by the Article 100 commission (its secretary records the rulings), objected
//! to within the period, and carried out: a final ruling's fines become bills.
//!
//! The workflow moves the case (`workflows/building_violation.toml`); what an action needs
//! of this work is answered by [`work_done`], and the bills a final ruling issues by
//! [`fine_bills`], both in the action's own use case.

mod firms;
mod letter;
mod record;

use std::collections::BTreeMap;
use std::sync::Arc;

use daftar_core::calendar::JalaliDate;
use daftar_core::property::RenewalCode;
use daftar_core::sketch::Sketch;
use daftar_core::violation::{
    Comparison, FineSchedule, PermitAllowance, PlotFrame, ReviewedViolation, Ruling,
    RulingDecision, RulingLevel, Violation, compute, totals,
};
use daftar_core::workflow::Work;
use daftar_store::{BillView, CaseId, CaseRecord, ComputedViolations, Store};
use jiff::Timestamp;

pub use firms::RegisteredFirm;
pub use letter::{LETTER_DOCUMENT, RegistryLetter, may_record_letters};
pub use record::{ReviewInput, ReviewRequest, RulingRequest};

use crate::accounts::Principal;
use crate::cases::{CaseError, Cases, property_of};

/// The workflow whose open cases on a property bar its certificates (Note 8).
pub const VIOLATION_WORKFLOW: &str = "building_violation";

/// Fine bills take periods from this one up in their year (a property's renewal bill is
/// period 1): the nth fine of a property in a year is period 9 + n.
pub const FIRST_FINE_PERIOD: u8 = 10;

/// Days a fine bill may be paid in.
pub const FINE_DUE_DAYS: i64 = 30;

/// The fine schedule the program starts with: `fines/1405.toml`, compiled in.
pub fn built_in_schedule() -> FineSchedule {
    FineSchedule::parse(include_str!("../../../../fines/1405.toml"))
        .expect("the built-in fine schedule parses (a unit test reads it)")
}

/// A fine schedule from a file, as a municipality keeps its own (`--fine-schedule`); a
/// file that does not parse stops the program at start, naming what is wrong.
pub fn schedule_from_file(path: &std::path::Path) -> anyhow::Result<FineSchedule> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("the fine schedule {} cannot be read: {e}", path.display()))?;
    FineSchedule::parse(&text)
        .map_err(|e| anyhow::anyhow!("the fine schedule {} is wrong: {e}", path.display()))
}

#[derive(Debug, Clone)]
pub struct Violations {
    cases: Cases,
    store: Arc<dyn Store>,
    schedule: Arc<FineSchedule>,
}

/// A case's violations as whoever may read the case sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseViolations {
    pub computed: Vec<Violation>,
    pub computed_at: Option<Timestamp>,
    pub reviewed: Option<Review>,
    pub rulings: Vec<RecordedRuling>,
    pub bills: Vec<BillView>,
    /// When the owner may object until (inclusive), once the first ruling is issued and
    /// while no appeal ruling is.
    pub objection_deadline: Option<JalaliDate>,
    /// When a defence may be sent until, while the case is before the first commission.
    pub defence_deadline: Option<JalaliDate>,
    /// The commission's session on the case, once the secretary has put it on the docket.
    pub session_date: Option<JalaliDate>,
    pub made_for_demo: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub violations: Vec<ReviewedViolation>,
    pub by_name: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRuling {
    /// Which time the case was before the commission, from 1.
    pub round: i64,
    pub ruling: Ruling,
    pub by_name: String,
    pub at: Timestamp,
    /// Issued by its workflow action (a draft until then).
    pub issued: bool,
}

impl Violations {
    pub fn new(cases: Cases, store: Arc<dyn Store>, schedule: Arc<FineSchedule>) -> Violations {
        Violations {
            cases,
            store,
            schedule,
        }
    }

    pub fn schedule(&self) -> &FineSchedule {
        &self.schedule
    }

    /// Records what a property's permit allowed: permit drafting, or the system admin
    /// importing the register.
    pub async fn record_permit(
        &self,
        who: &Principal,
        district: u16,
        code: &RenewalCode,
        permit: &PermitAllowance,
    ) -> Result<(), CaseError> {
        use daftar_core::roles::Role;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        };
        let may = account.has_role(Role::PermitDrafting) || account.has_role(Role::SystemAdmin);
        if !may {
            return Err(CaseError::NotAllowed("permit.drafting_only"));
        }
        self.store
            .save_permit(&daftar_store::NewPermit {
                district,
                renewal_code: code.as_str().to_owned(),
                permit_json: serde_json::to_string(permit).map_err(anyhow::Error::from)?,
                recorded_by: account.id,
                recorded_at: Timestamp::now(),
            })
            .await?;
        Ok(())
    }

    /// The permit recorded for a property, if any.
    pub async fn permit(
        &self,
        district: u16,
        code: &RenewalCode,
    ) -> Result<Option<PermitAllowance>, CaseError> {
        match self.store.permit(district, code.as_str()).await? {
            None => Ok(None),
            Some(stored) => Ok(Some(serde_json::from_str(&stored.permit_json).map_err(
                |e| anyhow::anyhow!("the permit of {} is unreadable: {e}", code.as_str()),
            )?)),
        }
    }

    /// The violations a sketch shows on the case's property, as they are kept with the
    /// sketch; none for a case that names no property.
    pub async fn compute_for(
        &self,
        case: &CaseRecord,
        sketch: &Sketch,
    ) -> Result<Option<(Vec<Violation>, ComputedViolations)>, CaseError> {
        let Some((district, code)) = property_of(case) else {
            return Ok(None);
        };
        let permit = self.permit(district, &code).await?;
        let order = self
            .store
            .case_inquiries(case.id)
            .await?
            .first()
            .and_then(|latest| {
                serde_json::from_str::<crate::zoning::Inquiry>(&latest.answer_json).ok()
            })
            .and_then(|inquiry| inquiry.property_map_order());
        let plot = self.store.plot(district, code.as_str()).await?;
        let frame = plot
            .as_ref()
            .and_then(|stored| crate::property::plot_of(stored).ok())
            .and_then(|plot| {
                let (width_cm, depth_cm) = plot.local_extent_cm()?;
                Some(PlotFrame {
                    width_cm,
                    depth_cm,
                    setbacks: plot.setbacks,
                })
            });
        let values = self.schedule.values_at(district, &code).unwrap_or((0, 0));
        let violations = compute(&Comparison {
            sketch,
            permit: permit.as_ref(),
            order: order.as_ref(),
            plot: frame.as_ref(),
            values,
            schedule: &self.schedule,
        });
        let (area, min, max) = totals(&violations);
        let kept = ComputedViolations {
            json: serde_json::to_string(&violations).map_err(anyhow::Error::from)?,
            count: i64::try_from(violations.len()).unwrap_or(i64::MAX),
            total_centi_m2: area,
            fine_min_rials: min,
            fine_max_rials: max,
        };
        Ok(Some((violations, kept)))
    }

    /// The case's violations, review, rulings and fine bills, for whoever may read the
    /// case (a staff member's read is recorded).
    pub async fn of_case(&self, who: &Principal, id: CaseId) -> Result<CaseViolations, CaseError> {
        let view = self.cases.view(who, id).await?;
        self.of_case_seen(&view.case, who.staff().is_some()).await
    }

    /// The same, for a page that has just shown the case through [`Cases::view`]. Only
    /// `staff` see a ruling before it is issued.
    pub async fn of_case_seen(
        &self,
        case: &CaseRecord,
        staff: bool,
    ) -> Result<CaseViolations, CaseError> {
        let id = case.id;
        let stored = self.store.case_violations(id).await?;
        let unreadable = |what: &str, e: serde_json::Error| {
            CaseError::Internal(anyhow::anyhow!("case {}: {what} unreadable: {e}", id.0))
        };
        let computed: Vec<Violation> = match &stored {
            Some(s) => {
                serde_json::from_str(&s.computed_json).map_err(|e| unreadable("violations", e))?
            }
            None => Vec::new(),
        };
        let reviewed = match stored.as_ref().and_then(|s| s.reviewed.as_ref()) {
            Some(review) => Some(Review {
                violations: serde_json::from_str(&review.json)
                    .map_err(|e| unreadable("review", e))?,
                by_name: review.by_name.clone(),
                at: review.at,
            }),
            None => None,
        };
        let history = self.store.case_history(id).await?;
        let issued_at = |action: &str| {
            history
                .iter()
                .rev()
                .find(|row| row.action == action)
                .map(|row| row.at)
        };
        let round = ruling_round(&history);
        let mut rulings = Vec::new();
        for stored in self.store.rulings(id).await? {
            let ruling: Ruling =
                serde_json::from_str(&stored.ruling_json).map_err(|e| unreadable("ruling", e))?;
            let action = match ruling.level {
                RulingLevel::First => "issue_ruling",
                RulingLevel::Appeal => "issue_appeal_ruling",
            };
            // An earlier round's ruling was issued before the case went back.
            let issued =
                stored.round < round || issued_at(action).is_some_and(|at| at >= stored.at);
            if !issued && !staff {
                continue;
            }
            rulings.push(RecordedRuling {
                round: stored.round,
                issued,
                ruling,
                by_name: stored.by_name,
                at: stored.at,
            });
        }
        let objection_deadline = match case.state.as_str() {
            "objection_period" => objection_deadline(&self.schedule, case),
            _ => None,
        };
        let defence_deadline = match case.state.as_str() {
            "commission" => defence_deadline(&self.schedule, &history),
            _ => None,
        };
        let session_date = match case.state.as_str() {
            "commission" if session_scheduled(&history) => session_date(case),
            _ => None,
        };
        Ok(CaseViolations {
            computed,
            computed_at: stored.map(|s| s.computed_at),
            reviewed,
            rulings,
            bills: self.store.fine_bills(id).await?,
            objection_deadline,
            defence_deadline,
            session_date,
            made_for_demo: self.schedule.made_for_demo,
        })
    }
}

/// Of the violation work `work`, whether it is done on the case: what
/// [`Cases::act`](crate::cases::Cases) asks before an action that needs it.
pub(crate) async fn work_done(
    store: &dyn Store,
    schedule: &FineSchedule,
    case: &CaseRecord,
    work: Work,
) -> Result<bool, CaseError> {
    let id = case.id;
    let today = JalaliDate::from_timestamp(Timestamp::now());
    // Read once, by the work that asks the history (rounds, referrals, the docket).
    let history = match work {
        Work::FirstRuling
        | Work::AppealRuling
        | Work::FinesSettled
        | Work::DefenceOpen
        | Work::SessionHeld
        | Work::UnpaidCommercialFine => store.case_history(id).await?,
        _ => Vec::new(),
    };
    let round = ruling_round(&history);
    let rulings = || async {
        let mut levels = Vec::new();
        for stored in store.rulings(id).await? {
            if stored.round == round {
                levels.push(stored.level);
            }
        }
        Ok::<_, CaseError>(levels)
    };
    let objection_deadline = objection_deadline(schedule, case);
    Ok(match work {
        Work::ViolationsReviewed => store
            .case_violations(id)
            .await?
            .is_some_and(|v| v.reviewed.is_some()),
        Work::FirstRuling => rulings().await?.iter().any(|level| level == "first"),
        Work::AppealRuling => rulings().await?.iter().any(|level| level == "appeal"),
        Work::ObjectionOpen => objection_deadline.is_some_and(|last| today <= last),
        Work::ObjectionClosed => objection_deadline.is_some_and(|last| today > last),
        Work::FinesSettled => {
            let bills = store.fine_bills(id).await?;
            let paid = bills
                .iter()
                .all(|bill| bill.paid_at.is_some() || bill.cancelled);
            let final_ruling = final_ruling(store, id, round).await?;
            let demolished = match &final_ruling {
                // Recorded since the case last came back from the commission.
                Some(ruling) if ruling.demolishes() => history
                    .iter()
                    .rev()
                    .take_while(|row| row.action != BACK_TO_COMMISSION)
                    .any(|row| row.action == "record_demolition"),
                _ => true,
            };
            final_ruling.is_some() && paid && demolished
        }
        Work::DefenceOpen => defence_deadline(schedule, &history).is_some_and(|last| today <= last),
        Work::SessionHeld => {
            session_scheduled(&history)
                && session_date(case).is_some_and(|session| session <= today)
        }
        Work::UnpaidCommercialFine => {
            let fines_commercial_area = match final_ruling(store, id, round).await? {
                Some(ruling) => {
                    let reviewed = reviewed_of(store, id).await?;
                    fines_note(&ruling, &reviewed, daftar_core::violation::Note::Note3)
                }
                None => false,
            };
            fines_commercial_area
                && store
                    .fine_bills(id)
                    .await?
                    .iter()
                    .any(|bill| bill.paid_at.is_none() && !bill.cancelled && bill.due_date < today)
        }
        Work::NoOpenViolation => match property_of(case) {
            Some((district, code)) => store
                .open_cases_on(VIOLATION_WORKFLOW, district, code.as_str())
                .await?
                .is_empty(),
            None => true,
        },
        Work::RenewalPaid => match property_of(case) {
            Some((district, code)) => !store
                .bills_of_property(district, code.as_str())
                .await?
                .iter()
                .any(|bill| bill.paid_at.is_none() && !bill.cancelled),
            None => true,
        },
        _ => false,
    })
}

/// The last day the owner may object to the first ruling: the objection period counted
/// from the day they were served it (`served_date`, which issuing the ruling records).
pub fn objection_deadline(schedule: &FineSchedule, case: &CaseRecord) -> Option<JalaliDate> {
    let served = crate::cases::fields_of(case)
        .get("served_date")
        .and_then(|date| JalaliDate::parse(date).ok())?;
    Some(served.add_days(i64::from(schedule.objection_days)))
}

/// A ruling's service day as issuing it records it: on or after the ruling's own date and
/// not after today, so that the objection period can be neither stretched nor skipped.
pub(crate) async fn check_served(
    store: &dyn Store,
    id: CaseId,
    served: &str,
) -> Result<(), CaseError> {
    let refused = || CaseError::InvalidField {
        code: "violation.served_date",
        field: "served_date".into(),
    };
    let served = JalaliDate::parse(served).map_err(|_| refused())?;
    let round = ruling_round(&store.case_history(id).await?);
    let ruled = store
        .rulings(id)
        .await?
        .into_iter()
        .find(|stored| stored.round == round && stored.level == "first")
        .and_then(|stored| serde_json::from_str::<Ruling>(&stored.ruling_json).ok())
        .map(|ruling| ruling.date);
    let today = JalaliDate::from_timestamp(Timestamp::now());
    if served > today || ruled.is_some_and(|ruled| served < ruled) {
        return Err(refused());
    }
    Ok(())
}

/// The action that sends a case back to the commission for a new round: an unpaid
/// commercial fine (Note 3), for demolition.
pub const BACK_TO_COMMISSION: &str = "back_to_commission";

/// Which time the case is before the commission (or was last), from 1: each
/// [`BACK_TO_COMMISSION`] in its history starts a new round of rulings.
pub fn ruling_round(history: &[daftar_store::HistoryRecord]) -> i64 {
    let back = history
        .iter()
        .filter(|row| row.action == BACK_TO_COMMISSION)
        .count();
    1 + i64::try_from(back).unwrap_or(i64::MAX - 1)
}

/// The action of the commission's secretary that puts the case on the docket, with the
/// session's date (`session_date`).
pub const SCHEDULE_SESSION: &str = "schedule_session";

/// The case's latest referral to the commission (a new round starts one too).
fn last_referral(history: &[daftar_store::HistoryRecord]) -> Option<usize> {
    history.iter().rposition(|row| {
        matches!(
            row.action.as_str(),
            "refer_to_commission" | BACK_TO_COMMISSION
        )
    })
}

/// The last day the owner may send a defence: the schedule's `defence_days` from the
/// case's latest referral to the commission.
pub fn defence_deadline(
    schedule: &FineSchedule,
    history: &[daftar_store::HistoryRecord],
) -> Option<JalaliDate> {
    let referred = &history[last_referral(history)?];
    Some(JalaliDate::from_timestamp(referred.at).add_days(i64::from(schedule.defence_days)))
}

/// The day of the commission's session on the case, as last put on the docket.
pub fn session_date(case: &CaseRecord) -> Option<JalaliDate> {
    crate::cases::fields_of(case)
        .get("session_date")
        .and_then(|date| JalaliDate::parse(date).ok())
}

/// Whether the secretary put the case on the docket since its latest referral.
fn session_scheduled(history: &[daftar_store::HistoryRecord]) -> bool {
    last_referral(history).is_some_and(|from| {
        history[from..]
            .iter()
            .any(|row| row.action == SCHEDULE_SESSION)
    })
}

/// A session's date as the secretary puts the case on the docket: not before the last day
/// of the owner's defence period (unless their defence is in), so that a defence sent in
/// time is before the commission.
pub(crate) async fn check_session(
    store: &dyn Store,
    schedule: &FineSchedule,
    id: CaseId,
    session: &str,
) -> Result<(), CaseError> {
    let session = JalaliDate::parse(session).map_err(|_| CaseError::InvalidField {
        code: "violation.session_date",
        field: "session_date".into(),
    })?;
    let history = store.case_history(id).await?;
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let last_defence = defence_deadline(schedule, &history).unwrap_or(today);
    // Once the owner's defence is in, the commission need not wait for the period's end.
    let defended = last_referral(&history).is_some_and(|from| {
        history[from..]
            .iter()
            .any(|row| row.action == "send_defence")
    });
    if !defended && session < last_defence {
        return Err(CaseError::InvalidField {
            code: "violation.session_after_defence",
            field: last_defence.to_string(),
        });
    }
    Ok(())
}

/// The ruling that stands: round `round`'s appeal ruling when there is one, else its
/// first instance's.
async fn final_ruling(
    store: &dyn Store,
    id: CaseId,
    round: i64,
) -> Result<Option<Ruling>, CaseError> {
    let rulings: Vec<_> = store
        .rulings(id)
        .await?
        .into_iter()
        .filter(|r| r.round == round)
        .collect();
    let Some(last) = rulings
        .iter()
        .find(|r| r.level == "appeal")
        .or_else(|| rulings.iter().find(|r| r.level == "first"))
    else {
        return Ok(None);
    };
    serde_json::from_str(&last.ruling_json)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("case {}: ruling unreadable: {e}", id.0).into())
}

/// What the notice of a ruling states (ابلاغ رای): the round's ruling as it stands
/// (the first instance's, before any appeal), its number and day, the day it was served,
/// the fines' total and how many items order a fine, a demolition or a use restored.
pub(crate) async fn ruling_facts(
    store: &dyn Store,
    case: &CaseRecord,
    answers: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, CaseError> {
    let round = ruling_round(&store.case_history(case.id).await?);
    let ruling = final_ruling(store, case.id, round)
        .await?
        .ok_or(CaseError::Invalid("ruling.none"))?;
    let count = |wanted: fn(&RulingDecision) -> bool| {
        ruling
            .items
            .iter()
            .filter(|item| wanted(&item.decision))
            .count()
            .to_string()
    };
    let mut facts = BTreeMap::from([
        (
            "ruling_number".to_owned(),
            ruling.number.as_str().to_owned(),
        ),
        ("ruling_date".to_owned(), ruling.date.iso_jalali()),
        ("round".to_owned(), round.to_string()),
        (
            "fines_rials".to_owned(),
            ruling.fines().sum::<i64>().to_string(),
        ),
        (
            "fined_items".to_owned(),
            count(|d| matches!(d, RulingDecision::Fine { .. })),
        ),
        (
            "demolitions".to_owned(),
            count(|d| matches!(d, RulingDecision::Demolition)),
        ),
        (
            "uses_restored".to_owned(),
            count(|d| matches!(d, RulingDecision::RestoreUse)),
        ),
    ]);
    if let Some(served) = answers.get("served_date") {
        facts.insert("served_date".into(), served.clone());
    }
    Ok(facts)
}

/// The case's reviewed violations (none before the review).
async fn reviewed_of(store: &dyn Store, id: CaseId) -> Result<Vec<ReviewedViolation>, CaseError> {
    match store.case_violations(id).await?.and_then(|v| v.reviewed) {
        Some(review) => serde_json::from_str(&review.json)
            .map_err(|e| anyhow::anyhow!("case {}: review unreadable: {e}", id.0).into()),
        None => Ok(Vec::new()),
    }
}

/// Whether `ruling` fines a violation under `note`: its items follow the standing
/// reviewed violations in order.
fn fines_note(
    ruling: &Ruling,
    reviewed: &[ReviewedViolation],
    note: daftar_core::violation::Note,
) -> bool {
    ruling
        .items
        .iter()
        .zip(reviewed.iter().filter(|v| v.stands()))
        .any(|(item, violation)| {
            matches!(
                item.decision,
                daftar_core::violation::RulingDecision::Fine { .. }
            ) && violation.violation.note == note
        })
}

/// The bills the case's final ruling's fines become: one bill for their sum, by the
/// national rules (the property's bill ID, a payment ID for the amount, year and period),
/// due in [`FINE_DUE_DAYS`].
pub(crate) async fn fine_bills(
    store: &dyn Store,
    company_code: u16,
    case: &CaseRecord,
) -> Result<Vec<daftar_store::NewBill>, CaseError> {
    let round = ruling_round(&store.case_history(case.id).await?);
    let Some(ruling) = final_ruling(store, case.id, round).await? else {
        return Err(CaseError::Invalid("ruling.none"));
    };
    let total: i64 = ruling.fines().sum();
    if total <= 0 {
        return Ok(Vec::new());
    }
    let Some((district, code)) = property_of(case) else {
        return Err(CaseError::Invalid("violation.no_property"));
    };
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let amount = u64::try_from(total).unwrap_or(0);
    let lines = vec![daftar_core::billing::DemandLine {
        kind: daftar_core::billing::LineKind::ViolationFine,
        amount_rials: i64::try_from(amount).unwrap_or(i64::MAX),
    }];
    Ok(vec![
        crate::cases::permit::case_bill(
            store,
            crate::cases::permit::CaseBill {
                district,
                renewal_code: code.as_str(),
                company_code,
                year: today.year(),
                amount,
                lines: &lines,
                due_date: today.add_days(FINE_DUE_DAYS),
                too_large: "ruling.total_too_large",
            },
        )
        .await?,
    ])
}
