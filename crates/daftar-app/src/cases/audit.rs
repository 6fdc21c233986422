//! Who read what: internal inspection lists the staff reads of a case, or a staff
//! member's reads, newest first. Reads are recorded where they happen ([`Cases::view`],
//! [`Cases::open_document`]).

use daftar_core::roles::Role;
use daftar_store::{CaseId, ReadsOf, StaffRead};

use super::{CaseError, Cases};
use crate::accounts::Principal;

/// The most reads one listing shows.
pub const READS_LISTED: u32 = 500;

impl Cases {
    /// The staff reads of a case, for internal inspection.
    pub async fn reads_of_case(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<Vec<StaffRead>, CaseError> {
        inspector(who)?;
        self.load(id).await?;
        Ok(self
            .store
            .staff_reads(ReadsOf::Case(id), READS_LISTED)
            .await?)
    }

    /// A staff member's reads, for internal inspection.
    pub async fn reads_by_staff(
        &self,
        who: &Principal,
        username: &str,
    ) -> Result<Vec<StaffRead>, CaseError> {
        inspector(who)?;
        let account = self
            .accounts
            .staff_by_username(username.trim())
            .await?
            .ok_or(CaseError::NotFound)?;
        Ok(self
            .store
            .staff_reads(ReadsOf::Staff(account.id), READS_LISTED)
            .await?)
    }
}

fn inspector(who: &Principal) -> Result<(), CaseError> {
    match who {
        Principal::Staff(account) if account.has_role(Role::InternalInspection) => Ok(()),
        _ => Err(CaseError::NotAllowed("auth.forbidden")),
    }
}
