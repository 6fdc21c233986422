//! A state's checklist (docs/WORKFLOWS.md): permit drafting ticks its items one by one,
//! each by a named person and with a document where the item needs one; the fee item is
//! ticked by the payment of the case's fee bills alone. An action needing
//! `checklist_done` is refused while an item of the case's state is open, naming it.

use daftar_core::cases::check_upload;
use daftar_core::workflow::checklist::{ChecklistItem, ChecklistProgress, open_items};
use daftar_store::{CaseId, CaseRecord, ChecklistTick, NewDocument, StoreError};
use jiff::Timestamp;

use super::{CaseError, Cases, Standing, Upload, position_of};
use crate::accounts::Principal;

/// The action that bills a case's fees.
const FEES_BILLED: &str = "issue_fee_bills";

/// An item of the case's checklist as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistRow {
    pub item: ChecklistItem,
    /// Who ticked it and when; none for an item settled by fee bills.
    pub tick: Option<ChecklistTick>,
    pub done: bool,
}

impl Cases {
    /// The checklist of the case's workflow: the items of the state it is in, and those
    /// ticked before. Empty for a workflow with none.
    pub(crate) async fn checklist_of(
        &self,
        case: &CaseRecord,
    ) -> Result<Vec<ChecklistRow>, CaseError> {
        let definition = self.definition_of(case)?;
        if definition.checklist.is_empty() {
            return Ok(Vec::new());
        }
        let state = position_of(case)?.state;
        let (ticks, fees_paid) = self.progress_of(case.id).await?;
        let ticked: Vec<&str> = ticks.iter().map(|tick| tick.item.as_str()).collect();
        let progress = ChecklistProgress {
            ticked: &ticked,
            fees_paid,
        };
        Ok(definition
            .checklist
            .iter()
            .filter(|item| item.state == state || ticked.contains(&item.id.as_str()))
            .map(|item| ChecklistRow {
                tick: ticks.iter().find(|tick| tick.item == item.id).cloned(),
                done: item.is_done(progress),
                item: item.clone(),
            })
            .collect())
    }

    /// The items of the case's state still open, by name: none means `checklist_done`.
    pub(super) async fn open_checklist_items(
        &self,
        case: &CaseRecord,
    ) -> Result<Vec<ChecklistItem>, CaseError> {
        let definition = self.definition_of(case)?;
        let state = position_of(case)?.state;
        let (ticks, fees_paid) = self.progress_of(case.id).await?;
        let ticked: Vec<&str> = ticks.iter().map(|tick| tick.item.as_str()).collect();
        Ok(open_items(
            &definition.checklist,
            &state,
            ChecklistProgress {
                ticked: &ticked,
                fees_paid,
            },
        )
        .into_iter()
        .cloned()
        .collect())
    }

    /// What is done of a case's checklist: its ticks, and whether its fees are paid.
    async fn progress_of(&self, case: CaseId) -> Result<(Vec<ChecklistTick>, bool), CaseError> {
        Ok((
            self.store.checklist_ticks(case).await?,
            self.fees_paid(case).await?,
        ))
    }

    /// The case's fees are billed and every bill is paid (fees that came to nothing were
    /// billed with no bill).
    async fn fees_paid(&self, case: CaseId) -> Result<bool, CaseError> {
        let Some(store) = &self.work else {
            return Ok(false);
        };
        let bills: Vec<_> = store
            .fine_bills(case)
            .await?
            .into_iter()
            .filter(|bill| !bill.cancelled)
            .collect();
        if bills.is_empty() {
            let billed = self
                .store
                .case_history(case)
                .await?
                .iter()
                .any(|row| row.action == FEES_BILLED);
            return Ok(billed);
        }
        Ok(bills.iter().all(|bill| bill.paid_at.is_some()))
    }

    /// Ticks an item of the case's checklist: by staff holding the role of the state's
    /// work in the case's office, with a document when the item needs one.
    pub async fn tick_checklist(
        &self,
        who: &Principal,
        id: CaseId,
        item_id: &str,
        upload: Option<Upload>,
    ) -> Result<(), CaseError> {
        let case = self.load(id).await?;
        // Whoever may not see the case is told what any look-up tells them.
        let standing = self.standing(who, &case)?;
        let (Principal::Staff(account), Standing::Staff(roles)) = (who, standing) else {
            return Err(CaseError::NotAllowed("checklist.not_yours"));
        };
        let definition = self.definition_of(&case)?;
        let state_id = position_of(&case)?.state;
        let item = definition
            .checklist
            .iter()
            .find(|item| item.id == item_id && item.state == state_id)
            .ok_or(CaseError::Invalid("checklist.no_item"))?;
        let owner_unit = super::owner_unit(self.service_of(&case.service_id)?, &case);
        let works_here = match definition.state(&state_id).map(|state| &state.owner) {
            Some(daftar_core::workflow::Owner::Role(role)) => {
                roles.contains(&role.resolve(owner_unit))
            }
            _ => false,
        };
        if !works_here {
            return Err(CaseError::NotAllowed("checklist.not_yours"));
        }
        if item.settled_by_fees {
            return Err(CaseError::Invalid("checklist.settled_by_fees"));
        }
        let document = match (item.document, upload) {
            (true, None) => {
                return Err(CaseError::InvalidField {
                    code: "checklist.document_required",
                    field: item.id.clone(),
                });
            }
            (false, Some(_)) => return Err(CaseError::Invalid("case.no_documents_for_action")),
            (false, None) => None,
            (true, Some(upload)) => Some(upload),
        };
        let mut created = Vec::new();
        let record = match &document {
            Some(upload) => {
                let kind = check_upload(upload.content.size(), upload.content.head()).map_err(
                    |error| CaseError::InvalidField {
                        code: error.code(),
                        field: item.id.clone(),
                    },
                )?;
                let file = self.files.keep(&upload.content).await?;
                if file.created {
                    created.push(file.storage_key.clone());
                }
                Some(NewDocument {
                    kind: item.id.clone(),
                    file_name: format!("{}.{}", item.id, kind.extension()),
                    content_type: kind.content_type().to_owned(),
                    size_bytes: upload.content.size() as u64,
                    sha256: file.sha256,
                    storage_key: file.storage_key,
                    uploaded_by: account.display_name.clone(),
                })
            }
            None => None,
        };
        let ticked = self
            .store
            .tick_checklist(id, &item.id, account.id, record.as_ref(), Timestamp::now())
            .await;
        if ticked.is_err() {
            self.discard_later(&created);
        }
        match ticked {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(CaseError::Invalid("checklist.ticked")),
            Err(error) => Err(error.into()),
        }
    }
}
