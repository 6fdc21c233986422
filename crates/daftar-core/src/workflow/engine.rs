//! Deciding one action: who may take it, what it needs, and where it leads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::definition::{
    Action, ActionKind, ActorRef, Decision, Definition, Outcome, Owner, State,
};
use crate::calendar::{HolidayCalendar, JalaliDate};
use crate::roles::Role;

/// Where a case is: its state, and what the engine remembers there. Stored as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub state: String,
    /// In a parallel state: each branch's decision so far.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub decisions: BTreeMap<String, Decision>,
    /// While returned to the applicant: the state the case goes back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

/// Who attempts an action.
#[derive(Debug, Clone, Copy)]
pub enum WorkflowActor<'a> {
    /// The case's own applicant.
    Applicant,
    /// Staff, with the roles they hold in the case's office.
    Staff(&'a [Role]),
}

/// An attempted action and what comes with it.
#[derive(Debug, Clone, Default)]
pub struct Attempt<'a> {
    pub action: &'a str,
    /// The names of the fields filled in.
    pub fields: Vec<&'a str>,
    /// The kinds of documents the case holds, with what this action uploads.
    pub documents: Vec<&'a str>,
    pub comment: Option<&'a str>,
    pub decision: Option<Decision>,
    /// The work done on the case beside the workflow (a sketch recorded, …).
    pub work: Vec<super::Work>,
}

/// The answer to an allowed action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub kind: ActionKind,
    pub from: String,
    pub position: Position,
    /// Set when the case has reached a terminal state.
    pub outcome: Option<Outcome>,
    /// For a decision: the branch that decided.
    pub branch: Option<String>,
}

impl Move {
    pub fn changes_state(&self) -> bool {
        self.from != self.position.state
    }
}

/// Why an action was refused. Each has a stable code the server translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the case is closed")]
    Closed,
    #[error("no such action")]
    UnknownAction,
    #[error("this action cannot be taken in this state")]
    NotNow,
    #[error("you may not take this action")]
    NotYours,
    #[error("this branch has already decided")]
    AlreadyDecided,
    #[error("a decision is required")]
    DecisionRequired,
    #[error("a comment is required")]
    CommentRequired,
    #[error("the field {0} is required")]
    MissingField(String),
    #[error("the document {0} is required")]
    MissingDocument(String),
    #[error("{} must be done first", .0.slug())]
    MissingWork(super::Work),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Closed => "case.closed",
            Refusal::UnknownAction => "case.unknown_action",
            Refusal::NotNow => "case.not_now",
            Refusal::NotYours => "case.not_yours",
            Refusal::AlreadyDecided => "case.already_decided",
            Refusal::DecisionRequired => "case.decision_required",
            Refusal::CommentRequired => "case.comment_required",
            Refusal::MissingField(_) => "case.missing_field",
            Refusal::MissingDocument(_) => "case.missing_document",
            Refusal::MissingWork(super::Work::Inquiry) => "case.needs_inquiry",
            Refusal::MissingWork(super::Work::Visit) => "case.needs_visit",
            Refusal::MissingWork(super::Work::Sketch) => "case.needs_sketch",
            Refusal::MissingWork(super::Work::MapOrder) => "case.needs_map_order",
            Refusal::MissingWork(super::Work::NotBuildable) => "case.needs_not_buildable",
            Refusal::MissingWork(super::Work::ViolationsReviewed) => {
                "case.needs_violations_reviewed"
            }
            Refusal::MissingWork(super::Work::FirstRuling) => "case.needs_first_ruling",
            Refusal::MissingWork(super::Work::AppealRuling) => "case.needs_appeal_ruling",
            Refusal::MissingWork(super::Work::ObjectionOpen) => "case.needs_objection_open",
            Refusal::MissingWork(super::Work::ObjectionClosed) => "case.needs_objection_closed",
            Refusal::MissingWork(super::Work::FinesSettled) => "case.needs_fines_settled",
            Refusal::MissingWork(super::Work::NoOpenViolation) => "case.needs_no_open_violation",
            Refusal::MissingWork(super::Work::UnpaidCommercialFine) => {
                "case.needs_unpaid_commercial_fine"
            }
            Refusal::MissingWork(super::Work::DefenceOpen) => "case.needs_defence_open",
            Refusal::MissingWork(super::Work::SessionHeld) => "case.needs_session_held",
            Refusal::MissingWork(super::Work::RenewalPaid) => "case.needs_renewal_paid",
            Refusal::MissingWork(super::Work::ChecklistDone) => "case.checklist_open",
        }
    }
}

/// An open work item: `role` may act now (on `branch`, in a parallel state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub role: Role,
    pub branch: Option<String>,
}

impl Definition {
    /// Where a new case starts.
    pub fn start_position(&self) -> Position {
        Position {
            state: self.start.clone(),
            ..Position::default()
        }
    }

    /// The state of a position; a position from another version names no state.
    fn current(&self, position: &Position) -> Result<&State, Refusal> {
        self.state(&position.state).ok_or(Refusal::NotNow)
    }

    /// The branch of a parallel state this actor decides for: one of theirs still open.
    fn open_branch<'s>(
        &'s self,
        state: &'s State,
        position: &Position,
        roles: &[Role],
        service_owner: Role,
    ) -> Result<&'s str, Refusal> {
        let Owner::Parallel { branches, .. } = &state.owner else {
            return Err(Refusal::NotNow);
        };
        let mine: Vec<_> = branches
            .iter()
            .filter(|b| roles.contains(&b.role.resolve(service_owner)))
            .collect();
        if mine.is_empty() {
            return Err(Refusal::NotYours);
        }
        mine.iter()
            .find(|b| !position.decisions.contains_key(&b.id))
            .map(|b| b.id.as_str())
            .ok_or(Refusal::AlreadyDecided)
    }

    fn may_take(
        &self,
        action: &Action,
        state: &State,
        position: &Position,
        actor: WorkflowActor<'_>,
        service_owner: Role,
    ) -> Result<Option<String>, Refusal> {
        if action.kind == ActionKind::Decide {
            let WorkflowActor::Staff(roles) = actor else {
                return Err(Refusal::NotYours);
            };
            let branch = self.open_branch(state, position, roles, service_owner)?;
            return Ok(Some(branch.to_owned()));
        }
        let allowed = action.by.iter().any(|who| match (who, actor) {
            (ActorRef::Applicant, WorkflowActor::Applicant) => true,
            (ActorRef::Role(role), WorkflowActor::Staff(roles)) => {
                roles.contains(&role.resolve(service_owner))
            }
            _ => false,
        });
        if allowed {
            Ok(None)
        } else {
            Err(Refusal::NotYours)
        }
    }

    /// Decides an attempted action: the next position, or why not. `service_owner` is the
    /// role that owns the case's service in the catalog.
    pub fn decide(
        &self,
        service_owner: Role,
        position: &Position,
        actor: WorkflowActor<'_>,
        attempt: &Attempt<'_>,
    ) -> Result<Move, Refusal> {
        let state = self.current(position)?;
        if state.is_terminal() {
            return Err(Refusal::Closed);
        }
        let action = self.action(attempt.action).ok_or(Refusal::UnknownAction)?;
        if !action.applies_in(state) {
            return Err(Refusal::NotNow);
        }
        let branch = self.may_take(action, state, position, actor, service_owner)?;
        if action.comment_required && attempt.comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(Refusal::CommentRequired);
        }
        if let Some(missing) = action
            .fields
            .iter()
            .find(|f| !attempt.fields.contains(&f.as_str()))
        {
            return Err(Refusal::MissingField(missing.clone()));
        }
        // Leaving a state needs its documents; returning for a deficiency does not.
        let leaves = !matches!(
            action.kind,
            ActionKind::Assign | ActionKind::Return | ActionKind::Withdraw
        );
        let needed = action
            .documents
            .iter()
            .chain(state.documents.iter().filter(|_| leaves));
        if let Some(missing) = needed
            .into_iter()
            .find(|d| !attempt.documents.contains(&d.as_str()))
        {
            return Err(Refusal::MissingDocument(missing.clone()));
        }
        if let Some(missing) = action
            .needs
            .iter()
            .find(|work| !attempt.work.contains(work))
        {
            return Err(Refusal::MissingWork(*missing));
        }
        let mut next = position.clone();
        match action.kind {
            ActionKind::Move | ActionKind::Refer | ActionKind::Withdraw => {
                next = self.enter(action.to.as_deref().unwrap_or_default());
            }
            ActionKind::Return => {
                next = self.enter(action.to.as_deref().unwrap_or_default());
                next.return_to = Some(position.state.clone());
            }
            ActionKind::Resubmit => {
                let back = position.return_to.as_deref().ok_or(Refusal::NotNow)?;
                next = self.enter(back);
            }
            ActionKind::Assign => {}
            ActionKind::Decide => {
                let decision = attempt.decision.ok_or(Refusal::DecisionRequired)?;
                let branch = branch.clone().unwrap_or_default();
                next.decisions.insert(branch, decision);
                if let Owner::Parallel { branches, join } = &state.owner
                    && branches.iter().all(|b| next.decisions.contains_key(&b.id))
                {
                    // The most severe decision wins.
                    let joined = next.decisions.values().max().copied().unwrap_or(decision);
                    let target = join.get(&joined).cloned().unwrap_or_default();
                    next = self.enter(&target);
                }
            }
        }
        let outcome = match self.state(&next.state).map(|s| &s.owner) {
            Some(Owner::Nobody(outcome)) => Some(*outcome),
            _ => None,
        };
        Ok(Move {
            kind: action.kind,
            from: position.state.clone(),
            position: next,
            outcome,
            branch,
        })
    }

    /// The position on entering `state`: nothing remembered from before.
    fn enter(&self, state: &str) -> Position {
        Position {
            state: state.to_owned(),
            ..Position::default()
        }
    }

    /// The actions this actor may take now (fields and documents aside), for showing
    /// only those.
    pub fn available(
        &self,
        service_owner: Role,
        position: &Position,
        actor: WorkflowActor<'_>,
    ) -> Vec<&Action> {
        let Ok(state) = self.current(position) else {
            return Vec::new();
        };
        if state.is_terminal() {
            return Vec::new();
        }
        self.actions
            .iter()
            .filter(|action| action.applies_in(state))
            .filter(|action| action.kind != ActionKind::Resubmit || position.return_to.is_some())
            .filter(|action| {
                self.may_take(action, state, position, actor, service_owner)
                    .is_ok()
            })
            .collect()
    }

    /// Who may act now: the state's role, or each parallel branch not yet decided. The
    /// applicant's turn and a closed case have no staff task.
    pub fn tasks(&self, service_owner: Role, position: &Position) -> Vec<Task> {
        let Ok(state) = self.current(position) else {
            return Vec::new();
        };
        match &state.owner {
            Owner::Role(role) => vec![Task {
                role: role.resolve(service_owner),
                branch: None,
            }],
            Owner::Parallel { branches, .. } => branches
                .iter()
                .filter(|b| !position.decisions.contains_key(&b.id))
                .map(|b| Task {
                    role: b.role.resolve(service_owner),
                    branch: Some(b.id.clone()),
                })
                .collect(),
            Owner::Applicant | Owner::Nobody(_) => Vec::new(),
        }
    }

    /// Whether `role` has a part in this workflow for a service owned by `service_owner`:
    /// it holds a state, a parallel branch, or may take an action. Need to know: staff
    /// of other units do not read the case.
    pub fn takes_part(&self, role: Role, service_owner: Role) -> bool {
        let holds_a_state = self.states.values().any(|state| match &state.owner {
            Owner::Role(held) => held.resolve(service_owner) == role,
            Owner::Parallel { branches, .. } => branches
                .iter()
                .any(|branch| branch.role.resolve(service_owner) == role),
            Owner::Applicant | Owner::Nobody(_) => false,
        });
        let acts = self.actions.iter().any(|action| {
            action.by.iter().any(|by| match by {
                ActorRef::Role(held) => held.resolve(service_owner) == role,
                ActorRef::Applicant => false,
            })
        });
        holds_a_state || acts
    }

    /// When the case is due out of its state, counting working days from `today`.
    pub fn due_date(
        &self,
        position: &Position,
        today: JalaliDate,
        calendar: &HolidayCalendar,
    ) -> Option<JalaliDate> {
        let days = self.state(&position.state)?.sla_days?;
        Some(calendar.add_working_days(today, days))
    }
}
