//! Reading definitions from TOML and checking them, and the registry of every version.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::checklist::ChecklistItem;
use super::definition::{
    Action, ActionKind, ActorRef, Branch, Decision, Definition, Outcome, Owner, RoleRef, State,
};
use crate::roles::Role;
use crate::text::Text;

/// Why a definition was refused: the file and what is wrong in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct WorkflowError {
    pub file: String,
    pub problem: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    id: String,
    version: u32,
    name_fa: String,
    name_en: String,
    start: String,
    states: BTreeMap<String, RawState>,
    #[serde(default)]
    actions: Vec<RawAction>,
    #[serde(default)]
    checklist: Vec<RawChecklistItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklistItem {
    id: String,
    state: String,
    name_fa: String,
    name_en: String,
    #[serde(default)]
    document: bool,
    /// `fee_bills`: ticked by the payment of the case's fee bills.
    settled_by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    name_fa: String,
    name_en: String,
    role: Option<String>,
    #[serde(default)]
    applicant: bool,
    #[serde(default)]
    branches: BTreeMap<String, RawBranch>,
    #[serde(default)]
    join: BTreeMap<String, String>,
    outcome: Option<Outcome>,
    sla_days: Option<u32>,
    #[serde(default)]
    applicant_may_edit: bool,
    #[serde(default)]
    documents: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    role: String,
    name_fa: String,
    name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    id: String,
    name_fa: String,
    name_en: String,
    #[serde(default = "default_kind")]
    kind: ActionKind,
    #[serde(default)]
    from: Vec<String>,
    #[serde(default)]
    by: Vec<String>,
    to: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    effects: Vec<String>,
    #[serde(default)]
    comment: bool,
    #[serde(default)]
    uploads: bool,
    times: Option<u32>,
    within_days: Option<u32>,
}

fn default_kind() -> ActionKind {
    ActionKind::Move
}

fn role_ref(slug: &str) -> Result<RoleRef, String> {
    if slug == "service_owner" {
        return Ok(RoleRef::ServiceOwner);
    }
    Role::from_slug(slug)
        .map(RoleRef::Role)
        .ok_or_else(|| format!("unknown role \"{slug}\""))
}

fn state_of(id: &str, raw: RawState) -> Result<State, String> {
    let kinds = [
        raw.role.is_some(),
        raw.applicant,
        !raw.branches.is_empty(),
        raw.outcome.is_some(),
    ];
    if !raw.join.is_empty() && raw.branches.is_empty() {
        return Err(format!("state \"{id}\": join without branches"));
    }
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(format!(
            "state \"{id}\" must have exactly one of role, applicant, branches or outcome"
        ));
    }
    let owner = if let Some(role) = &raw.role {
        Owner::Role(role_ref(role).map_err(|e| format!("state \"{id}\": {e}"))?)
    } else if raw.applicant {
        Owner::Applicant
    } else if let Some(outcome) = raw.outcome {
        Owner::Nobody(outcome)
    } else {
        let mut branches = Vec::new();
        for (branch_id, branch) in raw.branches {
            branches.push(Branch {
                role: role_ref(&branch.role)
                    .map_err(|e| format!("state \"{id}\", branch \"{branch_id}\": {e}"))?,
                id: branch_id,
                name: Text::new(branch.name_fa, branch.name_en),
            });
        }
        let mut join = BTreeMap::new();
        for (decision, target) in raw.join {
            let decision = Decision::parse(&decision).ok_or_else(|| {
                format!("state \"{id}\": unknown decision \"{decision}\" in join")
            })?;
            join.insert(decision, target);
        }
        if let Some(missing) = Decision::ALL.iter().find(|d| !join.contains_key(d)) {
            return Err(format!(
                "state \"{id}\": join has no target for \"{}\"",
                missing.slug()
            ));
        }
        Owner::Parallel { branches, join }
    };
    let terminal = matches!(owner, Owner::Nobody(_));
    if !terminal && raw.sla_days.is_none() {
        return Err(format!("state \"{id}\" needs sla_days"));
    }
    Ok(State {
        id: id.to_owned(),
        name: Text::new(raw.name_fa, raw.name_en),
        owner,
        sla_days: raw.sla_days,
        applicant_may_edit: raw.applicant_may_edit,
        documents: raw.documents,
    })
}

fn action_of(raw: RawAction) -> Result<Action, String> {
    let mut by = Vec::new();
    for who in &raw.by {
        by.push(if who == "applicant" {
            ActorRef::Applicant
        } else {
            ActorRef::Role(role_ref(who).map_err(|e| format!("action \"{}\": {e}", raw.id))?)
        });
    }
    let needs = raw
        .needs
        .iter()
        .map(|slug| {
            super::Work::from_slug(slug)
                .ok_or_else(|| format!("action \"{}\": unknown work \"{slug}\" in needs", raw.id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let effects = raw
        .effects
        .iter()
        .map(|slug| {
            super::Effect::from_slug(slug)
                .ok_or_else(|| format!("action \"{}\": unknown effect \"{slug}\"", raw.id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Action {
        id: raw.id,
        name: Text::new(raw.name_fa, raw.name_en),
        kind: raw.kind,
        from: raw.from,
        by,
        to: raw.to,
        fields: raw.fields,
        documents: raw.documents,
        needs,
        effects,
        comment_required: raw.comment,
        takes_uploads: raw.uploads,
        times: raw.times,
        within_days: raw.within_days,
    })
}

impl Definition {
    /// Reads and checks one definition; `file` names it in errors.
    pub fn load(file: &str, text: &str) -> Result<Definition, WorkflowError> {
        let fail = |problem: String| WorkflowError {
            file: file.to_owned(),
            problem,
        };
        let raw: RawDefinition = toml::from_str(text).map_err(|e| fail(e.message().to_owned()))?;
        let mut states = BTreeMap::new();
        for (id, state) in raw.states {
            let state = state_of(&id, state).map_err(fail)?;
            states.insert(id, state);
        }
        let actions = raw
            .actions
            .into_iter()
            .map(action_of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let checklist = raw
            .checklist
            .into_iter()
            .map(|item| {
                let settled_by_fees = match item.settled_by.as_deref() {
                    None => false,
                    Some("fee_bills") => true,
                    Some(other) => {
                        return Err(fail(format!(
                            "checklist item \"{}\": settled_by is \"fee_bills\" or nothing, not \"{other}\"",
                            item.id
                        )));
                    }
                };
                Ok(ChecklistItem {
                    id: item.id,
                    name: Text::new(item.name_fa, item.name_en),
                    state: item.state,
                    document: item.document,
                    settled_by_fees,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let definition = Definition {
            id: raw.id,
            version: raw.version,
            name: Text::new(raw.name_fa, raw.name_en),
            start: raw.start,
            states,
            actions,
            checklist,
        };
        definition.check().map_err(fail)?;
        Ok(definition)
    }

    fn check(&self) -> Result<(), String> {
        let start = self
            .state(&self.start)
            .ok_or_else(|| format!("the start state \"{}\" does not exist", self.start))?;
        if start.is_terminal() {
            return Err("the start state is terminal".into());
        }
        let mut items = BTreeSet::new();
        for item in &self.checklist {
            if self.state(&item.state).is_none() {
                return Err(format!(
                    "checklist item \"{}\": no state \"{}\"",
                    item.id, item.state
                ));
            }
            if !items.insert(&item.id) {
                return Err(format!("checklist item \"{}\" is defined twice", item.id));
            }
            if item.settled_by_fees && item.document {
                return Err(format!(
                    "checklist item \"{}\": one settled by fee bills takes no document",
                    item.id
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for action in &self.actions {
            self.check_action(action)?;
            if !ids.insert(&action.id) {
                return Err(format!("action \"{}\" is defined twice", action.id));
            }
        }
        for state in self.states.values() {
            if let Owner::Parallel { join, .. } = &state.owner {
                for target in join.values() {
                    if self.state(target).is_none() {
                        return Err(format!(
                            "state \"{}\": join target \"{target}\" does not exist",
                            state.id
                        ));
                    }
                }
                let decided = self
                    .actions
                    .iter()
                    .any(|a| a.kind == ActionKind::Decide && a.applies_in(state));
                if !decided {
                    return Err(format!(
                        "parallel state \"{}\" has no decide action",
                        state.id
                    ));
                }
            }
        }
        let edges = self.edges();
        let reachable = closure(std::slice::from_ref(&self.start), &edges);
        if let Some(unreachable) = self.states.keys().find(|id| !reachable.contains(*id)) {
            return Err(format!(
                "state \"{unreachable}\" cannot be reached from \"{}\"",
                self.start
            ));
        }
        let mut backwards: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &edges {
            for to in targets {
                backwards
                    .entry(to.clone())
                    .or_default()
                    .insert(from.clone());
            }
        }
        let terminals: Vec<String> = self
            .states
            .values()
            .filter(|s| s.is_terminal())
            .map(|s| s.id.clone())
            .collect();
        let finishing = closure(&terminals, &backwards);
        if let Some(stuck) = self.states.keys().find(|id| !finishing.contains(*id)) {
            return Err(format!(
                "no terminal state can be reached from state \"{stuck}\""
            ));
        }
        Ok(())
    }

    fn check_action(&self, action: &Action) -> Result<(), String> {
        let name = &action.id;
        for from in &action.from {
            if self.state(from).is_none() {
                return Err(format!(
                    "action \"{name}\": unknown state \"{from}\" in from"
                ));
            }
        }
        let needs_target = matches!(
            action.kind,
            ActionKind::Move | ActionKind::Refer | ActionKind::Return | ActionKind::Withdraw
        );
        match (&action.to, needs_target) {
            (None, true) => return Err(format!("action \"{name}\" needs a \"to\" state")),
            (Some(_), false) => {
                return Err(format!("action \"{name}\" of this kind takes no \"to\""));
            }
            (Some(to), true) => {
                let target = self
                    .state(to)
                    .ok_or_else(|| format!("action \"{name}\": unknown state \"{to}\""))?;
                if action.kind == ActionKind::Return && target.owner != Owner::Applicant {
                    return Err(format!(
                        "action \"{name}\": a return goes to an applicant state"
                    ));
                }
                if action.kind == ActionKind::Withdraw && !target.is_terminal() {
                    return Err(format!(
                        "action \"{name}\": a withdrawal goes to a terminal state"
                    ));
                }
            }
            (None, false) => {}
        }
        let by_applicant = action.by.contains(&ActorRef::Applicant);
        match action.kind {
            ActionKind::Decide if !action.by.is_empty() => Err(format!(
                "action \"{name}\": a decision is taken by each branch's role; leave \"by\" out"
            )),
            ActionKind::Decide => Ok(()),
            ActionKind::Resubmit | ActionKind::Withdraw if !by_applicant => Err(format!(
                "action \"{name}\": only the applicant resubmits or withdraws"
            )),
            _ if action.by.is_empty() => Err(format!("action \"{name}\" names nobody in \"by\"")),
            _ => Ok(()),
        }
    }

    /// Every move a case can make, state to state.
    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for state in self.states.values() {
            let out = edges.entry(state.id.clone()).or_default();
            if let Owner::Parallel { join, .. } = &state.owner {
                out.extend(join.values().cloned());
            }
        }
        for action in &self.actions {
            for state in self.states.values().filter(|s| action.applies_in(s)) {
                let targets: Vec<String> = match action.kind {
                    ActionKind::Resubmit => self
                        .actions
                        .iter()
                        .filter(|r| {
                            r.kind == ActionKind::Return && r.to.as_deref() == Some(&state.id)
                        })
                        .flat_map(|r| {
                            self.states
                                .values()
                                .filter(|s| r.applies_in(s))
                                .map(|s| s.id.clone())
                                .collect::<Vec<_>>()
                        })
                        .collect(),
                    _ => action.to.iter().cloned().collect(),
                };
                edges.entry(state.id.clone()).or_default().extend(targets);
            }
        }
        edges
    }
}

fn closure(from: &[String], edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = from.iter().cloned().collect();
    let mut todo: Vec<String> = from.to_vec();
    while let Some(state) = todo.pop() {
        for next in edges.get(&state).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

/// Every loaded version of every workflow.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    definitions: BTreeMap<(String, u32), Definition>,
}

impl Registry {
    /// Loads every file, naming each bad one; a repeated id and version is an error.
    pub fn load(files: &[(String, String)]) -> Result<Registry, Vec<WorkflowError>> {
        let mut registry = Registry::default();
        let mut errors = Vec::new();
        for (file, text) in files {
            match Definition::load(file, text) {
                Ok(definition) => {
                    let key = (definition.id.clone(), definition.version);
                    match registry.definitions.entry(key) {
                        std::collections::btree_map::Entry::Occupied(taken) => {
                            errors.push(WorkflowError {
                                file: file.clone(),
                                problem: format!(
                                    "workflow \"{}\" version {} is defined twice",
                                    taken.key().0,
                                    taken.key().1
                                ),
                            });
                        }
                        std::collections::btree_map::Entry::Vacant(free) => {
                            free.insert(definition);
                        }
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    /// The version a case started under.
    pub fn get(&self, id: &str, version: u32) -> Option<&Definition> {
        self.definitions.get(&(id.to_owned(), version))
    }

    /// The newest version, which new cases start under.
    pub fn latest(&self, id: &str) -> Option<&Definition> {
        self.definitions
            .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
            .next_back()
            .map(|(_, definition)| definition)
    }

    pub fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.values()
    }
}
