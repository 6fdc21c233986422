//! Seeing a case: what its applicant, or staff of its office, may see of it and do with
//! it; what anyone holding its tracking code may know; and an applicant's own cases.

use std::collections::BTreeMap;

use daftar_core::calendar::JalaliDate;
use daftar_core::cases::TrackingCode;
use daftar_core::roles::Role;
use daftar_core::text::Text;
use daftar_core::workflow::{Definition, WorkflowActor};
use daftar_store::{CaseId, CaseRecord, DocumentRecord, HistoryRecord, StaffSummary, TaskRecord};
use jiff::Timestamp;

use super::{CaseError, Cases, Standing, fields_of, owner_unit, position_of};
use crate::accounts::Principal;

/// An applicant's list shows this many of their newest cases.
pub const MY_CASES: i64 = 200;

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
    pub service_title: Text,
    pub state_name: Text,
    pub fields: BTreeMap<String, String>,
    pub history: Vec<HistoryRecord>,
    pub tasks: Vec<TaskRecord>,
    /// Empty when the user may not see them.
    pub documents: Vec<DocumentRecord>,
    /// The actions this user may take now.
    pub actions: Vec<AvailableAction>,
    /// Whom an assignment may mark the case to: the members of the roles its open tasks
    /// wait on, in its office. Empty unless the user may assign it.
    pub colleagues: Vec<StaffSummary>,
    /// When the case is expected to be done: its opening plus the service's average time
    /// in working days. `None` for an instant service.
    pub expected: Option<JalaliDate>,
    /// The required documents of the service with no version uploaded yet, by id.
    pub missing_documents: Vec<String>,
    /// The signed documents the office issued for the case (a certificate), oldest first.
    pub issued: Vec<crate::issued::CaseDocument>,
    /// Each time one of them was downloaded or opened to print, oldest first.
    pub deliveries: Vec<daftar_store::StoredDelivery>,
    /// The checklist of the case's state, and what was ticked before (staff only).
    pub checklist: Vec<super::checklist::ChecklistRow>,
    /// The case's own bills: a ruling's fines, a permit's fees.
    pub bills: Vec<daftar_store::BillView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableAction {
    pub id: String,
    pub name: Text,
    pub kind: daftar_core::workflow::ActionKind,
    pub fields: Vec<String>,
    pub comment_required: bool,
    /// Documents may be sent with it (a resubmission always, else `uploads = true`).
    pub takes_documents: bool,
}

/// What anyone holding a tracking code may know: the status and the dates.
#[derive(Debug, Clone)]
pub struct PublicStatus {
    pub tracking_code: String,
    /// The service the case is for: public, as the catalog is.
    pub service_title: Text,
    pub state_name: Text,
    pub closed: bool,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    pub due: Option<JalaliDate>,
    /// The office's answer to an anonymous complaint or suggestion: its code is all its
    /// sender holds (long numbers and emails hidden, as Open311 shows it).
    pub answer: Option<String>,
}

impl Cases {
    /// A case as this user may see it: 404 for another applicant's and for staff whose
    /// role has no part in it (need to know), 403 for staff of another office.
    pub async fn view(&self, who: &Principal, id: CaseId) -> Result<CaseView, CaseError> {
        self.seen_by(who, id, true).await
    }

    /// The case as `who` may see it; a staff member's read is recorded when `record`
    /// (not when the view only checks access, to a document say, which records its own).
    pub(crate) async fn seen_by(
        &self,
        who: &Principal,
        id: CaseId,
        record: bool,
    ) -> Result<CaseView, CaseError> {
        let case = self.load(id).await?;
        let standing = self.standing(who, &case)?;
        let service = self.service_of(&case.service_id)?;
        let definition = self.definition_of(&case)?;
        let position = position_of(&case)?;
        let actor = match &standing {
            Standing::Applicant => WorkflowActor::Applicant,
            Standing::Staff(roles) => WorkflowActor::Staff(roles),
        };
        let actions: Vec<AvailableAction> = definition
            .available(owner_unit(service, &case), &position, actor)
            .into_iter()
            .map(|action| AvailableAction {
                id: action.id.clone(),
                name: action.name.clone(),
                kind: action.kind,
                fields: action.fields.clone(),
                comment_required: action.comment_required,
                takes_documents: action.kind == daftar_core::workflow::ActionKind::Resubmit
                    || action.takes_uploads,
            })
            .collect();
        let sees_documents = match &standing {
            Standing::Applicant => true,
            Standing::Staff(roles) => {
                may_see_documents(definition, owner_unit(service, &case), roles)
            }
        };
        let documents = if sees_documents {
            self.store.documents_of_case(id).await?
        } else {
            Vec::new()
        };
        // Every read by staff is on the record, for internal inspection.
        if let (true, Principal::Staff(account)) = (record, who) {
            self.store
                .record_staff_read(id, account.id, None, Timestamp::now())
                .await?;
        }
        let tasks = self.store.case_tasks(id).await?;
        let mut colleagues = Vec::new();
        let may_assign = actions
            .iter()
            .any(|a| a.kind == daftar_core::workflow::ActionKind::Assign);
        if may_assign && let Standing::Staff(roles) = &standing {
            for role in tasks.iter().map(|t| t.role).filter(|r| roles.contains(r)) {
                for member in self.accounts.staff_in_role(&case.office, role).await? {
                    if !colleagues.iter().any(|c: &StaffSummary| c.id == member.id)
                        && !super::names_staff(&case, member.id)
                    {
                        colleagues.push(member);
                    }
                }
            }
        }
        let expected = service.average_time.working_days().map(|days| {
            self.holidays
                .add_working_days(JalaliDate::from_timestamp(case.created_at), u32::from(days))
        });
        let missing_documents = if sees_documents {
            service
                .form
                .documents
                .iter()
                .filter(|d| d.required && !documents.iter().any(|held| held.kind == d.id))
                .map(|d| d.id.clone())
                .collect()
        } else {
            Vec::new()
        };
        let (issued, deliveries) = match &self.issuing {
            Some(issuing) => {
                let issued = issuing.of_case(id, who).await?;
                let deliveries = if issued.is_empty() {
                    Vec::new()
                } else {
                    issuing.deliveries_of_case(id).await?
                };
                (issued, deliveries)
            }
            None => (Vec::new(), Vec::new()),
        };
        let checklist = match &standing {
            Standing::Staff(_) => self.checklist_of(&case).await?,
            Standing::Applicant => Vec::new(),
        };
        let bills = match &self.work {
            Some(store) => store.fine_bills(id).await?,
            None => Vec::new(),
        };
        Ok(CaseView {
            bills,
            checklist,
            issued,
            deliveries,
            history: visible_history(self.store.case_history(id).await?, &standing),
            tasks,
            colleagues,
            expected,
            missing_documents,
            fields: visible_fields(&case, &standing),
            service_title: service.title.clone(),
            state_name: self.state_name(&case.workflow_id, case.workflow_version, &position.state),
            case,
            standing,
            documents,
            actions,
        })
    }

    /// What anyone holding a tracking code may know.
    pub async fn public_status(
        &self,
        code: &str,
        from: crate::replica::ReadFrom,
    ) -> Result<PublicStatus, CaseError> {
        let code = &TrackingCode::parse(code)
            .map_err(|error| CaseError::Invalid(TrackingCode::error_code(error)))?;
        let case = self
            .reads
            .read(from, |store| async move {
                store.case_by_tracking_code(code.as_str()).await
            })
            .await?
            .ok_or(CaseError::NotFound)?;
        self.definition_of(&case)?;
        Ok(PublicStatus {
            service_title: self.service_of(&case.service_id)?.title.clone(),
            tracking_code: case.tracking_code.clone(),
            state_name: self.state_name(&case.workflow_id, case.workflow_version, &case.state),
            closed: case.closed_at.is_some(),
            opened_at: case.created_at,
            updated_at: case.updated_at,
            due: case.sla_due,
            answer: (case.applicant.is_none()
                && case.workflow_id == daftar_core::complaint::WORKFLOW)
                .then(|| fields_of(&case).get("answer").cloned())
                .flatten()
                .map(|answer| daftar_core::complaint::without_long_numbers(&answer)),
        })
    }

    /// Whether a case waits on its applicant: open, and its workflow offers the applicant
    /// a resubmission (it was returned to them to correct).
    pub fn waits_on_applicant(&self, case: &CaseRecord) -> bool {
        let (Ok(service), Ok(definition), Ok(position)) = (
            self.service_of(&case.service_id),
            self.definition_of(case),
            position_of(case),
        ) else {
            return false;
        };
        case.closed_at.is_none()
            && definition
                .available(
                    owner_unit(service, case),
                    &position,
                    WorkflowActor::Applicant,
                )
                .iter()
                .any(|action| action.kind == daftar_core::workflow::ActionKind::Resubmit)
    }

    /// An applicant's own cases, newest first.
    pub async fn my_cases(&self, who: &Principal) -> Result<Vec<CaseRecord>, CaseError> {
        let Principal::Citizen {
            national_id,
            acting_for,
            ..
        } = who
        else {
            return Err(CaseError::NotAllowed("case.applicants_only"));
        };
        Ok(self
            .store
            .cases_of_applicant(national_id, acting_for.as_ref(), MY_CASES)
            .await?)
    }
}

/// A case's answers as this user may see them: the applicant does not see another
/// person's national ID that staff recorded on it (a representative's, say); staff see all.
fn visible_fields(case: &CaseRecord, standing: &Standing) -> BTreeMap<String, String> {
    let mut fields = fields_of(case);
    // Only the rule that keeps a complaint from the staff member it names reads it.
    fields.remove(super::NAMED_STAFF_ID);
    if matches!(standing, Standing::Applicant) {
        fields.retain(|name, _| name == "applicant_national_id" || !name.ends_with("_national_id"));
    }
    fields
}

/// The history as this user may see it: the same rule as [`visible_fields`] for the values
/// an action changed.
fn visible_history(mut history: Vec<HistoryRecord>, standing: &Standing) -> Vec<HistoryRecord> {
    if matches!(standing, Standing::Applicant) {
        for row in &mut history {
            let Some(changes) = &row.changes else {
                continue;
            };
            let Ok(mut list) = serde_json::from_str::<Vec<serde_json::Value>>(changes) else {
                continue;
            };
            list.retain(|change| {
                change["field"].as_str().is_none_or(|name| {
                    name == "applicant_national_id" || !name.ends_with("_national_id")
                })
            });
            row.changes = serde_json::to_string(&list).ok();
        }
    }
    history
}
