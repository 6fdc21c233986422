//! Acting on a case: the workflow engine decides the step, and the store writes the
//! case's move, its new tasks, the history row, the notices and any documents in one
//! transaction. Marking a case to a colleague (or claiming it) is an action too, one that
//! leaves the state as it is.

use daftar_core::calendar::JalaliDate;
use daftar_core::workflow::{Attempt, Decision, Editor, WorkflowActor, apply_fields};
use daftar_store::{
    Actor, CaseId, CaseRecord, NewHistory, NewNotification, NewTask, Recipient, TaskRecord,
    Transition,
};
use jiff::Timestamp;

use super::{
    ActionRequest, CaseError, Cases, Standing, fields_of, owner_unit, position_of, roles_in, stale,
    status_notice, tasks_for,
};
use crate::accounts::Principal;

/// Added to the notice of a case's closing: the applicant's page holds the survey
/// (`/cases/{id}/survey`), and the link on it asks them to sign in.
pub(crate) const SURVEY_INVITATION: &str =
    " — لطفاً در صفحهٔ این پرونده در سامانه به نظرسنجی رضایت از خدمت پاسخ دهید.";

impl Cases {
    /// Refuses an action its definition limits (`times`, `within_days`) once the case has
    /// spent it or let it lapse, read from the case's history.
    async fn check_limits(
        &self,
        case: &CaseRecord,
        action: &daftar_core::workflow::Action,
    ) -> Result<(), CaseError> {
        if action.times.is_none() && action.within_days.is_none() {
            return Ok(());
        }
        let history = self.store.case_history(case.id).await?;
        let taken_before = history.iter().filter(|row| row.action == action.id).count();
        let entered = history
            .iter()
            .rev()
            .find(|row| row.from_state.as_deref() != Some(row.to_state.as_str()))
            .map_or(case.created_at, |row| row.at);
        let days_in_state = Timestamp::now().duration_since(entered).as_secs() / 86_400;
        match action.limit_refusal(
            u32::try_from(taken_before).unwrap_or(u32::MAX),
            days_in_state,
        ) {
            Some(code) => Err(CaseError::Invalid(code)),
            None => Ok(()),
        }
    }

    /// Takes an action on a case.
    pub async fn act(
        &self,
        who: &Principal,
        id: CaseId,
        request: &ActionRequest,
    ) -> Result<CaseRecord, CaseError> {
        let case = self.load(id).await?;
        let standing = self.standing(who, &case)?;
        // Acting on a case that moved since the actor saw it is refused as such, whether the
        // change is seen here or by the store's compare-and-set.
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let service = self.service_of(&case.service_id)?;
        let owner_unit = owner_unit(service, &case);
        let definition = self.definition_of(&case)?;
        let position = position_of(&case)?;
        let decision = match request.decision.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(slug) => Some(Decision::parse(slug).ok_or(CaseError::Invalid("case.decision"))?),
        };
        let held = self.store.documents_of_case(id).await?;
        let (actor, history_actor, uploaded_by) = match (&standing, who) {
            (Standing::Staff(roles), Principal::Staff(account)) => (
                WorkflowActor::Staff(roles),
                Actor::Staff {
                    id: account.id,
                    name: account.display_name.clone(),
                },
                format!("staff:{}", account.username),
            ),
            _ => (
                WorkflowActor::Applicant,
                Actor::Applicant,
                "applicant".to_owned(),
            ),
        };
        let fields: Vec<&str> = request
            .fields
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, _)| name.as_str())
            .collect();
        let documents: Vec<&str> = held
            .iter()
            .map(|d| d.kind.as_str())
            .chain(request.uploads.iter().map(|u| u.kind.as_str()))
            .collect();
        let comment = request
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let needed = definition
            .action(&request.action)
            .map(|action| action.needs.clone())
            .unwrap_or_default();
        let work = self.work_done(&case, &needed).await?;
        if let Some(action) = definition.action(&request.action) {
            self.check_limits(&case, action).await?;
        }
        let step = definition
            .decide(
                owner_unit,
                &position,
                actor,
                &Attempt {
                    action: &request.action,
                    fields,
                    documents,
                    comment,
                    decision,
                    work,
                },
            )
            .map_err(|refusal| (&case, refusal));
        let step = match step {
            Ok(step) => step,
            Err((case, refusal)) => return Err(self.refused(case, refusal).await),
        };
        // Every check before the first file is written: a refusal leaves nothing behind.
        let (action, state) = definition
            .action(&request.action)
            .zip(definition.state(&step.from))
            .ok_or_else(|| anyhow::anyhow!("the engine decided an action it does not define"))?;
        let editor = match standing {
            Standing::Applicant => Editor::Applicant,
            Standing::Staff(_) => Editor::Staff,
        };
        let (answers, changes) = apply_fields(
            action,
            state,
            &service.form,
            editor,
            &fields_of(&case),
            &request.fields,
        )
        .map_err(|error| CaseError::InvalidField {
            code: error.code,
            field: error.field,
        })?;
        // Checked whenever they are sent, changed or not: a date kept from an earlier
        // round is checked against this one.
        let sent = |field: &str| {
            request
                .fields
                .get(field)
                .is_some_and(|v| !v.trim().is_empty())
        };
        if let (Some(store), Some(served)) = (&self.work, answers.get("served_date"))
            && sent("served_date")
        {
            crate::violation::check_served(&**store, id, served).await?;
        }
        if let (Some(store), Some((schedule, _)), Some(session)) =
            (&self.work, &self.fines, answers.get("session_date"))
            && sent("session_date")
        {
            crate::violation::check_session(&**store, schedule, id, session).await?;
        }
        // Documents come with a resubmission or an action that takes them (a defence).
        let takes_documents =
            action.kind == daftar_core::workflow::ActionKind::Resubmit || action.takes_uploads;
        if !request.uploads.is_empty() && !takes_documents {
            return Err(CaseError::Invalid("case.no_documents_for_action"));
        }
        let applicant = matches!(editor, Editor::Applicant)
            .then_some(case.applicant.as_ref())
            .flatten();
        self.check_document_limits(Some(id), applicant, request.uploads.len())
            .await?;
        let current_tasks = self.store.case_tasks(id).await?;
        let assignee = if step.kind == daftar_core::workflow::ActionKind::Assign {
            match self
                .assignee(&case, &current_tasks, request.assignee.as_deref())
                .await
            {
                Ok(assignee) => Some(assignee),
                Err(error) => {
                    return Err(self
                        .unless_changed(id, request.expected_version, error)
                        .await);
                }
            }
        } else {
            None
        };
        let bills = self.effect_bills(&case, &action.effects).await?;
        let issuer = match (&standing, who) {
            (Standing::Staff(roles), Principal::Staff(account)) => action
                .by
                .iter()
                .filter_map(|by| match by {
                    daftar_core::workflow::ActorRef::Role(role) => Some(role.resolve(owner_unit)),
                    daftar_core::workflow::ActorRef::Applicant => None,
                })
                .find(|role| roles.contains(role))
                .map(|role| (account.id, role)),
            _ => None,
        };
        let issued = self
            .effect_documents(&case, &answers, &action.effects, issuer)
            .await?;
        let stored = self
            .store_uploads(service, &request.uploads, &uploaded_by)
            .await?;
        let now = Timestamp::now();
        let today = JalaliDate::from_timestamp(now);
        let due = if step.changes_state() {
            definition
                .due_date(&step.position, today, &self.holidays)
                .unwrap_or(today)
        } else {
            case.sla_due.unwrap_or(today)
        };
        let mut tasks = tasks_for(definition, owner_unit, &step.position, due);
        if let Some(assignee) = assignee {
            for task in &mut tasks {
                task.assignee = Some(assignee);
            }
        } else if !step.changes_state() {
            // A branch decided and the others still wait: they keep their marks.
            for task in &mut tasks {
                task.assignee = current_tasks
                    .iter()
                    .find(|t| t.role == task.role)
                    .and_then(|t| t.assignee);
            }
        }
        let next_state = definition.state(&step.position.state);
        let notifications = if step.changes_state() {
            let mut text = status_notice(
                &case.tracking_code,
                next_state.map(|s| s.name.fa.as_str()).unwrap_or_default(),
            );
            if step.outcome.is_some() {
                // The satisfaction survey's invitation rides on the closing notice: one SMS.
                text.push_str(SURVEY_INVITATION);
            }
            // An anonymous submission has no one to tell: its page by tracking code says it.
            case.applicant
                .iter()
                .map(|applicant| NewNotification {
                    to: Recipient::Citizen(applicant.clone()),
                    text: text.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut action_name = request.action.clone();
        if let (Some(branch), Some(decision)) = (&step.branch, decision) {
            action_name = format!("{action_name}:{branch}:{}", decision.slug());
        }
        let transition = Transition {
            case: id,
            expected_version: request.expected_version,
            state: step.position.state.clone(),
            position_json: serde_json::to_string(&step.position).map_err(anyhow::Error::from)?,
            fields_json: if changes.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&answers).map_err(anyhow::Error::from)?)
            },
            sla_due: step.outcome.is_none().then_some(due),
            closed: step.outcome.is_some(),
            tasks,
            history: NewHistory {
                actor: history_actor,
                action: action_name,
                from_state: Some(step.from.clone()),
                to_state: step.position.state.clone(),
                comment: comment.map(str::to_owned),
                changes: if changes.is_empty() {
                    None
                } else {
                    Some(serde_json::to_string(&changes).map_err(anyhow::Error::from)?)
                },
            },
            previous_history_hash: case.history_hash.clone(),
            notifications,
            documents: stored.documents,
            bills,
            cancel_unpaid_bills: action
                .effects
                .contains(&daftar_core::workflow::Effect::CancelFineBills),
            cancel_any_unpaid_bills: action
                .effects
                .contains(&daftar_core::workflow::Effect::CancelFeeBills),
            issued,
        };
        if let Err(error) = self.store.apply_transition(&transition, now).await {
            self.discard_later(&stored.created);
            return Err(stale(error));
        }
        self.load(id).await
    }

    /// A refusal as the actor is told it: a late objection or defence names the day its
    /// period ended.
    async fn refused(
        &self,
        case: &CaseRecord,
        refusal: daftar_core::workflow::Refusal,
    ) -> CaseError {
        use daftar_core::workflow::{Refusal, Work};
        let late = |code: &'static str, last: Option<JalaliDate>| match last {
            Some(last) => CaseError::InvalidField {
                code,
                field: last.to_string(),
            },
            None => CaseError::Refused(refusal.clone()),
        };
        match (&refusal, &self.fines) {
            (Refusal::MissingWork(Work::ObjectionOpen), Some((schedule, _))) => late(
                "violation.objection_late",
                crate::violation::objection_deadline(schedule, case),
            ),
            (Refusal::MissingWork(Work::DefenceOpen), Some((schedule, _))) => {
                match self.store.case_history(case.id).await {
                    Ok(history) => late(
                        "violation.defence_late",
                        crate::violation::defence_deadline(schedule, &history),
                    ),
                    Err(error) => error.into(),
                }
            }
            (Refusal::MissingWork(Work::ChecklistDone), _) => {
                match self.open_checklist_items(case).await {
                    Ok(open) => CaseError::InvalidField {
                        code: "case.checklist_open",
                        field: open
                            .iter()
                            .map(|item| item.name.fa.as_str())
                            .collect::<Vec<_>>()
                            .join("، "),
                    },
                    Err(error) => error,
                }
            }
            _ => CaseError::Refused(refusal),
        }
    }

    /// `refusal`, unless the case moved on from `expected_version`. A case's tasks are read
    /// after the case: a colleague's action committed in between shows as tasks that are
    /// not the user's, which is a changed case (409), not a refusal.
    async fn unless_changed(
        &self,
        id: CaseId,
        expected_version: i64,
        refusal: CaseError,
    ) -> CaseError {
        match self.load(id).await {
            Ok(case) if case.version != expected_version => CaseError::Changed,
            Ok(_) => refusal,
            Err(error) => error,
        }
    }

    /// The colleague a case is marked to: someone holding one of its open tasks' roles in
    /// the case's office.
    async fn assignee(
        &self,
        case: &CaseRecord,
        tasks: &[TaskRecord],
        username: Option<&str>,
    ) -> Result<daftar_store::StaffId, CaseError> {
        let username = username
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .ok_or(CaseError::Invalid("case.assignee"))?;
        let account = self
            .accounts
            .staff_by_username(username)
            .await?
            .filter(|a| a.active)
            .ok_or(CaseError::Invalid("case.assignee"))?;
        let holds = roles_in(&account, &case.office)
            .iter()
            .any(|role| tasks.iter().any(|t| t.role == *role));
        if super::names_staff(case, account.id) {
            return Err(CaseError::Invalid("complaint.assign_named"));
        }
        if holds {
            Ok(account.id)
        } else {
            Err(CaseError::Invalid("case.assignee"))
        }
    }

    /// Marks a case's open tasks of the user's roles to a colleague holding the same role
    /// (or to the user: claiming it). The state does not change.
    pub async fn mark_to(
        &self,
        who: &Principal,
        id: CaseId,
        expected_version: i64,
        username: &str,
    ) -> Result<CaseRecord, CaseError> {
        let case = self.load(id).await?;
        let Standing::Staff(roles) = self.standing(who, &case)? else {
            return Err(CaseError::NotAllowed("auth.staff_only"));
        };
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("auth.staff_only"));
        };
        if case.version != expected_version {
            return Err(CaseError::Changed);
        }
        let tasks = self.store.case_tasks(id).await?;
        if !tasks.iter().any(|t| roles.contains(&t.role)) {
            return Err(self
                .unless_changed(
                    id,
                    expected_version,
                    CaseError::NotAllowed("case.not_yours"),
                )
                .await);
        }
        let colleague = self
            .accounts
            .staff_by_username(username.trim())
            .await?
            .filter(|a| a.active)
            .ok_or(CaseError::Invalid("case.assignee"))?;
        if super::names_staff(&case, colleague.id) {
            return Err(CaseError::Invalid("complaint.assign_named"));
        }
        let colleague_roles = roles_in(&colleague, &case.office);
        let mut marked = false;
        let new_tasks: Vec<NewTask> = tasks
            .iter()
            .map(|task| {
                let ours = roles.contains(&task.role) && colleague_roles.contains(&task.role);
                marked |= ours;
                NewTask {
                    role: task.role,
                    state: task.state.clone(),
                    sla_due: task.sla_due,
                    assignee: if ours {
                        Some(colleague.id)
                    } else {
                        task.assignee
                    },
                }
            })
            .collect();
        if !marked {
            return Err(CaseError::Invalid("case.assignee"));
        }
        let action = if colleague.id == account.id {
            "claim"
        } else {
            "assign"
        };
        let transition = Transition {
            case: id,
            expected_version,
            state: case.state.clone(),
            position_json: case.position_json.clone(),
            fields_json: None,
            sla_due: case.sla_due,
            closed: false,
            tasks: new_tasks,
            history: NewHistory {
                actor: Actor::Staff {
                    id: account.id,
                    name: account.display_name.clone(),
                },
                action: action.into(),
                from_state: Some(case.state.clone()),
                to_state: case.state.clone(),
                comment: (action == "assign").then(|| colleague.display_name.clone()),
                changes: None,
            },
            previous_history_hash: case.history_hash.clone(),
            notifications: Vec::new(),
            documents: Vec::new(),
            bills: Vec::new(),
            cancel_unpaid_bills: false,
            cancel_any_unpaid_bills: false,
            issued: Vec::new(),
        };
        self.store
            .apply_transition(&transition, Timestamp::now())
            .await
            .map_err(stale)?;
        self.load(id).await
    }
}
