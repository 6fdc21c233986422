//! The parts of a workflow definition, once loaded and checked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::roles::Role;
use crate::text::Text;

/// A role as a definition names it: a unit's role, or the role that owns the case's
/// service in the catalog (for workflows several services share).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleRef {
    Role(Role),
    ServiceOwner,
}

impl RoleRef {
    pub fn resolve(self, service_owner: Role) -> Role {
        match self {
            RoleRef::Role(role) => role,
            RoleRef::ServiceOwner => service_owner,
        }
    }
}

/// A parallel review's branch: one unit deciding on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub id: String,
    pub role: RoleRef,
    pub name: Text,
}

/// Who holds a case in a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Role(RoleRef),
    /// Returned for deficiency: the applicant must answer.
    Applicant,
    /// Several units at once; the case moves on when every branch has decided.
    Parallel {
        branches: Vec<Branch>,
        /// Where each joined decision leads.
        join: BTreeMap<Decision, String>,
    },
    /// A terminal state: nobody acts any more.
    Nobody(Outcome),
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    Rejected,
    Withdrawn,
}

/// A parallel branch's decision, from the least to the most severe: when branches
/// disagree, the most severe wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    ApprovedWithConditions,
    RevisionRequired,
    Rejected,
}

impl Decision {
    pub const ALL: [Decision; 4] = [
        Decision::Approved,
        Decision::ApprovedWithConditions,
        Decision::RevisionRequired,
        Decision::Rejected,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ApprovedWithConditions => "approved_with_conditions",
            Decision::RevisionRequired => "revision_required",
            Decision::Rejected => "rejected",
        }
    }

    pub fn parse(slug: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.slug() == slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub id: String,
    pub name: Text,
    pub owner: Owner,
    /// Working days allowed in this state; `None` for terminal states.
    pub sla_days: Option<u32>,
    /// Whether the applicant may change the application's fields and documents here.
    pub applicant_may_edit: bool,
    /// Documents the case must hold before any action leaves this state.
    pub documents: Vec<String>,
}

impl State {
    pub fn is_terminal(&self) -> bool {
        matches!(self.owner, Owner::Nobody(_))
    }
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Moves the case to `to`.
    Move,
    /// Refers the case to another unit's state `to` (a move, named for the history).
    Refer,
    /// Returns the case to the applicant (state `to`) for a deficiency; the state it came
    /// from is remembered.
    Return,
    /// The applicant's answer to a return: back to the state the case came from.
    Resubmit,
    /// Marks the case to a person; the state does not change.
    Assign,
    /// A parallel branch's decision.
    Decide,
    /// The applicant withdraws the case (to the terminal state `to`).
    Withdraw,
}

/// Who may take an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorRef {
    Applicant,
    Role(RoleRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: String,
    pub name: Text,
    pub kind: ActionKind,
    /// The states it may be taken in; empty means every non-terminal state.
    pub from: Vec<String>,
    pub by: Vec<ActorRef>,
    /// The next state (for `move`, `refer`, `return` and `withdraw`).
    pub to: Option<String>,
    /// Fields the actor must fill in.
    pub fields: Vec<String>,
    /// Documents the case must hold (uploaded with the action or before).
    pub documents: Vec<String>,
    /// Work done on the case beside the workflow that the action needs first.
    pub needs: Vec<Work>,
    /// What taking the action does beside the move (`effects = [...]`).
    pub effects: Vec<Effect>,
    pub comment_required: bool,
    /// The actor may attach documents (`uploads = true`), as a resubmission always may:
    /// a defence with its evidence.
    pub takes_uploads: bool,
    /// How many times the action may be taken in one case (`times = 1`: a complaint
    /// reopened once); `None` for no limit.
    pub times: Option<u32>,
    /// Calendar days from the case's entering the action's state within which it may be
    /// taken (`within_days = 7`); `None` for no limit.
    pub within_days: Option<u32>,
}

impl Action {
    /// Whether the action's limits refuse it, given how many times the case took it
    /// before and the whole days since the case entered its present state: the refusal's
    /// code, or `None` when it may be taken.
    pub fn limit_refusal(&self, taken_before: u32, days_in_state: i64) -> Option<&'static str> {
        if self.times.is_some_and(|times| taken_before >= times) {
            return Some("case.action_spent");
        }
        if self
            .within_days
            .is_some_and(|days| days_in_state >= i64::from(days))
        {
            return Some("case.action_lapsed");
        }
        None
    }
}

/// Something an action does beside moving the case, written in its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// The final ruling's fines become bills.
    FineBills,
    /// The case's fine bills not yet paid are cancelled (it goes back to the commission).
    CancelFineBills,
    /// The case's fees become bills (a building permit's, by `tariffs/permit-<year>.toml`).
    FeeBills,
    /// Whatever of the case's bills is still unpaid is cancelled (a permit withdrawn or
    /// rejected after its fees were billed); nothing to cancel is no matter.
    CancelFeeBills,
    /// The office issues a document of this kind for the case, signed
    /// (`issue:no_violation_certificate`).
    IssueDocument(crate::issued::DocumentKind),
}

impl Effect {
    pub fn from_slug(slug: &str) -> Option<Effect> {
        match slug {
            "fine_bills" => Some(Effect::FineBills),
            "cancel_fine_bills" => Some(Effect::CancelFineBills),
            "fee_bills" => Some(Effect::FeeBills),
            "cancel_fee_bills" => Some(Effect::CancelFeeBills),
            other => other
                .strip_prefix("issue:")
                .and_then(crate::issued::DocumentKind::from_slug)
                .map(Effect::IssueDocument),
        }
    }
}

/// Work on a case that is not a step of its workflow but that an action may need done
/// first (docs/WORKFLOWS.md): named in a definition's `needs = [...]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// The detailed-plan inquiry about the case's property, recorded by formation.
    Inquiry,
    /// An inspection visit booked in an inspector's calendar.
    Visit,
    /// The inspector's sketch of the building (`daftar-core::sketch`).
    Sketch,
    /// The map order: an inquiry recorded about the property with its deed area known.
    MapOrder,
    /// The latest inquiry's map order says nothing may be built on the plot: what the
    /// non-eligibility notice (اعلام عدم قابلیت) rests on.
    NotBuildable,
    /// The violation-review unit's review of the computed violations.
    ViolationsReviewed,
    /// The first-instance commission's ruling, recorded by its secretary.
    FirstRuling,
    /// The appeal commission's ruling, recorded by its secretary.
    AppealRuling,
    /// The first ruling's objection period has not ended.
    ObjectionOpen,
    /// The first ruling's objection period has ended.
    ObjectionClosed,
    /// Every fine of the final ruling is paid, and every demolition it ordered recorded.
    FinesSettled,
    /// No violation case on the property is open (Note 8: no certificate while one is).
    NoOpenViolation,
    /// The owner's defence period before the commission has not ended.
    DefenceOpen,
    /// The case is on the commission's docket since it was last referred, and the day of
    /// its session has come.
    SessionHeld,
    /// The final ruling fines commercial area (Note 3) and its bill is past due unpaid:
    /// what sends the case back to the commission for demolition.
    UnpaidCommercialFine,
    /// Every checklist item of the case's state is done ([`super::checklist`]).
    ChecklistDone,
    /// No renewal-toll bill of the property is left unpaid: what a certificate about the
    /// property waits for, as the renewal clearance does.
    RenewalPaid,
}

impl Work {
    pub const ALL: [Work; 17] = [
        Work::Inquiry,
        Work::Visit,
        Work::Sketch,
        Work::MapOrder,
        Work::NotBuildable,
        Work::ViolationsReviewed,
        Work::FirstRuling,
        Work::AppealRuling,
        Work::ObjectionOpen,
        Work::ObjectionClosed,
        Work::FinesSettled,
        Work::NoOpenViolation,
        Work::UnpaidCommercialFine,
        Work::DefenceOpen,
        Work::SessionHeld,
        Work::RenewalPaid,
        Work::ChecklistDone,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Work::Inquiry => "inquiry",
            Work::Visit => "visit",
            Work::Sketch => "sketch",
            Work::MapOrder => "map_order",
            Work::NotBuildable => "not_buildable",
            Work::ViolationsReviewed => "violations_reviewed",
            Work::FirstRuling => "first_ruling",
            Work::AppealRuling => "appeal_ruling",
            Work::ObjectionOpen => "objection_open",
            Work::ObjectionClosed => "objection_closed",
            Work::FinesSettled => "fines_settled",
            Work::NoOpenViolation => "no_open_violation",
            Work::UnpaidCommercialFine => "unpaid_commercial_fine",
            Work::DefenceOpen => "defence_open",
            Work::SessionHeld => "session_held",
            Work::RenewalPaid => "renewal_paid",
            Work::ChecklistDone => "checklist_done",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Work> {
        Work::ALL.into_iter().find(|work| work.slug() == slug)
    }
}

impl Action {
    pub fn applies_in(&self, state: &State) -> bool {
        if self.from.is_empty() {
            !state.is_terminal()
        } else {
            self.from.contains(&state.id)
        }
    }
}

/// One version of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub id: String,
    pub version: u32,
    pub name: Text,
    pub start: String,
    pub states: BTreeMap<String, State>,
    pub actions: Vec<Action>,
    /// What the units tick before moving a case on ([`super::checklist`]).
    pub checklist: Vec<super::checklist::ChecklistItem>,
}

impl Definition {
    pub fn state(&self, id: &str) -> Option<&State> {
        self.states.get(id)
    }

    pub fn action(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|action| action.id == id)
    }
}
