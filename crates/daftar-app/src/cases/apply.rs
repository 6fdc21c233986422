//! Applying for a service: the answers checked against the service's form, the
//! documents stored, and the case opened with its first tasks, history and notice in one
//! transaction.

use std::collections::BTreeMap;

use daftar_core::calendar::JalaliDate;
use daftar_core::cases::TrackingCode;
use daftar_core::catalog::AnswerError;
use daftar_core::roles::OfficeCode;
use daftar_store::{
    Actor, CaseRecord, NewCase, NewHistory, NewNotification, Recipient, StoreError,
};
use jiff::Timestamp;

use super::documents::upload_problems;
use super::{Application, CaseError, Cases, status_notice, tasks_for};
use crate::accounts::Principal;
use crate::codes::CODE_DRAWS;

/// A case the office opens on a registered property for its owner
/// ([`Cases::open_for_owner`]).
#[derive(Debug)]
pub struct OwnerOpening<'a> {
    pub service_id: &'a str,
    pub district: u16,
    pub renewal_code: &'a daftar_core::property::RenewalCode,
    /// The owner the register names: the case's applicant.
    pub owner: daftar_core::ir::NationalId,
    /// Answers beyond the property (kept with the case as an application's are).
    pub answers: BTreeMap<String, String>,
    pub uploads: &'a [super::Upload],
    /// The history's name for the opening, e.g. `open_from_registry_letter`.
    pub action: &'a str,
    /// The roles that may open it, held in the office the property's district goes to;
    /// anyone else is refused with `refusal`.
    pub roles: &'a [daftar_core::roles::Role],
    pub refusal: &'static str,
    /// What the history says of it.
    pub comment: String,
}

/// What [`Cases::open`] needs of a case to open, whoever opens it.
pub(crate) struct Opening<'a> {
    pub(crate) service_id: &'a str,
    pub(crate) applicant: Option<daftar_core::ir::NationalId>,
    pub(crate) applicant_verified: bool,
    pub(crate) acting_for: Option<daftar_core::ir::LegalId>,
    pub(crate) answers: BTreeMap<String, String>,
    pub(crate) uploads: &'a [super::Upload],
    pub(crate) uploaded_by: String,
    pub(crate) actor: Actor,
    pub(crate) action: &'a str,
    pub(crate) comment: Option<String>,
    /// A complaint's register row, written with the case.
    pub(crate) complaint: Option<daftar_store::NewComplaint>,
    /// The office it goes to, when not the district's (a complaint: the office of the
    /// case or the staff member it concerns).
    pub(crate) office: Option<OfficeCode>,
}

impl Cases {
    /// Checks an application as [`Cases::apply`] would, opening nothing: for the page
    /// where the applicant checks their answers before sending them.
    pub async fn check_application(
        &self,
        who: &Principal,
        application: &Application,
    ) -> Result<(), CaseError> {
        self.checked(who, application).await.map(|_| ())
    }

    /// The application's answers, normalised, once every check has passed: every problem
    /// at once otherwise, answers then documents, so the form is corrected once.
    async fn checked(
        &self,
        who: &Principal,
        application: &Application,
    ) -> Result<BTreeMap<String, String>, CaseError> {
        let Principal::Citizen { national_id, .. } = who else {
            return Err(CaseError::NotAllowed("case.applicants_only"));
        };
        let service = self.service_of(&application.service_id)?;
        let workflow = service
            .workflow
            .as_deref()
            .ok_or(CaseError::Invalid("service.instant"))?;
        let definition = self
            .workflows
            .latest(workflow)
            .ok_or_else(|| anyhow::anyhow!("workflow {workflow} is not loaded"))?;
        // A complaint is filed through its own form, which routes it
        // ([`crate::complaint`]).
        if definition.id == daftar_core::complaint::WORKFLOW {
            return Err(CaseError::Invalid("complaint.use_form"));
        }
        // A workflow whose certificate needs no open violation on the property (Note 8 of
        // Article 100) is not even applied for while one is open.
        let bars_open_violations = definition.actions.iter().any(|action| {
            action
                .needs
                .contains(&daftar_core::workflow::Work::NoOpenViolation)
        });
        let (answers, mut problems) = match service.form.check_answers(&application.answers) {
            Ok(answers) => (answers, Vec::new()),
            Err(problems) => (BTreeMap::new(), problems),
        };
        for required in service.form.documents.iter().filter(|d| d.required) {
            if !application.uploads.iter().any(|u| u.kind == required.id) {
                problems.push(AnswerError {
                    field: required.id.clone(),
                    code: "document.required",
                });
            }
        }
        problems.extend(upload_problems(service, &application.uploads));
        if !problems.is_empty() {
            return Err(CaseError::InvalidFields(problems));
        }
        self.check_document_limits(None, Some(national_id), application.uploads.len())
            .await?;
        if bars_open_violations
            && let (Some(district), Some(code)) = (
                answers.get("district").and_then(|d| d.parse::<u16>().ok()),
                answers.get("renewal_code"),
            )
            && self.open_violation_on(district, code).await?
        {
            return Err(CaseError::InvalidField {
                code: "case.open_violation",
                field: "renewal_code".into(),
            });
        }
        Ok(answers)
    }

    /// Opens a case for a signed-in applicant.
    pub async fn apply(
        &self,
        who: &Principal,
        application: &Application,
    ) -> Result<CaseRecord, CaseError> {
        let answers = self.checked(who, application).await?;
        let Principal::Citizen {
            national_id,
            acting_for,
            verified,
        } = who
        else {
            return Err(CaseError::NotAllowed("case.applicants_only"));
        };
        self.open(Opening {
            service_id: &application.service_id,
            applicant: Some(national_id.clone()),
            applicant_verified: *verified,
            acting_for: acting_for.clone(),
            answers,
            uploads: &application.uploads,
            uploaded_by: "applicant".into(),
            actor: Actor::Applicant,
            action: "apply",
            comment: None,
            complaint: None,
            office: None,
        })
        .await
    }

    /// Opens a case the office starts itself on a registered property, for the owner the
    /// register names (who then follows it as its applicant): a violation case from a
    /// registry letter. The caller has checked the staff member may; the uploads are
    /// checked here as an application's are.
    pub async fn open_for_owner(
        &self,
        account: &daftar_store::StaffAccount,
        opening: OwnerOpening<'_>,
    ) -> Result<CaseRecord, CaseError> {
        let office = self.office_for(Some(opening.district)).await?;
        let held = super::roles_in(account, &office);
        if !opening.roles.iter().any(|role| held.contains(role)) {
            return Err(CaseError::NotAllowed(opening.refusal));
        }
        let service = self.service_of(opening.service_id)?;
        let problems = upload_problems(service, opening.uploads);
        if !problems.is_empty() {
            return Err(CaseError::InvalidFields(problems));
        }
        self.check_document_limits(None, None, opening.uploads.len())
            .await?;
        let mut answers = opening.answers;
        answers.insert("district".into(), opening.district.to_string());
        answers.insert(
            "renewal_code".into(),
            opening.renewal_code.as_str().to_owned(),
        );
        self.open(Opening {
            service_id: opening.service_id,
            applicant: Some(opening.owner),
            // Named by the property register, not by whoever signed in: there is no
            // mobile to confirm, and the page asks for no identity check.
            applicant_verified: true,
            acting_for: None,
            answers,
            uploads: opening.uploads,
            uploaded_by: format!("staff:{}", account.username),
            actor: Actor::Staff {
                id: account.id,
                name: account.display_name.clone(),
            },
            action: opening.action,
            comment: Some(opening.comment),
            complaint: None,
            office: None,
        })
        .await
    }

    /// Opens a case with its first tasks, history row, notice and documents, in one
    /// transaction; documents stored for a case that did not open are removed.
    pub(crate) async fn open(&self, opening: Opening<'_>) -> Result<CaseRecord, CaseError> {
        let service = self.service_of(opening.service_id)?;
        let workflow = service
            .workflow
            .as_deref()
            .ok_or(CaseError::Invalid("service.instant"))?;
        let definition = self
            .workflows
            .latest(workflow)
            .ok_or_else(|| anyhow::anyhow!("workflow {workflow} is not loaded"))?;
        let answers = opening.answers;
        let district = answers.get("district").and_then(|d| d.parse::<u16>().ok());
        let office = match opening.office {
            Some(office) => office,
            None => self.office_for(district).await?,
        };
        let stored = self
            .store_uploads(service, opening.uploads, &opening.uploaded_by)
            .await?;
        let documents = stored.documents;
        let now = Timestamp::now();
        let today = JalaliDate::from_timestamp(now);
        let position = definition.start_position();
        let due = definition
            .due_date(&position, today, &self.holidays)
            .unwrap_or(today);
        let first_state = definition
            .state(&position.state)
            .map(|s| s.name.fa.clone())
            .unwrap_or_default();
        let history = NewHistory {
            actor: opening.actor,
            action: opening.action.into(),
            from_state: None,
            to_state: position.state.clone(),
            comment: opening.comment,
            changes: None,
        };
        let owner_unit = answers
            .get(super::ROUTED_TO)
            .and_then(|slug| daftar_core::roles::Role::from_slug(slug))
            .unwrap_or(service.owner_unit);
        let tasks = tasks_for(definition, owner_unit, &position, due);
        let mut case = NewCase {
            tracking_code: String::new(),
            service_id: service.identifier.clone(),
            workflow_id: definition.id.clone(),
            workflow_version: definition.version,
            applicant: opening.applicant.clone(),
            applicant_verified: opening.applicant_verified,
            acting_for: opening.acting_for,
            office,
            district,
            // The answer is a checked renewal code already (the form's kind for it).
            renewal_code: district.and(answers.get("renewal_code").cloned()),
            state: position.state.clone(),
            position_json: serde_json::to_string(&position).map_err(anyhow::Error::from)?,
            fields_json: serde_json::to_string(&answers).map_err(anyhow::Error::from)?,
            sla_due: Some(due),
            complaint: opening.complaint,
        };
        // A tracking code is eleven random digits; one already taken is refused by the
        // store's unique key, writing nothing, and another is drawn.
        for _ in 0..CODE_DRAWS {
            case.tracking_code = TrackingCode::from_random(self.codes.draw()).to_string();
            let notices: Vec<NewNotification> = opening
                .applicant
                .iter()
                .map(|applicant| NewNotification {
                    to: Recipient::Citizen(applicant.clone()),
                    text: status_notice(&case.tracking_code, &first_state),
                })
                .collect();
            let opened = self
                .store
                .open_case(&case, &tasks, &history, &notices, &documents, now)
                .await;
            match opened {
                Err(StoreError::Conflict("tracking code")) => continue,
                Ok(id) => return self.load(id).await,
                Err(error) => {
                    self.discard_later(&stored.created);
                    return Err(error.into());
                }
            }
        }
        self.discard_later(&stored.created);
        Err(anyhow::anyhow!("{CODE_DRAWS} tracking codes drawn in a row were taken").into())
    }

    /// Refuses uploads the service's form does not take, by kind and by content, and
    /// more than the document limits allow, as an application's are.
    pub(crate) async fn check_uploads(
        &self,
        service_id: &str,
        applicant: Option<&daftar_core::ir::NationalId>,
        uploads: &[super::Upload],
    ) -> Result<(), CaseError> {
        let problems = upload_problems(self.service_of(service_id)?, uploads);
        if !problems.is_empty() {
            return Err(CaseError::InvalidFields(problems));
        }
        self.check_document_limits(None, applicant, uploads.len())
            .await
    }

    /// The office a new case goes to: the one of the property's district, else the first.
    async fn office_for(&self, district: Option<u16>) -> Result<OfficeCode, CaseError> {
        let offices = self.accounts.offices().await?;
        let Some(chosen) = offices
            .iter()
            .find(|office| district.is_some_and(|d| office.district == i64::from(d)))
            .or_else(|| offices.first())
        else {
            // The applicant is told the desk is not open yet; the operator needs more.
            tracing::error!(
                "an application was refused: no office is set up (`daftar office add` sets one up)"
            );
            return Err(CaseError::NoOffice);
        };
        Ok(chosen.code.clone())
    }
}
