//! A staff member's conduct record: the complaints and disputes naming them, with what
//! internal inspection found. Only internal inspection and the office head read it, and
//! never about themselves.

use daftar_core::roles::{OfficeCode, Role};
use daftar_core::text::Text;
use daftar_store::{CaseId, NamedStaff, StaffAccount, StaffId};
use jiff::Timestamp;

use super::Complaints;
use crate::cases::CaseError;

/// The roles that read conduct records.
const READERS: [Role; 2] = [Role::InternalInspection, Role::OfficeHead];

/// One complaint on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductRow {
    pub case: CaseId,
    pub tracking_code: String,
    pub kind: Text,
    /// The finding's slug (`upheld`, `partly_upheld`, `not_upheld`), once recorded.
    pub finding: Option<String>,
    pub answer: Option<String>,
    /// Whether it is still being looked into.
    pub open: bool,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductRecord {
    pub staff: StaffId,
    pub display_name: String,
    pub rows: Vec<ConductRow>,
}

impl Complaints {
    /// The offices in which `who` reads conduct records; refused when none.
    fn reading_offices(&self, who: &StaffAccount) -> Result<Vec<OfficeCode>, CaseError> {
        let mut offices: Vec<OfficeCode> = READERS
            .iter()
            .flat_map(|role| who.offices_for(*role).cloned())
            .collect();
        offices.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        offices.dedup();
        if offices.is_empty() {
            return Err(CaseError::NotAllowed("conduct.not_allowed"));
        }
        Ok(offices)
    }

    /// The staff of the reader's offices named in complaints, the most named first; the
    /// reader is not listed.
    pub async fn named_staff(&self, who: &StaffAccount) -> Result<Vec<NamedStaff>, CaseError> {
        let mut named = Vec::new();
        for office in self.reading_offices(who)? {
            named.extend(self.store.named_staff(office.as_str()).await?);
        }
        named.retain(|n| n.staff != who.id);
        Ok(named)
    }

    /// A staff member's conduct record.
    pub async fn conduct_record(
        &self,
        who: &StaffAccount,
        staff: StaffId,
    ) -> Result<ConductRecord, CaseError> {
        let offices = self.reading_offices(who)?;
        let member = self
            .store
            .staff_by_id(staff)
            .await?
            .filter(|member| member.id != who.id)
            .filter(|member| member.roles.iter().any(|(o, _)| offices.contains(o)))
            .ok_or(CaseError::NotFound)?;
        let offices: Vec<String> = offices.iter().map(|o| o.as_str().to_owned()).collect();
        let rows = self
            .store
            .complaints_naming(staff, &offices)
            .await?
            .into_iter()
            .map(|entry| {
                let fields: std::collections::BTreeMap<String, String> =
                    serde_json::from_str(&entry.fields_json).unwrap_or_default();
                ConductRow {
                    case: entry.case,
                    tracking_code: entry.tracking_code,
                    kind: self.kinds.get(&entry.kind).map_or_else(
                        || Text::new(entry.kind.clone(), entry.kind.clone()),
                        |k| k.name.clone(),
                    ),
                    finding: fields.get("finding").cloned(),
                    answer: fields.get("answer").cloned(),
                    open: entry.state == "review",
                    filed_at: entry.filed_at,
                    updated_at: entry.updated_at,
                }
            })
            .collect();
        Ok(ConductRecord {
            staff,
            display_name: member.display_name,
            rows,
        })
    }
}
