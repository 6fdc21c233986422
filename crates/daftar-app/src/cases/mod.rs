//! Cases: applying for a service, acting on a case through its workflow, seeing it,
//! following it by its tracking code, its documents, and the work queues. A file an
//! action: [`apply`], [`act`], [`view`], [`queue`], [`documents`], and [`audit`] (who
//! among the staff read a case).
//!
//! Each use case parses its input into domain types, lets the workflow engine decide, and
//! makes one store call that writes everything the action changes in one transaction.

mod act;
mod apply;
pub(crate) use apply::Opening;
pub use apply::OwnerOpening;
mod audit;
pub mod checklist;
pub use audit::ChainReport;
mod documents;
pub use documents::REFUSED_FILES_GRACE;
pub(crate) mod permit;
mod queue;
mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use daftar_core::calendar::{HolidayCalendar, JalaliDate};
use daftar_core::catalog::{Catalog, Service};
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::text::Text;
use daftar_core::workflow::{Definition, Position, Refusal, Registry};
use daftar_store::{
    AccountStore, CaseId, CaseRecord, CaseStore, NewTask, StaffAccount, StoreError,
};
use sha2::{Digest, Sha256};

use crate::accounts::Principal;
use crate::codes::RandomCodes;
use crate::files::{FileStore, ReceiveError, Received, Receiving};

pub use queue::{QUEUE_PAGE, Queue, QueueEntry, QueueFilter, parse_queue_search};
pub use view::{AvailableAction, CaseView, MY_CASES, PublicStatus};

/// The case use cases, over the case store, the accounts (the office a case goes to, the
/// colleague it is marked to), the catalog and workflows, the calendar and the files.
#[derive(Debug, Clone)]
pub struct Cases {
    store: Arc<dyn CaseStore>,
    accounts: Arc<dyn AccountStore>,
    catalog: Arc<Catalog>,
    workflows: Arc<Registry>,
    holidays: Arc<HolidayCalendar>,
    files: FileStore,
    codes: RandomCodes,
    limits: DocumentLimits,
    /// Where the work beside the workflow is kept (inquiries, visits, sketches), which
    /// an action may need done first.
    work: Option<Arc<dyn daftar_store::Store>>,
    /// The fine schedule and the company code a final ruling's fines are billed with.
    fines: Option<(Arc<daftar_core::violation::FineSchedule>, u16)>,
    /// The office's key, for actions that issue signed documents.
    issuing: Option<crate::issued::Issuing>,
    /// Where the public status look-up reads.
    reads: crate::replica::PublicReads<dyn CaseStore>,
    /// The files refused requests wrote, with when they were set aside
    /// ([`Cases::discard_refused_uploads`]).
    refused_files: Arc<std::sync::Mutex<documents::SetAside>>,
    /// The secret drafts' owners are digested with ([`Cases::draft_owner`]), read once.
    draft_owner_key: Arc<tokio::sync::OnceCell<String>>,
}

/// How many documents may be uploaded, as configured.
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    pub documents_per_case: usize,
    /// Counted over the last 24 hours, across the applicant's cases.
    pub documents_per_applicant_per_day: usize,
}

impl Default for DocumentLimits {
    fn default() -> DocumentLimits {
        DocumentLimits {
            documents_per_case: 50,
            documents_per_applicant_per_day: 100,
        }
    }
}

impl Cases {
    pub fn new(
        store: Arc<dyn CaseStore>,
        accounts: Arc<dyn AccountStore>,
        catalog: Arc<Catalog>,
        workflows: Arc<Registry>,
        holidays: Arc<HolidayCalendar>,
        files: FileStore,
    ) -> Cases {
        Cases {
            reads: crate::replica::PublicReads::primary_only(store.clone()),
            store,
            accounts,
            catalog,
            workflows,
            holidays,
            files,
            codes: RandomCodes::default(),
            limits: DocumentLimits::default(),
            work: None,
            fines: None,
            issuing: None,
            refused_files: Arc::default(),
            draft_owner_key: Arc::default(),
        }
    }

    /// Lets the public status look-up read a replica (see [`crate::replica`]).
    pub fn with_public_reads(mut self, reads: &crate::replica::PublicReads) -> Cases {
        self.reads = reads.narrow(|store| store as Arc<dyn CaseStore>);
        self
    }

    /// Reads the work done beside the workflow from `store`, for the actions that need
    /// some (without it, such an action is refused).
    pub fn with_work(mut self, store: Arc<dyn daftar_store::Store>) -> Cases {
        self.work = Some(store);
        self
    }

    /// Bills a final ruling's fines under `schedule`, with the municipality's
    /// `company_code` in their bill IDs.
    pub fn with_fines(
        mut self,
        schedule: Arc<daftar_core::violation::FineSchedule>,
        company_code: u16,
    ) -> Cases {
        self.fines = Some((schedule, company_code));
        self
    }

    /// Lets actions issue signed documents (`effects = ["issue:…"]`).
    pub fn with_issuing(mut self, issuing: crate::issued::Issuing) -> Cases {
        self.issuing = Some(issuing);
        self
    }

    /// The bills an action's effects issue (a final ruling's fines).
    async fn effect_bills(
        &self,
        case: &CaseRecord,
        effects: &[daftar_core::workflow::Effect],
    ) -> Result<Vec<daftar_store::NewBill>, CaseError> {
        let mut bills = Vec::new();
        for effect in effects {
            match effect {
                daftar_core::workflow::Effect::FineBills => {
                    let (Some(store), Some((_, company_code))) = (&self.work, &self.fines) else {
                        return Err(
                            anyhow::anyhow!("fines are billed with no fine schedule").into()
                        );
                    };
                    bills
                        .extend(crate::violation::fine_bills(&**store, *company_code, case).await?);
                }
                daftar_core::workflow::Effect::FeeBills => {
                    let (Some(store), Some((_, company_code))) = (&self.work, &self.fines) else {
                        return Err(anyhow::anyhow!("fees are billed with no company code").into());
                    };
                    bills.extend(permit::fee_bills(&**store, *company_code, case).await?);
                }
                // Written by the store in the action's transaction (Transition).
                daftar_core::workflow::Effect::CancelFineBills
                | daftar_core::workflow::Effect::CancelFeeBills
                | daftar_core::workflow::Effect::IssueDocument(_) => {}
            }
        }
        Ok(bills)
    }

    /// The documents an action's effects issue for the case, signed: about the case's
    /// property when it names one, else the case, with the case's `answers` as the action
    /// leaves them; issued by `by` in their role.
    async fn effect_documents(
        &self,
        case: &CaseRecord,
        answers: &BTreeMap<String, String>,
        effects: &[daftar_core::workflow::Effect],
        by: Option<(daftar_store::StaffId, Role)>,
    ) -> Result<Vec<daftar_store::NewIssued>, CaseError> {
        let mut issued = Vec::new();
        for effect in effects {
            let daftar_core::workflow::Effect::IssueDocument(kind) = effect else {
                continue;
            };
            let issuing = self
                .issuing
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("a document is issued with no office key"))?;
            let service = self.service_of(&case.service_id)?;
            let mut facts = BTreeMap::from([
                ("tracking_code".to_owned(), case.tracking_code.clone()),
                ("service".to_owned(), service.title.fa.clone()),
            ]);
            // The number the office's secretariat gave it (with this action), as printed.
            if let Some(number) = answers.get("certificate_number") {
                facts.insert("certificate_number".into(), number.clone());
            }
            // What each kind states beyond the case and its property, from the work
            // beside the workflow.
            let mut valid_until = None;
            let work = || {
                self.work.as_deref().ok_or_else(|| {
                    anyhow::anyhow!("a {} is issued with no work store", kind.slug())
                })
            };
            match kind {
                daftar_core::issued::DocumentKind::BuildingPermit => {
                    let (permit, until) = permit::permit_facts(work()?, case, answers).await?;
                    facts.extend(permit);
                    valid_until = Some(until);
                }
                daftar_core::issued::DocumentKind::RulingNotice => {
                    facts.extend(crate::violation::ruling_facts(work()?, case, answers).await?);
                }
                daftar_core::issued::DocumentKind::InspectionReport => {
                    facts.extend(permit::sketch_facts(work()?, case).await?);
                    if let Some(area) = answers.get("built_area_m2") {
                        facts.insert("built_area_m2".into(), area.clone());
                    }
                }
                _ => {}
            }
            let subject = match property_of(case) {
                Some((district, code)) => {
                    facts.insert("district".into(), district.to_string());
                    facts.insert("renewal_code".into(), code.as_str().to_owned());
                    daftar_core::issued::Subject::Property {
                        district,
                        renewal_code: code.as_str().to_owned(),
                    }
                }
                None => daftar_core::issued::Subject::Case {
                    tracking_code: case.tracking_code.clone(),
                },
            };
            let (_, row) = issuing
                .prepare(&crate::issued::NewDocument {
                    kind: *kind,
                    subject,
                    facts,
                    valid_until,
                    case: Some(case.id),
                    issued_by: by,
                    office: Some(case.office.as_str().to_owned()),
                    serial: None,
                    supersedes: None,
                })
                .await?;
            issued.push(row);
        }
        Ok(issued)
    }

    /// Whether the property a new case names has an open violation case: what bars its
    /// certificates (Note 8 of Article 100).
    async fn open_violation_on(
        &self,
        district: u16,
        renewal_code: &str,
    ) -> Result<bool, CaseError> {
        match &self.work {
            Some(store) => Ok(!store
                .open_cases_on(crate::violation::VIOLATION_WORKFLOW, district, renewal_code)
                .await?
                .is_empty()),
            None => Ok(false),
        }
    }

    /// Of the work `needed`, what is done on the case; asked only when an action needs some.
    async fn work_done(
        &self,
        case: &CaseRecord,
        needed: &[daftar_core::workflow::Work],
    ) -> Result<Vec<daftar_core::workflow::Work>, CaseError> {
        use daftar_core::workflow::Work;
        let id = case.id;
        let Some(store) = &self.work else {
            return Ok(Vec::new());
        };
        let mut done = Vec::new();
        for work in needed {
            let is_done = match work {
                Work::Inquiry => !store.case_inquiries(id).await?.is_empty(),
                Work::Visit => store.live_visit(id).await?.is_some(),
                Work::Sketch => store.has_sketch(id).await?,
                Work::ChecklistDone => self.open_checklist_items(case).await?.is_empty(),
                Work::MapOrder | Work::NotBuildable => {
                    let order = store
                        .case_inquiries(id)
                        .await?
                        .first()
                        .and_then(|latest| {
                            serde_json::from_str::<crate::zoning::Inquiry>(&latest.answer_json).ok()
                        })
                        .and_then(|inquiry| inquiry.property_map_order());
                    match work {
                        Work::MapOrder => order.is_some(),
                        _ => order.is_some_and(|order| !order.buildable),
                    }
                }
                violation_work => match &self.fines {
                    Some((schedule, _)) => {
                        crate::violation::work_done(&**store, schedule, case, *violation_work)
                            .await?
                    }
                    None => false,
                },
            };
            if is_done {
                done.push(*work);
            }
        }
        Ok(done)
    }

    /// Limits the documents uploaded as `limits` say.
    pub fn with_document_limits(mut self, limits: DocumentLimits) -> Cases {
        self.limits = limits;
        self
    }

    /// Draws tracking codes from `codes` (a test makes two draws collide).
    pub fn with_codes(mut self, codes: RandomCodes) -> Cases {
        self.codes = codes;
        self
    }

    /// The loaded catalog the cases' services come from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A workflow in the version a case follows, for naming its states and actions.
    pub fn workflow(&self, id: &str, version: u32) -> Option<&Definition> {
        self.workflows.get(id, version)
    }

    /// The name of `state` in version `version` of workflow `workflow`: what every page
    /// and answer calls a case's state. The state's id, in both languages, when that
    /// version is not loaded or has no such state.
    pub fn state_name(&self, workflow: &str, version: u32, state: &str) -> Text {
        self.workflows
            .get(workflow, version)
            .and_then(|definition| definition.state(state))
            .map(|found| found.name.clone())
            .unwrap_or_else(|| Text::new(state.to_owned(), state.to_owned()))
    }
}

/// Why a case use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// No such case, service or document, or one that is another applicant's.
    #[error("no such case")]
    NotFound,
    /// The user may not do this; the code says why (`case.applicants_only`,
    /// `auth.forbidden`, `case.not_yours`, …).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// The workflow refuses the action.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The case moved on since the user saw it; nothing was written.
    #[error("the case changed")]
    Changed,
    /// Bad input; the code names the rule (`case.decision`, `service.instant`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// A bad answer to one field of a form, or a bad document.
    #[error("invalid {field}: {code}")]
    InvalidField { code: &'static str, field: String },
    /// Every bad answer and document of an application, in the form's order.
    #[error("{} answers or documents are invalid", .0.len())]
    InvalidFields(Vec<daftar_core::catalog::AnswerError>),
    /// No office is set up to take the case (`daftar office add` sets one up).
    #[error("no office is set up: add one with `daftar office add`")]
    NoOffice,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn stale(error: StoreError) -> CaseError {
    match error {
        StoreError::Conflict(_) => CaseError::Changed,
        error => error.into(),
    }
}

/// A file as it arrives from a form or the API, received into a file of its own
/// ([`Cases::receive`]) and kept only when its request is accepted.
#[derive(Debug)]
pub struct Upload {
    /// The document's kind: a required document's id in the form.
    pub kind: String,
    pub file_name: String,
    pub content: Received,
}

/// An application for a service.
#[derive(Debug, Default)]
pub struct Application {
    pub service_id: String,
    pub answers: BTreeMap<String, String>,
    pub uploads: Vec<Upload>,
}

/// An action on a case, as the actor saw the case (`expected_version`).
#[derive(Debug, Default)]
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

impl Cases {
    /// The next `count` working days from tomorrow, in the office's calendar: the dates a
    /// date field offers to pick from (an inspection visit, say).
    /// Whether the office works on `day` (the holiday calendar).
    pub fn is_working_day(&self, day: JalaliDate) -> bool {
        self.holidays.is_working_day(day)
    }

    pub fn upcoming_working_days(&self, count: usize) -> Vec<JalaliDate> {
        let mut day = JalaliDate::from_timestamp(jiff::Timestamp::now());
        let mut days = Vec::with_capacity(count);
        // A year has far fewer holidays than this bound; it only guards the loop.
        for _ in 0..count * 3 {
            if days.len() == count {
                break;
            }
            day = day.add_days(1);
            if self.holidays.is_working_day(day) {
                days.push(day);
            }
        }
        days
    }

    /// Starts receiving an uploaded file, piece by piece, for an [`Upload`].
    pub async fn receive(&self) -> Result<Receiving, ReceiveError> {
        self.files.receive().await
    }

    /// Removes what uploads cut off by a crash and forms left uncorrected left behind (see
    /// [`FileStore::clear_abandoned_uploads`]); a server does it at start and hourly.
    pub async fn clear_abandoned_uploads(&self) {
        self.files.clear_abandoned_uploads().await;
    }

    /// Keeps a received file for `who`'s form being corrected; returns its token.
    pub async fn keep_draft(
        &self,
        who: &Principal,
        received: &Received,
        file_name: &str,
    ) -> Result<String, ReceiveError> {
        let owner = self.draft_owner(who).await?;
        self.files.keep_draft(received, file_name, &owner).await
    }

    /// A draft `who` kept for a form being corrected, received again, with its file name;
    /// `None` for another's.
    pub async fn draft(
        &self,
        who: &Principal,
        token: &str,
    ) -> Result<Option<(Received, String)>, ReceiveError> {
        let owner = self.draft_owner(who).await?;
        self.files.draft(token, &owner).await
    }

    /// Whose drafts they are: the signed-in person's national ID or username, digested
    /// with a secret every instance shares. A plain digest would give the national ID
    /// back to anyone who read the drafts' folder or bucket and tried the billion there
    /// are; the secret is in the database, not beside the drafts.
    async fn draft_owner(&self, who: &Principal) -> Result<String, ReceiveError> {
        let key = self
            .draft_owner_key
            .get_or_try_init(|| async {
                let candidate = format!("{:032x}", rand::random::<u128>());
                self.store.draft_owner_key(&candidate).await
            })
            .await
            .map_err(|error| anyhow::Error::new(error).context("could not read the drafts' key"))?;
        let who = match who {
            Principal::Citizen { national_id, .. } => format!("citizen:{}", national_id.as_str()),
            Principal::Staff(account) => format!("staff:{}", account.username),
        };
        let mut digest = Sha256::new();
        digest.update(key.as_bytes());
        digest.update(who.as_bytes());
        Ok(hex::encode(digest.finalize()))
    }

    /// Whether documents can be stored (for `/readyz`): their directory or bucket answers.
    pub async fn documents_ready(&self) -> anyhow::Result<()> {
        self.files.ready().await
    }

    /// Removes a draft once its application is accepted.
    pub async fn discard_draft(&self, token: &str) {
        self.files.discard_draft(token).await;
    }

    /// Receives an uploaded file already in memory, for an [`Upload`].
    pub async fn receive_bytes(&self, bytes: &[u8]) -> Result<Received, ReceiveError> {
        self.files.receive_bytes(bytes).await
    }

    /// The service a case is for, and the workflow version it follows.
    fn service_of(&self, service_id: &str) -> Result<&Service, CaseError> {
        self.catalog.get(service_id).ok_or(CaseError::NotFound)
    }

    fn definition_of(&self, case: &CaseRecord) -> Result<&Definition, CaseError> {
        self.workflows
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

    async fn load(&self, id: CaseId) -> Result<CaseRecord, CaseError> {
        self.store.case(id).await?.ok_or(CaseError::NotFound)
    }

    /// A case for its applicant's own business beside the workflow (the survey): the
    /// case, or what [`Cases::view`] would answer anyone else.
    pub(crate) async fn applicants_case(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<CaseRecord, CaseError> {
        let case = self.load(id).await?;
        match self.standing(who, &case)? {
            Standing::Applicant => Ok(case),
            Standing::Staff(_) => Err(CaseError::NotAllowed("case.applicants_only")),
        }
    }

    /// A case for a staff member's work on it beside the workflow (the sketch): the case,
    /// the roles `who` holds in its office, and who may act on it now. Someone the case
    /// is not for gets what [`Cases::view`] would give them.
    pub(crate) async fn for_staff_work(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<(CaseRecord, Vec<Role>, Vec<daftar_store::TaskRecord>), CaseError> {
        let case = self.load(id).await?;
        let Standing::Staff(roles) = self.standing(who, &case)? else {
            return Err(CaseError::NotFound);
        };
        let tasks = self.store.case_tasks(id).await?;
        Ok((case, roles, tasks))
    }
}

fn position_of(case: &CaseRecord) -> Result<Position, CaseError> {
    serde_json::from_str(&case.position_json)
        .map_err(|e| anyhow::anyhow!("case {} has an unreadable position: {e}", case.id.0).into())
}

pub(crate) fn fields_of(case: &CaseRecord) -> BTreeMap<String, String> {
    serde_json::from_str(&case.fields_json).unwrap_or_default()
}

/// The answer naming the unit a complaint was routed to when it was opened
/// ([`crate::complaint`]); no form asks for it, so no applicant can set it.
pub(crate) const ROUTED_TO: &str = "routed_to";

/// The answer holding the id of the staff member a complaint names, who is kept from it
/// (never shown: [`Cases::view`] leaves it out).
pub(crate) const NAMED_STAFF_ID: &str = "named_staff_id";

/// Whether `case` is a complaint naming the staff member `staff`.
pub(crate) fn names_staff(case: &CaseRecord, staff: daftar_store::StaffId) -> bool {
    fields_of(case).get(NAMED_STAFF_ID) == Some(&staff.0.to_string())
}

/// The unit a case's `service_owner` stands for: the one its complaint was routed to,
/// else the one owning its service in the catalog.
fn owner_unit(service: &Service, case: &CaseRecord) -> Role {
    fields_of(case)
        .get(ROUTED_TO)
        .and_then(|slug| Role::from_slug(slug))
        .unwrap_or(service.owner_unit)
}

/// The property a case is about: its district and the renewal code its form asked for,
/// when it names one.
pub fn property_of(case: &CaseRecord) -> Option<(u16, daftar_core::property::RenewalCode)> {
    let code = fields_of(case)
        .get("renewal_code")
        .and_then(|code| daftar_core::property::RenewalCode::parse(code).ok())?;
    Some((case.district?, code))
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

/// How a user stands to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Applicant,
    /// Staff of the case's office, with the roles they hold there.
    Staff(Vec<Role>),
}

impl Cases {
    /// How `who` stands to `case`: its applicant, or staff of its office whose role takes
    /// part in its workflow or oversees the office. Anyone else is told the case does not
    /// exist (404), as a citizen is told of another's case.
    fn standing(&self, who: &Principal, case: &CaseRecord) -> Result<Standing, CaseError> {
        let standing = standing(who, case)?;
        let Standing::Staff(roles) = &standing else {
            return Ok(standing);
        };
        let service = self.service_of(&case.service_id)?;
        let definition = self.definition_of(case)?;
        let concerned = roles
            .iter()
            .any(|role| role.oversees() || definition.takes_part(*role, owner_unit(service, case)));
        if concerned {
            Ok(standing)
        } else {
            Err(CaseError::NotFound)
        }
    }
}

fn standing(who: &Principal, case: &CaseRecord) -> Result<Standing, CaseError> {
    match who {
        Principal::Citizen {
            national_id,
            acting_for,
            ..
        } if case.applicant.as_ref() == Some(national_id) && *acting_for == case.acting_for => {
            Ok(Standing::Applicant)
        }
        Principal::Citizen { .. } => Err(CaseError::NotFound),
        // The staff member a complaint names never sees it, nor who filed it: to them it
        // does not exist.
        Principal::Staff(account) if names_staff(case, account.id) => Err(CaseError::NotFound),
        Principal::Staff(account) => {
            let roles = roles_in(account, &case.office);
            if roles.is_empty() {
                Err(CaseError::NotAllowed("auth.forbidden"))
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
