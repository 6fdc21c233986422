//! The case use cases behind both the pages and the API: applying for a service,
//! acting on a case, seeing it, following it by its tracking code, and the work queues.
//!
//! Each parses its input into domain types, lets the workflow engine decide, and makes
//! one store call that writes everything the action changes in one transaction.

use std::collections::BTreeMap;

use daftar_core::calendar::JalaliDate;
use daftar_core::cases::{TrackingCode, check_upload};
use daftar_core::catalog::Service;
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::workflow::{Attempt, Decision, Definition, Position, Refusal, WorkflowActor};
use daftar_store::{
    Actor, CaseId, CaseRecord, DocumentRecord, HistoryRecord, NewCase, NewDocument, NewHistory,
    NewNotification, NewTask, QueuePage, QueueQuery, Recipient, StaffAccount, StoreError,
    TaskRecord, Transition,
};
use jiff::Timestamp;

use crate::app::AppState;
use crate::auth::{CurrentUser, Principal};
use crate::error::AppError;

/// A file as it arrives from a form or the API.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The document's kind: a required document's id in the form.
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An application for a service.
#[derive(Debug, Clone, Default)]
pub struct Application {
    pub service_id: String,
    pub answers: BTreeMap<String, String>,
    pub uploads: Vec<Upload>,
}

/// An action on a case, as the actor saw the case (`expected_version`).
#[derive(Debug, Clone, Default)]
pub struct ActionRequest {
    pub action: String,
    pub expected_version: i64,
    pub fields: BTreeMap<String, String>,
    pub comment: Option<String>,
    pub decision: Option<String>,
    /// For an assignment: the colleague's username.
    pub assignee: Option<String>,
    pub uploads: Vec<Upload>,
}

fn refusal(error: Refusal) -> AppError {
    let code = error.code();
    match error {
        Refusal::NotYours => AppError::Forbidden(code),
        Refusal::Closed | Refusal::NotNow | Refusal::AlreadyDecided => AppError::Conflict(code),
        Refusal::MissingField(field) | Refusal::MissingDocument(field) => {
            AppError::InvalidField { code, field }
        }
        Refusal::UnknownAction | Refusal::DecisionRequired | Refusal::CommentRequired => {
            AppError::Invalid(code)
        }
    }
}

fn stale(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict("case.changed"),
        error => error.into(),
    }
}

/// The service a case is for, and the workflow version it follows.
fn service_of<'s>(state: &'s AppState, service_id: &str) -> Result<&'s Service, AppError> {
    state.catalog.get(service_id).ok_or(AppError::NotFound)
}

fn definition_of<'s>(state: &'s AppState, case: &CaseRecord) -> Result<&'s Definition, AppError> {
    state
        .workflows
        .get(&case.workflow_id, case.workflow_version)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "case {} follows {} version {}, which is not loaded",
                case.id.0,
                case.workflow_id,
                case.workflow_version
            )
            .into()
        })
}

fn position_of(case: &CaseRecord) -> Result<Position, AppError> {
    serde_json::from_str(&case.position_json)
        .map_err(|e| anyhow::anyhow!("case {} has an unreadable position: {e}", case.id.0).into())
}

fn fields_of(case: &CaseRecord) -> BTreeMap<String, String> {
    serde_json::from_str(&case.fields_json).unwrap_or_default()
}

/// Checks uploads and stores their files; the records are written by the caller's
/// transaction.
async fn store_uploads(
    state: &AppState,
    service: &Service,
    uploads: &[Upload],
    uploaded_by: &str,
) -> Result<Vec<NewDocument>, AppError> {
    let mut documents = Vec::new();
    for upload in uploads {
        if !service.form.documents.iter().any(|d| d.id == upload.kind) {
            return Err(AppError::InvalidField {
                code: "document.kind",
                field: upload.kind.clone(),
            });
        }
        let kind = check_upload(&upload.bytes).map_err(|error| AppError::InvalidField {
            code: error.code(),
            field: upload.kind.clone(),
        })?;
        let stored = state.files.put(&upload.bytes).await?;
        let file_name: String = upload
            .file_name
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
            .take(200)
            .collect();
        documents.push(NewDocument {
            kind: upload.kind.clone(),
            file_name: if file_name.is_empty() {
                format!("{}.{}", upload.kind, kind.extension())
            } else {
                file_name
            },
            content_type: kind.content_type().to_owned(),
            size_bytes: upload.bytes.len() as u64,
            sha256: stored.sha256,
            storage_key: stored.storage_key,
            uploaded_by: uploaded_by.to_owned(),
        });
    }
    Ok(documents)
}

/// The office a new case goes to: the one of the property's district, else the first.
async fn office_for(state: &AppState, district: Option<u16>) -> Result<OfficeCode, AppError> {
    let offices = state.store.offices().await?;
    let chosen = offices
        .iter()
        .find(|office| district.is_some_and(|d| office.district == i64::from(d)))
        .or_else(|| offices.first())
        .ok_or_else(|| anyhow::anyhow!("no office is set up"))?;
    Ok(chosen.code.clone())
}

fn tasks_for(
    definition: &Definition,
    owner: Role,
    position: &Position,
    due: JalaliDate,
) -> Vec<NewTask> {
    definition
        .tasks(owner, position)
        .into_iter()
        .map(|task| NewTask {
            role: task.role,
            state: position.state.clone(),
            sla_due: due,
            assignee: None,
        })
        .collect()
}

fn status_notice(code: &str, state_name: &str) -> String {
    daftar_core::fa::to_persian_digits(&format!(
        "دفتر خدمات الکترونیک شهر: وضعیت پرونده {code}: {state_name}"
    ))
}

/// Opens a case for a signed-in applicant.
pub async fn apply(
    state: &AppState,
    user: &CurrentUser,
    application: &Application,
) -> Result<CaseRecord, AppError> {
    let Principal::Citizen {
        national_id,
        acting_for,
    } = &user.principal
    else {
        return Err(AppError::Forbidden("case.applicants_only"));
    };
    let service = service_of(state, &application.service_id)?;
    let workflow = service
        .workflow
        .as_deref()
        .ok_or(AppError::Invalid("service.instant"))?;
    let definition = state
        .workflows
        .latest(workflow)
        .ok_or_else(|| anyhow::anyhow!("workflow {workflow} is not loaded"))?;
    let answers = service
        .form
        .check_answers(&application.answers)
        .map_err(|error| AppError::InvalidField {
            code: error.code,
            field: error.field,
        })?;
    for required in service.form.documents.iter().filter(|d| d.required) {
        if !application.uploads.iter().any(|u| u.kind == required.id) {
            return Err(AppError::InvalidField {
                code: "document.required",
                field: required.id.clone(),
            });
        }
    }
    let documents = store_uploads(state, service, &application.uploads, "applicant").await?;
    let district = answers.get("district").and_then(|d| d.parse::<u16>().ok());
    let office = office_for(state, district).await?;
    let now = Timestamp::now();
    let today = JalaliDate::from_timestamp(now);
    let position = definition.start_position();
    let due = definition
        .due_date(&position, today, &state.holidays)
        .unwrap_or(today);
    let tracking_code = TrackingCode::from_random(rand::random::<u64>());
    let first_state = definition
        .state(&position.state)
        .map(|s| s.name_fa.clone())
        .unwrap_or_default();
    let case = NewCase {
        tracking_code: tracking_code.to_string(),
        service_id: service.identifier.clone(),
        workflow_id: definition.id.clone(),
        workflow_version: definition.version,
        applicant: national_id.clone(),
        acting_for: acting_for.clone(),
        office,
        district,
        state: position.state.clone(),
        position_json: serde_json::to_string(&position).map_err(anyhow::Error::from)?,
        fields_json: serde_json::to_string(&answers).map_err(anyhow::Error::from)?,
        sla_due: Some(due),
    };
    let history = NewHistory {
        actor: Actor::Applicant,
        action: "apply".into(),
        from_state: None,
        to_state: position.state.clone(),
        comment: None,
    };
    let notice = NewNotification {
        to: Recipient::Citizen(national_id.clone()),
        text: status_notice(tracking_code.as_str(), &first_state),
    };
    let tasks = tasks_for(definition, service.owner_unit, &position, due);
    let id = state
        .store
        .open_case(&case, &tasks, &history, &[notice], &documents, now)
        .await?;
    load(state, id).await
}

async fn load(state: &AppState, id: CaseId) -> Result<CaseRecord, AppError> {
    state.store.case(id).await?.ok_or(AppError::NotFound)
}

/// How a user stands to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Applicant,
    /// Staff of the case's office, with the roles they hold there.
    Staff(Vec<Role>),
}

fn standing(user: &CurrentUser, case: &CaseRecord) -> Result<Standing, AppError> {
    match &user.principal {
        Principal::Citizen {
            national_id,
            acting_for,
        } if *national_id == case.applicant && *acting_for == case.acting_for => {
            Ok(Standing::Applicant)
        }
        Principal::Citizen { .. } => Err(AppError::NotFound),
        Principal::Staff(account) => {
            let roles = roles_in(account, &case.office);
            if roles.is_empty() {
                Err(AppError::Forbidden("auth.forbidden"))
            } else {
                Ok(Standing::Staff(roles))
            }
        }
    }
}

fn roles_in(account: &StaffAccount, office: &OfficeCode) -> Vec<Role> {
    account
        .roles
        .iter()
        .filter(|(held_in, _)| held_in == office)
        .map(|(_, role)| *role)
        .collect()
}

/// Whether staff with `roles` may act on some state of the workflow: those see the
/// documents, with the office's head, manager and follow-up unit.
fn may_see_documents(definition: &Definition, owner: Role, roles: &[Role]) -> bool {
    use daftar_core::workflow::Owner;
    let overseers = [Role::OfficeHead, Role::OfficeManager, Role::FollowUp];
    roles.iter().any(|role| overseers.contains(role))
        || definition.states.values().any(|state| match &state.owner {
            Owner::Role(role) => roles.contains(&role.resolve(owner)),
            Owner::Parallel { branches, .. } => branches
                .iter()
                .any(|b| roles.contains(&b.role.resolve(owner))),
            Owner::Applicant | Owner::Nobody(_) => false,
        })
}

/// Everything a case page or the API shows a user about a case.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseRecord,
    pub standing: Standing,
    pub service_title_fa: String,
    pub service_title_en: String,
    pub state_name_fa: String,
    pub state_name_en: String,
    pub fields: BTreeMap<String, String>,
    pub history: Vec<HistoryRecord>,
    pub tasks: Vec<TaskRecord>,
    /// Empty when the user may not see them.
    pub documents: Vec<DocumentRecord>,
    /// The actions this user may take now: (id, Persian name, English name, kind).
    pub actions: Vec<AvailableAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableAction {
    pub id: String,
    pub name_fa: String,
    pub name_en: String,
    pub kind: daftar_core::workflow::ActionKind,
    pub fields: Vec<String>,
    pub comment_required: bool,
}

/// A case as this user may see it: 404 for another applicant's, 403 for staff of
/// another office.
pub async fn view(state: &AppState, user: &CurrentUser, id: CaseId) -> Result<CaseView, AppError> {
    let case = load(state, id).await?;
    let standing = standing(user, &case)?;
    let service = service_of(state, &case.service_id)?;
    let definition = definition_of(state, &case)?;
    let position = position_of(&case)?;
    let current = definition.state(&position.state);
    let actor = match &standing {
        Standing::Applicant => WorkflowActor::Applicant,
        Standing::Staff(roles) => WorkflowActor::Staff(roles),
    };
    let actions = definition
        .available(service.owner_unit, &position, actor)
        .into_iter()
        .map(|action| AvailableAction {
            id: action.id.clone(),
            name_fa: action.name_fa.clone(),
            name_en: action.name_en.clone(),
            kind: action.kind,
            fields: action.fields.clone(),
            comment_required: action.comment_required,
        })
        .collect();
    let sees_documents = match &standing {
        Standing::Applicant => true,
        Standing::Staff(roles) => may_see_documents(definition, service.owner_unit, roles),
    };
    let documents = if sees_documents {
        state.store.documents_of_case(id).await?
    } else {
        Vec::new()
    };
    Ok(CaseView {
        history: state.store.case_history(id).await?,
        tasks: state.store.case_tasks(id).await?,
        fields: fields_of(&case),
        service_title_fa: service.title.fa.clone(),
        service_title_en: service.title.en.clone(),
        state_name_fa: current.map(|s| s.name_fa.clone()).unwrap_or_default(),
        state_name_en: current.map(|s| s.name_en.clone()).unwrap_or_default(),
        case,
        standing,
        documents,
        actions,
    })
}

/// Takes an action on a case.
pub async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    request: &ActionRequest,
) -> Result<CaseRecord, AppError> {
    let case = load(state, id).await?;
    let standing = standing(user, &case)?;
    // Acting on a case that moved since the actor saw it is refused as such, whether the
    // change is seen here or by the store's compare-and-set.
    if case.version != request.expected_version {
        return Err(AppError::Conflict("case.changed"));
    }
    let service = service_of(state, &case.service_id)?;
    let definition = definition_of(state, &case)?;
    let position = position_of(&case)?;
    let decision = match request.decision.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(slug) => Some(Decision::parse(slug).ok_or(AppError::Invalid("case.decision"))?),
    };
    let held = state.store.documents_of_case(id).await?;
    let (actor, history_actor, uploaded_by) = match (&standing, &user.principal) {
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
    let step = definition
        .decide(
            service.owner_unit,
            &position,
            actor,
            &Attempt {
                action: &request.action,
                fields,
                documents,
                comment,
                decision,
            },
        )
        .map_err(refusal)?;
    let uploads = store_uploads(state, service, &request.uploads, &uploaded_by).await?;
    let now = Timestamp::now();
    let today = JalaliDate::from_timestamp(now);
    let current_tasks = state.store.case_tasks(id).await?;
    let due = if step.changes_state() {
        definition
            .due_date(&step.position, today, &state.holidays)
            .unwrap_or(today)
    } else {
        case.sla_due.unwrap_or(today)
    };
    let mut tasks = tasks_for(definition, service.owner_unit, &step.position, due);
    if step.kind == daftar_core::workflow::ActionKind::Assign {
        let assignee = assignee(state, &case, &current_tasks, request.assignee.as_deref()).await?;
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
    let mut all_fields = fields_of(&case);
    for (name, value) in &request.fields {
        if !value.trim().is_empty() && name.len() <= 64 {
            let value: String = value
                .trim()
                .chars()
                .take(daftar_core::catalog::MAX_TEXT_CHARS)
                .collect();
            all_fields.insert(name.clone(), value);
        }
    }
    let next_state = definition.state(&step.position.state);
    let notifications = if step.changes_state() {
        vec![NewNotification {
            to: Recipient::Citizen(case.applicant.clone()),
            text: status_notice(
                &case.tracking_code,
                next_state.map(|s| s.name_fa.as_str()).unwrap_or_default(),
            ),
        }]
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
        fields_json: Some(serde_json::to_string(&all_fields).map_err(anyhow::Error::from)?),
        sla_due: step.outcome.is_none().then_some(due),
        closed: step.outcome.is_some(),
        tasks,
        history: NewHistory {
            actor: history_actor,
            action: action_name,
            from_state: Some(step.from.clone()),
            to_state: step.position.state.clone(),
            comment: comment.map(str::to_owned),
        },
        notifications,
        documents: uploads,
    };
    state
        .store
        .apply_transition(&transition, now)
        .await
        .map_err(stale)?;
    load(state, id).await
}

/// The colleague a case is marked to: someone holding one of its open tasks' roles in
/// the case's office.
async fn assignee(
    state: &AppState,
    case: &CaseRecord,
    tasks: &[TaskRecord],
    username: Option<&str>,
) -> Result<daftar_store::StaffId, AppError> {
    let username = username
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or(AppError::Invalid("case.assignee"))?;
    let account = state
        .store
        .staff_by_username(username)
        .await?
        .filter(|a| a.active)
        .ok_or(AppError::Invalid("case.assignee"))?;
    let holds = roles_in(&account, &case.office)
        .iter()
        .any(|role| tasks.iter().any(|t| t.role == *role));
    if holds {
        Ok(account.id)
    } else {
        Err(AppError::Invalid("case.assignee"))
    }
}

/// What anyone holding a tracking code may know: the status and the dates.
#[derive(Debug, Clone)]
pub struct PublicStatus {
    pub tracking_code: String,
    pub state_name_fa: String,
    pub state_name_en: String,
    pub closed: bool,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    pub due: Option<JalaliDate>,
}

pub async fn public_status(state: &AppState, code: &str) -> Result<PublicStatus, AppError> {
    let code = TrackingCode::parse(code)
        .map_err(|error| AppError::Invalid(TrackingCode::error_code(error)))?;
    let case = state
        .store
        .case_by_tracking_code(code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let definition = definition_of(state, &case)?;
    let current = definition.state(&case.state);
    Ok(PublicStatus {
        tracking_code: case.tracking_code.clone(),
        state_name_fa: current.map(|s| s.name_fa.clone()).unwrap_or_default(),
        state_name_en: current.map(|s| s.name_en.clone()).unwrap_or_default(),
        closed: case.closed_at.is_some(),
        opened_at: case.created_at,
        updated_at: case.updated_at,
        due: case.sla_due,
    })
}

/// An applicant's own cases, newest first.
pub async fn my_cases(state: &AppState, user: &CurrentUser) -> Result<Vec<CaseRecord>, AppError> {
    let Principal::Citizen {
        national_id,
        acting_for,
    } = &user.principal
    else {
        return Err(AppError::Forbidden("case.applicants_only"));
    };
    let cases = state.store.cases_of_applicant(national_id, 200).await?;
    Ok(cases
        .into_iter()
        .filter(|case| case.acting_for == *acting_for)
        .collect())
}

/// Filters of a work queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub service_id: Option<String>,
    pub district: Option<u16>,
    pub overdue_only: bool,
    /// Only the cases marked to the user.
    pub mine: bool,
    pub page: u32,
}

pub const QUEUE_PAGE: i64 = 50;

/// A role's work queue, for staff holding it. The follow-up unit's queue is every
/// overdue case of its offices, whoever's it is.
pub async fn queue(
    state: &AppState,
    account: &StaffAccount,
    role: Role,
    filter: &QueueFilter,
) -> Result<QueuePage, AppError> {
    if !account.has_role(role) {
        return Err(AppError::Forbidden("auth.forbidden"));
    }
    let offices: Vec<OfficeCode> = account.offices_for(role).cloned().collect();
    let follow_up = role == Role::FollowUp;
    let query = QueueQuery {
        role: (!follow_up).then_some(role),
        offices,
        assignee: filter.mine.then_some(account.id),
        service_id: filter.service_id.clone(),
        district: filter.district,
        overdue_only: filter.overdue_only || follow_up,
        limit: QUEUE_PAGE,
        offset: i64::from(filter.page) * QUEUE_PAGE,
    };
    let today = JalaliDate::from_timestamp(Timestamp::now());
    Ok(state.store.queue(&query, today).await?)
}

/// Marks a case's open tasks of the user's roles to a colleague holding the same role
/// (or to the user: claiming it). The state does not change.
pub async fn mark_to(
    state: &AppState,
    user: &CurrentUser,
    id: CaseId,
    expected_version: i64,
    username: &str,
) -> Result<CaseRecord, AppError> {
    let case = load(state, id).await?;
    let Standing::Staff(roles) = standing(user, &case)? else {
        return Err(AppError::Forbidden("auth.staff_only"));
    };
    let Principal::Staff(account) = &user.principal else {
        return Err(AppError::Forbidden("auth.staff_only"));
    };
    if case.version != expected_version {
        return Err(AppError::Conflict("case.changed"));
    }
    let tasks = state.store.case_tasks(id).await?;
    if !tasks.iter().any(|t| roles.contains(&t.role)) {
        return Err(AppError::Forbidden("case.not_yours"));
    }
    let colleague = state
        .store
        .staff_by_username(username.trim())
        .await?
        .filter(|a| a.active)
        .ok_or(AppError::Invalid("case.assignee"))?;
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
        return Err(AppError::Invalid("case.assignee"));
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
        },
        notifications: Vec::new(),
        documents: Vec::new(),
    };
    state
        .store
        .apply_transition(&transition, Timestamp::now())
        .await
        .map_err(stale)?;
    load(state, id).await
}

/// A document's bytes, for someone who may see the case's documents; the view is
/// recorded.
pub async fn open_document(
    state: &AppState,
    user: &CurrentUser,
    document_id: i64,
) -> Result<(DocumentRecord, Vec<u8>), AppError> {
    let document = state
        .store
        .document(document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seen = view(state, user, document.case).await?;
    if !seen.documents.iter().any(|d| d.id == document.id) {
        return Err(AppError::Forbidden("auth.forbidden"));
    }
    let bytes = state.files.get(&document.storage_key).await?;
    let viewer = viewer_name(user);
    state
        .store
        .record_document_view(document.id, &viewer, Timestamp::now())
        .await?;
    Ok((document, bytes))
}

fn viewer_name(user: &CurrentUser) -> String {
    match &user.principal {
        Principal::Staff(account) => format!("staff:{}", account.username),
        Principal::Citizen { .. } => "applicant".to_owned(),
    }
}

/// Records that staff who may see a case's documents approved one.
pub async fn approve_document(
    state: &AppState,
    user: &CurrentUser,
    document_id: i64,
) -> Result<(), AppError> {
    let document = state
        .store
        .document(document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seen = view(state, user, document.case).await?;
    if !matches!(seen.standing, Standing::Staff(_))
        || !seen.documents.iter().any(|d| d.id == document.id)
    {
        return Err(AppError::Forbidden("auth.forbidden"));
    }
    state
        .store
        .approve_document(document.id, &viewer_name(user), Timestamp::now())
        .await?;
    Ok(())
}
